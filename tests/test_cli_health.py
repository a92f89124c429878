"""`pos-app health [--json]` through the real CLI process, as IT's monitoring runs it.

Exit codes are the monitoring plug-in convention: 0 ok, 1 warning, 2 critical, 3 unknown.
The ledger is written by a real station (gifts with their receipt jobs); a job's state is
set as the runner would have left it, as tests/test_cli_jobs_export.py does.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import update

from pos_app.api import Donor, open_station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.store.models import Job
from tests.support.cli_proc import app_env, pos_app


def gifts(data_dir: Path, n: int) -> list[str]:
    """n cash gifts, each with a queued receipt job (the consumer is never started)."""
    with open_station(data_dir=data_dir, processor=SimulatorProcessor()) as st:
        for i in range(n):
            st.record_donation(1000, Donor(f"D{i}", f"d{i}@example.org"), "cash")
        return [j.id for j in st.jobs()]


def set_state(data_dir: Path, job_id: str, **values: object) -> None:
    with open_station(data_dir=data_dir, processor=SimulatorProcessor()) as st:
        with st.db.session() as s:
            s.execute(update(Job).where(Job.id == job_id).values(**values))


def health(data_dir: Path, config: Path, *args: str) -> tuple[int, str, str]:
    done = pos_app("health", *args, data_dir=data_dir, env=app_env(data_dir, config))
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def limits(tmp_path: Path, **values: int) -> Path:
    cfg = tmp_path / "tableside.toml"
    cfg.write_text("[alerts]\n" + "".join(f"{k} = {v}\n" for k, v in values.items()))
    return cfg


def test_a_quiet_station_is_ok(data_dir: Path, tmp_path: Path) -> None:
    rc, out, _ = health(data_dir, limits(tmp_path))
    assert rc == 0
    assert out.strip() == "OK · backlog 0 · oldest waiting - · needs attention 0 · online"


def test_backlog_past_its_limit_warns_and_twice_over_is_critical(
    data_dir: Path, tmp_path: Path
) -> None:
    gifts(data_dir, 3)
    rc, out, _ = health(data_dir, limits(tmp_path, backlog=3))
    assert rc == 1
    assert out.startswith("WARNING · backlog 3 · oldest waiting 0 min · needs attention 0")
    assert out.rstrip().endswith(": Backlog of 3 jobs")
    rc, out, _ = health(data_dir, limits(tmp_path, backlog=2))
    assert rc == 1
    rc, out, _ = health(data_dir, limits(tmp_path, backlog=1))
    assert rc == 2 and out.startswith("CRITICAL")


def test_needs_attention_and_offline_in_json(data_dir: Path, tmp_path: Path) -> None:
    first, second = gifts(data_dir, 2)
    set_state(data_dir, first, state="needs_attention", error_kind="permanent",
              last_error="The address bounced.")
    set_state(data_dir, second, state="retry_scheduled", error_kind="transient",
              last_error="Email server unreachable.")
    rc, out, _ = health(data_dir, limits(tmp_path, needs_attention=1, backlog=10), "--json")
    assert rc == 1
    got = json.loads(out)
    assert {k: got[k] for k in ("level", "exit_code", "backlog", "needs_attention", "online")} \
        == {"level": "warning", "exit_code": 1, "backlog": 1, "needs_attention": 1,
            "online": False}
    assert got["sync"] == {"enabled": False, "lag_seconds": None, "pending": 0}
    by_key = {a["key"]: a for a in got["alerts"]}
    assert by_key["needs_attention"]["message"] == "1 job needs attention"
    assert by_key["offline"]["audience"] == "volunteer"


def test_it_reads_beside_the_open_window(data_dir: Path, tmp_path: Path) -> None:
    gifts(data_dir, 2)
    cfg = limits(tmp_path, backlog=2)
    with open_station(data_dir=data_dir, processor=SimulatorProcessor()):  # holds the lock
        rc, out, err = health(data_dir, cfg)
    assert (rc, err) == (1, "")
    assert "backlog 2" in out


def test_a_bad_config_is_unknown_in_one_line(data_dir: Path, tmp_path: Path) -> None:
    rc, out, err = health(data_dir, limits(tmp_path, backlog=-1))
    assert (rc, out) == (3, "")
    assert err.startswith("UNKNOWN · ") and "alerts.backlog" in err
    assert len(err.strip().splitlines()) == 1
