"""`pos-app configure` with an in-memory keyring and with none at all."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from support.memory_keyring import MemoryKeyring
from support.memory_keyring import memory_keyring as memory_ring

from pos_app.cli import main
from pos_app.secrets import SERVICE


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with memory_ring() as ring:
        yield ring


@pytest.fixture
def stripe_config(tmp_path: Path) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(
        '[payments]\nprovider = "stripe"\n[receipts]\nprovider = "smtp"\nhost = "mail.example"\n'
    )
    return p


def run(monkeypatch, capsys, args: list[str], stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(args)
    return code, capsys.readouterr().out


def test_stdin_provisioning_stores_secrets_and_names_the_account(
    monkeypatch, capsys, memory_keyring: MemoryKeyring, stripe_config: Path, data_dir
):
    code, out = run(
        monkeypatch,
        capsys,
        ["--config", str(stripe_config), "configure", "--stdin"],
        "stripe_secret_key=sk_test_abcdef123456\nsmtp_password=hunter22secret\n",
    )
    assert code == 0
    assert memory_keyring.store[(SERVICE, "stripe_secret_key")] == "sk_test_abcdef123456"
    assert memory_keyring.store[(SERVICE, "smtp_password")] == "hunter22secret"
    assert "TEST mode" in out
    assert "sk_test_abcdef123456" not in out and "hunter22secret" not in out
    assert not list(stripe_config.parent.glob("**/*secret*"))


def test_live_key_is_called_out(monkeypatch, capsys, memory_keyring, stripe_config, data_dir):
    code, out = run(
        monkeypatch,
        capsys,
        ["--config", str(stripe_config), "configure", "--stdin"],
        "stripe_secret_key=sk_live_abcdef123456\n",
    )
    assert code == 1  # smtp_password still missing
    assert "LIVE: real cards will be charged" in out
    assert "smtp_password is still missing" in out


def test_bad_stdin_stores_nothing(monkeypatch, capsys, memory_keyring, stripe_config, data_dir):
    code, out = run(
        monkeypatch,
        capsys,
        ["--config", str(stripe_config), "configure", "--stdin"],
        "stripe_key sk_test_1\n",
    )
    assert code == 2 and "NAME=VALUE" in out
    assert memory_keyring.store == {}


def test_no_keyring_backend_says_how_to_fix(monkeypatch, capsys, stripe_config, data_dir):
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        code, out = run(
            monkeypatch,
            capsys,
            ["--config", str(stripe_config), "configure", "--stdin"],
            "stripe_secret_key=sk_test_abcdef123456\n",
        )
    finally:
        keyring.set_keyring(before)
    assert code == 3
    assert "No OS keyring" in out and "PYTHON_KEYRING_BACKEND" in out


def test_training_config_needs_nothing(monkeypatch, capsys, data_dir):
    code, out = run(monkeypatch, capsys, ["configure", "--stdin"])
    assert code == 0 and "needs no secrets" in out


def test_invalid_config_is_named(monkeypatch, capsys, tmp_path, data_dir):
    bad = tmp_path / "bad.toml"
    bad.write_text('[payments]\nprovider = "paypal"\n')
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["--config", str(bad), "configure"]) == 2
    err = capsys.readouterr().err
    assert "payments.provider" in err and "paypal" in err


def test_a_reader_station_is_asked_for_the_stripe_key(
    monkeypatch, capsys, memory_keyring: MemoryKeyring, tmp_path: Path, data_dir
):
    """`provider = "stripe_terminal"` needs the Stripe key like typed cards do: configure
    asks for it, and the Settings tab's fields come from the same list."""
    from pos_app.secrets import STRIPE_SECRET_KEY, needed_secrets
    from pos_app.settings import load_settings

    cfg = tmp_path / "config.toml"
    cfg.write_text('[payments]\nprovider = "stripe_terminal"\nreader = "tmr_table3"\n')
    assert [s.name for s in needed_secrets(load_settings(cfg))] == [STRIPE_SECRET_KEY]
    asked: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "")
    code, out = run(monkeypatch, capsys, ["--config", str(cfg), "configure"])
    assert code == 1 and "stripe_secret_key is still missing" in out
    assert asked == ["Stripe secret key (sk_test_… or sk_live_…): "]
    code, out = run(
        monkeypatch,
        capsys,
        ["--config", str(cfg), "configure", "--stdin"],
        "stripe_secret_key=sk_test_reader123456\n",
    )
    assert code == 0 and "stored stripe_secret_key" in out and "TEST mode" in out
    assert memory_keyring.store[(SERVICE, STRIPE_SECRET_KEY)] == "sk_test_reader123456"
