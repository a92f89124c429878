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
_TRACK = re.compile(
    r"%B\d{12,19}\^[^?]*\?|;\d{12,19}=[^?]*\?"  # whole tracks
    r"|%B\d{12,19}\^[^^?\n]{0,26}(?:\^\w*)?|;\d{12,19}=\d*"  # cut short: no end sentinel
)
# A run of digit groups joined by single spaces or dashes: "4242 4242 4242 4242", but also
# "Table 3 4242 4242 4242 4242" or "4242424242424242-12", where the card is only part of it.
_DIGIT_RUN = re.compile(r"[0-9]+(?:[ -][0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
_CVC = re.compile(r"(?i)(cvc|cvv|card\[cvc\])([\"']?\s*[:=]\s*[\"']?)\d{3,4}")
_SECRET = re.compile(r"\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]+|\bSG\.[A-Za-z0-9_.-]{10,}")


def redact(text: str) -> str:
    text = _TRACK.sub("[track data removed]", text)
    text = _DIGIT_RUN.sub(_mask_pan, text)
    text = _CVC.sub(r"\1\2***", text)
    return _SECRET.sub("[secret removed]", text)


def _mask_pan(match: re.Match[str]) -> str:
    """Mask every stretch of whole groups in the run that has 13-19 digits and passes Luhn.

    Matching the run as a whole let a card leak when other digits stood next to it.
    """
    text = match.group(0)
    groups = [(g.start(), g.end()) for g in _GROUP.finditer(text)]
    out, done, i = [], 0, 0
    while i < len(groups):
        found, count = None, 0
        for j in range(i, len(groups)):  # the longest Luhn-valid stretch starting at group i
            count += groups[j][1] - groups[j][0]
            if count > 19:
                break
            if count >= 13:
                digits = "".join(text[a:b] for a, b in groups[i : j + 1])
                if luhn_ok(digits):
                    found = (j, digits)
        if found is None:
            i += 1
            continue
        j, digits = found
        out += [text[done : groups[i][0]], f"[card •••• {digits[-4:]}]"]
        done, i = groups[j][1], j + 1
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
    root.setLevel(min(root.level or level, level) if root.handlers[:-1] else level)
    if os.name == "posix":
        os.chmod(path, 0o600)
    return path
