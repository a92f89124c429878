"""A sharing station for the sync tests: a station role made at a throwaway PostgreSQL, its
password in the (in-memory) keyring, a config whose `[central] url` points at the server
(or at a relay in front of it), and the simulator as processor; the same for a station
in a process of its own (tests/support/sync_proc.py); plus the waits and reads the tests
share."""

from __future__ import annotations

import json
import os
from pathlib import Path

import psycopg
from env_keyring import SECRETS_VAR

from pos_app.api import Station, open_station
from pos_app.central import admin
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.secrets import CENTRAL_PASSWORD, SERVICE
from support.memory_keyring import MemoryKeyring
from support.pg_server import PgServer

TESTS = Path(__file__).resolve().parents[1]


def sharing_station(
    tmp_path: Path, pg: PgServer, ring: MemoryKeyring, name: str, *, port: int | None = None,
    batch: int = 200, extra: str = "", lead: bool = False, query: str = "",
) -> Station:
    """`query`: the URL's own parameters, e.g. "?sslmode=verify-full&sslrootcert=..."."""
    new = admin.add_station(pg.admin_url, name, lead=lead)
    ring.set_password(SERVICE, CENTRAL_PASSWORD, new.password)
    config = tmp_path / f"{new.role}.toml"
    config.write_text(
        f'[event]\nname = "Gala"\nstation = "{name}"\n'
        f'[central]\nurl = "postgresql://{new.role}@127.0.0.1:{port or pg.port}/{pg.dbname}'
        f'{query}"\nbatch = {batch}\n{extra}'
    )
    return open_station(config, data_dir=tmp_path / new.role,
                        processor=SimulatorProcessor(latency_ms=0))


def station_process(
    tmp_path: Path, pg: PgServer, name: str, *, port: int | None = None, extra: str = "",
) -> tuple[Path, Path, dict[str, str]]:
    """(config, data dir, environment) for a sharing station run as a child process
    (`python tests/support/sync_proc.py CONFIG DATA take|quiet`): a new station role, its
    `[central] url` at the server (or a relay's `port`), and its password handed to the
    child's keyring through the environment (tests/env_keyring.py), no POS_APP_* leaking
    in from this process."""
    new = admin.add_station(pg.admin_url, name)
    config = tmp_path / f"{new.role}.toml"
    config.write_text(
        f'[event]\nname = "Gala"\nstation = "{name}"\n'
        f'[central]\nurl = "postgresql://{new.role}@127.0.0.1:{port or pg.port}/{pg.dbname}"\n'
        f"{extra}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_APP_")}
    env.update(
        PYTHONPATH=str(TESTS),
        PYTHON_KEYRING_BACKEND="env_keyring.EnvKeyring",
        POS_APP_CONFIG=str(config),
        **{SECRETS_VAR: json.dumps({f"{SERVICE}/{CENTRAL_PASSWORD}": new.password})},
    )
    return config, tmp_path / new.role, env


def all_shared(st: Station) -> bool:
    status = st.sync_status()
    busy = [j for j in st.jobs() if j.state in ("queued", "running", "retry_scheduled")]
    return not busy and status.pending == 0 and status.state == "done"


def central(pg: PgServer, query: str, *args: object) -> list[tuple]:  # type: ignore[type-arg]
    with psycopg.connect(pg.admin_url, autocommit=True) as c:
        return c.execute(query, args).fetchall()
