"""The email a receipt becomes: one plain-data object every sender understands.

`to_mime()` builds a standard multipart/alternative message (text + HTML) for the outbox
and SMTP senders. The Message-ID derives from the receipt number, so a receipt delivered
twice after a crash (email has no idempotency: at-least-once) carries the same ID and
mail clients can tell it is the same receipt. The same object carries the other emails a
station sends (a dedication notice, an alert to the lead and IT): `kind` names which, in
the Message-ID and in an `X-Tableside-<Kind>` header, so no mail filter takes an alert for
a donor's receipt.
"""

from __future__ import annotations

import email.policy
import email.utils
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from typing import TYPE_CHECKING

from pos_app.domain.donor import email_error, sendable_email, text_error

from .errors import bad_address

if TYPE_CHECKING:  # rendering (jinja2, babel) is loaded by the jobs that send receipts
    from .render import RenderedReceipt


@dataclass(frozen=True)
class OutgoingEmail:
    to_email: str
    to_name: str
    from_email: str
    from_name: str
    subject: str
    text: str
    html: str
    receipt_number: str  # a receipt's number; for the other kinds, their stable reference
    donation_id: str
    kind: str = "receipt"  # receipt | notice | alert

    @classmethod
    def of(
        cls,
        rendered: RenderedReceipt,
        *,
        to_email: str,
        to_name: str,
        from_email: str,
        from_name: str,
        receipt_number: str,
        donation_id: str,
        kind: str = "receipt",
    ) -> OutgoingEmail:
        return cls(
            to_email=to_email,
            to_name=to_name,
            from_email=from_email,
            from_name=from_name,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            receipt_number=receipt_number,
            donation_id=donation_id,
            kind=kind,
        )

    @property
    def message_id(self) -> str:
        domain = self.from_email.rpartition("@")[2] or "tableside.invalid"
        return f"<{self.kind}.{self.receipt_number}.{self.donation_id}@{domain}>"

    @property
    def header(self) -> tuple[str, str]:
        """The header that says what this email is: X-Tableside-Receipt: T3-00042."""
        return f"X-Tableside-{self.kind.title()}", self.receipt_number

    def to_mime(self) -> EmailMessage:
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = _address(self.from_name, self.from_email)
        msg["To"] = _address(self.to_name, self.to_email)
        set_subject(msg, self.subject)
        msg["Date"] = email.utils.formatdate(localtime=True)
        msg["Message-ID"] = self.message_id
        name, value = self.header
        msg[name] = value
        # quoted-printable keeps an .eml readable in a text editor, accents and all
        msg.set_content(self.text, cte="quoted-printable")
        msg.add_alternative(self.html, subtype="html", cte="quoted-printable")
        return msg


def set_subject(msg: EmailMessage, subject: str) -> None:
    """The Subject, folded so that it reads back exactly. Python's own folder (3.11) can
    fold a long accented subject at a space between two encoded words, and a reader drops
    whitespace between encoded words: "Su recibo de donación" came back "Su recibode
    donación". An accented subject is therefore written as whole encoded words, each
    carrying its own spaces (email.header), and stored as written."""
    if subject.isascii():
        msg["Subject"] = subject
        return
    folded = Header(subject, "utf-8", header_name="Subject").encode(linesep=msg.policy.linesep)
    msg.set_raw("Subject", folded)


def _address(name: str, addr: str) -> Address:
    """A header address that always folds correctly: the domain in its ASCII form, and an
    address that can't be written plainly refused (a bad address, for a person to fix)
    rather than put into a broken To: header."""
    if email_error(addr) or text_error(name):
        raise bad_address(addr, "address or name not sendable in a header")
    user, _, domain = sendable_email(addr).rpartition("@")
    try:
        return Address(display_name=name.strip(), username=user, domain=domain)
    except (ValueError, IndexError):
        raise bad_address(addr, "address not valid in a header") from None
