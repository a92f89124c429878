"""Small pieces the volunteer's form is built from: a field's visible label, its error, and
the error line that keeps its height whether or not an error shows, so nothing a volunteer
is about to click ever moves when a message appears or goes."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QWidget

from .core_text import shown


class FieldError(QLabel):
    """Plain-words problem shown under its field; empty (not hidden) when fine, so the line
    it sits on keeps its place."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("fieldError")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def show_message(self, text: str) -> None:
        text = shown(text)  # the core's words, in the window's language
        self.setText(f"⚠ {text}" if text else "")
        self.setToolTip(text)  # a long message is elided on a small screen; hover reads it
        self.setAccessibleDescription(text)


class ErrorLine(QWidget):
    """One fixed-height line showing the errors of one row of fields, joined (and, when none
    shows, an optional hint). Its height never changes. Each field keeps its own
    FieldError (what tests and screen readers read); the line shows them together."""

    def __init__(self, *errors: FieldError, hint: QLabel | None = None) -> None:
        super().__init__()
        self.setObjectName("errorLine")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.errors = errors
        for e in errors:  # kept (and owned) here, shown through `shown`
            e.setParent(self)
            e.hide()
        self.hint = hint
        self.shown = FieldError()
        row.addWidget(self.shown, 1)
        if hint is not None:
            hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            row.addWidget(hint, 1)
        self.shown.setText("⚠")
        self.setFixedHeight(self.shown.sizeHint().height() + 2)
        self.shown.setText("")

    def refresh(self) -> None:
        """Show the row's errors; the hint shows only while no error does."""
        messages = [e.toolTip() for e in self.errors if e.text()]
        # The first problem in full (the cursor is there); the rest counted, so a small
        # screen never cuts a sentence in half. Hover or a screen reader gets them all.
        more = (
            "  " + QCoreApplication.translate("ErrorLine", "(+{n} more)").format(
                n=len(messages) - 1
            )
            if len(messages) > 1
            else ""
        )
        self.shown.show_message(messages[0] + more if messages else "")
        self.shown.setToolTip("\n".join(messages))
        self.shown.setAccessibleDescription(" ".join(messages))
        self.shown.setVisible(bool(messages) or self.hint is None)
        if self.hint is not None:
            self.hint.setVisible(not messages)


# Shared by the donation form and the first form (ui/app.FirstForm), which is laid out
# like it before the station (and what the form needs) is even imported.
PRESET_CENTS = (2500, 5000, 10000, 25000)  # the amount buttons, F1-F4
# The form's label column (DonationForm's own words; the card fields have their own).
COLUMN_LABELS = ("Amount", "Payment", "Name", "Email")
TRAINING_OUTBOX = (
    "TRAINING MODE — practice only: no real card is charged, and receipts go to the outbox "
    "folder."
)
TRAINING_EMAILED = (
    "TRAINING MODE — practice only: no real card is charged, but receipts ARE emailed to "
    "donors."
)


def field_label(text: str, field: QLineEdit | QWidget, *, inline: bool = False) -> QLabel:
    """A visible label that names its field for screen readers too; `inline` for one
    inside a row of fields (not in the form's label column)."""
    label = QLabel(text)
    label.setObjectName("inlineLabel" if inline else "fieldLabel")
    label.setBuddy(field)
    field.setAccessibleName(text)
    return label
