"""`pos-app reader list|register|use` as IT runs it: a real `python -m pos_app` process.

The Stripe key reaches the child through a keyring backend named in PYTHON_KEYRING_BACKEND
(`EnvKeyring` below, which the child imports from this file), read the way the app reads
any keyring. Training mode, a missing key, an unreachable Stripe and the config file edit
need no peer; the Stripe Terminal peer (localstripe) covers registering and picking.
"""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from support.cli_proc import REPO, app_env, pos_app
from support.smtp_server import free_port

from pos_app.config_edit import ConfigEditError, edited
from pos_app.secrets import SERVICE, STRIPE_SECRET_KEY

pytestmark = pytest.mark.timeout(120)
SECRETS_VAR = "TABLESIDE_TEST_KEYRING"


class EnvKeyring(KeyringBackend):
    """The child process's keyring: the secrets the test put in its environment."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        found: dict[str, str] = json.loads(os.environ.get(SECRETS_VAR, "{}"))
        return found.get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError("the test keyring is read-only")

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError("the test keyring is read-only")


def keyring_env(data_dir: Path, config: Path | None, key: str | None) -> dict[str, str]:
    secrets = {f"{SERVICE}/{STRIPE_SECRET_KEY}": key} if key else {}
    return app_env(
        data_dir,
        config,
        PYTHON_KEYRING_BACKEND="test_cli_reader.EnvKeyring",
        PYTHONPATH=os.pathsep.join([str(REPO / "tests"), str(REPO)]),
        **{SECRETS_VAR: json.dumps(secrets)},
    )


def reader_cli(data_dir: Path, *args: str, config: Path | None = None, key: str | None = None):
    env = keyring_env(data_dir, config, key)
    head = ["--config", str(config)] if config else []
    return pos_app(*head, "reader", *args, data_dir=data_dir, env=env, stdin=subprocess.DEVNULL)


def stripe_config(tmp_path: Path, api_base: str, **payments: str) -> Path:
    cfg = tmp_path / "config.toml"
    extra = "".join(f'{k} = "{v}"\n' for k, v in payments.items())
    cfg.write_text(
        "# Spring Gala, table stations\n"
        '[event]\nname = "Spring Gala"\nstation = "Table 3"\n\n'
        f'[payments]\nprovider = "stripe"  # typed cards until the reader is set up\n'
        f'api_base = "{api_base}"\n{extra}\n'
        '[receipts]\nprovider = "outbox"\n',
        encoding="utf-8",
    )
    return cfg


# ---- no peer needed ----


def test_training_mode_lists_the_training_reader(data_dir: Path) -> None:
    done = reader_cli(data_dir, "list")
    assert done.returncode == 0, done.stderr
    header, row, footer = done.stdout.splitlines()
    assert header.split() == ["ID", "LABEL", "NETWORK", "ACTION", "DEVICE"]
    assert row.split()[:2] == ["*", "tmr_training"] and "online" in row and "idle" in row
    assert "TRAINING MODE" in footer
    done = reader_cli(data_dir, "list", "--json")
    report = json.loads(done.stdout)
    assert report["training"] is True and report["station_reader"] == "tmr_training"
    (reader,) = report["readers"]
    assert (reader["id"], reader["online"], reader["idle"], reader["in_use"]) == (
        "tmr_training", True, True, True,
    )  # fmt: skip


def test_training_mode_registers_and_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    for args in (["register", "simulated-wpe", "--label", "Table 3"], ["use", "tmr_abc"]):
        done = reader_cli(data_dir, *args)
        assert done.returncode == 2, done.stderr
        assert "training mode" in done.stderr and 'provider = "stripe"' in done.stderr
        assert "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*.toml"))


def test_no_key_in_the_keyring_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    cfg = stripe_config(tmp_path, f"http://127.0.0.1:{free_port()}")
    for args in (["list"], ["register", "simulated-wpe", "--label", "T3"], ["use", "tmr_a"]):
        done = reader_cli(data_dir, *args, config=cfg)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "stripe_secret_key" in done.stderr and "pos-app configure" in done.stderr
        assert "Traceback" not in done.stderr


def test_stripe_out_of_reach_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    before = stripe_config(tmp_path, f"http://127.0.0.1:{free_port()}")
    text = before.read_text()
    for args in (["list"], ["register", "simulated-wpe", "--label", "T3"], ["use", "tmr_a"]):
        done = reader_cli(data_dir, *args, config=before, key="sk_test_reader123456")
        assert done.returncode == 1, (args, done.stderr)
        assert "Couldn't reach the processor" in done.stderr and "network" in done.stderr
        assert "Traceback" not in done.stderr and "sk_test_reader123456" not in done.stderr
    assert before.read_text() == text  # nothing written when the reader wasn't checked


def test_bad_reader_id_and_usage(data_dir: Path, tmp_path: Path) -> None:
    cfg = stripe_config(tmp_path, f"http://127.0.0.1:{free_port()}")
    done = reader_cli(data_dir, "use", "table-3", config=cfg, key="sk_test_reader123456")
    assert done.returncode == 2 and "not a reader id" in done.stderr
    done = reader_cli(data_dir, "register", "simulated-wpe", config=cfg)
    assert done.returncode == 2 and "--label" in done.stderr  # argparse's own usage line


# ---- the config file edit (pure) ----


def test_edit_keeps_comments_and_other_tables() -> None:
    text = (
        "# gala\n[payments]\n"
        'provider = "stripe"  # typed\napi_base = "https://api.stripe.com"\n\n'
        '[receipts]\nprovider = "outbox"\n'
    )
    new = edited(text, "payments", {"provider": "stripe_terminal", "reader": "tmr_1"})
    assert new.startswith("# gala\n[payments]\n") and new.endswith(
        '[receipts]\nprovider = "outbox"\n'
    )
    raw = tomllib.loads(new)
    assert raw["payments"] == {
        "provider": "stripe_terminal", "api_base": "https://api.stripe.com", "reader": "tmr_1"
    }  # fmt: skip
    assert raw["receipts"] == {"provider": "outbox"}
    again = edited(new, "payments", {"reader": "tmr_2"})
    assert tomllib.loads(again)["payments"]["reader"] == "tmr_2" and again.count("reader") == 1


def test_edit_adds_a_missing_table_and_refuses_inline_tables() -> None:
    new = edited('[event]\nname = "Gala"', "payments", {"reader": "tmr_1"})
    assert tomllib.loads(new) == {"event": {"name": "Gala"}, "payments": {"reader": "tmr_1"}}
    with pytest.raises(ConfigEditError, match="by hand"):
        edited('payments = { provider = "stripe" }\n', "payments", {"reader": "tmr_1"})
