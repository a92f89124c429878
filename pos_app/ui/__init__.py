"""PySide6 widgets and Qt models. Talks to the `pos_app.api` facade only."""
