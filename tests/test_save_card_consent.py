# ruff: noqa: F811  (pytest fixtures imported from support modules)
"""A card is kept for later gifts only with the donor's consent, through the real job system.

`GiftOptions(save_card=...)` is stored with the gift; no consent, no save-card job, and a
reader gift's PaymentIntent is not set up for future use. `save_card=None` takes the
station's default: the lead's choice (`Station.set_save_cards_default`, kept in the DB),
else `[payments] save_cards_default` from the config (false unless it says true: keeping
a card is opt-in). Against the simulator (typed card
and training's reader), and on the bridged localstripe the Stripe adapter (typed card) and
the Terminal peer (reader).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import httpx
import pytest
from conftest import TERMINAL_TEST_KEY
from support.job_fixtures import (  # noqa: F401
    StationFactory,
    event_settings,
    make_station,
    reader_gift,
)
from support.jobwait import wait_settled, wait_state
from support.stripe_spec import decode_form
from test_jobs_save_card import (  # noqa: F401
    API_KEY,
    SpecCheckingTransport,
    checked,
    save_card_job,
    token_of,
)

from pos_app.api import Card, Donor, GiftOptions, Outcome, Station
from pos_app.changes import Topic
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.payments.stripe import StripeProcessor, payment_intent_params
from pos_app.payments.stripe_terminal import StripeTerminalProcessor
from pos_app.services.donations import DonationService
from pos_app.settings import Payments, load_settings
from pos_app.store.models import Donation

YEAR = dt.date.today().year + 2
CARD = Card("4242424242424242", 12, YEAR, "123")
YES, NO = GiftOptions(save_card=True), GiftOptions(save_card=False)
pytestmark = pytest.mark.timeout(120)


def row(st: Station, donation_id: str | None) -> Donation:
    with st.db.session() as s:
        d = s.get(Donation, donation_id)
        assert d is not None
        s.expunge(d)
        return d


def kinds(st: Station, donation_id: str | None) -> list[str]:
    return sorted(j.kind for j in st.jobs(donation_id))


def test_no_consent_no_save_card_job_consent_saves(make_station: StationFactory) -> None:
    sim = SimulatorProcessor(latency_ms=0)
    st = make_station(processor=sim)
    no = st.take_card_donation(5000, Donor("Ada", "ada@example.org"), CARD, NO)
    yes = st.take_card_donation(7000, Donor("Bea", "bea@example.org"), CARD, YES)
    assert no.status == yes.status == "approved"
    assert (row(st, no.donation_id).save_card, row(st, yes.donation_id).save_card) == (False, True)
    st.start_jobs()
    wait_settled(st)
    assert kinds(st, no.donation_id) == ["receipt"]
    assert kinds(st, yes.donation_id) == ["receipt", "save_card"]
    assert save_card_job(st, yes.donation_id).state == "done"
    assert token_of(st, no.donation_id) is None
    token = token_of(st, yes.donation_id)
    assert token is not None and token.last4 == "4242"
    assert [c["name"] for c in sim.customers.values()] == ["Bea"]  # only the one who agreed
    assert set(sim.attached) == {row(st, yes.donation_id).payment_method_id}


def test_the_default_is_the_config_file_then_the_lead(make_station: StationFactory,
                                                      data_dir: Path) -> None:  # fmt: skip
    settings = event_settings(payments=Payments(save_cards_default=False))
    st = make_station(processor=SimulatorProcessor(latency_ms=0), settings=settings)
    assert st.save_cards_default is False and st.can_save_cards
    first = st.take_card_donation(5000, Donor("Ada", "ada@example.org"), CARD)  # no answer
    assert row(st, first.donation_id).save_card is False

    seen: list[frozenset[Topic]] = []
    unsubscribe = st.changes.subscribe(lambda change: seen.append(change.topics))
    st.set_save_cards_default(True)  # the lead, at the desk
    unsubscribe()
    assert st.save_cards_default is True and any(Topic.SETTINGS in t for t in seen)
    second = st.take_card_donation(5000, Donor("Bea", "bea@example.org"), CARD)
    overruled = st.take_card_donation(5000, Donor("Cy", "cy@example.org"), CARD, NO)
    st.start_jobs()
    wait_settled(st)
    assert kinds(st, first.donation_id) == ["receipt"]
    assert kinds(st, second.donation_id) == ["receipt", "save_card"]
    assert kinds(st, overruled.donation_id) == ["receipt"]  # the donor's answer wins
    st.close()

    # the lead's choice is kept on this laptop, over the file's
    again = make_station(processor=SimulatorProcessor(latency_ms=0), settings=settings)
    assert again.save_cards_default is True
    again.set_save_cards_default(False)
    assert again.settings.payments.save_cards_default is False


def test_save_cards_default_in_the_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[payments]\nsave_cards_default = false\n")
    assert load_settings(cfg).payments.save_cards_default is False
    assert Payments().save_cards_default is False  # opt-in unless the file says otherwise
    cfg.write_text("[payments]\nsave_cards_default = true\n")
    assert load_settings(cfg).payments.save_cards_default is True  # a lead's file still counts
    cfg.write_text('[payments]\nsave_cards_default = "no"\n')
    with pytest.raises(ValueError, match="save_cards_default' must be a bool"):
        load_settings(cfg)


def test_a_consent_that_is_not_yes_or_no_is_refused(make_station: StationFactory) -> None:
    st = make_station(processor=SimulatorProcessor(latency_ms=0))
    with pytest.raises(ValueError) as info:
        st.take_card_donation(5000, Donor("Ada", "a@x.org"), CARD,
                              GiftOptions(save_card="yes"))  # type: ignore[arg-type]  # fmt: skip
    assert info.value.errors == {"save_card": "Say yes or no to keeping the card."}  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        st.set_save_cards_default("on")  # type: ignore[arg-type]
    assert st.donations() == []


def test_typed_card_on_stripe_sets_up_the_card_only_with_consent(
    make_station: StationFactory, localstripe: str, checked: SpecCheckingTransport
) -> None:
    bodies: list[dict] = []  # type: ignore[type-arg]
    real = checked.handle_request

    def spy(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/payment_intents":
            bodies.append(decode_form(request.content))
        return real(request)

    checked.handle_request = spy  # type: ignore[method-assign]
    st = make_station(processor=StripeProcessor(API_KEY, api_base=localstripe, timeout=10,
                                                transport=checked))  # fmt: skip
    no = st.take_card_donation(5000, Donor("Ada", "ada@example.org"), CARD, NO)
    yes = st.take_card_donation(5000, Donor("Bea", "bea@example.org"), CARD, YES)
    assert no.status == yes.status == "approved", (no.message, yes.message)
    assert "setup_future_usage" not in bodies[0]
    assert bodies[1]["setup_future_usage"] == "off_session"
    st.start_jobs()
    wait_settled(st)
    assert kinds(st, no.donation_id) == ["receipt"]
    assert save_card_job(st, yes.donation_id).state == "done"
    assert checked.paths.count("POST /v1/customers") == 1 and checked.problems == []


def test_a_gift_taken_before_consent_was_asked_replays_as_it_was_sent() -> None:
    """A charge in doubt across the upgrade (save_card NULL) was sent set up for future use:
    its replay must send the same parameters, or Stripe refuses the reused key."""
    legacy = Donation(id="d-old", amount_cents=5000, currency="usd", payment_method_id="pm_1",
                      idempotency_key="k-old", save_card=None)  # fmt: skip
    params = payment_intent_params(DonationService._request_of(legacy))
    assert params["setup_future_usage"] == "off_session"
    legacy.save_card = False
    assert "setup_future_usage" not in payment_intent_params(DonationService._request_of(legacy))


# ---- gifts on the card reader ----------------------------------------------------------


def test_training_reader_sets_up_the_card_only_with_consent(
    make_station: StationFactory,
) -> None:
    sim = SimulatorProcessor(latency_ms=0)
    st = make_station(processor=sim)
    assert st.reader_service is not None
    st.reader_service.poll_s = 0.01
    reader = st.reader_service.reader
    waiting = lambda: reader._action.status == "in_progress"  # noqa: E731
    no = reader_gift(st, waiting, NO)
    yes = reader_gift(st, waiting, dataclasses.replace(YES, cover_fee=True))
    no_row, yes_row = row(st, no.donation_id), row(st, yes.donation_id)
    assert (no_row.setup_future_usage, no_row.generated_card, no_row.save_card) == (
        None, None, False)  # fmt: skip
    assert yes_row.setup_future_usage == "off_session" and yes_row.generated_card
    assert yes_row.fee_cents > 0 and yes.amount_cents == 5000 + yes_row.fee_cents
    st.start_jobs()
    wait_settled(st)
    assert kinds(st, no.donation_id) == ["receipt"]
    job = wait_state(st, save_card_job(st, yes.donation_id).id, "done")
    token = token_of(st, yes.donation_id)
    assert token is not None and token.payment_method_id == yes_row.generated_card
    assert job.attempts == 1 and list(sim.attached) == [yes_row.generated_card]


def test_peer_payment_intent_asks_to_keep_the_card_only_with_consent(
    make_station: StationFactory,
    localstripe: str,
    terminal_reader: str,
    checked: SpecCheckingTransport,
) -> None:
    p = StripeTerminalProcessor(TERMINAL_TEST_KEY, terminal_reader, api_base=localstripe,
                                timeout=10, transport=checked)  # fmt: skip
    st = make_station(processor=p)
    assert st.reader_service is not None
    st.reader_service.poll_s = 0.02
    watch = StripeTerminalProcessor(TERMINAL_TEST_KEY, terminal_reader, api_base=localstripe)

    def reader_waits() -> bool:
        a = watch.reader_action(5)
        return a.type == "process_payment_intent" and a.status == "in_progress"

    no = reader_gift(st, reader_waits, NO)
    yes = reader_gift(st, reader_waits, YES)
    auth = (TERMINAL_TEST_KEY, "")

    def intent(o: Outcome) -> dict:  # type: ignore[type-arg]
        pi = row(st, o.donation_id).payment_intent_id
        return httpx.get(f"{localstripe}/v1/payment_intents/{pi}", auth=auth, timeout=5).json()

    assert intent(no).get("setup_future_usage") is None
    assert intent(yes)["setup_future_usage"] == "off_session"
    st.start_jobs()
    wait_settled(st)
    assert kinds(st, no.donation_id) == ["receipt"]
    assert save_card_job(st, yes.donation_id).state == "done"
    assert checked.paths.count("POST /v1/customers") == 1  # one customer: the one who agreed
    assert checked.problems == []
    watch.close()
