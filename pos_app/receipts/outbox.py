"""The outbox sender (training-mode default): one standard .eml file per receipt.

A person opens the file with any mail program. The file name is the receipt number and is
written atomically (temp file + rename), so the file existing *is* the sent-marker: a
replay after a crash finds it and writes nothing twice.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import SendTransient
from .message import OutgoingEmail


class OutboxSender:
    name = "outbox"
    endpoint: tuple[str, int] | None = None  # no network

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, email: OutgoingEmail) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", email.receipt_number)
        return self.folder / f"receipt-{safe}.eml"

    def send(self, email: OutgoingEmail) -> str:
        path = self.path_for(email)
        if path.exists():
            return str(path)
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".writing-", suffix=".eml")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(email.to_mime().as_bytes())
                    f.flush()
                    os.fsync(f.fileno())
                if os.name == "posix":
                    os.chmod(tmp, 0o600)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            # A full disk or a locked folder may clear; the job retries and says why.
            raise SendTransient(
                f"Couldn't write the receipt to the outbox folder ({exc.strerror}).",
                f"{type(exc).__name__}: {exc}",
            ) from None
        return str(path)

    def close(self) -> None:
        pass
