"""Garbage collection happens on the GUI thread only (pos_app/ui/gc_collector.py).

The stress runs in a child process (this file run as a script) so that a crash of the
interpreter fails one test with its output instead of taking the suite down: the real
app from `make_app()`, a station on the simulator with its jobs running, two till threads
taking card gifts (receipts and card saves follow as jobs), while the GUI thread makes
and drops Qt objects in reference cycles (self-references, signals connected back to
themselves, widgets with children, TaskRunners whose callbacks hold them, a widget dropped
with its runner's tasks still running, as a closing window is). The signals are
connected to Python methods of the objects: a lambda (or a builtin like list.append) that
leads back to its own sender is kept alive by PySide's connection, out of the collector's
sight (PySide 6.11), so it would only leak, not exercise collection. Some of those
cycles are handed to the till threads to drop, so their garbage is found wherever a
collection runs. Every collection's thread is recorded through `gc.callbacks`.

The control run is the same stress with automatic collection turned back on: it shows the
stress does make collections run on other threads, which the collector prevents.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import queue
import subprocess
import sys
import threading
import weakref
from pathlib import Path
from typing import Any

import pytest

ROUNDS = 300
CONTROL_ROUNDS = 120
# A stress run takes well under a minute alone; with the suite's two workers and their own
# child processes sharing two cores it took over 100 s once. Generous, never a timing assert.
STRESS_TIMEOUT_S = 280
RESULT = "GC-STRESS-RESULT "


# ---------------------------------------------------------------- the child process


def stress(rounds: int, control: bool) -> dict[str, Any]:
    from PySide6.QtCore import QObject, QTimer, Signal
    from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

    from pos_app.api import Card, Donor, open_station
    from pos_app.payments.simulator import SimulatorProcessor
    from pos_app.ui import gc_collector
    from pos_app.ui.app import make_app
    from pos_app.ui.tasks import TaskRunner

    app = make_app(["gc-stress"])
    enabled_in_app = gc.isenabled()
    if control:
        gc_collector.installed().stop()  # type: ignore[union-attr]
        gc.enable()

    gui = threading.get_ident()
    collections: list[tuple[int, int, str]] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append((threading.get_ident(), info["generation"],
                                threading.current_thread().name))

    gc.callbacks.append(record)

    made = 0
    freed = [0]

    def count_free() -> None:
        freed[0] += 1  # GIL-protected enough for a tally read after every thread stopped

    class Cyclic(QObject):
        poked = Signal(object)

        def __init__(self, parent: QObject | None = None) -> None:
            super().__init__(parent)
            self.me = self
            self.seen: list[object] = []
            self.poked.connect(self.on_poke)
            self.poked.connect(self.on_poke_again)
            self.timer = QTimer(self)
            self.timer.timeout.connect(self.on_poke)

        def on_poke(self, value: object = None) -> None:
            self.seen.append({"value": value, "owner": self})

        def on_poke_again(self, value: object = None) -> None:
            self.seen.append((value, self.seen))

    class CyclicForm(QWidget):
        def __init__(self) -> None:
            super().__init__()
            layout = QVBoxLayout(self)
            self.label = QLabel("amount", self)
            self.edit = QLineEdit(self)
            layout.addWidget(self.label)
            layout.addWidget(self.edit)
            self.edit.textChanged.connect(self.label.setText)
            self.edit.textChanged.connect(self.on_text)
            self.keep = [self, self.edit]

        def on_text(self, text: str) -> None:
            self.keep.append((text, self))

    def track(obj: object) -> object:
        nonlocal made
        made += 1
        weakref.finalize(obj, count_free)
        return obj

    handoff: queue.SimpleQueue[object] = queue.SimpleQueue()
    stop = threading.Event()
    gifts = [0]
    till_errors: list[str] = []
    year = dt.date.today().year + 2

    data_dir = Path(os.environ["POS_APP_DATA_DIR"])
    with open_station(data_dir=data_dir, processor=SimulatorProcessor(latency_ms=0)) as station:
        station.start_jobs()

        def till(n: int) -> None:
            card = Card("4242424242424242", 12, year, "123")
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    out = station.take_card_donation(
                        500 + i, Donor(f"Till {n} donor {i}", f"t{n}-{i}@example.org"), card
                    )
                    if out.status == "approved":
                        gifts[0] += 1
                except Exception as exc:  # reported, and fails the run below
                    till_errors.append(repr(exc))
                    return
                # Drop cycles made on the GUI thread here: their garbage may be found by a
                # collection on this thread if automatic collection were on.
                for _ in range(8):
                    try:
                        dropped = handoff.get_nowait()
                    except queue.Empty:
                        break
                    dropped = [dropped, {"again": dropped}]  # noqa: F841 - churn on purpose
                    del dropped

        tills = [threading.Thread(target=till, args=(n,), name=f"till-{n}") for n in (1, 2)]
        for t in tills:
            t.start()

        def one_round(r: int) -> object:
            objs = [track(Cyclic()) for _ in range(4)]
            for o in objs:
                o.poked.emit(r)  # type: ignore[attr-defined]
            child = Cyclic(objs[0])  # owned by C++ parent, in a Python cycle too
            child.poked.emit(child)
            form = track(CyclicForm())
            form.edit.setText(f"{r}")  # type: ignore[attr-defined]
            if r % 10 == 0:
                form.show()  # type: ignore[attr-defined]

            runner = track(TaskRunner(workers=2))
            holder: dict[str, object] = {"runner": runner, "form": form}
            runner.holder = holder  # type: ignore[attr-defined]

            def work(k: int = r) -> list[object]:
                junk: list[object] = []
                for j in range(200):
                    junk.append({"k": k, "j": j, "me": junk})
                return [len(junk)]

            for _ in range(3):
                runner.run(  # type: ignore[attr-defined]
                    work,
                    lambda value, h=holder: h.setdefault("done", value),
                    lambda exc, h=holder: h.setdefault("failed", exc),
                )
            while runner.in_flight:  # type: ignore[attr-defined]
                app.processEvents()
            if "failed" in holder:
                raise AssertionError(f"a task failed: {holder['failed']!r}")
            runner.shutdown(wait=True)  # type: ignore[attr-defined]

            # The window-closing path: the form's own runner is shut down without waiting,
            # its tasks still running, and the form (with the runner) goes to the collector.
            own = TaskRunner(form, workers=1)  # type: ignore[arg-type]
            for _ in range(2):
                own.run(work, lambda value, f=form: f.keep.append(value))  # type: ignore[attr-defined]
            own.shutdown(wait=False)
            del own

            # Half the cycles die where they were made, half on a till thread.
            for o in objs[:2]:
                handoff.put(o)
            handoff.put(form)
            if r % 10 == 0:
                form.hide()  # type: ignore[attr-defined]
            return holder["done"]

        results: list[object] = []
        for r in range(rounds):
            results.append(one_round(r))  # its locals die as it returns
            app.processEvents()

        stop.set()
        for t in tills:
            t.join(30)
        while True:  # what the tills did not take dies on this thread
            try:
                handoff.get_nowait()
            except queue.Empty:
                break
        jobs = station.jobs()
    if not control:
        gc_collector.installed().collect_now()  # type: ignore[union-attr]
    else:
        gc.collect()
    gc.callbacks.remove(record)
    off_gui = sorted({name for ident, _gen, name in collections if ident != gui})
    return {
        "rounds": len(results),
        "gc_enabled_in_app": enabled_in_app,
        "collections": len(collections),
        "full_collections": sum(1 for _i, gen, _n in collections if gen == 2),
        "off_gui_threads": off_gui,
        "off_gui_collections": sum(1 for ident, _g, _n in collections if ident != gui),
        "gifts": gifts[0],
        "till_errors": till_errors,
        "jobs": len(jobs),
        "made": made,
        "freed": freed[0],
    }


def child_main(argv: list[str]) -> int:
    import faulthandler

    faulthandler.enable()
    control = argv[1] == "control"
    result = stress(int(argv[2]), control)
    print(RESULT + json.dumps(result), flush=True)
    return 0


# ---------------------------------------------------------------- the tests


def run_stress(tmp_path: Path, mode: str, rounds: int) -> tuple[subprocess.CompletedProcess[str],
                                                                dict[str, Any] | None]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_APP_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["POS_APP_DATA_DIR"] = str(tmp_path / "data")
    env["POS_APP_CONFIG"] = str(tmp_path / "no-config.toml")
    done = subprocess.run(
        [sys.executable, __file__, mode, str(rounds)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=STRESS_TIMEOUT_S,
    )
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(RESULT)]
    return done, (json.loads(lines[-1][len(RESULT):]) if lines else None)


@pytest.mark.timeout(320)
def test_stress_in_the_running_app_collects_only_on_the_gui_thread(tmp_path: Path) -> None:
    done, result = run_stress(tmp_path, "collector", ROUNDS)
    assert done.returncode == 0 and result is not None, (
        f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-6000:]}"
    )
    assert result["gc_enabled_in_app"] is False  # make_app() turned automatic collection off
    assert result["rounds"] == ROUNDS
    assert result["till_errors"] == []
    assert result["gifts"] > 0 and result["jobs"] > 0  # the job threads really worked
    assert result["collections"] > 0  # the timer did collect...
    assert result["off_gui_threads"] == []  # ...and nothing else did
    assert result["freed"] == result["made"]  # every cycle was freed in the end


@pytest.mark.timeout(320)
def test_without_the_collector_the_same_stress_collects_on_other_threads(
    tmp_path: Path,
) -> None:
    """The control: with automatic collection back on, collections do start on till, job
    or task threads (or the interpreter crashes, the failure the collector prevents)."""
    done, result = run_stress(tmp_path, "control", CONTROL_ROUNDS)
    if done.returncode != 0:
        assert "Fatal Python error" in done.stderr or done.returncode < 0, done.stderr[-4000:]
        return
    assert result is not None, done.stdout[-2000:]
    assert result["off_gui_collections"] > 0, result


def test_install_is_idempotent_and_leaves_collection_to_the_gui(qapp) -> None:
    from pos_app.ui import gc_collector

    collector = gc_collector.install(qapp)
    assert gc_collector.install(qapp) is collector
    assert collector.running
    assert gc.isenabled() is False

    raised: list[BaseException] = []

    def elsewhere() -> None:
        try:
            collector.collect_now()
        except RuntimeError as exc:
            raised.append(exc)

    t = threading.Thread(target=elsewhere)
    t.start()
    t.join()
    assert len(raised) == 1 and "GUI thread" in str(raised[0])


def test_cycles_dropped_on_a_worker_die_on_the_gui_thread(qtbot) -> None:
    """Qt objects in cycles, dropped by a worker that then allocates far past the
    threshold: nothing collects on the worker; the GUI's timer frees them."""
    from PySide6.QtCore import QObject

    class Loop(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.me = self
            self.destroyed.connect(lambda *_: None)

    gui = threading.get_ident()
    threads: list[int] = []

    def record(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            threads.append(threading.get_ident())

    objs = [Loop() for _ in range(20)]
    refs = [weakref.ref(o) for o in objs]
    box: list[object] = [objs]
    del objs
    gc.callbacks.append(record)
    try:

        def worker() -> None:
            box.clear()  # the cycles are now garbage, found only by a collection
            for i in range(5 * gc.get_threshold()[0]):
                junk: list[object] = [i]
                junk.append(junk)

        t = threading.Thread(target=worker, name="worker")
        t.start()
        t.join()
        assert all(r() is not None for r in refs)  # nothing collected on the worker
        assert threads == []
        qtbot.waitUntil(lambda: all(r() is None for r in refs), timeout=10_000)
    finally:
        gc.callbacks.remove(record)
    assert threads and set(threads) == {gui}


def test_a_runner_deleted_with_its_window_drops_its_results_quietly(qtbot, caplog) -> None:
    """The task finishes after its window (and the runner with it) was deleted: nothing is
    emitted on a deleted object, no callback runs, nothing is logged as an error."""
    import shiboken6
    from PySide6.QtWidgets import QWidget

    from pos_app.ui.tasks import TaskRunner

    window = QWidget()
    runner = TaskRunner(window, workers=1)
    release = threading.Event()
    finished = threading.Event()
    called: list[object] = []

    def slow() -> str:
        release.wait(10)
        return "late"

    runner.run(slow, called.append, called.append)
    runner.run(finished.set, called.append, called.append)
    shiboken6.delete(window)  # as a closed window is deleted, tasks still running
    assert not shiboken6.isValid(runner)
    release.set()
    assert finished.wait(10)
    qtbot.wait(50)  # let the hub deliver (and drop) both results
    assert called == []
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []


if __name__ == "__main__":
    sys.exit(child_main(sys.argv))
