"""CSV exports for reconciliation: the night's donations, and the job ledger.

Written for a bookkeeper opening them in a spreadsheet: UTF-8 with a BOM (so Excel reads
accents right), local date and time in ISO form, amounts in dollars with two decimals,
one row per gift. Text people typed (donor name, email, reasons) is guarded against
formula injection: a cell starting with = + - @ (or a tab/CR) gets a leading apostrophe.
The file is written next to its target and moved into place, so a half-written export
never lands under the right name.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import select

from jobs.records import JobRecord
from pos_app.store.database import Database
from pos_app.store.models import Job

from .records import DonationRecord

DONATION_COLUMNS = (
    "Date and time",
    "Amount",
    "Gift",
    "Fee covered",
    "Currency",
    "Method",
    "Status",
    "Brand",
    "Last 4",
    "Processor reference",
    "Donor name",
    "Email",
    "Receipt status",
    "Receipt number",
    "Refunded amount",
    "Refund reason",
    "Refund reference",
    "Check number",
    "Station",
    "Donation ID",
    "Anonymous",
    "Dedication",
)
JOB_COLUMNS = (
    "Job ID",
    "Kind",
    "State",
    "Attempts",
    "Next attempt",
    "Last error",
    "Error detail",
    "Receipt number",
    "Sent at",
    "Discard reason",
    "Donor name",
    "Email",
    "Amount",
    "Currency",
    "Donation ID",
    "Created",
    "Updated",
)
RECEIPT_STATUS = {
    "done": "sent",
    "queued": "queued",
    "running": "queued",
    "retry_scheduled": "queued",
    "needs_attention": "needs attention",
    "discarded": "discarded",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str | None) -> str:
    """Text a spreadsheet will show as text, never run as a formula."""
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def local_iso(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    if when.tzinfo is None:  # SQLite hands datetimes back naive; stored in UTC
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone().isoformat(timespec="seconds")


def receipts_by_donation(db: Database) -> dict[str, tuple[str, str | None]]:
    """donation id -> (receipt job state, receipt number)."""
    with db.session() as s:
        rows = s.execute(
            select(Job.donation_id, Job.state, Job.receipt_number).where(Job.kind == "receipt")
        ).all()
    return {d: (state, number) for d, state, number in rows}


def donation_rows(
    donations: Iterable[DonationRecord], receipts: dict[str, tuple[str, str | None]]
) -> list[dict[str, str]]:
    rows = []
    for d in donations:
        job = receipts.get(d.id)
        if job is not None:
            receipt = RECEIPT_STATUS.get(job[0], job[0])
        else:
            receipt = "no email" if not d.donor_email.strip() else "not sent"
        rows.append(
            {
                "Date and time": local_iso(d.created_at),
                "Amount": dollars(d.amount_cents),
                "Gift": dollars(d.gift_cents),
                "Fee covered": dollars(d.fee_cents),
                "Currency": d.currency.upper(),
                "Method": d.method,
                "Status": d.status,
                "Brand": d.brand or "",
                "Last 4": d.last4 or "",
                "Processor reference": d.payment_intent_id or "",
                "Donor name": "Anonymous" if d.anonymous else safe_text(d.donor_name),
                "Email": safe_text(d.donor_email),
                "Receipt status": receipt,
                "Receipt number": (job[1] or "") if job else "",
                "Refunded amount": dollars(d.refunded_cents),
                "Refund reason": safe_text(d.refund_reason),
                "Refund reference": d.refund_reference or "",
                "Check number": safe_text(d.check_number),
                "Station": safe_text(d.station),
                "Donation ID": d.id,
                "Anonymous": "yes" if d.anonymous else "",
                "Dedication": safe_text(_dedication(d)),
            }
        )
    return rows


def _dedication(d: DonationRecord) -> str:
    if d.dedication_kind == "honour":
        return f"In honour of {d.dedication_name or ''}"
    if d.dedication_kind == "memory":
        return f"In memory of {d.dedication_name or ''}"
    return ""


def job_rows(jobs: Iterable[JobRecord]) -> list[dict[str, str]]:
    return [
        {
            "Job ID": j.id,
            "Kind": j.kind,
            "State": j.state,
            "Attempts": str(j.attempts),
            "Next attempt": local_iso(j.next_attempt_at),
            "Last error": safe_text(j.last_error),
            "Error detail": safe_text(j.last_error_detail),
            "Receipt number": j.receipt_number or "",
            "Sent at": local_iso(j.sent_at),
            "Discard reason": safe_text(j.discard_reason),
            "Donor name": safe_text(j.donor_name),
            "Email": safe_text(j.donor_email),
            "Amount": dollars(j.amount_cents),
            "Currency": j.currency.upper(),
            "Donation ID": j.donation_id,
            "Created": local_iso(j.created_at),
            "Updated": local_iso(j.updated_at),
        }
        for j in jobs
    ]


def write_csv(path: str | os.PathLike[str], columns: Sequence[str], rows: list[dict]) -> int:
    """Write rows atomically (temp file, then rename); returns how many were written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(columns))
            writer.writeheader()
            writer.writerows(rows)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows)
