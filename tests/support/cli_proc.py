"""Running `python -m pos_app` as IT and volunteers do: a real process on a given data dir,
offscreen, with no config file (training mode) unless one is given."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def app_env(data_dir: Path, config: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_APP_")}
    env.update(QT_QPA_PLATFORM="offscreen", POS_APP_DATA_DIR=str(data_dir),
               POS_APP_CONFIG=str(config or data_dir.parent / "no-config.toml"), **extra)
    return env


def pos_app(*args: str, data_dir: Path, timeout: float = 90, **kw: Any
            ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    env = kw.pop("env", None) or app_env(data_dir)
    return subprocess.run([sys.executable, "-m", "pos_app", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, **kw)  # fmt: skip


def make_database(data_dir: Path) -> Path:
    """A real Tableside database, made by Tableside (`pos-app jobs` opens the station)."""
    done = pos_app("jobs", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    db = data_dir / "tableside.db"
    assert db.exists()
    return db


def stamp_from_the_future(db: Path) -> None:
    """What a newer Tableside leaves: a schema revision this build has never heard of."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("update alembic_version set version_num = 'f00dfeedbeef_from_2030'")
    conn.close()
