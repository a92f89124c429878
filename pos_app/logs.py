"""Logging: a rotating file in the log dir, behind a filter that redacts card data.

The redaction is a last line of defence: code never logs card data on purpose, but a
stray repr or a third-party message must not carry a card number or track data to disk.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

from pos_app.domain.cards import luhn_ok

LOG_FILE = "tableside.log"
_TRACK = re.compile(r"%B\d{12,19}\^[^?]*\?|;\d{12,19}=[^?]*\?")
_PAN = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_CVC = re.compile(r"(?i)(cvc|cvv|card\[cvc\])([\"']?\s*[:=]\s*[\"']?)\d{3,4}")
_SECRET = re.compile(r"\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]+|\bSG\.[A-Za-z0-9_.-]{10,}")


def redact(text: str) -> str:
    text = _TRACK.sub("[track data removed]", text)
    text = _PAN.sub(_mask_pan, text)
    text = _CVC.sub(r"\1\2***", text)
    return _SECRET.sub("[secret removed]", text)


def _mask_pan(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if 13 <= len(digits) <= 19 and luhn_ok(digits):
        return f"[card •••• {digits[-4:]}]"
    return match.group(0)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Send the app's logs to a rotating file; returns the file's path. Idempotent."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger()
    for h in root.handlers:
        if getattr(h, "_tableside", None) == str(path):
            return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler._tableside = str(path)  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level) if root.handlers[:-1] else level)
    if os.name == "posix":
        os.chmod(path, 0o600)
    return path
