"""Logging: a rotating file in the log dir, behind a filter that redacts card data.

The redaction is a last line of defence: code never logs card data on purpose, but a
stray repr or a third-party message must not carry a card number or track data to disk.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import unicodedata
from pathlib import Path

from pos_app.domain.cards import card_number_spans

LOG_FILE = "tableside.log"
_TRACK = re.compile(
    r"%B\d{12,19}\^[^?]*\?|;\d{12,19}=[^?]*\?"  # whole tracks
    r"|%B\d{12,19}\^[^^?\n]{0,26}(?:\^\w*)?|;\d{12,19}=\d*"  # cut short: no end sentinel
)
_CVC = re.compile(r"(?i)(cvc|cvv|card\[cvc\])([\"']?\s*[:=]\s*[\"']?)\d{3,4}")
_SECRET = re.compile(r"\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]+|\bSG\.[A-Za-z0-9_.-]{10,}")


def redact(text: str) -> str:
    text = _TRACK.sub("[track data removed]", unicodedata.normalize("NFKC", text))
    text = _mask_cards(text)
    text = _CVC.sub(r"\1\2***", text)
    return _SECRET.sub("[secret removed]", text)


def _mask_cards(text: str) -> str:
    """Every card number the shared detector finds (domain/cards.py), whatever separators or
    digits it was typed with, becomes "[card •••• 4242]"."""
    out, done = [], 0
    for span in card_number_spans(text):
        out += [text[done : span.start], f"[card •••• {span.digits[-4:]}]"]
        done = span.end
    out.append(text[done:])
    return "".join(out)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad log call must not raise into the caller (e.g. mid-charge)
            message = f"{record.msg} % {record.args!r} (log arguments did not fit the format)"
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it opens is owner-only (0600): the first one, and the fresh one after
    each rollover, which the stock handler creates with the umask's mode (0644 on most
    desktops) and the chmod in setup_logging never saw."""

    def _open(self):  # type: ignore[no-untyped-def]
        if os.name != "posix":
            return super()._open()
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.fchmod(fd, 0o600)  # a file an older version left readable
            return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115
        except BaseException:
            os.close(fd)
            raise


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Send the app's logs to a rotating file; returns the file's path. Idempotent."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger()
    for h in root.handlers:
        if getattr(h, "_tableside", None) == str(path):
            return path
    handler = PrivateRotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler._tableside = str(path)  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    # httpx's INFO line for every request ("HTTP Request: POST ... 200 OK") said nothing
    # our own lines don't, cost the charge path a redacted file write per processor call,
    # and filled the log; its warnings and errors still come through.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    root.setLevel(min(root.level or level, level) if root.handlers[:-1] else level)
    if os.name == "posix":
        os.chmod(path, 0o600)
    return path
