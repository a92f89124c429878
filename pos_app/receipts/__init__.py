"""Donation receipts: rendering from templates in resources/receipts, and the senders.

`render.py` turns a gift into subject, plain text and HTML; `message.py` builds the
standard MIME message; one file per sender (`outbox.py`, `sendgrid.py`, `smtp.py`), chosen
by `senders.make_sender`. Every sender maps failures to `errors.SendTransient` or
`errors.SendPermanent`, the kinds in ARCHITECTURE.md.
"""
