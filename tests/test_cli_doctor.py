# ruff: noqa: F811  (pytest fixtures imported from support modules)
"""`pos-app doctor` against a healthy and a broken setup, with real local servers:
bridged localstripe for the processor and aiosmtpd (STARTTLS + AUTH) for email."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.job_fixtures import smtp_server  # noqa: F401
from support.smtp_server import SmtpServer, free_port

from pos_app.cli import main
from pos_app.secrets import SERVICE, SMTP_PASSWORD, STRIPE_SECRET_KEY

pytestmark = pytest.mark.timeout(60)


def write_config(tmp_path: Path, stripe_url: str, smtp: SmtpServer) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f"""
[organization]
name = "Riverside Food Bank"
[event]
name = "Spring Gala"
station = "Table 3"
[payments]
provider = "stripe"
api_base = "{stripe_url}"
[receipts]
provider = "smtp"
from = "receipts@riverside.example"
host = "127.0.0.1"
port = {smtp.port}
username = "{smtp.username}"
ca_file = "{smtp.cert_file}"
"""
    )
    return cfg


def doctor(capsys, *args: str) -> tuple[int, str]:
    code = main([*args[:2], "doctor", *args[2:]]) if args else main(["doctor"])
    return code, capsys.readouterr().out


def test_healthy_setup_passes(
    capsys,
    tmp_path,
    data_dir,
    localstripe: str,
    smtp_server: SmtpServer,
    ring,  # noqa: F811
):
    ring.set_password(SERVICE, STRIPE_SECRET_KEY, "sk_test_doctor123456")
    ring.set_password(SERVICE, SMTP_PASSWORD, smtp_server.password)
    cfg = write_config(tmp_path, localstripe, smtp_server)
    code, out = doctor(capsys, "--config", str(cfg))
    assert code == 0, out
    assert "✓ config:" in out and "Spring Gala" in out
    assert "✓ processor: Stripe" in out and "TEST mode" in out
    assert "✓ email: smtp at 127.0.0.1: reachable, credentials work" in out
    assert "✓ keyring:" in out and "✓ clock:" in out
    assert "Ready for the event." in out  # a warning doesn't stop the event
    assert (
        "! receipts: no tax ID (EIN) and no address for Riverside Food Bank: donors' tax "
        "receipts need them"
    ) in out
    assert 'fix: add tax_id = "12-3456789" and address = "12 Main St' in out and str(cfg) in out
    assert "sk_test_doctor123456" not in out and smtp_server.password not in out
    code, out = doctor(capsys, "--config", str(cfg), "--json")
    report = json.loads(out)
    assert report["ok"] is True
    assert {c["name"] for c in report["checks"]} >= {
        "config", "data dir", "database", "free disk", "keyring", "processor", "email",
        "queue", "clock",
    }  # fmt: skip


def test_broken_setup_fails_with_fixes(
    capsys,
    tmp_path,
    data_dir,
    localstripe: str,
    smtp_server: SmtpServer,
    ring,  # noqa: F811
):
    ring.set_password(SERVICE, STRIPE_SECRET_KEY, "not_a_stripe_key_123")
    ring.set_password(SERVICE, SMTP_PASSWORD, "wrong-password")
    cfg = write_config(tmp_path, localstripe, smtp_server)
    code, out = doctor(capsys, "--config", str(cfg))
    assert code == 1
    assert "✗ processor: The processor rejected this station's key" in out
    assert "✗ email: The email server rejected the username or password" in out
    assert "NOT ready" in out


def test_unreachable_servers_and_missing_secret(
    capsys,
    tmp_path,
    data_dir,
    smtp_server: SmtpServer,
    ring,  # noqa: F811
):
    ring.set_password(SERVICE, STRIPE_SECRET_KEY, "sk_test_doctor123456")
    cfg = write_config(tmp_path, f"http://127.0.0.1:{free_port()}", smtp_server)
    code, out = doctor(capsys, "--config", str(cfg))
    assert code == 1
    assert "✗ keyring: missing: smtp_password" in out and "pos-app configure" in out
    smtp_server.down()
    ring.set_password(SERVICE, SMTP_PASSWORD, smtp_server.password)
    code, out = doctor(capsys, "--config", str(cfg))
    assert "✗ processor: Couldn't reach the processor" in out
    assert "✗ email: Couldn't reach the email server" in out
    assert "fix: check the network" in out


def test_invalid_config_is_a_failed_check(capsys, tmp_path, data_dir):
    bad = tmp_path / "bad.toml"
    bad.write_text('[event]\ngoal = "lots"\n')
    code, out = doctor(capsys, "--config", str(bad))
    assert code == 1
    assert "✗ config:" in out and "event.goal" in out


def test_training_mode_is_ready_only_for_training(capsys, data_dir):
    code, out = doctor(capsys)
    assert code == 3 and "TRAINING MODE" in out.splitlines()[-1]
    assert "! config: no config file" in out and "TRAINING MODE" in out


def test_a_real_event_with_its_ein_and_address_has_a_receipts_tick(
    capsys, tmp_path, data_dir, localstripe: str, smtp_server: SmtpServer, ring  # noqa: F811
):
    ring.set_password(SERVICE, STRIPE_SECRET_KEY, "sk_test_doctor123456")
    ring.set_password(SERVICE, SMTP_PASSWORD, smtp_server.password)
    cfg = write_config(tmp_path, localstripe, smtp_server)
    text = cfg.read_text().replace(
        'name = "Riverside Food Bank"\n',
        'name = "Riverside Food Bank"\naddress = "12 Main St, Springfield, IL 62701"\n',
    )
    cfg.write_text(text)
    code, out = doctor(capsys, "--config", str(cfg))
    assert code == 0 and "! receipts: no tax ID (EIN) for Riverside Food Bank" in out
    assert "address" not in out.split("! receipts:")[1].splitlines()[0]
    cfg.write_text(text.replace("[event]", 'tax_id = "12-3456789"\n[event]'))
    code, out = doctor(capsys, "--config", str(cfg))
    assert code == 0
    assert "✓ receipts: Riverside Food Bank, EIN 12-3456789, 12 Main St, Springfield" in out


def test_training_mode_does_not_ask_for_an_ein(capsys, data_dir):
    code, out = doctor(capsys)
    assert code == 3 and "receipts:" not in out
    # where training receipts go, and how to find them
    assert "! email: receipts go to the outbox folder " in out
