"""Where things live: config file, data dir (DB, queue, outbox) and log dir.

Config: --config PATH, else POS_APP_CONFIG, else the platformdirs user config dir, else the
machine-wide (site) config dir that an installer may provision.
Data and logs: the platformdirs dirs; POS_APP_DATA_DIR overrides both (logs go under it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "tableside"


def default_config_path() -> Path:
    env = os.environ.get("POS_APP_CONFIG")
    if env:
        return Path(env)
    user = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"
    if user.exists():
        return user
    # A machine-wide config provisioned by IT (e.g. C:\ProgramData\tableside, /etc/xdg/...).
    site = Path(platformdirs.site_config_dir(APP_NAME, appauthor=False)) / "config.toml"
    return site if site.exists() else user


@dataclass(frozen=True)
class DataPaths:
    data_dir: Path
    log_dir: Path

    @property
    def db_file(self) -> Path:
        return self.data_dir / "tableside.db"

    @property
    def queue_file(self) -> Path:
        return self.data_dir / "queue.db"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> DataPaths:
        override = data_dir or os.environ.get("POS_APP_DATA_DIR")
        if override:
            base = Path(override)
            return cls(data_dir=base, log_dir=base / "logs")
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    def ensure(self) -> None:
        for d in (self.data_dir, self.log_dir):
            d.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                os.chmod(d, 0o700)
