"""Only an answer about this very charge approves it, and `processing` is not approved yet.

The processor is the bridged localstripe on loopback; a proxy between the app and it
changes the real answer on its way back, as a misbehaving or slow processor would: 1 EUR
when $50.00 was asked, another gift's payment, or `processing` (the bank hasn't confirmed).
The volunteer's window is driven through pytest-qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from support.fault_proxy import FaultProxy
from support.jobwait import wait_for

from pos_app.api import Card, Donor, Station, open_station
from pos_app.payments.stripe import StripeProcessor
from pos_app.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(90)
API_KEY = "sk_test_tableside_answers"
CARD = Card("4242424242424242", 12, 2031, "123")
DONOR = Donor("Ada Lovelace", "ada@example.org")
Rewrite = Callable[[str, str, dict], dict | None]


def on_confirm(change: Callable[[dict], dict]) -> Rewrite:
    """Change only the answer to the charge itself (POST /v1/payment_intents)."""
    return lambda method, path, body: (
        change(dict(body)) if method == "POST" and path == "/v1/payment_intents" else None
    )


@pytest.fixture
def proxy(localstripe: str) -> Iterator[FaultProxy]:
    with FaultProxy(localstripe, rate=0.0, flavor="stripe") as p:
        yield p


@pytest.fixture
def stripe_station(data_dir: Path, proxy: FaultProxy) -> Iterator[Station]:
    processor = StripeProcessor(API_KEY, api_base=proxy.url, timeout=10)
    with open_station(data_dir=data_dir, processor=processor) as st:
        st.settle_interval = 0.1
        yield st


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda b: {**b, "amount": 100, "currency": "eur"}, "answered for 1.00 EUR"),
        (lambda b: {**b, "amount": 500}, "answered for $5.00"),
        (lambda b: {**b, "metadata": {"donation_id": "someone-else"}}, "another gift"),
        (lambda b: {k: v for k, v in b.items() if k != "amount"}, "an unknown amount"),
    ],
    ids=["1-eur", "5-dollars", "another-gift", "no-amount"],
)
def test_an_answer_for_something_else_is_never_approved(
    stripe_station: Station, proxy: FaultProxy, change: Callable[[dict], dict], words: str
) -> None:
    st = stripe_station
    proxy.rewrite = on_confirm(change)
    outcome = st.take_card_donation(5000, DONOR, CARD)
    assert outcome.status == "mismatch", outcome
    assert words in outcome.message and "Don't charge this card again" in outcome.message
    assert st.donation(outcome.donation_id).status == "mismatch"
    assert st.jobs() == []  # no receipt, no saved card for money nobody can account for
    assert st.totals().raised_cents == 0
    lead = [a for a in st.alerts() if a.audience == "lead" and a.key == "mismatch"]
    assert lead and "1 charge answered for a different amount" in lead[0].message
    # The settle loop leaves it for the lead: nothing replays or approves it on its own.
    st.start_jobs()
    st.settle_in_doubt(include_charging=True)
    assert st.donation(outcome.donation_id).status == "mismatch"


def test_processing_waits_for_the_bank_then_settles_in_the_background(
    stripe_station: Station, proxy: FaultProxy
) -> None:
    st = stripe_station
    proxy.rewrite = on_confirm(lambda b: {**b, "status": "processing"})
    outcome = st.take_card_donation(5000, DONOR, CARD)
    assert outcome.status == "pending", outcome
    assert "Waiting for the bank" in outcome.message
    assert st.totals().raised_cents == 0 and st.totals().in_doubt == 1
    assert st.jobs() == []  # no receipt for money not yet confirmed

    # The background re-reads the payment (never charges again) until the bank confirms.
    st.start_jobs()
    approved = wait_for(lambda: st.outcome(outcome.donation_id).status == "approved",
                        why="the payment with the bank to settle")
    assert approved
    assert st.totals().raised_cents == 5000
    receipt = wait_for(lambda: [j for j in st.jobs(outcome.donation_id)
                                if j.kind == "receipt" and j.state == "done"], why="its receipt")
    assert receipt
    charges = proxy.by_path[("forwarded", "/v1/payment_intents")]
    reads = proxy.by_path[("forwarded", "/v1/payment_intents/{id}")]
    assert charges == 1 and reads >= 1  # one charge; the rest were reads


def test_the_volunteer_sees_waiting_for_the_bank_and_moves_on(
    qtbot, stripe_station: Station, proxy: FaultProxy
) -> None:
    proxy.rewrite = on_confirm(lambda b: {**b, "status": "processing"})
    w = MainWindow(stripe_station)
    w.confirm_close = lambda _summary: True
    qtbot.addWidget(w)
    w.show()
    qtbot.keyClicks(w.form.amount, "50")
    qtbot.keyClicks(w.form.number, CARD.number)
    qtbot.keyClicks(w.form.expiry, "12/31")
    qtbot.keyClicks(w.form.cvc, "123")
    qtbot.keyClicks(w.form.name, DONOR.name)
    qtbot.keyClick(w.form.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.result.heading.text() == "Waiting for the bank", timeout=20_000)
    assert w.result.next.isVisible()
    qtbot.keyClick(w.result.next, Qt.Key.Key_Return)  # the form frees up for the next donor
    qtbot.waitUntil(lambda: w.form.amount.isEnabled() and w.action.isEnabled())
    assert w.form.amount.text() == ""
    w.close()
