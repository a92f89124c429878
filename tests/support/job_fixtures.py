"""Fixtures for the job and receipt tests: real servers on loopback and a station factory.

Import the fixtures you use into the test module (`from support.job_fixtures import ...`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from jobs.policy import RetryPolicy
from pos_app.api import Donor, Outcome, Station
from pos_app.domain.gift import NO_OPTIONS, GiftOptions
from pos_app.paths import DataPaths
from pos_app.payments.base import Processor
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.receipts.senders import Sender
from pos_app.secrets import SERVICE, SMTP_PASSWORD
from pos_app.settings import Event, Jobs, Organization, Receipts, Settings

from .jobwait import wait_for
from .memory_keyring import MemoryKeyring, memory_keyring
from .sendgrid_server import SendGridServer
from .smtp_server import SmtpServer

SPECS = Path(__file__).resolve().parents[3] / "shared" / "specs"
SENDGRID_SPEC = SPECS / "sendgrid-mail-v3.json"
SENDGRID_KEY = "SG.tableside-test-key"
FROM = "receipts@riverside.example"


class FixedDelay(RetryPolicy):
    """Retries only when woken (or after `seconds`): makes a wake-up test deterministic."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        object.__setattr__(self, "seconds", seconds)

    def delay(self, attempts: int, retry_after: float | None = None, rand: Any = None) -> float:
        return float(self.seconds)  # type: ignore[attr-defined]


def event_settings(**overrides: Any) -> Settings:
    parts: dict[str, Any] = {
        "organization": Organization(
            name="Riverside Food Bank",
            address="12 Main St, Springfield, IL 62701",
            tax_id="12-3456789",
        ),
        "event": Event(name="Spring Gala", goal=25000, station="Table 3"),
        "receipts": Receipts(sender=FROM),
        "jobs": Jobs(max_backoff=0.5, sync_interval=2.0),
    }
    parts.update(overrides)
    return Settings(**parts)


@pytest.fixture
def sendgrid() -> Iterator[SendGridServer]:
    if not SENDGRID_SPEC.exists():
        pytest.skip(f"SendGrid's OpenAPI spec is not at {SENDGRID_SPEC} (../shared/specs)")
    with SendGridServer(SENDGRID_SPEC, api_key=SENDGRID_KEY) as server:
        yield server


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path / "smtp-tls")
    try:
        yield server
    finally:
        server.close()


StationFactory = Callable[..., Station]


@pytest.fixture
def make_station(data_dir: Path) -> Iterator[StationFactory]:
    """Open stations on the test's data dir; every one is closed at teardown."""
    opened: list[Station] = []

    def make(
        sender: Sender | None = None,
        processor: Processor | None = None,
        settings: Settings | None = None,
        policy: RetryPolicy | None = None,
    ) -> Station:
        st = Station(
            settings or event_settings(),
            DataPaths.resolve(data_dir),
            processor=processor or SimulatorProcessor(latency_ms=0),
            sender=sender,
        )
        if policy is not None:
            st.jobs_system.runner.policy = policy
        opened.append(st)
        return st

    yield make
    for st in opened:
        st.close()


@pytest.fixture
def smtp_keyring(smtp_server: SmtpServer) -> Iterator[MemoryKeyring]:
    """An in-memory OS keyring holding the test SMTP server's password."""
    with memory_keyring() as ring:
        ring.set_password(SERVICE, SMTP_PASSWORD, smtp_server.password)
        yield ring


def smtp_station(
    make: StationFactory, server: SmtpServer, *, ca: bool = True, **kw: object
) -> Station:
    """A station whose receipts go over STARTTLS + login to `server`."""
    receipts = Receipts(
        provider="smtp",
        sender=FROM,
        host="127.0.0.1",
        port=server.port,
        username=server.username,
        timeout=5.0,
        ca_file=str(server.cert_file) if ca else "",
    )
    return make(settings=event_settings(receipts=receipts), **kw)  # type: ignore[arg-type]


def reader_gift(
    st: Station, reader_waits: Callable[[], bool], options: GiftOptions = NO_OPTIONS
) -> Outcome:
    """A $50 reader gift from Ada on a thread; the donor taps (approve) once
    `reader_waits()` says the reader waits for a card. Returns the approved outcome."""
    result: list[Outcome] = []
    donor = Donor("Ada", "ada@example.org")
    t = threading.Thread(
        target=lambda: result.append(st.take_reader_donation(5000, donor, options))
    )
    t.start()
    wait_for(lambda: reader_waits() or not t.is_alive(), why="the reader to wait for a card")
    st.present_on_reader("approve")
    t.join(60)
    assert result and result[0].status == "approved", result
    return result[0]
