"""A guest's language, chosen at check-in, carries to everything Tableside sends them.

Through the Station facade on the bridged localstripe (every Stripe request checked against
its OpenAPI spec) and a real aiosmtpd server: a guest checked in in Spanish with a card on
file pledges in the paddle raise, the background job charges the card, and the receipt
read back from the SMTP server is Spanish, field by field (the receipt matrix's own check,
tests/test_receipts_matrix.py); a guest checked in without a language gets English. A
pledge with no card waits for checkout, whose pay link is in the guest's language, field
by field (tests/test_pay_link_pledges.py's check); a language changed at a second check-in
reaches the pledge not charged yet. A language receipts aren't written in is a field
error, never a traceback, and nothing is written.
"""

from __future__ import annotations

import pytest
from support.gala import VISA, wait_pledges_settled
from support.job_fixtures import (  # noqa: F401 - fixtures
    FROM,
    StationFactory,
    event_settings,
    make_station,
    smtp_keyring,
    smtp_server,
)
from support.jobwait import wait_for, wait_settled
from support.smtp_server import SmtpServer
from support.stripe_spec import stripe_spec
from test_jobs_save_card import API_KEY, SpecCheckingTransport
from test_pay_link_pledges import (  # noqa: F401 - the fixture
    PAY_LINK_WORDS,
    THANKS,
    check_pay_link,
    link_in,
    links_to,
    pay,
    pledge_state,
    session_of,
)
from test_receipts_matrix import WORDS, Case, Expect, check_receipt, labelled, received_parts

from pos_app.api import Donor, InvalidDonation, Station
from pos_app.payments.stripe import StripeProcessor
from pos_app.services.check_in import LANGUAGE_PROBLEM
from pos_app.settings import Pledges, Receipts

pytestmark = pytest.mark.timeout(120)
ADA = Donor("Ada Lovelace", "ada@example.org")  # the receipt checks' donor


@pytest.fixture
def gala(
    make_station: StationFactory,
    smtp_server: SmtpServer,
    smtp_keyring,
    localstripe: str,  # noqa: F811
) -> Station:
    """A station on localstripe (requests spec-checked) sending by SMTP to aiosmtpd."""
    receipts = Receipts(provider="smtp", sender=FROM, host="127.0.0.1", port=smtp_server.port,
                        username=smtp_server.username, timeout=5.0,
                        ca_file=str(smtp_server.cert_file))  # fmt: skip
    stripe = StripeProcessor(API_KEY, api_base=localstripe, timeout=10,
                             transport=SpecCheckingTransport(stripe_spec()))  # fmt: skip
    settings = event_settings(receipts=receipts, pledges=Pledges(success_url=THANKS))
    return make_station(settings=settings, processor=stripe)


def receipt_for(st: Station, server: SmtpServer, donation_id: str):  # type: ignore[no-untyped-def]
    [job] = [j for j in st.jobs(donation_id) if j.kind == "receipt"]
    assert job.state == "done", job
    [msg] = [m for m in server.received()
             if str(m["X-Tableside-Receipt"]) == job.receipt_number]  # fmt: skip
    return msg, job.receipt_number or ""


def test_a_guest_checked_in_in_spanish_gets_the_pledge_receipt_in_spanish(
    gala: Station,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    st = gala
    rosa = st.check_in(ADA, card=VISA, language="es")
    assert rosa.card_on_file and rosa.language == "es", rosa
    assert st.attendee(rosa.paddle).language == "es"  # type: ignore[union-attr]
    # a guest who chose nothing: the event's default, English
    grace = st.check_in(Donor("Ada Lovelace", "ada.l@example.org"), card=VISA)
    assert grace.card_on_file and grace.language is None

    raise_id = st.open_paddle_raise("Fund a kitchen", [125050, 10000])
    st.start_jobs()
    spanish = st.pledge(raise_id, rosa.paddle, 125050)
    english = st.pledge(raise_id, grace.paddle, 10000)
    assert st.donation(spanish.donation_id).receipt_language == "es"
    assert st.donation(english.donation_id).receipt_language is None
    pledges = wait_pledges_settled(st, raise_id)
    assert {p.state for p in pledges} == {"paid"}, pledges
    jobs = wait_settled(st)
    assert {j.state for j in jobs} == {"done"}, jobs

    for pledge, lang, cents, email in ((spanish, "es", 125050, "ada@example.org"),
                                       (english, "en", 10000, "ada.l@example.org")):  # fmt: skip
        msg, number = receipt_for(st, smtp_server, pledge.donation_id)
        assert msg["To"] == f"Ada Lovelace <{email}>"
        day = st.donation(pledge.donation_id).created_at.astimezone().date()
        case = Case(f"paddle raise in {lang}", cents, deductible_cents=cents)
        try:
            check_receipt(received_parts(msg), case, lang,
                          Expect(number, day, "Visa •••• 4242"))  # fmt: skip
        except AssertionError as exc:
            raise AssertionError(f"the {lang} guest's receipt: {exc}") from exc
    assert len([m for m in smtp_server.received() if m["X-Tableside-Receipt"]]) == 2


def test_checkout_sends_each_guest_the_pay_link_in_their_language(
    gala: Station,
    smtp_server: SmtpServer,
    localstripe: str,  # noqa: F811
) -> None:
    st = gala
    st.start_jobs()
    ada = st.check_in(ADA, language="es")  # no card: the pledge waits for checkout
    grace = st.check_in(Donor("Grace Hopper", "grace@example.org"))
    alan = st.check_in(Donor("Alan Turing", "alan@example.org"))
    raise_id = st.open_paddle_raise("Fund a kitchen", [125050, 10000])
    pledges = {
        "ada": st.pledge(raise_id, ada.paddle, 125050),
        "grace": st.pledge(raise_id, grace.paddle, 10000),
        "alan": st.pledge(raise_id, alan.paddle, 10000),
    }
    # Grace says "en español" after her pledge: checked in again, found by email, her
    # pledge not charged yet follows; a region is just Spanish.
    again = st.check_in(Donor("Grace Hopper", "grace@example.org"), language="es-MX")
    assert (again.paddle, again.language) == (grace.paddle, "es")
    assert st.donation(pledges["grace"].donation_id).receipt_language == "es"
    assert st.donation(pledges["alan"].donation_id).receipt_language is None
    assert len(st.attendees()) == 3

    done = st.checkout_pledges()
    assert (done.charged, done.links, done.no_email) == (0, 3, 0)
    for p in pledges.values():
        wait_for(lambda p=p: pledge_state(st, p.id) == "link_sent", why="the link sent")

    [mail] = links_to(smtp_server, "ada@example.org")
    session = session_of(localstripe, link_in(mail))
    assert session["amount_total"] == 125050
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and html is not None
    check_pay_link(str(mail["Subject"]), plain.get_content(), html.get_content(), "es", session)
    [grace_mail] = links_to(smtp_server, "grace@example.org")
    assert str(grace_mail["Subject"]) == (
        "Su promesa de donación de $100.00 a Riverside Food Bank: pague con el enlace"
    )
    [alan_mail] = links_to(smtp_server, "alan@example.org")
    assert str(alan_mail["Subject"]) == (
        "Your pledge of $100.00 to Riverside Food Bank: pay by link"
    )

    # Ada pays: her receipt follows in Spanish, field by field
    pay(localstripe, str(session["id"]))
    st.check_pay_links()
    assert pledge_state(st, pledges["ada"].id) == "paid"
    wait_settled(st)
    msg, number = receipt_for(st, smtp_server, pledges["ada"].donation_id)
    parts = received_parts(msg)
    assert parts.subject.startswith(PAY_LINK_WORDS["es"]["receipt_subject"])
    method = labelled(parts.text)[WORDS["es"].method]
    assert method.startswith(PAY_LINK_WORDS["es"]["card"]) or "••••" in method, method
    day = st.donation(pledges["ada"].donation_id).created_at.astimezone().date()
    check_receipt(parts, Case("pay link in es", 125050, deductible_cents=125050), "es",
                  Expect(number, day, method))  # fmt: skip


@pytest.mark.parametrize("bad", ["fr", "klingon", "e s", "es!", "español", 42, True])
def test_a_language_receipts_are_not_written_in_is_a_field_error(
    station: Station, bad: object
) -> None:
    with pytest.raises(InvalidDonation) as caught:
        station.check_in(ADA, language=bad)  # type: ignore[arg-type]
    assert caught.value.errors == {"language": LANGUAGE_PROBLEM}
    with pytest.raises(InvalidDonation) as both:  # said with the other fields' problems
        station.check_in(Donor("", "ada@"), paddle="x", language=bad)  # type: ignore[arg-type]
    assert both.value.errors["language"] == LANGUAGE_PROBLEM
    assert {"name", "email", "paddle"} <= set(both.value.errors)
    assert station.attendees() == []  # nothing written


def test_how_a_language_is_read_and_kept(station: Station) -> None:
    for given, kept in (("ES", "es"), ("es_US", "es"), (" en ", "en"), ("", None), (None, None)):
        guest = station.check_in(Donor("Ada", f"ada{len(station.attendees())}@example.org"),
                                 language=given)  # fmt: skip
        assert guest.language == kept, given
    rosa = station.check_in(Donor("Rosa Parra", "rosa@example.org"), language="es")
    # checked in again with no choice: hers is kept; another choice replaces it
    assert station.check_in(Donor("Rosa Parra", "rosa@example.org")).language == "es"
    assert station.check_in(Donor("Rosa Parra", "rosa@example.org"), language="en").language == "en"
    # a refused check-in (the paddle is someone else's) changes nothing
    with pytest.raises(InvalidDonation):
        station.check_in(Donor("Rosa Parra", "rosa@example.org"), paddle="999", language="es")
    assert station.attendee(rosa.paddle).language == "en"  # type: ignore[union-attr]
