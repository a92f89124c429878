"""Shared fixtures for the SIGKILL tests: a fresh localstripe per test and the environment
a station subprocess runs in (its data dir, no config, no crash point unless set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .processes import localstripe_process


@pytest.fixture
def stripe_url() -> Iterator[str]:
    """A fresh localstripe per test, so its counts are this test's alone."""
    with localstripe_process() as url:
        yield url


@pytest.fixture
def env(data_dir: Path, tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k != "TABLESIDE_CRASHPOINT"}
    e["POS_APP_DATA_DIR"] = str(data_dir)
    e["POS_APP_CONFIG"] = str(tmp_path / "no-config.toml")
    e["PYTHONUNBUFFERED"] = "1"
    return e
