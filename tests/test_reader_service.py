"""The reader gift's protocol with training's simulated reader (payments/simulated_reader.py):
approve, decline, card removed, Esc, offline, busy, a lost answer after the tap (in doubt,
then settled from the PaymentIntent), a crash's hanging reader action, and a full disk
before the gift (nothing charged, said plainly) or after the tap (in doubt, then settled).
Exactly one PaymentIntent per gift in every case. No timing asserts: the tests wait on
states."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pos_app.api import Donor, GiftOptions, Outcome, Station, open_station
from pos_app.domain.states import DonationState
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.store.models import Donation

DONOR = Donor("Ada Lovelace", "ada@example.org")


@pytest.fixture
def st(data_dir, simulator: SimulatorProcessor) -> Iterator[Station]:
    with open_station(data_dir=data_dir, processor=simulator) as station:
        assert station.reader_service is not None
        station.reader_service.poll_s = 0.01
        yield station


def gift(
    st: Station, donor_part: Callable[[], None], options: GiftOptions | None = None
) -> Outcome:
    """Start a reader gift on a thread, wait until the reader waits, play the donor."""
    result: list[Outcome] = []
    options = options or GiftOptions()
    t = threading.Thread(
        target=lambda: result.append(st.take_reader_donation(5000, DONOR, options))
    )
    t.start()
    reader = st.reader_service.reader
    give_up = time.monotonic() + 30
    while reader._action.status != "in_progress" and t.is_alive():
        assert time.monotonic() < give_up, "the reader never got the payment"
        time.sleep(0.005)
    donor_part()
    t.join(30)
    assert result, "take_reader_donation did not return"
    return result[0]


def test_approve_records_card_entry_mode_emv_and_jobs(st: Station) -> None:
    out = gift(st, lambda: st.present_on_reader("approve"), GiftOptions(save_card=True))
    assert out.status == "approved" and out.last4 == "4242" and out.entry_mode == "contactless_emv"
    assert "(tap)" in out.message
    with st.db.session() as s:
        row = s.get(Donation, out.donation_id)
        assert row.emv_aid == "A0000000031010" and row.emv_application == "Visa Credit"
        assert row.generated_card and row.setup_future_usage == "off_session"
    assert {j.kind for j in st.jobs(out.donation_id)} == {"save_card", "receipt"}
    assert st.reader_service.reader.payment_intents_created == 1


@pytest.mark.parametrize(
    ("kind", "status", "words"),
    [("decline", "declined", "declined"), ("removed", "failed", "Nothing was charged")],
)
def test_decline_and_card_removed_charge_nothing(st, kind, status, words) -> None:
    out = gift(st, lambda: st.present_on_reader(kind))
    assert out.status == status and words in out.message
    assert st.jobs(out.donation_id) == []
    reader = st.reader_service.reader
    assert reader.payment(out.reference, 1).status == "canceled"  # no reader can charge it now


def test_esc_cancels_and_says_nothing_was_charged(st: Station) -> None:
    out = gift(st, st.cancel_reader)
    assert out.status == "failed" and "Nothing was charged" in out.message
    assert st.reader_service.reader._action.status == "failed"


def test_offline_reader_gets_a_plain_message(st: Station) -> None:
    st.reader_service.reader.offline = True
    out = st.take_reader_donation(5000, DONOR)
    assert out.status == "failed" and "power button" in out.message


def test_busy_reader(st: Station) -> None:
    reader = st.reader_service.reader
    from pos_app.payments.card_present import ReaderChargeRequest

    other = ReaderChargeRequest(100, "usd", "other", "other-key", reader.reader_id)
    other_pi = reader.create_reader_payment(other, 1)
    reader.process(other, other_pi, 1)
    out = st.take_reader_donation(5000, DONOR)
    assert out.status == "failed" and "busy" in out.message
    # the other station's gift is left alone on the reader
    assert (reader._action.payment_intent_id, reader._action.status) == (other_pi, "in_progress")


def test_reader_back_from_offline_with_a_dead_payment_is_cleared_for_the_next(st) -> None:
    """Offline while waiting: the gift ends, its PaymentIntent is cancelled, the reader
    still shows it when it comes back; the next gift clears it and goes through."""
    reader = st.reader_service.reader
    st.reader_service.reader_timeout = 0.3

    def reader_goes_offline() -> None:
        reader.offline = True

    first = gift(st, reader_goes_offline)
    assert first.status == "failed" and "power button" in first.message
    reader.offline = False
    assert reader._action.status == "in_progress"  # the dead payment, still on the reader
    st.reader_service.reader_timeout = 30.0
    result: list[Outcome] = []
    t = threading.Thread(target=lambda: result.append(st.take_reader_donation(2500, DONOR)))
    t.start()
    give_up = time.monotonic() + 30
    while reader._action.payment_intent_id in (None, first.reference) and t.is_alive():
        assert time.monotonic() < give_up, "the new payment never reached the reader"
        time.sleep(0.005)
    st.present_on_reader("approve")
    t.join(30)
    assert result and result[0].status == "approved", result
    assert reader.payment_intents_created == 2


def test_lost_answer_after_tap_is_in_doubt_then_settled(st, simulator) -> None:
    st.reader_service.reader_timeout = 0.3

    def tap_then_wifi_drops() -> None:
        st.present_on_reader("approve")
        simulator.network_down = True

    out = gift(st, tap_then_wifi_drops)
    assert out.status == "in_doubt"
    simulator.network_down = False
    settled = st.settle_in_doubt()
    assert [o.status for o in settled] == ["approved"]
    assert st.reader_service.reader.payment_intents_created == 1
    assert len(simulator.charges) == 1


def test_crash_left_a_hanging_reader_action_settle_cancels_it(st: Station) -> None:
    """What a kill -9 while the reader waits leaves: a `charging` row with its PI on the
    reader. Start-up settle cancels the action and the PI: failed, nothing charged."""
    reader = st.reader_service.reader
    svc = st.reader_service
    svc.reader_timeout = 1000.0
    started = threading.Event()
    real_wait = svc._wait
    svc._wait = lambda *a: (started.set(), threading.Event().wait())  # the process "dies" here
    t = threading.Thread(target=lambda: svc.take(5000, DONOR), daemon=True)
    t.start()
    assert started.wait(30)
    svc._wait = real_wait
    with st.db.session() as s:
        (row,) = s.query(Donation).all()
        assert row.state == DonationState.CHARGING.value and row.payment_intent_id
        donation_id = row.id
    svc.donations._active.discard(donation_id)  # the claim died with the process
    assert reader._action.status == "in_progress"
    (out,) = st.settle_in_doubt(include_charging=True)
    assert out.status == "failed" and reader._action.status == "failed"
    assert reader.payment_intents_created == 1


# ---- a full disk (a real small tmpfs: skipped where it can't be mounted) --------------------


@pytest.fixture
def small_disk_station(tmp_path, simulator, monkeypatch) -> Iterator[tuple[Station, Path]]:
    from support.small_fs import small_tmpfs

    monkeypatch.setenv("POS_APP_CONFIG", str(tmp_path / "none.toml"))
    with small_tmpfs(tmp_path / "small", size_kib=16 * 1024) as disk:
        with open_station(data_dir=disk / "data", processor=simulator) as station:
            assert station.reader_service is not None
            station.reader_service.poll_s = 0.01
            yield station, disk


def test_a_reader_gift_on_a_full_disk_says_so_and_charges_nothing(small_disk_station) -> None:
    st, disk = small_disk_station
    filler = fill_disk(disk)
    try:
        out = st.take_reader_donation(5000, DONOR)
    finally:
        filler.unlink()
    assert out.status == "failed" and "disk is full" in out.message
    assert st.reader_service.reader.payment_intents_created == 0
    assert gift(st, lambda: st.present_on_reader("approve")).status == "approved"  # space back


def test_the_disk_fills_after_the_tap_in_doubt_then_settled(small_disk_station, simulator) -> None:
    """Charged, but the answer can't be written: in doubt (never a crash), then settled
    from the PaymentIntent once there is room: approved, one PaymentIntent."""
    st, disk = small_disk_station
    filled: list[Path] = []

    def disk_fills_then_tap() -> None:
        filled.append(fill_disk(disk))
        st.present_on_reader("approve")

    out = gift(st, disk_fills_then_tap)
    filled[0].unlink()
    assert out.status == "in_doubt", out
    (settled,) = st.settle_in_doubt(include_charging=True)
    assert settled.status == "approved" and settled.donation_id == out.donation_id
    assert st.reader_service.reader.payment_intents_created == 1
    assert len(simulator.charges) == 1


def fill_disk(disk: Path) -> Path:
    from support.small_fs import fill

    return fill(disk)
