"""The README's training-mode table is what the simulator does: each listed number is
declined at the table with the very words the README says the volunteer sees, and the
approving example is approved. Taken through the facade, as the window takes them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pos_app.api import Card, Donor, open_station
from pos_app.payments.simulator import TEST_CARDS, SimulatorProcessor

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| (4000(?: \d{4}){3}) \| [^|]+ \| (.+) \|$", re.M)
YEAR = dt.date.today().year + 2
pytestmark = pytest.mark.timeout(60)


def test_every_decline_in_the_readme_is_declined_with_those_words(data_dir: Path) -> None:
    rows = {number.replace(" ", ""): words for number, words in ROW.findall(README.read_text())}
    assert set(rows) == set(TEST_CARDS)  # every simulator decline is listed, nothing else
    with open_station(data_dir=data_dir, processor=SimulatorProcessor()) as st:
        for number, words in rows.items():
            out = st.take_card_donation(2500, Donor("Ada", ""), Card(number, 12, YEAR, "123"))
            assert (out.status, out.message) == ("declined", words), number
        ok = st.take_card_donation(
            2500, Donor("Ada", ""), Card("4242424242424242", 12, YEAR, "123")
        )
        assert ok.status == "approved"
