"""Shared fixtures: a fresh data dir per test, the simulator, localstripe on loopback.

Qt runs offscreen; pytest-qt makes the one QApplication for the session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import Phase, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests report a failure with the blob that replays it (@reproduce_failure), and
# skip Hypothesis's "explain" phase: it traces every line of every shrink and turned one
# failing example into a 15-minute stall of the whole suite under load.
settings.register_profile(
    "tableside", phases=[p for p in Phase if p is not Phase.explain], print_blob=True
)
settings.load_profile("tableside")

from support.memory_keyring import MemoryKeyring, memory_keyring  # noqa: E402
from support.pg_server import PgServer, find_bindir, pg_server  # noqa: E402
from support.processes import localstripe_process, register_simulated_reader  # noqa: E402

from pos_app.api import Station, open_station  # noqa: E402
from pos_app.payments.simulator import SimulatorProcessor  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
SPECS = SHARED / "specs"

# Test card numbers that must never be found on disk after a run.
TEST_CARD_NUMBERS = (
    "4242424242424242",
    "4000000000000002",
    "4000000000009995",
    "4000000000000069",
    "4000000000000127",
    "4000000000000341",
    "4111111111111111",
    "5555555555554444",
    "378282246310005",
)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("POS_APP_DATA_DIR", str(d))
    monkeypatch.setenv("POS_APP_CONFIG", str(tmp_path / "no-config.toml"))
    return d


@pytest.fixture
def simulator() -> SimulatorProcessor:
    return SimulatorProcessor(latency_ms=0)


@pytest.fixture
def station(data_dir: Path, simulator: SimulatorProcessor) -> Iterator[Station]:
    with open_station(data_dir=data_dir, processor=simulator) as st:
        yield st


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    with localstripe_process() as url:
        yield url


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    """A throwaway PostgreSQL with the central schema at head, shared by the session (one per
    xdist worker). Station names are roles in its one database: give each test's stations
    names of their own (add_station refuses a name already taken, unless reset=True), and
    compare event-wide totals as before/after, since other files' gifts are there too."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (bash packaging/bootstrap.sh --tests)")
    from pos_app.central import admin

    with pg_server(bindir) as server:
        admin.init(server.admin_url)
        yield server


@pytest.fixture
def ring() -> Iterator[MemoryKeyring]:
    """An in-memory OS keyring for this test (the app reads secrets through keyring)."""
    with memory_keyring() as r:
        yield r


TERMINAL_TEST_KEY = "sk_test_tableside_terminal"  # a test key: the simulated reader takes taps


@pytest.fixture
def terminal_reader(localstripe: str) -> str:
    """A freshly registered simulated WisePOS E on the Terminal test peer; its `tmr_` id.

    The peer (tests/support/terminal_peer.py) runs inside the session's `localstripe`
    server, so the Stripe adapter reaches both at the same URL. Each test gets its own
    reader in its own location, online and idle, so one test's busy or offline reader never
    meets another's. Use it with
    `StripeTerminalProcessor(TERMINAL_TEST_KEY, terminal_reader, api_base=localstripe)`
    (or any `sk_test_...` key). The donor's part is the adapter's `present("approve" |
    "decline" | "removed")` (Stripe's test helper: 4242... approves, 4000000000000002
    declines); the reader's part is in support.processes: `set_reader_status(localstripe,
    reader_id, "offline")` and `slow_next_present(localstripe, reader_id, seconds)`; what
    was really made is in `localstripe_stats(localstripe)` (card_present_payment_intents,
    charges, charges_succeeded)."""
    return register_simulated_reader(localstripe, TERMINAL_TEST_KEY)


def files_containing(root: Path, needles: tuple[str, ...]) -> list[tuple[Path, str]]:
    """Every (file, needle) where a card number appears under root, raw or in UTF-16."""
    found = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        blob = path.read_bytes()
        for n in needles:
            if n.encode() in blob or n.encode("utf-16-le") in blob:
                found.append((path, n))
    return found


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real modal dialog would block the test run (pytest-timeout can't break Qt's modal
    loop): fail the test at once instead, naming the dialog."""
    from PySide6.QtWidgets import QMessageBox

    def refuse(*args: object, **_kw: object) -> None:
        title = next((a for a in args if isinstance(a, str)), "")
        raise AssertionError(f"a modal dialog opened in a test: {title!r}")

    for name in ("question", "information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(refuse))
    monkeypatch.setattr(QMessageBox, "exec", refuse)


@pytest.fixture(autouse=True)
def collect_qt_garbage_on_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """The app's own mechanism (pos_app/ui/gc_collector.py): once the session's QApplication
    exists, automatic collection is off and garbage is collected only on the GUI thread, so
    Qt objects left in reference cycles never die on a job thread or a server of another
    test. Installed when the first test that wants Qt starts; after each test, the objects
    waiting for deleteLater() and every cycle die here, before the next test's threads run."""
    from pos_app.ui import gc_collector

    if "qapp" in request.fixturenames or "qtbot" in request.fixturenames:
        gc_collector.install(request.getfixturevalue("qapp"))
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    app = QCoreApplication.instance()
    if app is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc_collector.install(app).collect_now()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding slow tests first (stable otherwise). xdist hands out whole files
    (`--dist loadfile`) in collection order, so the long ones start at once instead of one
    landing last and leaving the other worker idle while it runs."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)
