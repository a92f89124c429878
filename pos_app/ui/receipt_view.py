"""A sent receipt shown inside the app, read-only, from its outbox .eml file.

Opening the .eml with the desktop's mail program fails quietly on many event laptops (no
launcher, or no mail program set up), so the desk renders the message itself: the file is
read and parsed with Python's email package off the GUI thread (`read_receipt`), then a
non-modal dialog shows its headers and its HTML (or plain text) body. Nothing in it is
fetched from the network, and nothing can be edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class ReceiptText:
    """What the dialog shows: plain data, safe to hand from a worker to the GUI thread."""

    path: Path
    subject: str
    to: str
    sent: str
    html: str | None
    text: str


def read_receipt(path: Path) -> ReceiptText:
    """Parse an outbox .eml (a worker's job: it reads the disk)."""
    with path.open("rb") as f:
        msg = BytesParser(policy=policy.default).parse(f)
    assert isinstance(msg, EmailMessage)
    html_part = msg.get_body(preferencelist=("html",))
    text_part = msg.get_body(preferencelist=("plain",))
    html = html_part.get_content() if html_part is not None else None
    text = text_part.get_content() if text_part is not None else ""
    return ReceiptText(
        path=path,
        subject=str(msg.get("Subject", "")),
        to=str(msg.get("To", "")),
        sent=str(msg.get("Date", "")),
        html=html,
        text=text,
    )


class ReceiptDialog(QDialog):
    """The receipt as the donor received it; closes with Esc or the Close button."""

    def __init__(self, receipt: ReceiptText, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Receipt — {subject}").format(subject=receipt.subject))
        self.resize(720, 640)
        v = QVBoxLayout(self)
        heads = QFormLayout()
        for label, value in ((self.tr("To"), receipt.to), (self.tr("Subject"), receipt.subject),
                             (self.tr("Sent"), receipt.sent)):  # fmt: skip
            shown = QLabel(value)
            shown.setWordWrap(True)
            heads.addRow(label, shown)
        v.addLayout(heads)
        self.body = QTextBrowser()
        self.body.setAccessibleName(self.tr("Receipt text"))
        self.body.setOpenLinks(False)  # read-only: no link leaves the dialog
        if receipt.html is not None:
            self.body.setHtml(receipt.html)
        else:
            self.body.setPlainText(receipt.text)
        v.addWidget(self.body, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        v.addWidget(buttons)

    def text(self) -> str:
        return self.body.toPlainText()
