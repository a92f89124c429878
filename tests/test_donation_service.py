"""The charge protocol through the facade with the simulator: states, retries, settling."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from pos_app.api import Card, Donor, InvalidDonation, Station, open_station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.store.models import Donation

VISA = Card("4242424242424242", 12, 2030, "123")
ADA = Donor("Ada Lovelace", "ada@example.org")


def test_approved_row_has_everything_but_the_card(station: Station):
    out = station.take_card_donation(5000, ADA, VISA)
    assert out.status == "approved" and out.reference and out.last4 == "4242"
    d = station.donation(out.donation_id)
    assert (d.status, d.brand, d.last4, d.payment_intent_id) == (
        "approved",
        "visa",
        "4242",
        out.reference,
    )
    assert d.payment_method_id and d.payment_method_id.startswith("pm_sim_")


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("4000000000000002", "The card was declined."),
        ("4000000000009995", "Insufficient funds."),
        ("4000000000000069", "The card has expired."),
        ("4000000000000127", "The security code is incorrect."),
    ],
)
def test_test_cards_decline_with_their_reason(station: Station, number: str, reason: str):
    out = station.take_card_donation(2500, ADA, Card(number, 12, 2030, "123"))
    assert out.status == "declined"
    assert out.message.startswith(reason)
    assert station.totals().raised_cents == 0


def test_invalid_input_raises_with_every_field_and_writes_nothing(station: Station):
    with pytest.raises(InvalidDonation) as err:
        station.take_card_donation(0, Donor("", "nope"), Card("4242424242424241", 1, 2020, "1"))
    assert set(err.value.errors) == {"amount", "email", "number", "expiry", "cvc"}
    assert station.donations() == []


def test_network_down_before_tokenizing_fails_and_retry_uses_the_held_card(
    station: Station, simulator: SimulatorProcessor
):
    simulator.network_down = True
    out = station.take_card_donation(5000, ADA, VISA)
    assert (out.status, out.can_retry) == ("failed", True)
    simulator.network_down = False
    again = station.retry_charge(out.donation_id)
    assert again.status == "approved" and again.donation_id == out.donation_id
    assert len(simulator.charges) == 1


def test_after_next_donor_the_card_is_gone_and_retry_says_so(
    station: Station, simulator: SimulatorProcessor
):
    simulator.network_down = True
    out = station.take_card_donation(5000, ADA, VISA)
    station.forget_card(out.donation_id)
    simulator.network_down = False
    again = station.retry_charge(out.donation_id)
    assert again.status == "failed" and "Take the card again" in again.message
    assert simulator.charges == {}


def test_lost_answer_is_in_doubt_and_a_replay_never_charges_twice(
    station: Station, simulator: SimulatorProcessor
):
    simulator.lose_next_response = True
    out = station.take_card_donation(5000, ADA, VISA)
    assert out.status == "in_doubt" and out.can_retry
    assert station.totals().in_doubt == 1
    settled = station.settle_in_doubt()
    assert [o.status for o in settled] == ["approved"]
    assert station.retry_charge(out.donation_id).status == "approved"  # idempotent
    assert len(simulator.charges) == 1
    assert station.totals().raised_cents == 5000


def test_startup_settles_rows_left_charging(data_dir, simulator: SimulatorProcessor):
    """Rows a crash left in `charging`: with a token they are replayed, without one failed."""
    with open_station(data_dir=data_dir, processor=simulator) as st:
        ok = st.take_card_donation(5000, ADA, VISA)
        tokenized = st.take_card_donation(3000, ADA, VISA)
        with st.db.session() as s:
            # what a kill -9 leaves: the first before tokenizing, the second before charging
            s.get(Donation, ok.donation_id).state = "charging"  # type: ignore[union-attr]
            row = s.get(Donation, tokenized.donation_id)
            assert row is not None
            row.state, row.payment_intent_id = "charging", None
            s.add(
                Donation(
                    id="00000000-0000-0000-0000-000000000001",
                    amount_cents=700,
                    currency="usd",
                    method="card",
                    state="charging",
                    donor_name="",
                    donor_email="",
                    station="x",
                    idempotency_key="tableside-never-sent",
                    charge_attempts=1,
                )
            )
    fresh = SimulatorProcessor()  # a restarted app: the simulator remembers nothing
    with open_station(data_dir=data_dir, processor=fresh) as st:
        outcomes = {o.donation_id: o for o in st.settle_in_doubt(include_charging=True)}
        assert outcomes[ok.donation_id].reference == ok.reference  # same key, same payment
        assert outcomes[tokenized.donation_id].status == "approved"
        never = outcomes["00000000-0000-0000-0000-000000000001"]
        assert never.status == "failed" and "Nothing was charged" in never.message
        with st.db.session() as s:
            left = s.scalars(select(Donation).where(Donation.state == "charging")).all()
        assert left == []


def test_background_settler_runs_at_start(data_dir, simulator: SimulatorProcessor):
    with open_station(data_dir=data_dir, processor=simulator) as st:
        simulator.lose_next_response = True
        out = st.take_card_donation(5000, ADA, VISA)
        assert out.status == "in_doubt"
        st.settle_interval = 0.05
        st.start_jobs()
        deadline = time.monotonic() + 10
        while st.donation(out.donation_id).status != "approved":
            assert time.monotonic() < deadline, "in-doubt charge never settled"
            time.sleep(0.02)
        st.stop_jobs()


@pytest.mark.parametrize("method", ["cash", "check"])
def test_cash_and_check(station: Station, simulator: SimulatorProcessor, method: str):
    simulator.network_down = True
    out = station.record_donation(2000, ADA, method, check_number="1001")
    assert out.status == "recorded"
    t = station.totals()
    assert (t.raised_cents, t.gifts, t.by_method) == (2000, 1, {method: 2000})


def test_check_needs_a_number(station: Station):
    with pytest.raises(InvalidDonation) as err:
        station.record_donation(2000, ADA, "check")
    assert "check_number" in err.value.errors


def test_totals_count_approved_and_recorded_only(station: Station):
    station.take_card_donation(5000, ADA, VISA)
    station.take_card_donation(5000, ADA, Card("4000000000000002", 12, 2030, "123"))
    station.record_donation(1000, ADA, "cash")
    t = station.totals()
    assert (t.raised_cents, t.gifts, t.average_cents) == (6000, 2, 3000)


def test_a_refused_replay_keeps_the_donation_in_doubt(
    station: Station, simulator: SimulatorProcessor
):
    simulator.lose_next_response = True
    assert station.take_card_donation(5000, ADA, VISA).status == "in_doubt"
    real_charge = simulator.charge

    def refuse(request):  # type: ignore[no-untyped-def]
        from pos_app.payments.base import Permanent

        raise Permanent("The processor rejected this station's key.", "HTTP 401")

    simulator.charge = refuse  # type: ignore[method-assign]
    [settled] = station.settle_in_doubt()
    assert settled.status == "in_doubt"  # never "failed": the first attempt may have charged
    assert "rejected this station's key" in settled.message
    simulator.charge = real_charge  # type: ignore[method-assign]
    [settled] = station.settle_in_doubt()
    assert settled.status == "approved" and len(simulator.charges) == 1
