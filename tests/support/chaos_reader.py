"""Card-reader gifts in the chaos runs (tests/support/chaos.py, chaos_station.py).

The chaos station's processor is then StripeTerminalProcessor against the Terminal test peer
(inside the bridged localstripe), behind the same fault proxy as keyed charges: every reader
call (create PaymentIntent, display, hand-over, polls, cancels) meets dropped connections,
500s, 429s, hangs and drips. Some gifts of the stream are taken on the reader
(`reader_kind`); the donor is a thread of the station process that reaches the peer
directly, not through the laptop's proxy (the reader has its own Wi-Fi), and taps as soon as
the reader shows this gift's payment, again and again while the reader is offline, until
the gift ends. The driver also takes the reader offline for a moment now and then
(`reader_offline`), so some gifts meet a reader that drops out mid-action.
"""

from __future__ import annotations

import random
import threading
import time

from pos_app.api import Donor, GiftOptions, Outcome, Station
from pos_app.domain.gift import NO_OPTIONS
from pos_app.payments.base import ProcessorError
from pos_app.payments.stripe_terminal import StripeTerminalProcessor

READER_SHARE = 0.3  # of the stream's gifts, taken on the reader
DECLINE_SHARE = 0.15  # of the reader gifts, a card the bank declines


def reader_kind(seed: int, i: int) -> str | None:
    """None for a keyed gift; else what the donor's card does on the reader (seeded)."""
    rng = random.Random(f"{seed}:{i}:reader")
    if rng.random() >= READER_SHARE:
        return None
    return "decline" if rng.random() < DECLINE_SHARE else "approve"


def _ours_waiting(station: Station, watch: StripeTerminalProcessor) -> bool:
    """The reader waits for a card on the gift this station is taking now."""
    svc = station.reader_service
    active = svc.active if svc is not None else None
    if active is None:
        return False
    pi = station.donation(active).payment_intent_id
    a = watch.reader_action(2.0)
    return (
        pi is not None
        and a.payment_intent_id == pi
        and a.type == "process_payment_intent"
        and a.status == "in_progress"
    )


def take_on_reader(
    station: Station,
    amount: int,
    donor: Donor,
    kind: str,
    peer_url: str,
    api_key: str,
    reader_id: str,
    options: GiftOptions = NO_OPTIONS,
) -> Outcome:
    """A reader gift with its donor: returns what the volunteer is told."""
    result: list[Outcome] = []
    t = threading.Thread(
        target=lambda: result.append(station.take_reader_donation(amount, donor, options)),
        daemon=True,
    )
    t.start()
    watch = StripeTerminalProcessor(api_key, reader_id, api_base=peer_url, timeout=2.0)
    tapped = False
    try:
        while t.is_alive() and not tapped:
            try:
                if _ours_waiting(station, watch):
                    watch.present(kind)
                    tapped = True
            except ProcessorError:  # offline, or no longer waiting: look again
                pass
            except Exception:  # e.g. the disk is full for a moment: a donor just waits
                pass
            time.sleep(0.05)
    finally:
        watch.close()
    t.join()
    return result[0]
