"""`pos-app doctor` on a card-reader station (`provider = "stripe_terminal"`), against the
Stripe Terminal peer: the key works, and the configured reader is on the account, online
and idle; each way it can fail is a ✗ line with a fix, and the verdict is "NOT ready"."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TERMINAL_TEST_KEY
from support.memory_keyring import MemoryKeyring
from support.processes import set_reader_status

from pos_app.cli import main
from pos_app.payments.card_present import ReaderChargeRequest
from pos_app.payments.stripe_terminal import StripeTerminalProcessor
from pos_app.secrets import SERVICE, STRIPE_SECRET_KEY

pytestmark = pytest.mark.timeout(60)


def reader_config(tmp_path: Path, api_base: str, reader: str) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[event]\nname = "Spring Gala"\nstation = "Table 3"\n'
        f'[payments]\nprovider = "stripe_terminal"\napi_base = "{api_base}"\n'
        f'reader = "{reader}"\n'
        '[receipts]\nprovider = "outbox"\n'
    )
    return cfg


def doctor(capsys: pytest.CaptureFixture[str], cfg: Path) -> tuple[int, str]:
    code = main(["--config", str(cfg), "doctor"])
    return code, capsys.readouterr().out


def line(out: str, name: str) -> str:
    """The check's line and its fix line, as one string."""
    lines = out.splitlines()
    i = next(i for i, text in enumerate(lines) if text[2:].startswith(f"{name}:"))
    fix = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].startswith("    fix:") else ""
    return f"{lines[i]}\n{fix}"


def test_online_idle_reader_is_ready(
    capsys, tmp_path, data_dir, localstripe: str, terminal_reader: str, ring: MemoryKeyring
) -> None:
    ring.set_password(SERVICE, STRIPE_SECRET_KEY, TERMINAL_TEST_KEY)
    code, out = doctor(capsys, reader_config(tmp_path, localstripe, terminal_reader))
    assert code == 0, out
    assert "✓ keyring: reachable; stripe_secret_key present" in out
    assert "✓ processor: Stripe" in out and "key works" in out
    assert line(out, "reader").startswith(
        f"✓ reader: Table reader ({terminal_reader}), simulated_wisepos_e: online and idle"
    )
    assert "Ready for the event." in out


def test_offline_reader_is_a_failed_check_with_a_fix(
    capsys, tmp_path, data_dir, localstripe: str, terminal_reader: str, ring: MemoryKeyring
) -> None:
    ring.set_password(SERVICE, STRIPE_SECRET_KEY, TERMINAL_TEST_KEY)
    set_reader_status(localstripe, terminal_reader, "offline")
    code, out = doctor(capsys, reader_config(tmp_path, localstripe, terminal_reader))
    assert code == 1
    assert line(out, "reader") == (
        f"✗ reader: Table reader ({terminal_reader}) is offline\n"
        "    fix: turn the reader on and join it to the venue's Wi-Fi"
    )
    assert "NOT ready" in out.splitlines()[-1]


def test_reader_stuck_in_a_payment_is_a_failed_check(
    capsys, tmp_path, data_dir, localstripe: str, terminal_reader: str, ring: MemoryKeyring
) -> None:
    ring.set_password(SERVICE, STRIPE_SECRET_KEY, TERMINAL_TEST_KEY)
    other = StripeTerminalProcessor(TERMINAL_TEST_KEY, terminal_reader, api_base=localstripe)
    try:  # another station's gift, waiting on the reader for a card
        request = ReaderChargeRequest(2500, "usd", "d-stuck", "d-stuck-key", terminal_reader)
        other.process(request, other.create_reader_payment(request, 10), 10)
        code, out = doctor(capsys, reader_config(tmp_path, localstripe, terminal_reader))
        assert code == 1
        check = line(out, "reader")
        assert check.startswith(
            f"✗ reader: Table reader ({terminal_reader}) is busy: "
            "process_payment_intent in_progress\n    fix: finish or cancel the payment"
        ), check
        other.cancel_reader_action(10)
        code, out = doctor(capsys, reader_config(tmp_path, localstripe, terminal_reader))
        assert code == 0 and "online and idle" in line(out, "reader"), out
    finally:
        other.close()


def test_reader_not_on_the_account(
    capsys, tmp_path, data_dir, localstripe: str, ring: MemoryKeyring
) -> None:
    ring.set_password(SERVICE, STRIPE_SECRET_KEY, TERMINAL_TEST_KEY)
    code, out = doctor(capsys, reader_config(tmp_path, localstripe, "tmr_GoneFromAccount"))
    assert code == 1
    check = line(out, "reader")
    assert check.startswith("✗ reader: tmr_GoneFromAccount is not registered on this Stripe")
    assert "pos-app reader list" in check and "pos-app reader use READER_ID" in check


def test_no_key_fails_keyring_and_processor_with_configure_as_the_fix(
    capsys, tmp_path, data_dir, localstripe: str, terminal_reader: str, ring: MemoryKeyring
) -> None:
    code, out = doctor(capsys, reader_config(tmp_path, localstripe, terminal_reader))
    assert code == 1
    assert line(out, "keyring") == (
        "✗ keyring: missing: stripe_secret_key\n    fix: run `pos-app configure`"
    )
    assert line(out, "processor").startswith("✗ processor: not checked:")
    assert "reader:" not in out  # no key, no reader check: never a traceback either
    assert "Traceback" not in out


def test_no_reader_in_the_config_says_which_key(capsys, tmp_path, data_dir) -> None:
    code, out = doctor(capsys, reader_config(tmp_path, "https://api.stripe.com", ""))
    assert code == 1
    assert "✗ config:" in out and "payments.reader" in out and "tmr_" in out
