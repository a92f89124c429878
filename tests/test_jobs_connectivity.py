"""Connectivity: online/offline from what jobs see and from a TCP probe; back -> wake."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from jobs.connectivity import Connectivity


@pytest.fixture
def listening() -> Iterator[tuple[str, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield ("127.0.0.1", s.getsockname()[1])


def closed_port() -> tuple[str, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return ("127.0.0.1", s.getsockname()[1])


def test_job_outcomes_flip_the_state_and_only_a_return_wakes() -> None:
    woken: list[bool] = []
    c = Connectivity(on_back=lambda: woken.append(True))
    online, since, offline_since = c.snapshot()
    assert online and since is None and offline_since is None  # assumed, not yet seen
    c.reached()
    assert c.snapshot()[1] is not None and woken == []  # confirmed; it was never down
    c.unreachable()
    online, since, offline_since = c.snapshot()
    assert not online and since is None and offline_since is not None
    c.unreachable()
    assert woken == []
    c.reached()
    online, since, offline_since = c.snapshot()
    assert online and since is not None and offline_since is None and woken == [True]


def test_the_probe_knocks_on_the_job_hosts(listening: tuple[str, int]) -> None:
    woken: list[bool] = []
    down = Connectivity([closed_port()], probe_timeout=1.0, on_back=lambda: woken.append(True))
    assert down.probe() is False and not down.online
    both = Connectivity([closed_port(), listening], probe_timeout=1.0)
    assert both.probe() is True and both.online
    down.targets = [listening]
    assert down.probe() is True and down.online and woken == [True]
    assert Connectivity([]).probe() is None
