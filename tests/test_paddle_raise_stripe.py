"""A paddle raise of 30 pledges through the facade, charged on cards on file by the
background `pledge_charge` jobs with the Stripe adapter against the bridged localstripe.

Every request is checked against Stripe's OpenAPI spec. Guests have cards that charge,
one declined at charge time (0341), one that needs the donor's authentication (3184,
off-session: 402 authentication_required) and none at all. In the end every pledge is
paid, needs attention with "Ask paddle N for another card", or waits for checkout; the
server holds exactly one PaymentIntent per pledge on a card, made with the key derived
from the pledge (counted at the server, not by us); no card number is on disk.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from support.gala import (
    DECLINES_AT_CHARGE,
    GALA_CARD_NUMBERS,
    NEEDS_AUTH,
    VISA,
    authenticated_on_file,
    wait_pledges_settled,
)
from support.job_fixtures import StationFactory, make_station  # noqa: F401
from support.jobwait import wait_for
from support.processes import localstripe_stats
from support.stripe_spec import decode_form, stripe_spec
from test_jobs_save_card import API_KEY, SpecCheckingTransport

from jobs.kinds.pledge_charge import NAME as PLEDGE_CHARGE
from pos_app.api import Donor
from pos_app.payments.stripe import StripeProcessor
from pos_app.services.pledge_charges import pledge_key

pytestmark = pytest.mark.timeout(120)
LEVELS = [500000, 100000, 50000, 25000, 10000]
# name -> what is on file: "visa", "declines", "auth", None (no card)
GUESTS = {
    "ada": "visa", "grace": "visa", "alan": "visa", "edsger": "visa", "barbara": "visa",
    "bob": "declines", "cy": "auth", "fay": None, "gus": None, "hal": "visa",
}


def payment_intents(url: str) -> list[dict]:  # type: ignore[type-arg]
    out: list[dict] = []  # type: ignore[type-arg]
    after = None
    while True:
        params = {"limit": 100, **({"starting_after": after} if after else {})}
        r = httpx.get(f"{url}/v1/payment_intents", params=params, auth=(API_KEY, ""),
                      timeout=10)
        r.raise_for_status()
        body = r.json()
        out += body["data"]
        if not body.get("has_more") or not body["data"]:
            return out
        after = body["data"][-1]["id"]


def test_thirty_pledges_on_localstripe_each_settled_and_charged_once(
    make_station: StationFactory, localstripe: str, data_dir: Path,  # noqa: F811
) -> None:
    checked = SpecCheckingTransport(stripe_spec())
    sent: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    real = checked.handle_request

    def spy(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v1/payment_intents":
            sent.append((request.headers["Idempotency-Key"], decode_form(request.content)))
        return real(request)

    checked.handle_request = spy  # type: ignore[method-assign]
    stripe = StripeProcessor(API_KEY, api_base=localstripe, timeout=10, transport=checked)
    st = make_station(processor=stripe)
    before = localstripe_stats(localstripe)["payment_intents_created"]
    paddles: dict[str, str] = {}
    for name, kind in GUESTS.items():
        card = {"visa": VISA, "declines": DECLINES_AT_CHARGE, "auth": VISA, None: None}[kind]
        guest = st.check_in(Donor(name.title(), f"{name}@example.org"), card=card)
        assert guest.card_on_file == (kind is not None), guest.message
        paddles[name] = guest.paddle
        if kind == "auth":
            authenticated_on_file(st, guest.paddle, NEEDS_AUTH)
    kind_of = {paddles[n]: k for n, k in GUESTS.items()}

    raise_id = st.open_paddle_raise("Fund a kitchen", LEVELS)
    st.start_jobs()  # charges run while hands are still going up
    made = []
    names = list(GUESTS)
    for i in range(30):
        paddle = paddles[names[i % len(names)]]
        made.append(st.pledge(raise_id, paddle, LEVELS[i % len(LEVELS)]))
    assert len({p.id for p in made}) == 30

    pledges = wait_pledges_settled(st, raise_id, timeout=90)
    assert len(pledges) == 30
    for p in pledges:
        kind = kind_of[p.paddle]
        if kind == "visa":
            assert p.state == "paid", p
        elif kind in ("declines", "auth"):
            assert p.state == "needs_attention", p
            assert (p.message or "").startswith(f"Ask paddle {p.paddle} for another card")
        else:
            assert p.state == "pledged" and not p.card_on_file
    on_card = [p for p in pledges if kind_of[p.paddle] is not None]
    paid = [p for p in pledges if p.state == "paid"]
    auth = [p for p in pledges if kind_of[p.paddle] == "auth"]
    assert auth and all("confirm this payment" in (p.message or "") for p in auth)

    # At the server: each pledge on a card was sent with its own key (never another), and
    # each paid pledge is exactly one succeeded PaymentIntent, for that gift; nothing else
    # succeeded. (localstripe keeps no PaymentIntent for a card declined at charge time.)
    keys = Counter(key for key, _ in sent)
    assert set(keys) == {pledge_key(p.id) for p in on_card}
    for _key, body in sent:
        assert body["off_session"] == "true" and body["confirm"] == "true"
        assert body["customer"].startswith("cus_") and "setup_future_usage" not in body
    created = localstripe_stats(localstripe)["payment_intents_created"] - before
    assert created == len(paid) + len(auth)
    mine = {p.donation_id for p in pledges}
    succeeded = [pi for pi in payment_intents(localstripe)
                 if pi["status"] == "succeeded" and pi["metadata"].get("donation_id") in mine]
    by_gift = Counter(pi["metadata"]["donation_id"] for pi in succeeded)
    assert by_gift == Counter({p.donation_id: 1 for p in paid})
    pi_ids = {pi["id"] for pi in succeeded}
    for p in paid:
        gift = st.donation(p.donation_id)
        assert gift.status == "approved" and gift.paddle == p.paddle
        assert gift.payment_intent_id in pi_ids and gift.amount_cents == p.amount_cents

    totals = st.paddle_raise(raise_id)
    assert (totals.count, totals.total_cents) == (30, sum(p.amount_cents for p in pledges))
    assert totals.paid_cents == sum(p.amount_cents for p in paid)
    assert sum(totals.by_level.values()) == 30
    assert st.totals().raised_cents == totals.paid_cents
    # (a pledge settles in its answer's transaction; its job is marked just after)
    wait_for(lambda: not [j for j in st.jobs() if j.state == "running"], why="jobs marked")
    states = Counter(j.state for j in st.jobs() if j.kind == PLEDGE_CHARGE)
    assert states == {"done": len(paid), "needs_attention": len(on_card) - len(paid)}
    assert checked.problems == []
    assert files_containing(data_dir, TEST_CARD_NUMBERS + GALA_CARD_NUMBERS) == []
