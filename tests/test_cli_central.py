"""`pos-app central init | add-station | status` and the doctor's central checks, through the
real CLI process against a real PostgreSQL (a throwaway cluster for this module).

The administrator's URL goes in on stdin, as the guide tells IT to do; the station's
password reaches the child through the test keyring backend (tests/env_keyring.py).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import psycopg
import pytest
from env_keyring import SECRETS_VAR
from support.cli_proc import REPO, app_env, pos_app
from support.pg_server import PgServer
from support.smtp_server import free_port

from pos_app.secrets import CENTRAL_PASSWORD, SERVICE

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def env(data_dir: Path, config: Path | None = None, password: str | None = None
        ) -> dict[str, str]:  # fmt: skip
    secrets = {f"{SERVICE}/{CENTRAL_PASSWORD}": password} if password else {}
    return app_env(data_dir, config, PYTHON_KEYRING_BACKEND="env_keyring.EnvKeyring",
                   PYTHONPATH=os.pathsep.join([str(REPO / "tests"), str(REPO)]),
                   **{SECRETS_VAR: json.dumps(secrets)})  # fmt: skip


def central(data_dir: Path, *args: str, stdin: str = "", config: Path | None = None,
            password: str | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    done = pos_app("central", *args, data_dir=data_dir, input=stdin,
                   env=env(data_dir, config, password))  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done


def added(out: str) -> tuple[str, str, str]:
    """(role, one-time password, the station's [central] url) from add-station's output."""
    role = re.search(r"role (\S+)", out)
    password = re.search(r"One-time password \(.*\): (\S+)", out)
    url = re.search(r'\[central\] url = "([^"]+)"', out)
    assert role and password and url, out
    return role.group(1), password.group(1), url.group(1)


def test_init_add_a_station_and_see_it(pg: PgServer, data_dir: Path, tmp_path: Path) -> None:
    admin = pg.admin_url + "\n"
    first = central(data_dir, "init", stdin=admin)
    assert first.returncode == 0, first.stderr
    assert "is at schema" in first.stdout
    assert pg.admin_url.split("@")[0].split(":")[-1] not in first.stdout  # no password shown
    assert central(data_dir, "init", stdin=admin).returncode == 0  # again: nothing to do

    done = central(data_dir, "add-station", "Table 4", stdin=admin)
    assert done.returncode == 0, done.stderr
    role, password, url = added(done.stdout)
    assert url == f"postgresql://{role}@{pg.host}:{pg.port}/{pg.dbname}"
    with psycopg.connect(url, password=password, autocommit=True) as conn:  # it logs in
        conn.execute("SELECT tableside.hello(gen_random_uuid(), 'Table 4', 0, 0)")

    again = central(data_dir, "add-station", "Table 4", stdin=admin)
    assert again.returncode == 2 and "--reset" in again.stderr
    reset = central(data_dir, "add-station", "Table 4", "--reset", stdin=admin)
    assert reset.returncode == 0, reset.stderr
    _, new_password, _ = added(reset.stdout)
    assert new_password != password
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, password=password).close()

    # status as the administrator, then as the station itself (its config and keyring)
    done = central(data_dir, "status", "--json", "--admin-url", pg.admin_url)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    (table4,) = [s for s in got["stations"] if s["name"] == "Table 4"]
    assert table4["lead"] is False and table4["last_heard"] is not None
    cfg = tmp_path / "station.toml"
    cfg.write_text(f'[event]\nstation = "Table 4"\n[central]\nurl = "{url}"\n')
    done = central(data_dir, "status", config=cfg, password=new_password)
    assert done.returncode == 0, done.stderr
    assert "Table 4 · last heard" in done.stdout


def test_mistakes_are_one_plain_line(pg: PgServer, data_dir: Path) -> None:
    no_url = central(data_dir, "init")
    assert no_url.returncode == 2 and "--admin-url" in no_url.stderr
    bad = central(data_dir, "init", "--admin-url", "mysql://root@db/gala")
    assert bad.returncode == 2 and "postgresql://" in bad.stderr
    wrong = central(data_dir, "init", stdin=pg.url(password="not-it") + "\n")
    assert wrong.returncode == 1 and "refused" in wrong.stderr and "not-it" not in wrong.stderr
    nobody = f"postgresql://admin:pw@127.0.0.1:{free_port()}/gala"
    away = central(data_dir, "add-station", "Table 9", "--admin-url", nobody)
    assert away.returncode == 1 and "Can't reach" in away.stderr
    blank = central(data_dir, "add-station", "  ", stdin=pg.admin_url + "\n")
    assert blank.returncode == 2 and "name" in blank.stderr
    alone = central(data_dir, "status")
    assert alone.returncode == 2 and "[central] url" in alone.stderr


def doctor(data_dir: Path, config: Path, password: str | None) -> dict[str, dict[str, str]]:
    done = pos_app("doctor", "--json", data_dir=data_dir, env=env(data_dir, config, password))
    assert "Traceback" not in done.stderr, done.stderr
    return {c["name"]: c for c in json.loads(done.stdout)["checks"]}


def test_doctor_checks_the_centre(pg: PgServer, data_dir: Path, tmp_path: Path) -> None:
    admin = pg.admin_url + "\n"
    assert central(data_dir, "init", stdin=admin).returncode == 0
    role, password, url = added(central(data_dir, "add-station", "Doctor 1", stdin=admin).stdout)
    cfg = tmp_path / "station.toml"
    cfg.write_text(f'[event]\nstation = "Doctor 1"\n[central]\nurl = "{url}"\n')

    found = doctor(data_dir, cfg, password)
    assert found["central"]["status"] == "ok" and role in found["central"]["detail"]
    assert found["central TLS"]["status"] == "ok"  # this machine's server
    assert found["central role"]["status"] == "ok"
    assert "a station of" in found["central role"]["detail"]
    assert found["sync"]["status"] == "ok"

    # gifts taken while the station hasn't shared them yet: the lag is said
    from pos_app.api import Donor, open_station
    from pos_app.payments.simulator import SimulatorProcessor

    with open_station(cfg, data_dir=data_dir, processor=SimulatorProcessor()) as st:
        st.record_donation(1000, Donor("Ann", "ann@example.org"), "cash")
    found = doctor(data_dir, cfg, password)
    assert found["sync"]["status"] == "warn"
    assert "not yet shared, never shared" in found["sync"]["detail"]
    health = pos_app("health", "--json", data_dir=data_dir, env=env(data_dir, cfg))
    assert health.returncode == 0, health.stderr  # not shared yet is no alert by itself
    sync = json.loads(health.stdout)["sync"]
    assert sync["enabled"] is True and sync["pending"] >= 2 and sync["lag_seconds"] is None
    line = pos_app("health", data_dir=data_dir, env=env(data_dir, cfg)).stdout
    assert f"sync: {sync['pending']} not shared yet" in line

    found = doctor(data_dir, cfg, "wrong")
    assert found["central"]["status"] == "fail" and "refused" in found["central"]["detail"]
    assert "wrong" not in json.dumps(found)
    found = doctor(data_dir, cfg, None)
    assert found["central"]["status"] == "fail"
    assert "configure" in found["central"]["fix"]


def test_the_station_url_keeps_the_admins_tls_check() -> None:
    """`add-station` prints the line for the station's config: the admin's server, the
    station's role, no password, TLS verified with the same CA file the admin used."""
    from pos_app.commands.central import station_url

    url = station_url("postgresql://admin:pw@db.example.org/gala?sslmode=verify-full"
                      "&sslrootcert=/etc/tableside/ca.pem", "ts_gala_table_4")  # fmt: skip
    assert url == ("postgresql://ts_gala_table_4@db.example.org:5432/gala?sslmode=verify-full"
                   "&sslrootcert=%2Fetc%2Ftableside%2Fca.pem")  # fmt: skip
    assert "sslrootcert" not in station_url(
        "postgresql://admin:pw@db.example.org/gala?sslmode=require&sslrootcert=/x.pem", "r")
