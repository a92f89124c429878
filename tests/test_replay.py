"""The shared claim-and-replay routine (pos_app/services/replay.py) on its own: what an
answer means, the in-process claims, and the row claim that keeps two settlers (two
processes on one database) from replaying the same row."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.domain.states import DonationState
from pos_app.payments.base import Declined, Permanent, ProcessorError, Transient
from pos_app.services import replay
from pos_app.services.replay import Verdict
from pos_app.store.database import Database
from pos_app.store.models import Donation


def answer_to(exc: BaseException | None, *, maybe_sent: bool, **kw: object) -> replay.Answer:
    def call() -> str:
        if exc is not None:
            raise exc
        return "ok"

    return replay.send(call, maybe_sent=maybe_sent, crash_after="test_point", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "maybe_sent", "verdict", "refused_replay"),
    [
        (None, False, Verdict.DONE, False),
        (Transient("down", maybe_charged=False), False, Verdict.NOT_SENT, False),
        (Transient("down", maybe_charged=False), True, Verdict.IN_DOUBT, False),
        (Transient("timeout", maybe_charged=True), False, Verdict.IN_DOUBT, False),
        (Permanent("bad key"), False, Verdict.REFUSED, False),
        (Permanent("bad key"), True, Verdict.IN_DOUBT, True),
        (Declined("no", "card_declined"), True, Verdict.DECLINED, False),
    ],
)
def test_what_a_charge_answer_means(exc, maybe_sent, verdict, refused_replay) -> None:
    answer = answer_to(exc, maybe_sent=maybe_sent)
    assert answer.verdict is verdict
    assert answer.refused_replay is refused_replay
    assert answer.error is exc
    assert answer.result == ("ok" if exc is None else None)


def test_a_refund_takes_any_processor_error_as_a_refusal() -> None:
    kw = {"refusals": ProcessorError, "declines": False}
    assert answer_to(Declined("no"), maybe_sent=False, **kw).verdict is Verdict.REFUSED
    assert answer_to(ProcessorError("odd"), maybe_sent=False, **kw).verdict is Verdict.REFUSED
    replayed = answer_to(Declined("no"), maybe_sent=True, **kw)
    assert replayed.verdict is Verdict.IN_DOUBT and replayed.refused_replay


def test_a_charge_lets_an_unexpected_error_through() -> None:
    with pytest.raises(ProcessorError):
        answer_to(ProcessorError("odd"), maybe_sent=False)
    with pytest.raises(ValueError):
        answer_to(ValueError("a bug"), maybe_sent=True)


def test_claims_are_one_holder_at_a_time() -> None:
    claims = replay.Claims()
    with claims.held("gift-1"):
        assert "gift-1" in claims.active
        with pytest.raises(replay.Busy):
            with claims.held("gift-1"):
                pass
        assert claims.take("gift-2")
        claims.release("gift-2")
    assert claims.active == set()


def test_keys_are_fresh_and_say_their_kind() -> None:
    a, b = replay.new_key(), replay.new_key("refund")
    assert a.startswith("tableside-") and b.startswith("tableside-refund-") and a != b


def test_two_settlers_never_claim_the_same_row(tmp_path: Path) -> None:
    db = Database(tmp_path / "pos.sqlite")
    try:
        with db.session() as s:
            s.add(Donation(id="gift-1", amount_cents=500, method="card",
                           state=DonationState.IN_DOUBT.value, idempotency_key="k"))
        looked_for = [DonationState.IN_DOUBT.value]
        charging = DonationState.CHARGING.value
        with db.session() as s:
            first = replay.claim_row(s, Donation, "gift-1", looked_for, charging)
        with db.session() as s:  # another settler that saw the same in-doubt row
            second = replay.claim_row(s, Donation, "gift-1", looked_for, charging)
        assert (first, second) == (True, False)
        with db.session() as s:
            assert s.get(Donation, "gift-1").state == charging  # type: ignore[union-attr]
            s.get(Donation, "gift-1").state = DonationState.APPROVED.value  # type: ignore[union-attr]
        with db.session() as s:  # a settled row is nobody's to replay
            assert not replay.claim_row(s, Donation, "gift-1", looked_for, charging)
    finally:
        db.close()
