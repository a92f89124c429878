"""The event lead's PIN: set once, checked before refunds, discards, settings and export.

Only a salted scrypt hash is stored (in the app DB), never the PIN. Checks compare in
constant time. After `MAX_FAILURES` wrong tries in a row every check is refused for
`LOCKOUT_S` seconds; the count and the lock live in the DB, so restarting the app does
not reset them. Locking the panel again after inactivity is the GUI's job.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
from collections.abc import Callable

from pos_app.store.database import Database
from pos_app.store.models import LeadPin

log = logging.getLogger(__name__)

MIN_DIGITS, MAX_DIGITS = 4, 8
MAX_FAILURES = 5
LOCKOUT_S = 30.0
# scrypt cost: about 50 ms and 16 MiB per check on a laptop; a stolen DB costs an attacker
# the same per guess. Stored with each hash, so they can be raised later.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
HASH_BYTES = 32
ROW_ID = 1


class PinError(ValueError):
    """A PIN that can't be set; the message is for the lead."""


def pin_problem(pin: str) -> str | None:
    if not (pin.isascii() and pin.isdigit()):
        return f"The PIN must be {MIN_DIGITS} to {MAX_DIGITS} digits, nothing else."
    if not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        return f"The PIN must be {MIN_DIGITS} to {MAX_DIGITS} digits long."
    return None


def _hash(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=HASH_BYTES
    )


class LeadPinService:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock  # wall clock: the lock must outlive a restart
        self._lock = threading.Lock()  # one check at a time: the failure count stays exact

    def is_set(self) -> bool:
        with self.db.session() as s:
            return s.get(LeadPin, ROW_ID) is not None

    def set(self, pin: str, current: str | None = None) -> None:
        """Set the PIN (first use), or change it: then `current` must be the PIN now set.

        Raises PinError for a PIN that is not 4-8 digits, or a wrong/missing `current`.
        """
        problem = pin_problem(pin)
        if problem:
            raise PinError(problem)
        if self.is_set():
            if current is None:
                raise PinError("A lead PIN is already set; enter it to change it.")
            if not self.check(current):
                raise PinError("That is not the current lead PIN.")
        salt = os.urandom(16)
        digest = _hash(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        with self._lock, self.db.session() as s:
            row = s.get(LeadPin, ROW_ID) or LeadPin(id=ROW_ID)
            row.salt, row.pin_hash = salt.hex(), digest.hex()
            row.n, row.r, row.p = SCRYPT_N, SCRYPT_R, SCRYPT_P
            row.failures, row.locked_until = 0, None
            s.add(row)
        log.info("lead PIN set")

    def check(self, pin: str) -> bool:
        """True for the right PIN. False for a wrong one, no PIN set, or while locked."""
        with self._lock:
            with self.db.session() as s:
                row = s.get(LeadPin, ROW_ID)
                if row is None or self._locked_for(row) > 0:
                    return False
                salt, want = bytes.fromhex(row.salt), bytes.fromhex(row.pin_hash)
                n, r, p = row.n, row.r, row.p
            # Hash even a malformed entry, so timing says nothing about why it was wrong.
            candidate = pin if pin_problem(pin) is None else "\0" + pin
            ok = hmac.compare_digest(_hash(candidate, salt, n, r, p), want)
            with self.db.session() as s:
                row = s.get(LeadPin, ROW_ID)
                assert row is not None
                if ok:
                    row.failures, row.locked_until = 0, None
                    return True
                row.failures += 1
                if row.failures >= MAX_FAILURES:
                    row.failures, row.locked_until = 0, self.clock() + LOCKOUT_S
                    log.warning("lead PIN: %d wrong tries, locked for %.0f s",
                                MAX_FAILURES, LOCKOUT_S)
                return False

    def locked_for(self) -> float:
        """Seconds until the PIN can be tried again; 0.0 when it can be now."""
        with self.db.session() as s:
            row = s.get(LeadPin, ROW_ID)
            return self._locked_for(row) if row is not None else 0.0

    def _locked_for(self, row: LeadPin) -> float:
        if row.locked_until is None:
            return 0.0
        left = row.locked_until - self.clock()
        # A clock set back must not lock the lead out for longer than the lockout itself.
        return min(max(0.0, left), LOCKOUT_S)
