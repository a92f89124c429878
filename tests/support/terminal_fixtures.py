"""Shared by the Terminal adapter's tests (tests/test_stripe_terminal.py,
tests/test_reader_gifts_terminal.py): a recording transport, the spec's response schemas
(with OpenAPI's `nullable`), processors and a station on the Terminal test peer, and a gift
whose donor taps once the peer's reader waits. Import the fixtures a test module uses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from conftest import TERMINAL_TEST_KEY

from pos_app.api import Donor, GiftOptions, Outcome, Station, open_station
from pos_app.payments.stripe_terminal import StripeTerminalProcessor
from pos_app.store.models import Donation
from support.jobwait import wait_for
from support.stripe_spec import SPEC_URI, StripeSpec, stripe_spec

DONOR = Donor("Ada Lovelace", "ada@example.org")


class RecordingTransport(httpx.BaseTransport):
    """The real HTTP transport, keeping every request it sends (bodies read in memory)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        with self.lock:
            self.requests.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _nullable(check: Callable[..., Any]) -> Callable[..., Any]:
    """OpenAPI 3.0's `nullable: true`, which Draft 4 doesn't know: null passes there."""

    def checked(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Any:
        if instance is None and schema.get("nullable"):
            return
        yield from check(validator, value, instance, schema)

    return checked


_V = jsonschema.Draft4Validator
ResponseValidator = jsonschema.validators.extend(
    _V, {k: _nullable(_V.VALIDATORS[k]) for k in ("type", "anyOf", "enum", "maxLength")}
)


def response_problems(spec: StripeSpec, schema: str, body: Any) -> list[str]:
    """Where `body` breaks the spec's schema `schema` (e.g. 'terminal.reader')."""
    v = ResponseValidator({"$ref": f"{SPEC_URI}#/components/schemas/{schema}"},
                          registry=spec.registry)  # fmt: skip
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in v.iter_errors(body)]


@pytest.fixture
def spec() -> StripeSpec:
    return stripe_spec()


@pytest.fixture
def recorder() -> RecordingTransport:
    return RecordingTransport()


def terminal(url: str, reader_id: str, transport: httpx.BaseTransport | None = None,
             timeout: float = 5.0) -> StripeTerminalProcessor:  # fmt: skip
    return StripeTerminalProcessor(TERMINAL_TEST_KEY, reader_id, api_base=url, timeout=timeout,
                                   transport=transport)  # fmt: skip


@pytest.fixture
def processor(
    localstripe: str, terminal_reader: str, recorder: RecordingTransport
) -> Iterator[StripeTerminalProcessor]:
    p = terminal(localstripe, terminal_reader, recorder)
    yield p
    p.close()


def all_conform(spec: StripeSpec, recorder: RecordingTransport) -> list[httpx.Request]:
    """Every request valid per the spec, every POST with an Idempotency-Key."""
    assert recorder.requests, "the adapter sent nothing"
    for r in recorder.requests:
        spec.validate(r)  # raises SpecViolation (it checks Idempotency-Key on POSTs too)
    return recorder.requests


def raw(url: str, path: str, **params: str) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {TERMINAL_TEST_KEY}"}
    r = httpx.get(f"{url}{path}", params=params, headers=auth, timeout=5)
    r.raise_for_status()
    return r.json()


@pytest.fixture
def st(data_dir: Path, processor: StripeTerminalProcessor) -> Iterator[Station]:
    with open_station(data_dir=data_dir, processor=processor) as station:
        assert station.reader_service is not None
        station.reader_service.poll_s = 0.02
        yield station


def waiting(p: StripeTerminalProcessor) -> bool:
    a = p.reader_action(5)
    return a.type == "process_payment_intent" and a.status == "in_progress"


def gift(
    st: Station,
    donor_part: Callable[[], None],
    watcher: StripeTerminalProcessor,
    options: GiftOptions | None = None,
) -> Outcome:
    """Start a reader gift on a thread, wait until the peer's reader waits, play the donor
    (`options`: the gift's, e.g. the donor's yes to keeping the card)."""
    result: list[Outcome] = []
    options = options or GiftOptions()
    t = threading.Thread(
        target=lambda: result.append(st.take_reader_donation(5000, DONOR, options))
    )
    t.start()
    wait_for(lambda: waiting(watcher) or not t.is_alive(), why="the reader to get the payment")
    donor_part()
    t.join(60)
    assert result, "take_reader_donation did not return"
    return result[0]


@pytest.fixture
def watcher(localstripe: str, terminal_reader: str) -> Iterator[StripeTerminalProcessor]:
    """The test's own view of the peer (direct, not recorded, not through any proxy)."""
    p = terminal(localstripe, terminal_reader)
    yield p
    p.close()


def row(st: Station, donation_id: str) -> Donation:
    with st.db.session() as s:
        d = s.get(Donation, donation_id)
        assert d is not None
        s.expunge(d)
        return d
