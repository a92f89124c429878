"""Event totals: approved card gifts minus refunds, plus cash and checks not voided.

Of what was raised, the fees donors covered and the value of the goods they received
(tickets, items) are summed apart, so the gifts themselves and the deductible part can be
told from the money in.

A refunded or voided gift leaves the totals (its state says so, in the same transaction
that records the refund), and the amounts given back are reported beside them. A refund
still in doubt counts as not refunded until the processor confirms it.

Both reads come from sums the database keeps (migration 0015: triggers update
`donation_totals`, `gift_minutes` and `refund_totals` in the transaction that writes a
gift or a refund), so the desk's poll costs the same at 100 gifts and at 100,000: a few
dozen small rows, never the donations themselves (tests/test_aggregates.py checks every
figure against the old scan of the rows).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, func, select

from pos_app.domain.states import DonationState, RefundState
from pos_app.store.database import Database
from pos_app.store.models import Donation, DonationTotal, GiftMinute, RefundTotal

from .records import Totals

COUNTED = (DonationState.APPROVED.value, DonationState.RECORDED.value)
# Not raised yet, not lost: the desk says "N being checked".
BEING_CHECKED = (
    DonationState.IN_DOUBT.value, DonationState.CHARGING.value, DonationState.PROCESSING.value
)
# Every refund state but failed, spelled out so the query searches the state index.
LIVE_REFUNDS = tuple(st.value for st in RefundState if st is not RefundState.FAILED)


def event_totals(db: Database, goal_dollars: int) -> Totals:
    with db.session() as s:
        sums = s.execute(
            select(
                DonationTotal.state,
                DonationTotal.method,
                DonationTotal.gifts,
                DonationTotal.amount_cents,
                DonationTotal.fee_cents,
                DonationTotal.goods_cents,
            )
            .where(DonationTotal.gifts > 0)
        ).all()
        reversals = s.execute(
            select(RefundTotal.state, RefundTotal.refunds, RefundTotal.amount_cents).where(
                RefundTotal.state.in_(LIVE_REFUNDS), RefundTotal.refunds > 0
            )
        ).all()
    counted = sorted((row for row in sums if row.state in COUNTED), key=lambda r: r.method)
    by_method: dict[str, int] = {}
    for row in counted:
        by_method[row.method] = by_method.get(row.method, 0) + int(row.amount_cents)
    rev = {state: (int(n), int(total)) for state, n, total in reversals}
    refunded = rev.get(RefundState.REFUNDED.value, (0, 0))
    voided = rev.get(RefundState.VOIDED.value, (0, 0))
    return Totals(
        raised_cents=sum(by_method.values()),
        gifts=sum(int(row.gifts) for row in counted),
        by_method=by_method,
        goal_cents=goal_dollars * 100,
        in_doubt=sum(int(row.gifts) for row in sums if row.state in BEING_CHECKED),
        refunded_cents=refunded[1],
        refunds=refunded[0],
        refunds_in_doubt=sum(
            rev.get(st.value, (0, 0))[0] for st in (RefundState.REFUNDING, RefundState.IN_DOUBT)
        ),
        voided_cents=voided[1],
        voided=voided[0],
        fees_cents=sum(int(row.fee_cents) for row in counted),
        goods_cents=sum(int(row.goods_cents) for row in counted),
    )


def gifts_over_time(db: Database, bucket_minutes: int = 15) -> list[tuple[dt.datetime, int]]:
    """Cents raised per `bucket_minutes` of local time, oldest first, for a chart.

    Counted like the totals (refunded and voided gifts left out). Buckets start on a grid
    from local midnight (14:00, 14:15, ...), as local aware datetimes; empty buckets between
    the first and the last gift are there with 0 so the chart's time axis is even.

    Summed from `gift_minutes` (cents per UTC minute, kept by triggers): one row per minute
    of the night that had a gift, whatever the number of gifts, put in local buckets here,
    so a change of the station's time zone needs no rewrite. The first gift's exact time
    (which local midnight the grid starts from) is one look-up per counted state on the
    (state, created_at) index.
    """
    if bucket_minutes <= 0:
        raise ValueError("bucket_minutes must be more than 0")
    step_s = bucket_minutes * 60
    with db.session() as s:
        firsts = [
            s.scalar(select(func.min(Donation.created_at)).where(Donation.state == state))
            for state in COUNTED
        ]
        found = [f for f in firsts if f is not None]
        if not found:
            return []
        # One grid for the whole event, from the local midnight before the first gift.
        earliest = min(found).astimezone()
        anchor = earliest.replace(hour=0, minute=0, second=0, microsecond=0)
        start = int(anchor.timestamp())
        if start % 60:
            # A local midnight off the minute (an offset in seconds: only historical zones
            # had one): minutes can't say which side of it a gift fell, so sum the rows.
            return _scanned(s, anchor, step_s)
        # Every minute is at or after the anchor (the first gift is), so SQLite's integer
        # division is the same floor as Python's.
        bucket = (GiftMinute.minute * 60 - start) // step_s
        rows = s.execute(
            select(bucket.label("b"), func.sum(GiftMinute.amount_cents))
            .where(GiftMinute.state.in_(COUNTED), GiftMinute.gifts > 0)
            .group_by("b")
        ).all()
    return _grid(anchor, step_s, {int(b): int(cents or 0) for b, cents in rows})


def _scanned(s: object, anchor: dt.datetime, step_s: int) -> list[tuple[dt.datetime, int]]:
    bucket = (
        func.cast(func.strftime("%s", Donation.created_at), Integer) - int(anchor.timestamp())
    ) // step_s
    rows = s.execute(  # type: ignore[attr-defined]
        select(bucket.label("b"), func.sum(Donation.amount_cents))
        .where(Donation.state.in_(COUNTED))
        .group_by("b")
    ).all()
    return _grid(anchor, step_s, {int(b): int(cents or 0) for b, cents in rows})


def _grid(
    anchor: dt.datetime, step_s: int, buckets: dict[int, int]
) -> list[tuple[dt.datetime, int]]:
    step = dt.timedelta(seconds=step_s)
    return [
        ((anchor + k * step).astimezone(), buckets.get(k, 0))
        for k in range(min(buckets), max(buckets) + 1)
    ]
