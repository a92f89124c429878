"""CSV exports for reconciliation: the night's donations, and the job ledger.

Written for a bookkeeper opening them in a spreadsheet: UTF-8 with a BOM (so Excel reads
accents right), local date and time in ISO form, amounts in dollars with two decimals,
one row per gift. Text people typed (donor name, email, reasons) is guarded against
formula injection: a cell whose first visible character is = + - @ (or a full-width or
small look-alike), even behind spaces, or that opens with a tab or a line break, gets a
leading apostrophe (`safe_text`).
The file is written next to its target and moved into place, so a half-written export
never lands under the right name; a failure to write (a full disk, a folder that can't be
written) is an `ExportError` in plain words, with nothing left behind.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from jobs.kinds import receipt
from jobs.records import JobRecord, JobState
from pos_app.store.database import Database

from .records import DonationRecord

DONATION_COLUMNS = (
    "Date and time",
    "Amount",
    "Gift",
    "Fee covered",
    "Goods received",
    "Goods value",
    "Deductible",
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
    JobState.DONE: "sent",
    JobState.QUEUED: "queued",
    JobState.RUNNING: "queued",
    JobState.RETRY_SCHEDULED: "queued",
    JobState.NEEDS_ATTENTION: "needs attention",
    JobState.DISCARDED: "discarded",
}
# What a spreadsheet may take as the start of a formula (OWASP's list: = + - @, a tab or a
# line break first), compared after NFKC so the full-width and small forms (＝ ＋ － ＠,
# ﹦ ﹢ ﹣ ﹫) count too, with the minus sign that NFKC leaves alone.
_FORMULA_START = frozenset("=+-@\u2212")
# Skipped before that comparison: a spreadsheet set to trim spaces on import, or one that
# reads a leading tab or line break as blank, sees the character behind them.
_BLANK_CATEGORIES = frozenset({"Zs", "Cc", "Cf", "Zl", "Zp"})


def _first_visible(text: str) -> str:
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in _BLANK_CATEGORIES:
            continue
        return unicodedata.normalize("NFKC", ch)[:1]
    return ""


def safe_text(value: str | None) -> str:
    """Text a spreadsheet will show as text, never run as a formula: a leading apostrophe
    when the first character it may read as the start of a cell (after blanks) is a
    formula sign, or when the text opens with a tab or a line break."""
    text = value or ""
    if text[:1] in ("\t", "\r", "\n") or _first_visible(text) in _FORMULA_START:
        return "'" + text
    return text


def dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def local_iso(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return when.astimezone().isoformat(timespec="seconds")


def receipts_by_donation(db: Database) -> dict[str, tuple[str, str | None]]:
    """donation id -> (receipt job state, receipt number)."""
    with db.session() as s:
        return receipt.receipt_states(s)


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
                "Goods received": safe_text(d.goods_description),
                "Goods value": dollars(d.goods_value_cents),
                "Deductible": dollars(d.deductible_cents),
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
            "Kind": j.kind_label,
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


class ExportError(Exception):
    """An export that couldn't be written, in plain words for a lead or IT; nothing is left
    behind (no half-written file under the target name, no temp file)."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    @classmethod
    def of(cls, exc: OSError, target: Path) -> ExportError:
        folder = target.parent
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            text = (
                f"The disk is full: there is no room in {folder} for the export. "
                "Free some space there, or export to another place such as a USB stick."
            )
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            text = (
                f"Tableside isn't allowed to write in {folder}. "
                "Choose another folder, such as Documents or a USB stick."
            )
        elif exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EISDIR):
            text = f"Couldn't write {target}: there is no such folder. Choose another folder."
        else:
            text = f"Couldn't write {target} ({exc.strerror or type(exc).__name__})."
        return cls(text, target)


def place_problem(target: Path) -> str | None:
    """Plain words when the target is a folder or its folder isn't there. Folders are never
    made on the fly: a typo in a path (`/media/usb0` for `/media/usb`) would otherwise leave
    the donors' file in a new folder nobody looks in, on the laptop's disk, not the stick."""
    folder = target.parent
    if target.is_dir():
        example = target / "night.csv"
        return f"Couldn't write {target}: it is a folder. Add a file name, like {example}."
    if folder.is_dir():
        return None
    if folder.exists():
        return f"Couldn't write {target}: {folder} is a file, not a folder. Choose a folder."
    return (
        f"Couldn't write {target}: the folder {folder} doesn't exist. Create it first, or "
        "choose a folder that exists (a USB stick: check it is plugged in)."
    )


def write_csv(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    rows: list[dict],
    *,
    journal_dir: Path | None = None,
) -> int:
    """Write rows atomically (temp file, then rename); returns how many were written.

    Any failure to write (a full disk, a folder that can't be written or doesn't exist, a
    USB stick pulled) raises `ExportError` with plain words, after the temp file and its
    note are removed: the target is either the whole new export or untouched.

    The hidden temp file holds donor names and emails. A kill or power cut mid-export used
    to leave it behind for good; so its name carries this process's id, and with
    `journal_dir` (the data dir) a note of where it is is kept there until the rename.
    `clean_export_leftovers()` removes the temp files of exports whose process is gone:
    at the next start and before every export.
    """
    target = Path(path)
    problem = place_problem(target)
    if problem:
        raise ExportError(problem, target)
    tmp: Path | None = None
    note: Path | None = None
    try:
        if journal_dir is not None:
            clean_export_leftovers(journal_dir)
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
        tmp = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
            if journal_dir is not None:
                note = _note(journal_dir, tmp)
            writer = csv.DictWriter(f, fieldnames=list(columns))
            writer.writeheader()
            writer.writerows(rows)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise ExportError.of(exc, target) from exc
    finally:
        for leftover in (tmp, note):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.unlink(missing_ok=True)
    return len(rows)


TEMP_SUFFIX = ".tmp"
NOTE_PREFIX = ".export-"


def _note(journal_dir: Path, tmp: Path) -> Path:
    note = journal_dir / f"{NOTE_PREFIX}{os.getpid()}-{tmp.name}"
    try:
        note.write_text(str(tmp), encoding="utf-8")
    except OSError:  # a full disk can leave it half-written: never leave it behind
        with contextlib.suppress(OSError):
            note.unlink(missing_ok=True)
        raise
    return note


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # pragma: no cover - no cheap check: keep it until next time
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_export_leftovers(journal_dir: Path) -> list[Path]:
    """Delete the temp files of interrupted exports (their process is gone); return them."""
    removed: list[Path] = []
    try:
        notes = list(journal_dir.glob(f"{NOTE_PREFIX}*"))
    except OSError:
        return removed
    for note in notes:
        try:
            pid = int(note.name[len(NOTE_PREFIX) :].split("-", 1)[0])
        except ValueError:
            continue
        if _alive(pid):
            continue
        try:
            tmp = Path(note.read_text(encoding="utf-8").strip())
            if tmp.name.startswith(".") and tmp.name.endswith(TEMP_SUFFIX) and tmp.exists():
                tmp.unlink()
                removed.append(tmp)
            note.unlink(missing_ok=True)
        except OSError:
            continue
    return removed
