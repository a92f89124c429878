"""Settings from TOML (training mode without a file; precise errors with a bad one) and
secrets from the OS keyring (clear help without a backend; never plaintext)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from keyring.backends import fail

from pos_app import secrets
from pos_app.secrets import SecretsError, get_secret, set_secret
from pos_app.settings import ConfigError, Settings, load_settings

DESIGN_EXAMPLE = """\
[organization]
name = "Riverside Food Bank"
address = "12 Main St, Springfield, IL 62701"
tax_id = "12-3456789"
[event]
name = "Spring Gala"
goal = 25000        # dollars
station = "Table 3"
[payments]
provider = "stripe"  # or "simulator"
api_base = "https://api.stripe.com"
currency = "usd"
[receipts]
provider = "sendgrid"  # or "smtp" or "outbox"
from = "receipts@riverside.example"
api_base = "https://api.sendgrid.com"  # sendgrid
host = "smtp.example.org"              # smtp, with port and username
port = 587
username = "apikey"
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where POS_APP_CONFIG points; the test writes it (or not)."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("POS_APP_CONFIG", str(path))
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path, text: str) -> str:
    write(path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert str(path) in message  # every message names the file
    return message


# --- no file: training mode -----------------------------------------------------------------


def test_no_config_file_means_training_mode(config: Path) -> None:
    assert not config.exists()
    s = load_settings()
    assert s == Settings()
    assert s.training
    assert s.source is None
    assert s.payments.provider == "simulator"
    assert s.receipts.provider == "outbox"
    assert s.payments.currency == "usd"
    assert s.payments.max_amount > 0


def test_env_var_points_at_the_config(config: Path) -> None:
    write(config, '[event]\nname = "Spring Gala"\n')
    s = load_settings()
    assert s.event.name == "Spring Gala"
    assert s.source == config
    assert s.training  # payments left at their default: still the simulator


def test_explicit_path_wins_over_env(config: Path, tmp_path: Path) -> None:
    write(config, '[event]\nname = "From env"\n')
    other = write(tmp_path / "other.toml", '[event]\nname = "From --config"\n')
    assert load_settings(other).event.name == "From --config"
    assert load_settings(str(other)).event.name == "From --config"


def test_explicit_missing_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="config file not found") as info:
        load_settings(missing)
    assert str(missing) in str(info.value)


def test_empty_file_gives_defaults_but_remembers_its_source(config: Path) -> None:
    write(config, "")
    s = load_settings()
    assert s.source == config
    assert s.event == Settings().event


# --- a full valid file ----------------------------------------------------------------------


def test_design_example_loads(config: Path) -> None:
    write(config, DESIGN_EXAMPLE)
    s = load_settings(config)
    assert s.source == config
    assert not s.training
    assert s.organization.name == "Riverside Food Bank"
    assert s.organization.address == "12 Main St, Springfield, IL 62701"
    assert s.organization.tax_id == "12-3456789"
    assert (s.event.name, s.event.goal, s.event.station) == ("Spring Gala", 25000, "Table 3")
    assert s.payments.provider == "stripe"
    assert s.payments.api_base == "https://api.stripe.com"
    assert s.payments.currency == "usd"
    assert s.receipts.provider == "sendgrid"
    assert s.receipts.sender == "receipts@riverside.example"  # TOML `from`
    assert s.receipts.api_base == "https://api.sendgrid.com"
    assert (s.receipts.host, s.receipts.port, s.receipts.username) == (
        "smtp.example.org",
        587,
        "apikey",
    )


def test_extra_known_keys_and_int_for_float(config: Path) -> None:
    write(
        config,
        "[payments]\nmax_amount = 5000\ntimeout = 10\nsimulator_latency_ms = 0\n"
        '[organization]\nreceipt_text = "Thank you!"\n',
    )
    s = load_settings(config)
    assert s.payments.max_amount == 5000
    assert s.payments.timeout == 10.0 and isinstance(s.payments.timeout, float)
    assert s.payments.simulator_latency_ms == 0
    assert s.organization.receipt_text == "Thank you!"


@pytest.mark.parametrize("provider", ["outbox", "sendgrid", "smtp"])
def test_each_receipts_provider(config: Path, provider: str) -> None:
    write(config, f'[receipts]\nprovider = "{provider}"\n')
    assert load_settings(config).receipts.provider == provider


# --- bad files: the message names the key/section and the problem ---------------------------


def test_unknown_section(config: Path) -> None:
    message = config_error(config, '[evnt]\nname = "x"\n')
    assert "unknown section [evnt]" in message


def test_unknown_key(config: Path) -> None:
    message = config_error(config, '[event]\nnmae = "x"\n')
    assert "unknown key 'event.nmae'" in message


def test_wrong_type(config: Path) -> None:
    message = config_error(config, '[event]\ngoal = "lots"\n')
    assert "'event.goal'" in message and "int" in message and "'lots'" in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[receipts]\nport = "587"\n', "receipts.port"),
        ("[receipts]\nport = true\n", "receipts.port"),
        ("[event]\ngoal = 1.5\n", "event.goal"),
        ("[event]\nname = 3\n", "event.name"),
        ('[payments]\ntimeout = "30"\n', "payments.timeout"),
        ("[payments]\ntimeout = false\n", "payments.timeout"),
        ('[organization]\nname = ["a"]\n', "organization.name"),
    ],
)
def test_other_wrong_types(config: Path, text: str, key: str) -> None:
    message = config_error(config, text)
    assert f"'{key}' must be a" in message


def test_bad_provider_values(config: Path) -> None:
    message = config_error(config, '[payments]\nprovider = "paypal"\n')
    assert "'payments.provider'" in message and "simulator, stripe" in message
    assert "'paypal'" in message
    message = config_error(config, '[receipts]\nprovider = "mailgun"\n')
    assert "'receipts.provider'" in message and "outbox, sendgrid, smtp" in message


def test_section_must_be_a_table(config: Path) -> None:
    message = config_error(config, 'event = "Spring Gala"\n')
    assert "[event] must be a table" in message


def test_max_amount_must_be_positive(config: Path) -> None:
    message = config_error(config, "[payments]\nmax_amount = 0\n")
    assert "'payments.max_amount'" in message and "more than 0" in message


@pytest.mark.parametrize("sender", ["reçus@riverside.example", "not an address", ""])
def test_a_from_address_receipts_cant_be_sent_from_is_a_config_error(
    config: Path, sender: str
) -> None:
    """Caught when the config is read, not later as a receipt in needs-attention that
    blames the donor's address."""
    message = config_error(config, f'[receipts]\nfrom = "{sender}"\n')
    assert "'receipts.from'" in message and "plain letters before the @" in message


def test_invalid_toml(config: Path) -> None:
    message = config_error(config, "[event\nname = ")
    assert "not valid TOML" in message
    assert "line" in message  # tomllib's location is passed on


def test_not_utf8(config: Path) -> None:
    config.write_bytes(b'[event]\nname = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config)


def test_duplicate_key_is_invalid_toml(config: Path) -> None:
    assert "not valid TOML" in config_error(config, '[event]\nname = "a"\nname = "b"\n')


@pytest.mark.parametrize("key", ["__doc__", "__module__", "__init__", "__class__", "training"])
def test_dunder_and_non_field_names_are_unknown_keys(config: Path, key: str) -> None:
    # Only declared settings are keys; attributes every object has are not.
    message = config_error(config, f'[event]\n{key} = "x"\n')
    assert f"unknown key 'event.{key}'" in message


def test_integer_too_long_to_convert_is_a_config_error(config: Path) -> None:
    # tomllib raises a bare ValueError (not TOMLDecodeError) past int()'s 4300-digit limit.
    message = config_error(config, "[event]\ngoal = " + "1" * 5000 + "\n")
    assert "not valid TOML" in message


def test_config_path_that_is_a_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path)
    assert str(tmp_path) in str(info.value)


# --- property: any text is either Settings or ConfigError ------------------------------------

_keys = st.sampled_from(
    [
        "name",
        "address",
        "tax_id",
        "receipt_text",
        "goal",
        "station",
        "provider",
        "api_base",
        "currency",
        "max_amount",
        "timeout",
        "simulator_latency_ms",
        "from",
        "sender",
        "host",
        "port",
        "username",
        "nope",
        "__doc__",
        "__dict__",
        "source",
    ]
)
_values = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.booleans().map(lambda b: str(b).lower()),
    st.sampled_from(['"stripe"', '"simulator"', '"outbox"', '"smtp"', '"sendgrid"', '"x"']),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=10).map(
        lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'
    ),
    st.just("[1, 2]"),
    st.just("{a = 1}"),
    st.just("1979-05-27"),
)
_sections = st.sampled_from(["organization", "event", "payments", "receipts", "other"])
_pairs = st.lists(st.tuples(_keys, _values), max_size=4, unique_by=lambda kv: kv[0])
_toml_like = st.lists(
    st.tuples(_sections, _pairs),
    max_size=4,
    unique_by=lambda s: s[0],
).map(
    lambda secs: "".join(
        f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in kv) for name, kv in secs
    )
)


def _load_text(folder: Path, text: str) -> Settings | None:
    path = folder / "settings-property.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        s = load_settings(path)
    except ConfigError as exc:
        assert str(exc)
        return None
    assert isinstance(s, Settings)
    assert s.source == path
    return s


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=st.text())
def test_arbitrary_text_gives_settings_or_config_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    _load_text(tmp_path_factory.getbasetemp(), text)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=_toml_like)
def test_toml_shaped_text_gives_settings_or_config_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    s = _load_text(tmp_path_factory.getbasetemp(), text)
    if s is not None:
        assert s.payments.provider in ("simulator", "stripe")
        assert s.receipts.provider in ("outbox", "sendgrid", "smtp")
        assert s.payments.max_amount > 0
        assert isinstance(s.event.goal, int) and not isinstance(s.event.goal, bool)


# --- secrets in the OS keyring --------------------------------------------------------------


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in a dict, for tests only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the keyring is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the keyring is locked")


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring(restore_keyring: None) -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


def test_no_backend_says_how_to_fix_it(restore_keyring: None) -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(SecretsError) as info:
        get_secret(secrets.STRIPE_SECRET_KEY)
    message = str(info.value)
    assert "PYTHON_KEYRING_BACKEND" in message
    assert "No OS keyring" in message
    with pytest.raises(SecretsError, match="PYTHON_KEYRING_BACKEND"):
        set_secret(secrets.STRIPE_SECRET_KEY, "sk_test_abc123XYZ")


def test_round_trip_in_the_keyring(memory_keyring: MemoryKeyring) -> None:
    set_secret(secrets.STRIPE_SECRET_KEY, "sk_test_abc123XYZ")
    set_secret(secrets.SENDGRID_API_KEY, "SG.abcdefghijklmnop")
    assert get_secret(secrets.STRIPE_SECRET_KEY) == "sk_test_abc123XYZ"
    assert get_secret(secrets.SENDGRID_API_KEY) == "SG.abcdefghijklmnop"
    # Stored under the documented service name and usernames.
    assert memory_keyring.entries == {
        ("tableside", "stripe_secret_key"): "sk_test_abc123XYZ",
        ("tableside", "sendgrid_api_key"): "SG.abcdefghijklmnop",
    }
    set_secret(secrets.STRIPE_SECRET_KEY, "sk_test_new")
    assert get_secret(secrets.STRIPE_SECRET_KEY) == "sk_test_new"


def test_documented_names() -> None:
    assert secrets.SERVICE == "tableside"
    assert (secrets.STRIPE_SECRET_KEY, secrets.SENDGRID_API_KEY, secrets.SMTP_PASSWORD) == (
        "stripe_secret_key",
        "sendgrid_api_key",
        "smtp_password",
    )


def test_missing_secret_says_run_configure(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(SecretsError) as info:
        get_secret(secrets.SMTP_PASSWORD)
    message = str(info.value)
    assert "pos-app configure" in message
    assert "smtp_password" in message


def test_empty_secret_counts_as_missing(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.entries[("tableside", "smtp_password")] = ""
    with pytest.raises(SecretsError, match="pos-app configure"):
        get_secret(secrets.SMTP_PASSWORD)


def test_keyring_errors_become_secrets_errors(restore_keyring: None) -> None:
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(SecretsError, match="refused to give 'stripe_secret_key'"):
        get_secret(secrets.STRIPE_SECRET_KEY)
    with pytest.raises(SecretsError, match="refused to store 'stripe_secret_key'") as info:
        set_secret(secrets.STRIPE_SECRET_KEY, "sk_test_abc123XYZ")
    assert "sk_test_abc123XYZ" not in str(info.value)
