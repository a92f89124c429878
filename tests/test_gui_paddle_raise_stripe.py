"""A gala's paddle raise and its checkout driven through the lead's desk (pytest-qt), on a
station charging through the Stripe adapter against the bridged localstripe, every request
checked against Stripe's spec, the pay links emailed through a real SMTP server.

Thirty hands go up, typed as a volunteer would: paddle number and Enter at the level in
force, Down for the next level (≤ 4 keys per pledge for a three-digit paddle, printed).
Guests: two cards that charge, one declined at charge time, one whose bank wants the donor
to authenticate, one guest with no card, one who leaves a card after the raise. The row
of each pledge follows its background charge; then "Charge all open pledges" (Alt+H) on
the Pledges tab charges the late card and sends the rest a pay link. In the end every
pledge is paid, needs attention ("Ask paddle N for another card") or has its link sent;
the server holds one succeeded PaymentIntent per paid pledge; no card number is on disk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import TEST_CARD_NUMBERS, files_containing
from PySide6.QtCore import Qt
from support.gala import (
    GALA_CARD_NUMBERS,
    VISA,
    check_in_guests,
)
from support.gui_fixtures import desk  # noqa: F401 - fixture
from support.job_fixtures import event_settings
from support.jobwait import wait_for
from support.smtp_server import SmtpServer
from support.stripe_spec import stripe_spec
from test_jobs_save_card import API_KEY, SpecCheckingTransport

from pos_app.api import Donor, Station
from pos_app.paths import DataPaths
from pos_app.payments.stripe import StripeProcessor
from pos_app.receipts.smtp import SmtpSender
from pos_app.settings import Pledges
from pos_app.ui.lead_window import LeadWindow
from pos_app.ui.paddle_raise_screen import PaddleRaiseScreen
from pos_app.ui.pledges_screen import PledgesScreen

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
GUESTS = {"ada": "visa", "grace": "visa", "bob": "declines", "cy": "auth", "fay": None,
          "gil": None}
LEVELS_TEXT = "5000, 1000, 500, 250"


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path / "smtp-tls")
    yield server
    server.close()


@pytest.fixture
def station(data_dir: Path, localstripe: str, smtp: SmtpServer) -> Iterator[Station]:
    """This test's station: Stripe through the spec check, pay links mailed by SMTP."""
    stripe = StripeProcessor(API_KEY, api_base=localstripe, timeout=10,
                             transport=SpecCheckingTransport(stripe_spec()))  # fmt: skip
    sender = SmtpSender("127.0.0.1", smtp.port, username="receipts", password=smtp.password,
                        timeout=10, ca_file=str(smtp.cert_file))  # fmt: skip
    settings = event_settings(pledges=Pledges(success_url="https://riverside.example/thanks"))
    with Station(settings, DataPaths.resolve(data_dir), processor=stripe, sender=sender) as st:
        yield st


def succeeded_by_gift(url: str) -> Counter[str]:
    found: Counter[str] = Counter()
    after = None
    while True:
        params = {"limit": 100, **({"starting_after": after} if after else {})}
        r = httpx.get(f"{url}/v1/payment_intents", params=params, auth=(API_KEY, ""),
                      timeout=10)  # fmt: skip
        r.raise_for_status()
        body = r.json()
        found.update(pi["metadata"].get("donation_id") for pi in body["data"]
                     if pi["status"] == "succeeded")  # fmt: skip
        if not body.get("has_more") or not body["data"]:
            return found
        after = body["data"][-1]["id"]


def test_thirty_hands_by_keyboard_then_checkout(
    qtbot, desk: LeadWindow, station: Station, localstripe: str, smtp: SmtpServer,  # noqa: F811
    data_dir: Path,
) -> None:
    station.start_jobs()
    kinds = check_in_guests(station, GUESTS)
    paddles = list(kinds)

    screen = desk.screens["raise"]
    assert isinstance(screen, PaddleRaiseScreen)
    desk.tabs.setCurrentWidget(screen)
    qtbot.waitUntil(lambda: screen.stack.currentIndex() == 0)
    for edit, text in ((screen.title_edit, "Fund a kitchen"), (screen.levels_edit, LEVELS_TEXT)):
        edit.setFocus()
        qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # over the default
        qtbot.keyClicks(edit, text)
    qtbot.keyClick(screen.levels_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.stack.currentIndex() == 1, timeout=10000)
    qtbot.waitUntil(lambda: screen.paddle_edit.hasFocus())

    keys: list[int] = []
    level_keys = 0
    expected: list[tuple[str, int]] = []
    for i in range(30):
        if i and i % 6 == 0:  # every sixth hand, the auctioneer calls the next level
            qtbot.keyClick(screen.paddle_edit, Qt.Key.Key_Down)
            level_keys += 1
        paddle = paddles[i % len(paddles)]
        qtbot.keyClicks(screen.paddle_edit, paddle)
        qtbot.keyClick(screen.paddle_edit, Qt.Key.Key_Return)
        keys.append(len(paddle) + 1)
        expected.append((paddle, screen.level_cents))
        qtbot.waitUntil(lambda k=i + 1: len(station.pledges()) == k, timeout=10000)
        assert screen.paddle_edit.text() == ""  # ready for the next hand
    print(f"keys per pledge over 30 hands: {max(keys)} at most (paddle + Enter), plus "
          f"{level_keys} level changes (Down) for the whole raise: "
          f"{(sum(keys) + level_keys) / len(keys):.2f} keys per pledge all told")
    assert max(keys) <= 4
    assert [expected[i][1] for i in (0, 6, 12, 18, 24)] == [500000, 100000, 50000, 25000,
                                                            25000]  # the lowest stays

    def settled() -> bool:
        return not [p for p in station.pledges()
                    if p.state == "charging" or (p.state == "pledged" and p.card_on_file)]
    wait_for(settled, timeout=90, why="the cards on file charged in the background")
    pledges = station.pledges()
    assert [(p.paddle, p.amount_cents) for p in pledges] == expected
    assert Counter(p.state for p in pledges) == {"paid": 10, "needs_attention": 10,
                                                 "pledged": 10}  # fmt: skip
    paid = sum(p.amount_cents for p in pledges if p.state == "paid")
    qtbot.waitUntil(lambda: f"· ${paid // 100:,} paid" in screen.heading.text(),
                    timeout=20000)  # fmt: skip
    for p in pledges:
        if p.state == "needs_attention":
            assert p.message.startswith(f"Ask paddle {p.paddle} for another card"), p

    # gil leaves a card before going home; the lead runs checkout by keyboard
    gil = paddles[GUESTS_ORDER.index("gil")]
    assert station.check_in(Donor("Gil", "gil@example.org"), card=VISA).card_on_file
    pledges_tab = desk.screens["pledges"]
    assert isinstance(pledges_tab, PledgesScreen)
    desk.tabs.setCurrentWidget(pledges_tab)
    qtbot.waitUntil(lambda: "10 waiting" in pledges_tab.progress.text(), timeout=20000)
    qtbot.keyClick(pledges_tab, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: "5 charging on cards on file · 5 pay links going out"
                    in pledges_tab.status.text(), timeout=20000)  # fmt: skip
    want = {"visa": "paid", "declines": "needs_attention", "auth": "needs_attention",
            None: "link_sent"}
    wait_for(lambda: all(p.state == ("paid" if p.paddle == gil else want[kinds[p.paddle]])
                         for p in station.pledges()),
             timeout=90, why="checkout charged and linked")  # fmt: skip
    end = station.pledges()
    paid_cents = sum(p.amount_cents for p in end if p.state == "paid")
    promised = sum(p.amount_cents for p in end)
    qtbot.waitUntil(
        lambda: pledges_tab.progress.text() == (
            f"15 of 30 paid (${paid_cents // 100:,}.00 of ${promised // 100:,}.00)"
            " · 10 need attention · 5 links out"),
        timeout=20000)  # fmt: skip

    # nothing doubled: one succeeded PaymentIntent per paid pledge; one email per link
    assert succeeded_by_gift(localstripe) & Counter(
        {p.donation_id: 2 for p in end}) == Counter(
        {p.donation_id: 1 for p in end if p.state == "paid"})
    links = [m for m in smtp.received() if m["X-Tableside-Paylink"]]
    assert len(links) == 5 and len({str(m["Message-ID"]) for m in links}) == 5
    assert {m["To"].addresses[0].addr_spec for m in links} == {"fay@example.org"}
    assert files_containing(data_dir, TEST_CARD_NUMBERS + GALA_CARD_NUMBERS) == []


GUESTS_ORDER = list(GUESTS)
