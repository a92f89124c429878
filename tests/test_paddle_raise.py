"""The paddle raise through the facade in training (the simulator): pledges recorded at
once, those on a card on file charged by the background `pledge_charge` job, the others
waiting for checkout; undo only before the charge starts; running totals per level; the
network dropping mid-raise and a lost answer cost nothing twice.
"""

from __future__ import annotations

import pytest
from support.gala import DECLINES_AT_CHARGE, NEEDS_AUTH, VISA, by_state, wait_pledges_settled
from support.job_fixtures import StationFactory, make_station  # noqa: F401
from support.jobwait import wait_for

from jobs.kinds.pledge_charge import NAME as PLEDGE_CHARGE
from pos_app.api import Donor, InvalidDonation, PledgeStarted, Station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.services.pledge_charges import pledge_key
from pos_app.store.models import Donation

pytestmark = pytest.mark.timeout(90)
LEVELS = [500000, 100000, 50000, 10000]


def guests(st: Station) -> dict[str, str]:
    """name -> paddle: two cards that charge, one declined, one needing authentication,
    one with no card."""
    cards = {"ada": VISA, "grace": VISA, "bob": DECLINES_AT_CHARGE, "cy": NEEDS_AUTH,
             "fay": None}
    out = {}
    for name, card in cards.items():
        out[name] = st.check_in(Donor(name.title(), f"{name}@example.org"), card=card).paddle
    return out


def test_pledges_charge_in_the_background_or_wait_for_checkout(
    make_station: StationFactory,  # noqa: F811
) -> None:
    sim = SimulatorProcessor()
    st = make_station(processor=sim)
    paddles = guests(st)
    raise_id = st.open_paddle_raise("Fund a kitchen", LEVELS)
    made = {name: st.pledge(raise_id, paddle, 10000) for name, paddle in paddles.items()}
    for name, p in made.items():  # recorded at once, nothing charged yet
        assert (p.paddle, p.amount_cents, p.state) == (paddles[name], 10000, "pledged")
        assert p.donation_id and p.card_on_file == (name != "fay")
    assert sim.charges == {}
    st.start_jobs()
    pledges = {p.paddle: p for p in wait_pledges_settled(st, raise_id)}
    assert pledges[paddles["ada"]].state == pledges[paddles["grace"]].state == "paid"
    bob, cy = pledges[paddles["bob"]], pledges[paddles["cy"]]
    assert bob.state == cy.state == "needs_attention"
    assert bob.message == f"Ask paddle {paddles['bob']} for another card: the card was declined."
    assert cy.message == (f"Ask paddle {paddles['cy']} for another card: the bank wants the "
                          "donor to confirm this payment.")
    fay = pledges[paddles["fay"]]
    assert fay.state == "pledged" and "checkout" in (fay.message or "")
    # the lead sees the same words on the job
    wait_for(lambda: not [j for j in st.jobs() if j.state == "running"], why="jobs marked")
    jobs = {j.donation_id: j for j in st.jobs() if j.kind == PLEDGE_CHARGE}
    assert len(jobs) == 4 and fay.donation_id not in jobs
    assert jobs[bob.donation_id].state == "needs_attention"
    assert jobs[bob.donation_id].last_error == bob.message
    assert jobs[pledges[paddles["ada"]].donation_id].state == "done"
    # each paid pledge is one payment with the key derived from the pledge, paddle on the gift
    paid = [p for p in pledges.values() if p.state == "paid"]
    assert len(sim.charges) == 2
    assert {r.idempotency_key for r in sim.charges.values()} == {pledge_key(p.id) for p in paid}
    for p in paid:
        gift = st.donation(p.donation_id)
        assert (gift.status, gift.paddle, gift.last4) == ("approved", p.paddle, "4242")
    with st.db.session() as s:
        row = s.get(Donation, paid[0].donation_id)
        assert row is not None and row.off_session and row.customer_id
    assert st.totals().raised_cents == 20000  # a pledge counts once it is paid
    # receipts follow a paid pledge like any gift; no second save of a card on file
    kinds = sorted(j.kind for j in st.jobs(paid[0].donation_id))
    assert kinds == sorted([PLEDGE_CHARGE, "receipt"])
    # give again finds the paddle on the gift
    assert st.donations_service.get(paid[0].donation_id).paddle == paid[0].paddle


def test_totals_undo_close_and_bad_input(make_station: StationFactory) -> None:  # noqa: F811
    st = make_station()
    paddles = guests(st)
    raise_id = st.open_paddle_raise("Scholarships", [10000, 500000, 100000])
    assert st.paddle_raise(raise_id).levels_cents == (500000, 100000, 10000)
    first = st.pledge(raise_id, paddles["ada"], 500000)  # jobs not started: not charging yet
    st.pledge(raise_id, paddles["fay"], 100000)
    st.pledge(raise_id, int(paddles["grace"]), 100000)
    st.pledge(raise_id, paddles["fay"], 2500)  # an amount that is no level still counts
    undone = st.undo_pledge(first.id)
    assert undone.state == "undone"
    assert st.undo_pledge(first.id).state == "undone"  # twice is harmless
    totals = st.paddle_raise(raise_id)
    assert (totals.total_cents, totals.count) == (202500, 3)
    assert totals.by_level == {500000: 0, 100000: 2, 10000: 0, 2500: 1}
    assert totals.by_state == {"pledged": 3}
    # the undone pledge's job never charges
    (job,) = [j for j in st.jobs(first.donation_id)]
    assert job.state == "discarded"
    st.start_jobs()
    wait_pledges_settled(st, raise_id)
    assert st.processor.charges and all(
        r.donation_id != first.donation_id for r in st.processor.charges.values())
    assert st.donation(first.donation_id).status == "voided"
    paid = next(p for p in st.pledges(raise_id) if p.state == "paid")
    with pytest.raises(PledgeStarted) as started:
        st.undo_pledge(paid.id)
    assert "refund" in started.value.errors["pledge"].lower()
    assert st.paddle_raise(raise_id).paid_cents == 100000
    with pytest.raises(InvalidDonation) as unknown:
        st.pledge(raise_id, "999", 10000)
    assert "999" in unknown.value.errors["paddle"]
    with pytest.raises(InvalidDonation) as amount:
        st.pledge(raise_id, paddles["ada"], 0)
    assert "amount" in amount.value.errors
    with pytest.raises(InvalidDonation):
        st.open_paddle_raise("", [])
    closed = st.close_paddle_raise(raise_id)
    assert closed.state == "closed" and closed.closed_at is not None
    with pytest.raises(InvalidDonation) as shut:
        st.pledge(raise_id, paddles["ada"], 10000)
    assert "closed" in shut.value.errors["raise"]
    assert [r.id for r in st.paddle_raises()] == [raise_id]
    with pytest.raises(KeyError):
        st.pledge("no-such-raise", paddles["ada"], 10000)


def test_network_down_then_back_and_a_lost_answer_charge_once(
    make_station: StationFactory,  # noqa: F811
) -> None:
    sim = SimulatorProcessor()
    st = make_station(processor=sim)
    paddles = guests(st)
    raise_id = st.open_paddle_raise("Fund a kitchen", LEVELS)
    sim.network_down = True
    st.start_jobs()
    down = st.pledge(raise_id, paddles["ada"], 50000)
    wait_for(lambda: any(j.state == "retry_scheduled" and j.attempts >= 2
                         for j in st.jobs(down.donation_id)), why="retries while offline")
    assert st.pledges(raise_id)[0].state == "charging"
    with pytest.raises(PledgeStarted):
        st.undo_pledge(down.id)
    sim.network_down = False
    sim.lose_next_response = True  # the next charge is made, its answer never arrives
    wait_pledges_settled(st, raise_id)
    lost = st.pledge(raise_id, paddles["grace"], 10000)
    pledges = {p.id: p for p in wait_pledges_settled(st, raise_id)}
    assert pledges[down.id].state == pledges[lost.id].state == "paid"
    assert len(sim.charges) == 2  # one payment each, however often replayed
    assert by_state(pledges.values()) == {"paid": 2}


def test_give_again_finds_a_guests_card_on_file_by_paddle(
    make_station: StationFactory,  # noqa: F811
) -> None:
    st = make_station()
    paddles = guests(st)
    raise_id = st.open_paddle_raise("Fund a kitchen", LEVELS)
    st.pledge(raise_id, paddles["ada"], 50000)
    st.start_jobs()
    wait_pledges_settled(st, raise_id)
    (found,) = st.find_saved_donors(paddles["ada"])
    assert (found.name, found.paddle, found.card_label) == ("Ada", paddles["ada"],
                                                            "Visa •••• 4242")
    assert found.last_gift_cents == 50000  # the paid pledge
    assert st.find_saved_donors("fay") == []  # no card on file
    out = st.give_again(found.ref, 2500)
    assert out.status == "approved", out.message
    gift = st.donation(out.donation_id)
    assert (gift.paddle, gift.last4, gift.donor_email) == (paddles["ada"], "4242",
                                                          "ada@example.org")
    (bob,) = st.find_saved_donors("bob@example")
    refused = st.give_again(bob.ref, 2500)
    assert refused.ask_for_card and refused.status == "declined"


def test_another_card_charges_a_declined_pledge_again_or_it_is_undone(
    make_station: StationFactory,  # noqa: F811
) -> None:
    sim = SimulatorProcessor()
    st = make_station(processor=sim)
    paddles = guests(st)
    raise_id = st.open_paddle_raise("Fund a kitchen", LEVELS)
    bob = st.pledge(raise_id, paddles["bob"], 25000)
    cy = st.pledge(raise_id, paddles["cy"], 10000)
    st.start_jobs()
    wait_pledges_settled(st, raise_id)
    assert {p.id: p.state for p in st.pledges(raise_id)} == {
        bob.id: "needs_attention", cy.id: "needs_attention"}
    # the volunteer asked paddle bob for another card: checked in again with it
    again = st.check_in(Donor("Bob", "bob@example.org"), card=VISA)
    assert again.paddle == paddles["bob"] and again.card_on_file
    paid = wait_for(lambda: [p for p in st.pledges(raise_id)
                             if p.id == bob.id and p.state == "paid"], why="bob paid")[0]
    assert paid.message is None
    (charge,) = sim.charges.values()
    assert charge.idempotency_key == pledge_key(bob.id, 2) and charge.amount_cents == 25000
    gift = st.donation(bob.donation_id)
    assert (gift.status, gift.last4, gift.charge_attempts) == ("approved", "4242", 2)
    # (the pledge is paid in the answer's transaction; its job is marked just after)
    wait_for(lambda: [j for j in st.jobs(bob.donation_id)
                      if j.kind == PLEDGE_CHARGE and j.state == "done"], why="job done")
    # cy's donor changed their mind: a declined pledge can be undone (nothing was charged)
    undone = st.undo_pledge(cy.id)
    assert undone.state == "undone" and "declined" in (undone.message or "")
    assert st.donation(cy.donation_id).status == "voided"
    assert [j.state for j in st.jobs(cy.donation_id)] == ["discarded"]
    assert st.paddle_raise(raise_id).by_state == {"paid": 1}
    with pytest.raises(PledgeStarted):
        st.undo_pledge(bob.id)


def test_a_waiting_pledge_is_charged_once_its_guest_leaves_a_card(
    make_station: StationFactory,  # noqa: F811
) -> None:
    sim = SimulatorProcessor()
    st = make_station(processor=sim)
    paddles = guests(st)
    raise_id = st.open_paddle_raise("Fund a kitchen", LEVELS)
    waiting = st.pledge(raise_id, paddles["fay"], 10000)
    st.start_jobs()
    assert not st.charge_pledge_on_file(waiting.id)  # no card yet: it waits for checkout
    st.check_in(Donor("Fay", "fay@example.org"), card=VISA)
    assert st.pledges(raise_id)[0].state == "pledged"  # a new card charges nothing by itself
    assert st.charge_pledge_on_file(waiting.id)
    assert st.charge_pledge_on_file(waiting.id) in (True, False)  # twice: still one charge
    wait_for(lambda: st.pledges(raise_id)[0].state == "paid", why="fay's pledge paid")
    assert len(sim.charges) == 1
    assert [j.kind for j in st.jobs(waiting.donation_id)].count(PLEDGE_CHARGE) == 1
    assert not st.charge_pledge_on_file(waiting.id)
