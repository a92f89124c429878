# ruff: noqa: F811  (pytest fixtures imported from support modules)
"""The processor registry: a processor added by registering it, with no edit to the core,
reaches the station, `configure`, the Settings tab, `doctor` and the status bar; and
`stripe_terminal` (once forgotten by four hand-kept lists) gets its key everywhere and a
doctor that reports, never crashes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from support.job_fixtures import StationFactory, event_settings, make_station  # noqa: F401
from support.smtp_server import free_port
from test_gui_settings import open_settings

from pos_app.api import Card, Donor, open_station
from pos_app.checks import Check
from pos_app.cli import main
from pos_app.commands.configure import run_configure
from pos_app.payments import registry
from pos_app.payments.registry import Capability, ProcessorSpec, UnknownProcessor
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.payments.stripe_terminal import StripeTerminalProcessor
from pos_app.secrets import SERVICE, STRIPE_SECRET_KEY, Secret, SecretsError, get_secret
from pos_app.settings import ConfigError, Payments, Settings, load_settings
from pos_app.ui.main_window import mode_text

pytestmark = pytest.mark.timeout(60)

CARD = Card("4242424242424242", 12, 2040, "123")

# ---- a processor that exists only in this test ----------------------------------------------

TOKEN = Secret("test_proc_token", "Test processor token (tp_…)")
TOKEN_MODE = "Test processor — practice charges"


class TokenProcessor(SimulatorProcessor):
    """The simulator under its own name, needing its own secret. It declares neither a
    reader nor refunds, so the station must offer neither."""

    name = "test_proc"
    capabilities = frozenset({Capability.SAVE_CARD})

    def __init__(self, token: str) -> None:
        super().__init__(latency_ms=0)
        self.token = token


def token_checks(_settings: Settings) -> list[Check]:
    try:
        get_secret(TOKEN.name)
    except SecretsError as exc:
        return [Check("test proc", "fail", f"no token: {exc}", exc.fix)]
    return [Check("test proc", "ok", "token present")]


TOKEN_SPEC = ProcessorSpec(
    name=TokenProcessor.name,
    label="Test processor",
    mode_label=lambda _processor: TOKEN_MODE,
    factory=lambda _settings, secret: TokenProcessor(secret(TOKEN.name)),
    capabilities=TokenProcessor.capabilities,
    secrets=(TOKEN,),
    doctor_checks=token_checks,
)


@pytest.fixture
def test_proc() -> Iterator[ProcessorSpec]:
    registry.register(TOKEN_SPEC)
    try:
        yield TOKEN_SPEC
    finally:
        registry.unregister(TOKEN_SPEC.name)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(before)


def config(tmp_path: Path, payments: str) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[event]\nname = "Spring Gala"\n[payments]\n{payments}\n')
    return cfg


def cli(capsys, monkeypatch, args: list[str], stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out


def prompts_of(monkeypatch, answer: str) -> list[str]:
    """Answer getpass's prompts (the terminal) and keep what was asked."""
    asked: list[str] = []

    def answer_prompt(prompt: str = "") -> str:
        asked.append(prompt)
        return answer

    monkeypatch.setattr("getpass.getpass", answer_prompt)
    return asked


# ---- (a) the test-only processor ------------------------------------------------------------


def test_a_registered_processor_opens_a_station_and_takes_a_card_gift(
    tmp_path, data_dir, test_proc, ring
):
    ring.set_password(SERVICE, TOKEN.name, "tp_station_123456")
    cfg = config(tmp_path, 'provider = "test_proc"')
    with open_station(cfg, data_dir=data_dir) as st:
        assert isinstance(st.processor, TokenProcessor)
        assert st.processor.token == "tp_station_123456"
        outcome = st.take_card_donation(5000, Donor("Ada", ""), CARD)
        assert outcome.status == "approved"
        assert mode_text(st) == TOKEN_MODE
        # What it declared, and nothing it didn't: no reader, no refunds, not training.
        assert not st.training and not st.has_reader and not st.reader_is_simulated
        refund = st.refund(outcome.donation_id, "typed the wrong amount")
        assert refund.status == "failed" and "can't refund" in refund.message


def test_unknown_provider_lists_the_registered_ones(tmp_path, test_proc):
    with pytest.raises(ConfigError) as info:
        load_settings(config(tmp_path, 'provider = "paypal"'))
    assert "'payments.provider'" in str(info.value) and "paypal" in str(info.value)
    assert all(name in str(info.value) for name in ("simulator", "stripe_terminal", "test_proc"))
    with pytest.raises(UnknownProcessor, match="test_proc"):
        registry.get("paypal")
    with pytest.raises(ValueError, match="already registered"):
        registry.register(ProcessorSpec("test_proc", "Another", lambda _p: "", TOKEN_SPEC.factory))


def test_configure_asks_for_the_registered_processors_secret(
    tmp_path, monkeypatch, capsys, data_dir, test_proc, ring
):
    settings = load_settings(config(tmp_path, 'provider = "test_proc"'))
    asked = prompts_of(monkeypatch, "tp_typed_12345678")
    out = io.StringIO()
    assert run_configure(settings, from_stdin=False, out=out) == 0
    assert asked == [f"{TOKEN.label}: "]
    assert ring.get_password(SERVICE, TOKEN.name) == "tp_typed_12345678"
    assert "✓ stored test_proc_token" in out.getvalue()
    code, text = cli(
        capsys,
        monkeypatch,
        ["--config", str(tmp_path / "config.toml"), "configure", "--stdin"],
        "test_proc_token=tp_piped_87654321\n",
    )
    assert code == 0 and "✓ stored test_proc_token" in text
    assert ring.get_password(SERVICE, TOKEN.name) == "tp_piped_87654321"


def test_settings_tab_offers_the_registered_processors_key_field(
    qtbot, make_station: StationFactory, test_proc, ring
):
    st = make_station(
        settings=event_settings(payments=Payments(provider="test_proc")),
        processor=TokenProcessor("tp_old"),
    )
    w, tasks = open_settings(qtbot, st)
    tab = w.settings_tab
    assert list(tab.secret_fields) == [TOKEN.name]
    assert TOKEN.label in [label.text() for label in tab.findChildren(QLabel)]
    qtbot.keyClicks(tab.secret_fields[TOKEN.name], "tp_from_the_tab_1234")
    qtbot.mouseClick(tab.save_secrets_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Stored" in tab.secret_feedback.text())
    assert ring.get_password(SERVICE, TOKEN.name) == "tp_from_the_tab_1234"
    w.close()
    tasks.shutdown()


def test_doctor_runs_the_registered_processors_own_check(
    tmp_path, monkeypatch, capsys, data_dir, test_proc, ring
):
    cfg = str(config(tmp_path, 'provider = "test_proc"'))
    code, out = cli(capsys, monkeypatch, ["--config", cfg, "doctor"])
    assert code == 1
    assert "✗ keyring: missing: test_proc_token" in out
    assert "✗ test proc: no token:" in out and "fix: run `pos-app configure`" in out
    ring.set_password(SERVICE, TOKEN.name, "tp_doctor_12345678")
    code, out = cli(capsys, monkeypatch, ["--config", cfg, "doctor"])
    assert code == 0, out
    assert "✓ test proc: token present" in out and "✓ clock:" in out


# ---- (b) stripe_terminal gets its key everywhere --------------------------------------------

TERMINAL = 'provider = "stripe_terminal"\nreader = "tmr_FAKE123"\napi_base = "{}"'


def terminal_config(tmp_path: Path) -> Path:
    return config(tmp_path, TERMINAL.format(f"http://127.0.0.1:{free_port()}"))


def test_configure_asks_stripe_terminal_for_the_stripe_key(
    tmp_path, monkeypatch, capsys, data_dir, ring
):
    cfg = terminal_config(tmp_path)
    asked = prompts_of(monkeypatch, "sk_test_terminal_123456")
    code, out = cli(capsys, monkeypatch, ["--config", str(cfg), "configure"])
    assert code == 0 and "TEST mode" in out
    assert asked == ["Stripe secret key (sk_test_… or sk_live_…): "]
    assert ring.get_password(SERVICE, STRIPE_SECRET_KEY) == "sk_test_terminal_123456"
    code, out = cli(
        capsys,
        monkeypatch,
        ["--config", str(cfg), "configure", "--stdin"],
        "stripe_secret_key=sk_live_terminal_654321\n",
    )
    assert code == 0 and "LIVE: real cards will be charged" in out


def test_settings_tab_offers_stripe_terminal_the_key_field(qtbot, make_station: StationFactory):
    settings = event_settings(payments=Payments(provider="stripe_terminal", reader="tmr_FAKE"))
    st = make_station(settings=settings)
    w, tasks = open_settings(qtbot, st)
    assert list(w.settings_tab.secret_fields) == [STRIPE_SECRET_KEY]
    w.close()
    tasks.shutdown()


def test_doctor_reports_a_missing_terminal_key_with_a_fix(
    tmp_path, monkeypatch, capsys, data_dir, ring
):
    cfg = str(terminal_config(tmp_path))
    code, out = cli(capsys, monkeypatch, ["--config", cfg, "doctor"])
    assert code == 1
    assert "✗ keyring: missing: stripe_secret_key" in out
    assert "✗ processor: not checked: The secret 'stripe_secret_key' is not in" in out
    assert "fix: run `pos-app configure`" in out and "NOT ready" in out
    ring.set_password(SERVICE, STRIPE_SECRET_KEY, "sk_test_terminal_123456")
    code, out = cli(capsys, monkeypatch, ["--config", cfg, "doctor"])
    assert code == 1  # the key is there; Stripe (a closed port here) is not
    assert "✓ keyring:" in out
    assert "✗ processor: Couldn't reach the processor" in out and "fix: check the network" in out


def test_doctor_reports_no_keyring_for_stripe_terminal(
    tmp_path, monkeypatch, capsys, data_dir, no_keyring
):
    code, out = cli(capsys, monkeypatch, ["--config", str(terminal_config(tmp_path)), "doctor"])
    assert code == 1
    assert "✗ keyring: No OS keyring is available" in out
    assert "✗ processor: not checked: No OS keyring" in out
    assert "fix: on Linux, install and unlock a Secret Service" in out


def test_terminal_mode_label_and_capabilities_follow_the_key():
    test = StripeTerminalProcessor("sk_test_label_123456", "tmr_T1", api_base="http://127.0.0.1:9")
    live = StripeTerminalProcessor("sk_live_label_123456", "tmr_L1", api_base="http://127.0.0.1:9")
    spec = registry.get("stripe_terminal")
    try:
        assert spec.mode_label(test) == "Stripe TEST mode — reader tmr_T1"
        assert spec.mode_label(live) == "Stripe LIVE — real charges — reader tmr_L1"
        assert Capability.TEST_TAPS in test.capabilities
        assert Capability.TEST_TAPS not in live.capabilities  # no simulated taps on real money
        assert Capability.READER in live.capabilities and not spec.training
        assert spec.hosts(test) == [("127.0.0.1", 9)]
    finally:
        test.close()
        live.close()
