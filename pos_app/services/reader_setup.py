"""Setting up a station's card reader: list the account's readers, register one, pick one.

IT's side of Stripe Terminal (the volunteer's side is services/reader.py). The Stripe key
comes from the OS keyring as for charges; any provider whose registered spec needs that key
(`stripe` while setting up, `stripe_terminal` after) can list and register readers. In
training mode the list is the training reader, and nothing is registered or written.

Registering needs a Terminal location (Stripe groups readers by the address they are used
at): `--location` names one; otherwise the account's only location, or the one named after
the event, is used; with none, one is made from the address given (`AddressNeeded` says
which parts are missing, before anything is created). `use_reader` checks the reader is on
the account, then writes `[payments] provider` and `reader` into the config file
(config_edit.py). Every failure is a `ReaderSetupError` with plain words, a fix and an exit
code (1: failed or not found, 2: bad usage or config), never a traceback.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from pos_app.config_edit import ConfigEditError, set_keys
from pos_app.payments import registry
from pos_app.payments.base import ProcessorError
from pos_app.payments.card_present import HasCardReader, ReaderInfo
from pos_app.payments.registry import Capability
from pos_app.secrets import STRIPE_SECRET_KEY, SecretsError, get_secret
from pos_app.settings import Settings

if TYPE_CHECKING:  # the adapter (httpx) is imported when a command reaches Stripe
    from pos_app.payments.stripe_terminal import StripeTerminalProcessor

TERMINAL = "stripe_terminal"  # StripeTerminalProcessor.name (test_startup_deferred checks)

FAILED, BAD_USAGE = 1, 2
SETUP_TIMEOUT = 20.0  # seconds per call: IT is waiting at a prompt
ADDRESS_PARTS = ("line1", "city", "state", "postal_code", "country")
# Where Stripe wants the state or province in a location's address.
NEEDS_STATE = ("US", "CA", "AU")
READER_ID = re.compile(r"^tmr_[A-Za-z0-9_]{1,200}$")


class ReaderSetupError(Exception):
    """Plain words for IT; `fix` what to do; `exit_code` 1 (failed) or 2 (usage/config)."""

    def __init__(self, message: str, fix: str = "", exit_code: int = FAILED) -> None:
        super().__init__(message)
        self.message, self.fix, self.exit_code = message, fix, exit_code


class AddressNeeded(ReaderSetupError):
    """A location must be made and these address parts are missing (nothing was made)."""

    def __init__(self, missing: list[str], display_name: str) -> None:
        flags = " ".join(f"--{p.replace('_', '-')} …" for p in missing)
        super().__init__(
            f"The Stripe account has no Terminal location yet, so one is made for "
            f"{display_name!r}; Stripe needs its address: {', '.join(missing)} missing.",
            f"give the venue's address: {flags}",
            BAD_USAGE,
        )
        self.missing, self.display_name = missing, display_name


@dataclass(frozen=True)
class ReaderList:
    readers: list[ReaderInfo]
    station_reader: str  # the reader this station's config uses ("" none)
    training: bool = False

    @property
    def station_reader_found(self) -> bool:
        return any(r.id == self.station_reader for r in self.readers)


@dataclass(frozen=True)
class Registered:
    reader: ReaderInfo
    location_id: str
    location_created: bool = False
    location_name: str = ""


@dataclass(frozen=True)
class Address:
    """A Terminal location's address; empty parts are left out of the request."""

    line1: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"
    line2: str = ""

    def missing(self) -> list[str]:
        country = self.country.strip().upper()
        wanted = [p for p in ADDRESS_PARTS if p != "state" or country in NEEDS_STATE]
        return [p for p in wanted if not str(getattr(self, p)).strip()]

    def params(self) -> dict[str, str]:
        parts = {p: str(getattr(self, p)).strip() for p in (*ADDRESS_PARTS, "line2")}
        parts["country"] = parts["country"].upper()
        return {k: v for k, v in parts.items() if v}


def list_readers(settings: Settings) -> ReaderList:
    """The readers this station could use: the account's, or training's own."""
    spec = registry.get(settings.payments.provider)
    if spec.training:
        processor = spec.factory(settings, _no_secret)
        if Capability.READER not in processor.capabilities:
            return ReaderList([], "", training=True)
        reader = cast(HasCardReader, processor).card_reader()
        return ReaderList(reader.readers(), reader.reader_id, training=True)
    with _terminal(settings) as terminal:
        readers = _call(terminal.readers)
    current = settings.payments.reader if _is_terminal(settings) else ""
    return ReaderList(sorted(readers, key=lambda r: (r.label.lower(), r.id)), current)


def register_reader(
    settings: Settings,
    code: str,
    label: str,
    *,
    location: str | None = None,
    address: Address | None = None,
) -> Registered:
    """Register the reader showing `code` (`simulated-wpe` on a test key) as `label`."""
    code, label = code.strip(), label.strip()
    if not code or not label:
        raise ReaderSetupError(
            "Give the reader's registration code and a label.",
            'pos-app reader register CODE --label "Table 3"',
            BAD_USAGE,
        )
    _needs_stripe(settings, "register a reader")
    with _terminal(settings) as terminal:
        made, name = False, ""
        if not location:
            location, name = _pick_location(settings, terminal, address)
            if not location:
                name = settings.event.name.strip() or "Tableside"
                location = _call(
                    lambda: terminal.create_location(name, (address or Address()).params())
                )
                made = True
        try:
            info = terminal.register_reader(code, label, location)
        except ProcessorError as exc:
            raise _register_error(exc, code, location) from None
    return Registered(info, location, made, name)


def use_reader(settings: Settings, reader_id: str) -> ReaderInfo:
    """Check `reader_id` is on the account, then make it this station's reader in the
    config file (and the provider stripe_terminal). Returns the reader as Stripe has it."""
    reader_id = reader_id.strip()
    if not READER_ID.match(reader_id):
        raise ReaderSetupError(
            f"{reader_id!r} is not a reader id (they look like tmr_…).",
            "copy the ID column of `pos-app reader list`",
            BAD_USAGE,
        )
    _needs_stripe(settings, "pick a reader")
    if settings.source is None:
        raise ReaderSetupError("There is no config file to write the reader into.",
                               "copy the event's config.toml first (packaging/README.md)",
                               BAD_USAGE)  # fmt: skip
    with _terminal(settings) as terminal:
        try:
            info = terminal.reader(reader_id)
        except ProcessorError as exc:
            if _missing(exc):
                raise ReaderSetupError(
                    f"{reader_id} is not a reader on this Stripe account.",
                    "`pos-app reader list` shows the account's readers", FAILED
                ) from None  # fmt: skip
            raise _plain(exc) from None
    values = {"provider": TERMINAL, "reader": reader_id}
    try:
        set_keys(settings.source, "payments", values)
    except ConfigEditError as exc:
        raise ReaderSetupError(str(exc), "", FAILED) from None
    return info


# ---- helpers ----


@contextlib.contextmanager
def _terminal(settings: Settings) -> Iterator[StripeTerminalProcessor]:
    """The Terminal adapter on this config's Stripe key, closed after use."""
    _needs_stripe(settings, "reach the Stripe account")
    try:
        key = get_secret(STRIPE_SECRET_KEY)
    except SecretsError as exc:
        raise ReaderSetupError(str(exc), exc.fix, BAD_USAGE) from None
    from pos_app.payments.stripe_terminal import StripeTerminalProcessor

    p = settings.payments
    processor = StripeTerminalProcessor(key, p.reader, p.api_base, min(p.timeout, SETUP_TIMEOUT))
    try:
        yield processor
    finally:
        processor.close()


def _is_terminal(settings: Settings) -> bool:
    return settings.payments.provider == TERMINAL


def _needs_stripe(settings: Settings, what: str) -> None:
    spec = registry.get(settings.payments.provider)
    if not any(s.name == STRIPE_SECRET_KEY for s in spec.secrets):
        where = settings.source or "the config file"
        mode = "training mode (simulator)" if spec.training else spec.label
        raise ReaderSetupError(
            f"This station is set up for {mode}: it has no Stripe account to {what} on.",
            f'set [payments] provider = "stripe" in {where}, store the key with '
            "`pos-app configure`, then try again",
            BAD_USAGE,
        )


def _no_secret(name: str) -> str:
    raise ReaderSetupError(f"Training mode needs no secret ({name}).")


def _pick_location(
    settings: Settings, terminal: StripeTerminalProcessor, address: Address | None
) -> tuple[str, str]:
    """An existing location to use ('' when one must be made; AddressNeeded first if the
    address for it is incomplete)."""
    found = _call(terminal.locations)
    event = settings.event.name.strip().lower()
    named = [loc for loc in found if str(loc.get("display_name", "")).strip().lower() == event]
    pick = named[0] if named else found[0] if len(found) == 1 else None
    if pick is not None:
        return str(pick.get("id")), str(pick.get("display_name", ""))
    if found:
        listed = ", ".join(f"{loc.get('id')} ({loc.get('display_name', '')})" for loc in found)
        raise ReaderSetupError(
            f"The Stripe account has several Terminal locations: {listed}.",
            "say which one with --location ID",
            BAD_USAGE,
        )
    missing = (address or Address()).missing()
    if missing:
        raise AddressNeeded(missing, settings.event.name)
    return "", ""


def _call(fn: Any) -> Any:
    try:
        return fn()
    except ProcessorError as exc:
        raise _plain(exc) from None


def _missing(exc: ProcessorError) -> bool:
    return "HTTP 404" in exc.detail or "resource_missing" in exc.detail


def _plain(exc: ProcessorError) -> ReaderSetupError:
    if exc.kind == "transient":
        return ReaderSetupError(f"{exc.message} ({exc.detail})",
                                "check this laptop's network, then try again")  # fmt: skip
    if "HTTP 401" in exc.detail or "HTTP 403" in exc.detail:
        fix = "store the right key with `pos-app configure`"
        return ReaderSetupError(f"{exc.message} ({exc.detail})", fix, BAD_USAGE)
    return ReaderSetupError(f"Stripe refused: {exc.detail or exc.message}")


def _register_error(exc: ProcessorError, code: str, location: str) -> ReaderSetupError:
    refused = exc.kind == "permanent" and "HTTP 40" in exc.detail
    if not refused or "HTTP 401" in exc.detail or "HTTP 403" in exc.detail:
        return _plain(exc)
    if "location" in exc.detail.lower() and _missing(exc):
        return ReaderSetupError(f"There is no Terminal location {location} on this account.",
                                "leave out --location, or copy an id from the Dashboard's "
                                "Terminal page")  # fmt: skip
    return ReaderSetupError(
        f"Stripe didn't accept the registration code {code!r} ({exc.detail}).",
        "generate a new code on the reader (Settings, Generate pairing code) and type it "
        "exactly; on a test key, `simulated-wpe` registers a simulated reader",
    )


def describe(info: ReaderInfo) -> dict[str, Any]:
    """A reader as plain JSON-ready data, for `reader list --json` and integrators."""
    return {
        "id": info.id,
        "label": info.label,
        "status": info.status,
        "online": info.status == "online",
        "device_type": info.device_type,
        "location": info.location,
        "action": info.action,
        "idle": not (info.action or "").endswith("in_progress"),
    }


def address_from(values: Mapping[str, str | None]) -> Address:
    """An Address from flags or answers (None and blanks left out)."""
    parts = {k: (v or "").strip() for k, v in values.items() if k in (*ADDRESS_PARTS, "line2")}
    if not parts.get("country"):
        parts.pop("country", None)
    return Address(**parts)
