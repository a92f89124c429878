"""The lead PIN: set once (4-8 digits), stored as a salted scrypt hash, checked in constant
time, and refused for 30 s after 5 wrong tries in a row, even across a restart."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from pos_app.api import PinError, Station, open_station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.services.lead_pin import LOCKOUT_S, MAX_FAILURES

PIN = "97531864"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(station: Station) -> Clock:
    c = Clock()
    station.lead_pin.clock = c
    return c


def test_first_use_then_check(station: Station) -> None:
    assert not station.lead_pin_is_set()
    assert station.check_lead_pin(PIN) is False  # nothing to match yet
    station.set_lead_pin(PIN)
    assert station.lead_pin_is_set()
    assert station.check_lead_pin(PIN) is True
    assert station.check_lead_pin("97531865") is False
    assert station.check_lead_pin("") is False
    assert station.lead_pin_locked_for() == 0.0


@pytest.mark.parametrize("bad", ["123", "123456789", "12a4", "12 34", "١٢٣٤", "", "-1234"])
def test_only_four_to_eight_digits(station: Station, bad: str) -> None:
    with pytest.raises(PinError):
        station.set_lead_pin(bad)
    assert not station.lead_pin_is_set()


def test_the_db_holds_a_salted_scrypt_hash_never_the_pin(
    station: Station, data_dir: Path
) -> None:
    station.set_lead_pin(PIN)
    uri = f"file:{data_dir / 'tableside.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        salt, pin_hash, n, r, p = db.execute(
            "SELECT salt, pin_hash, n, r, p FROM lead_pin"
        ).fetchone()
    assert n >= 2**14 and r >= 8 and len(bytes.fromhex(salt)) >= 16
    expected = hashlib.scrypt(
        PIN.encode(), salt=bytes.fromhex(salt), n=n, r=r, p=p, maxmem=256 * n * r, dklen=32
    )
    assert bytes.fromhex(pin_hash) == expected
    station.close()
    for path in data_dir.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert PIN.encode() not in blob and PIN.encode("utf-16-le") not in blob, path


def test_same_pin_two_stations_two_hashes(tmp_path: Path, data_dir: Path) -> None:
    hashes = []
    for name in ("a", "b"):
        with open_station(data_dir=tmp_path / name, processor=SimulatorProcessor()) as st:
            st.set_lead_pin(PIN)
            with st.db.session() as s:
                hashes.append(s.execute(text("SELECT pin_hash FROM lead_pin")).scalar_one())
    assert hashes[0] != hashes[1]


def test_five_wrong_tries_lock_for_thirty_seconds(station: Station, clock: Clock) -> None:
    station.set_lead_pin(PIN)
    for _ in range(MAX_FAILURES - 1):
        assert station.check_lead_pin("0000") is False
    assert station.lead_pin_locked_for() == 0.0
    assert station.check_lead_pin("0000") is False  # the fifth
    assert station.lead_pin_locked_for() == pytest.approx(LOCKOUT_S)
    assert station.check_lead_pin(PIN) is False  # even the right PIN, while locked
    clock.now += LOCKOUT_S - 1
    assert station.lead_pin_locked_for() == pytest.approx(1.0)
    assert station.check_lead_pin(PIN) is False
    clock.now += 1.5
    assert station.lead_pin_locked_for() == 0.0
    assert station.check_lead_pin(PIN) is True


def test_a_right_pin_resets_the_count(station: Station, clock: Clock) -> None:
    station.set_lead_pin(PIN)
    for _ in range(MAX_FAILURES - 1):
        station.check_lead_pin("0000")
    assert station.check_lead_pin(PIN) is True
    for _ in range(MAX_FAILURES - 1):
        station.check_lead_pin("0000")
    assert station.lead_pin_locked_for() == 0.0


def test_a_clock_set_back_never_locks_longer_than_the_lockout(
    station: Station, clock: Clock
) -> None:
    station.set_lead_pin(PIN)
    for _ in range(MAX_FAILURES):
        station.check_lead_pin("0000")
    clock.now -= 3600
    assert station.lead_pin_locked_for() == LOCKOUT_S


def test_the_lock_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "d"
    with open_station(data_dir=data, processor=SimulatorProcessor()) as st:
        st.set_lead_pin(PIN)
        for _ in range(MAX_FAILURES):
            st.check_lead_pin("1111")
    with open_station(data_dir=data, processor=SimulatorProcessor()) as st:
        assert 0 < st.lead_pin_locked_for() <= LOCKOUT_S
        assert st.check_lead_pin(PIN) is False


def test_changing_the_pin_needs_the_current_one(station: Station) -> None:
    station.set_lead_pin(PIN)
    with pytest.raises(PinError, match="already set"):
        station.set_lead_pin("2468")
    with pytest.raises(PinError, match="not the current"):
        station.set_lead_pin("2468", current="1357")
    station.set_lead_pin("2468", current=PIN)
    assert station.check_lead_pin("2468") is True
    assert station.check_lead_pin(PIN) is False
