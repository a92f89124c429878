"""Pledges paid by a link: a gift that can't be charged at the table is taken as a pledge; a
background job makes a Stripe Checkout Session for exactly that gift and emails the link
through a real SMTP server (aiosmtpd); the pay-link watch reads it back until paid (the
gift approved, its receipt sent) or expired (the lead sends another) — against the bridged
localstripe (tests/support/checkout_peer.py) and, in training, the simulator's links."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import parseaddr

import httpx
import pytest
from support.job_fixtures import (  # noqa: F401 - fixtures
    FROM,
    StationFactory,
    event_settings,
    make_station,
    smtp_keyring,
    smtp_server,
)
from support.jobwait import wait_for, wait_settled
from support.processes import localstripe_stats
from support.smtp_server import SmtpServer

from pos_app.api import Donor, InvalidDonation, Station
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.payments.stripe import StripeProcessor
from pos_app.settings import Pledges, Receipts

KEY = "sk_test_tableside_pledge_links"
THANKS = "https://riverside.example/thank-you"


def pledge_state(st: Station, pledge_id: str) -> str:
    return next(p.state for p in st.pledges() if p.id == pledge_id)


def links_to(server: SmtpServer, address: str) -> list[EmailMessage]:
    return [m for m in server.received()
            if parseaddr(str(m["To"]))[1] == address and m["X-Tableside-Paylink"]]  # fmt: skip


def link_in(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"https://checkout\.stripe\.com/c/pay/(cs_test_\w+)", text)
    assert found, text
    return found[1]


@pytest.fixture
def stripe_station(
    make_station: StationFactory, smtp_server: SmtpServer, smtp_keyring, localstripe: str  # noqa: F811
) -> Station:
    receipts = Receipts(provider="smtp", sender=FROM, host="127.0.0.1", port=smtp_server.port,
                        username=smtp_server.username, timeout=5.0,
                        ca_file=str(smtp_server.cert_file))  # fmt: skip
    settings = event_settings(receipts=receipts, pledges=Pledges(success_url=THANKS))
    return make_station(settings=settings,
                        processor=StripeProcessor(KEY, api_base=localstripe))  # fmt: skip


def pay(localstripe: str, session_id: str) -> None:
    r = httpx.post(f"{localstripe}/_test/checkout/sessions/{session_id}/pay", timeout=5)
    r.raise_for_status()


def test_a_pledge_gets_one_link_is_paid_and_gets_its_receipt(
    stripe_station: Station, smtp_server: SmtpServer, localstripe: str  # noqa: F811
) -> None:
    st = stripe_station
    st.start_jobs()
    made = localstripe_stats(localstripe)["checkout_sessions_created"]
    pledge = st.take_pledge(12500, Donor("Ada Lovelace", "ada@example.org"))
    assert pledge.state == "pledged" and st.donation(pledge.donation_id).status == "pledged"
    wait_for(lambda: pledge_state(st, pledge.id) == "link_sent", why="the link sent")
    [mail] = links_to(smtp_server, "ada@example.org")
    assert str(mail["Subject"]) == "Your pledge of $125.00 to Riverside Food Bank: pay by link"
    session = link_in(mail)
    assert localstripe_stats(localstripe)["checkout_sessions_created"] == made + 1
    assert st.totals().raised_cents == 0  # a promise is not money yet

    pay(localstripe, session)  # the donor pays on Stripe's page
    st.check_pay_links()
    assert pledge_state(st, pledge.id) == "paid"
    gift = st.donation(pledge.donation_id)
    assert gift.status == "approved" and gift.amount_cents == 12500
    wait_settled(st)
    receipts = [m for m in smtp_server.received() if m["X-Tableside-Receipt"]]
    assert [parseaddr(str(m["To"]))[1] for m in receipts] == ["ada@example.org"]
    assert st.totals().raised_cents == 12500
    st.check_pay_links()  # looking again changes nothing, sends nothing
    assert len(links_to(smtp_server, "ada@example.org")) == 1
    assert len([m for m in smtp_server.received() if m["X-Tableside-Receipt"]]) == 1


def test_an_expired_link_is_said_and_the_lead_sends_another(
    stripe_station: Station, smtp_server: SmtpServer, localstripe: str  # noqa: F811
) -> None:
    st = stripe_station
    st.start_jobs()
    pledge = st.take_pledge(4000, Donor("Grace Hopper", "grace@example.org"))
    wait_for(lambda: pledge_state(st, pledge.id) == "link_sent", why="the link sent")
    first = link_in(links_to(smtp_server, "grace@example.org")[0])
    httpx.post(f"{localstripe}/_test/checkout/sessions/{first}/age", timeout=5)
    st.check_pay_links()
    assert pledge_state(st, pledge.id) == "expired"
    assert "expired" in next(p.message for p in st.pledges() if p.id == pledge.id)

    assert st.send_pay_link(pledge.id) is not None
    wait_for(lambda: pledge_state(st, pledge.id) == "link_sent", why="a new link sent")
    second = link_in(links_to(smtp_server, "grace@example.org")[1])
    assert second != first  # a new session: the old one can't be paid any more
    assert st.send_pay_link(pledge.id) is not None  # the same link again, still open
    wait_for(lambda: len(links_to(smtp_server, "grace@example.org")) == 3, why="resent")
    assert link_in(links_to(smtp_server, "grace@example.org")[2]) == second
    pay(localstripe, second)
    st.check_pay_links()
    assert pledge_state(st, pledge.id) == "paid"
    with pytest.raises(InvalidDonation):
        st.send_pay_link(pledge.id)  # paid: nothing to send


def test_a_pledge_needs_the_donors_email_and_a_real_amount(station: Station) -> None:
    with pytest.raises(InvalidDonation) as no_email:
        station.take_pledge(5000, Donor("Ada", ""))
    assert "email" in no_email.value.errors
    with pytest.raises(InvalidDonation) as no_amount:
        station.take_pledge(0, Donor("Ada", "ada@example.org"))
    assert "amount" in no_amount.value.errors
    assert station.pledges() == []


def test_training_links_are_paid_by_the_drill(
    station: Station, simulator: SimulatorProcessor
) -> None:
    station.start_jobs()
    pledge = station.take_pledge(2500, Donor("Katherine Johnson", "kj@example.org"))
    wait_for(lambda: pledge_state(station, pledge.id) == "link_sent", why="the link sent")
    [session] = simulator.links.sessions
    simulator.links.pay(session)
    station.check_pay_links()
    assert pledge_state(station, pledge.id) == "paid"
    assert station.donation(pledge.donation_id).status == "approved"
