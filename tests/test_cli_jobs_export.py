"""`pos-app jobs` and `pos-app export`: the CLI twin of the lead's panel, for IT.

Called through pos_app.cli.main with the data dir from POS_APP_DATA_DIR, as a shell would.
The commands never start the job consumer: what they queue stays queued for the app.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import update

from pos_app.api import Donor, open_station
from pos_app.cli import main
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.store.models import Job


@pytest.fixture
def ledger(data_dir: Path) -> dict[str, str]:
    """Three gifts with receipts: one needs attention, one waits to retry, one queued."""
    with open_station(data_dir=data_dir, processor=SimulatorProcessor()) as st:
        for name in ("Ann", "Bob", "Cat"):
            st.record_donation(1000, Donor(name, f"{name.lower()}@example.org"), "cash")
        st.record_donation(500, Donor("=Evil()", ""), "cash")
        jobs = {j.donor_name: j.id for j in st.jobs()}
        with st.db.session() as s:
            s.execute(update(Job).where(Job.id == jobs["Ann"]).values(
                state="needs_attention", attempts=1, last_error="The address bounced."))
            s.execute(update(Job).where(Job.id == jobs["Bob"]).values(
                state="retry_scheduled", attempts=2, last_error="Email server is busy."))
    return jobs


def states(data_dir: Path) -> dict[str, str]:
    with open_station(data_dir=data_dir, processor=SimulatorProcessor()) as st:
        return {j.donor_name: j.state for j in st.jobs()}


def test_jobs_table(ledger: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jobs"]) == 0
    out = capsys.readouterr().out
    header, *lines = out.splitlines()
    assert header.split() == ["ID", "KIND", "STATE", "TRIES", "NEXT", "DONOR", "LAST", "ERROR"]
    ann = next(line for line in lines if "Ann" in line)
    assert ann.startswith(ledger["Ann"][:8]) and "Needs attention" in ann
    assert "The address bounced." in ann
    assert "3 jobs: 3 not finished, 1 need attention." in out


def test_jobs_json(ledger: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jobs", "--json"]) == 0
    jobs = json.loads(capsys.readouterr().out)
    assert {j["id"] for j in jobs} == set(ledger.values())
    ann = next(j for j in jobs if j["id"] == ledger["Ann"])
    assert (ann["kind"], ann["state"], ann["attempts"]) == ("receipt", "needs_attention", 1)
    assert ann["delivery"] == "at least once" and ann["created_at"].endswith("+00:00")


def test_retry_one_by_short_id(
    ledger: dict[str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", "retry", ledger["Ann"][:8]]) == 0
    assert "queued again" in capsys.readouterr().out
    assert states(data_dir)["Ann"] == "queued"  # the consumer was not started


def test_retry_all(
    ledger: dict[str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", "retry", "--all"]) == 0
    assert "Queued 2 jobs again." in capsys.readouterr().out
    assert set(states(data_dir).values()) == {"queued"}
    assert main(["jobs", "retry", "--all"]) == 0
    assert "Nothing to retry" in capsys.readouterr().out


def test_retry_not_found_and_bad_usage(
    ledger: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", "retry", "ffffffff-no"]) == 1
    assert "No job with id" in capsys.readouterr().err
    assert main(["jobs", "retry"]) == 2
    assert main(["jobs", "retry", ledger["Ann"], "--all"]) == 2


def test_retry_a_done_job_fails(
    ledger: dict[str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_station(data_dir=data_dir, processor=SimulatorProcessor()) as st:
        with st.db.session() as s:
            s.execute(update(Job).where(Job.id == ledger["Cat"]).values(state="done"))
    assert main(["jobs", "retry", ledger["Cat"]]) == 1
    assert "already done" in capsys.readouterr().err


def test_export_donations_and_jobs(
    ledger: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "night.csv"
    assert main(["export", str(path)]) == 0
    assert f"Wrote 4 donations to {path}" in capsys.readouterr().out
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["Donor name"] for r in rows) == ["'=Evil()", "Ann", "Bob", "Cat"]
    assert {r["Receipt status"] for r in rows} == {"needs attention", "queued", "no email"}

    jobs_path = tmp_path / "jobs.csv"
    assert main(["export", str(jobs_path), "--jobs"]) == 0
    assert "Wrote 3 jobs" in capsys.readouterr().out
    with jobs_path.open(encoding="utf-8-sig", newline="") as f:
        assert {r["Job ID"] for r in csv.DictReader(f)} == set(ledger.values())


def test_export_to_an_unwritable_place_fails(
    ledger: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["export", str(blocker / "sub" / "x.csv")]) == 1
    assert "Couldn't write" in capsys.readouterr().err


def test_export_into_a_missing_folder_says_so_and_makes_nothing(
    ledger: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped folder is a plain ✗ line (exit 1); no folder is made for the donors' file."""
    target = tmp_path / "missing" / "dir" / "x.csv"
    assert main(["export", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("✗ ") and "Traceback" not in err
    assert f"the folder {target.parent} doesn't exist" in err
    assert not (tmp_path / "missing").exists()


def test_export_to_a_folder_asks_for_a_file_name(
    ledger: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(tmp_path), "--jobs"]) == 1
    assert "it is a folder. Add a file name" in capsys.readouterr().err
    assert tmp_path.is_dir()


def test_config_error_is_exit_2(data_dir: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[alerts]\nbacklog = 'many'\n")
    assert main(["--config", str(bad), "jobs"]) == 2
    assert main(["--config", str(tmp_path / "missing.toml"), "export", "x.csv"]) == 2
    assert "alerts.backlog" in capsys.readouterr().err


def test_commands_need_no_keyring(data_dir: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A Stripe + SendGrid config with no secrets anywhere still lists and exports."""
    cfg = tmp_path / "live.toml"
    cfg.write_text('[payments]\nprovider = "stripe"\n[receipts]\nprovider = "sendgrid"\n')
    assert main(["--config", str(cfg), "jobs"]) == 0
    assert "No jobs." in capsys.readouterr().out
    assert main(["--config", str(cfg), "export", str(tmp_path / "x.csv")]) == 0
