"""Settings declared once, with typed defaults, read from a TOML file.

With no config file the station runs in training mode: simulator processor, receipts to an
outbox folder. An invalid file raises ConfigError naming the key and the problem; the app
never starts half-configured.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .domain.donor import email_error
from .paths import default_config_path


class ConfigError(ValueError):
    """The config file is unusable; the message names the file, the key and the problem."""


@dataclass(frozen=True)
class Organization:
    name: str = "Training Organization"
    address: str = ""
    tax_id: str = ""
    receipt_text: str = ""


@dataclass(frozen=True)
class Event:
    name: str = "Training Event"
    goal: int = 0  # dollars
    station: str = "Station 1"
    # Goods a donor receives for a gift (a dinner): their fair market value goes on the
    # receipt with the deductible part. 0 means "No goods or services were provided".
    goods_description: str = ""
    goods_value: float = 0.0  # dollars per gift


@dataclass(frozen=True)
class Payments:
    provider: str = "simulator"  # a registered processor (pos_app/payments/registry.py)
    api_base: str = "https://api.stripe.com"
    currency: str = "usd"
    max_amount: int = 25000  # dollars, the largest single gift accepted without a lead
    # seconds, the whole of each processor call (pos_app/deadline.py), not one read; Stripe
    # advises allowing long reads on confirm. Past it a charge is in doubt, then replayed.
    timeout: float = 30.0
    simulator_latency_ms: int = 600
    # stripe_terminal: the smart reader's id (tmr_...), how long the reader waits for a
    # card before Tableside cancels it, and how often the reader's action is read.
    reader: str = ""
    reader_timeout: float = 60.0  # seconds
    reader_poll: float = 0.5  # seconds
    # Typing a card number on the laptop: "auto" allows it unless a real reader is set
    # (then the card is taken on the reader; the lead can allow typing as a fallback).
    keyed_entry: str = "auto"  # auto | on | off
    # Whether the form's "keep this card for later gifts" box starts ticked. Off: keeping a
    # card on file needs the donor's explicit yes (card-network credential-on-file rules;
    # Square and Stripe Terminal never pre-tick it). The donor's answer is what counts (no
    # consent, no saved card); `true` here, or the lead at the desk (Settings, which wins
    # over the file on this laptop), pre-ticks it for a room that has agreed in advance.
    save_cards_default: bool = False


KEYED_ENTRY = ("auto", "on", "off")


@dataclass(frozen=True)
class Receipts:
    provider: str = "outbox"  # or "sendgrid" or "smtp"
    sender: str = "receipts@example.org"
    api_base: str = "https://api.sendgrid.com"
    host: str = ""
    port: int = 587
    username: str = ""
    timeout: float = 20.0  # seconds, the whole of every email call (an SMTP exchange too)
    ca_file: str = ""  # smtp: a CA bundle for a server with a private certificate
    number_prefix: str = ""  # receipt numbers: PREFIX-00001; default from the station name


@dataclass(frozen=True)
class Jobs:
    """Background jobs (save card, send receipt)."""

    workers: int = 4  # threads running jobs in parallel
    max_backoff: float = 60.0  # seconds: the cap on the wait between retries
    sync_interval: float = 30.0  # seconds between ledger checks for lost queue entries


@dataclass(frozen=True)
class Alerts:
    """When background work needs a person: thresholds for the lead's alerts (0 = off),
    and who gets an email when one is passed (jobs/kinds/alert_email.py)."""

    backlog: int = 25  # jobs waiting (queued, running, retrying) at once
    oldest_minutes: int = 15  # the oldest waiting job's age
    needs_attention: int = 1  # jobs a person must fix or discard
    # addresses (the lead, IT) emailed through the [receipts] sender; empty: no emails
    email_to: list[str] = field(default_factory=list)
    quiet_minutes: int = 15  # at most one alert email per condition in this long
    silent_minutes: int = 5  # with [central]: a table the centre hasn't heard from this long


@dataclass(frozen=True)
class Fees:
    """Cover the fee: the processor's rate the donor may add (Stripe's nonprofit rate by
    default), and whether the form's checkbox starts ticked."""

    percent: float = 2.2
    fixed: float = 0.30  # dollars per charge
    cover_by_default: bool = False
    cause: str = ""  # "...so all of your $50 goes to <cause>"; default: the organisation


@dataclass(frozen=True)
class Pledges:
    """Pledges paid by a link (services/pledge_links.py): where the donor lands after
    paying on the processor's page — the organisation's thank-you page."""

    success_url: str = ""


@dataclass(frozen=True)
class Display:
    # The window's language: "auto" follows the laptop's (Spanish where the system locale
    # is Spanish), or "en" / "es". Receipts choose their own language per gift.
    language: str = "auto"


@dataclass(frozen=True)
class Central:
    """The event's central store (PostgreSQL) this station shares its gifts with. Empty url:
    no central store, the station works alone. The password is in the OS keyring as
    `central_password`, never here."""

    url: str = ""  # postgresql://ROLE@HOST/DB?sslmode=verify-full
    batch: int = 200  # rows per push

    @property
    def enabled(self) -> bool:
        return bool(self.url.strip())


@dataclass(frozen=True)
class Settings:
    organization: Organization = field(default_factory=Organization)
    event: Event = field(default_factory=Event)
    payments: Payments = field(default_factory=Payments)
    receipts: Receipts = field(default_factory=Receipts)
    jobs: Jobs = field(default_factory=Jobs)
    alerts: Alerts = field(default_factory=Alerts)
    fees: Fees = field(default_factory=Fees)
    display: Display = field(default_factory=Display)
    central: Central = field(default_factory=Central)
    pledges: Pledges = field(default_factory=Pledges)
    source: Path | None = None  # None: no config file, training mode

    @property
    def training(self) -> bool:
        """The provider says whether it moves real money (its declared capabilities); the
        registry is imported here, not at the top, so reading settings stays import-light."""
        from pos_app.payments import registry

        return registry.get(self.payments.provider).training


_SECTIONS: dict[str, type] = {
    "organization": Organization,
    "event": Event,
    "payments": Payments,
    "receipts": Receipts,
    "jobs": Jobs,
    "alerts": Alerts,
    "fees": Fees,
    "display": Display,
    "central": Central,
    "pledges": Pledges,
}
_RENAMED = {("receipts", "from"): "sender"}  # TOML key -> field name
_CHOICES = {
    ("receipts", "provider"): ("outbox", "sendgrid", "smtp"),
    ("display", "language"): ("auto", "en", "es"),
}


def _processor_problem(settings: Settings, path: Path) -> str | None:
    """The provider must be a registered processor, and its settings what it needs. The
    registry is looked up only here, so reading settings stays import-light otherwise."""
    from pos_app.payments import registry

    provider = settings.payments.provider
    if provider not in registry.names():
        return (
            f"{path}: 'payments.provider' must be one of {', '.join(registry.names())}; "
            f"got {provider!r}."
        )
    problem = registry.get(provider).settings_problem(settings)
    return f"{path}: {problem}" if problem else None


def _build(section: str, cls: type, raw: Any, path: Path) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [{section}] must be a table.")
    defaults = cls()
    known = {f.name for f in fields(cls)}  # not hasattr: "__doc__" etc. are not settings
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = _RENAMED.get((section, key), key)
        if name not in known:
            raise ConfigError(f"{path}: unknown key '{section}.{key}'.")
        want = type(getattr(defaults, name))
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, want) or isinstance(value, bool) != (want is bool):
            raise ConfigError(
                f"{path}: '{section}.{key}' must be a {want.__name__}, not {value!r}."
            )
        choices = _CHOICES.get((section, key))
        if choices and value not in choices:
            raise ConfigError(
                f"{path}: '{section}.{key}' must be one of {', '.join(choices)}; got {value!r}."
            )
        values[name] = value
    return cls(**values)


def load_settings(config_path: str | Path | None = None) -> Settings:
    """Read the config; no file at the default location means training mode."""
    explicit = config_path is not None
    path = Path(config_path) if explicit else default_config_path()
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found.")
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
    except OSError as exc:  # a directory, no permission, ...
        raise ConfigError(f"{path}: can't read the config file ({exc.strerror or exc}).") from None
    try:
        raw = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or int()'s digit limit on a huge number
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
    parts: dict[str, Any] = {}
    for section, value in raw.items():
        if section not in _SECTIONS:
            raise ConfigError(f"{path}: unknown section [{section}].")
        parts[section] = _build(section, _SECTIONS[section], value, path)
    settings = Settings(**parts, source=path)
    if settings.payments.max_amount <= 0:
        raise ConfigError(f"{path}: 'payments.max_amount' must be more than 0.")
    problem = _processor_problem(settings, path)
    if problem:
        raise ConfigError(problem)
    if settings.payments.reader_timeout <= 0 or settings.payments.reader_poll <= 0:
        raise ConfigError(f"{path}: 'payments.reader_timeout' and 'reader_poll' must be > 0.")
    if settings.payments.keyed_entry not in KEYED_ENTRY:
        raise ConfigError(
            f"{path}: 'payments.keyed_entry' must be one of {', '.join(KEYED_ENTRY)}."
        )
    if settings.jobs.workers < 1:
        raise ConfigError(f"{path}: 'jobs.workers' must be at least 1.")
    for key in ("backlog", "oldest_minutes", "needs_attention", "silent_minutes"):
        if getattr(settings.alerts, key) < 0:
            raise ConfigError(f"{path}: 'alerts.{key}' can't be negative (0 turns it off).")
    problem = _alerts_problem(settings.alerts, path)
    if problem:
        raise ConfigError(problem)
    if not 0 <= settings.fees.percent < 50 or settings.fees.fixed < 0:
        raise ConfigError(f"{path}: 'fees.percent' must be 0 to 50 and 'fees.fixed' 0 or more.")
    url = settings.pledges.success_url
    if url and not url.startswith("https://"):
        raise ConfigError(f"{path}: 'pledges.success_url' must be an https:// page.")
    if settings.event.goods_value < 0:
        raise ConfigError(f"{path}: 'event.goods_value' can't be negative.")
    problem = _central_problem(settings.central, path)
    if problem:
        raise ConfigError(problem)
    sender = settings.receipts.sender
    if not sender.strip() or email_error(sender):  # else every receipt blames the donor
        raise ConfigError(
            f"{path}: 'receipts.from' ({sender!r}) isn't an address receipts can be sent "
            "from: plain letters before the @, like receipts@yourcharity.org."
        )
    return settings


def _alerts_problem(alerts: Alerts, path: Path) -> str | None:
    if alerts.quiet_minutes < 1:
        return f"{path}: 'alerts.quiet_minutes' must be at least 1."
    for address in alerts.email_to:
        if not isinstance(address, str) or not address.strip() or email_error(address):
            return (
                f"{path}: 'alerts.email_to' holds {address!r}, which isn't an email address: "
                'write a list of addresses, like ["lead@yourcharity.org", "it@yourcharity.org"].'
            )
    return None


def _central_problem(central: Central, path: Path) -> str | None:
    if central.batch < 1:
        return f"{path}: 'central.batch' must be at least 1."
    if not central.enabled:
        return None
    from .central.connect import CentralConfigError, parse_url

    try:
        parse_url(central.url)
    except CentralConfigError as exc:
        return f"{path}: 'central.url': {exc}"
    return None
