"""Event totals: approved card gifts minus refunds, plus cash and checks not voided.

Of what was raised, the fees donors covered and the value of the goods they received
(tickets, items) are summed apart, so the gifts themselves and the deductible part can be
told from the money in.

A refunded or voided gift leaves the totals (its state says so, in the same transaction
that records the refund), and the amounts given back are reported beside them. A refund
still in doubt counts as not refunded until the processor confirms it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, func, select

from pos_app.domain.states import DonationState, RefundState
from pos_app.store.database import Database
from pos_app.store.models import Donation, Refund

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
        rows = s.execute(
            select(Donation.method, func.count(), func.sum(Donation.amount_cents))
            .where(Donation.state.in_(COUNTED))
            .group_by(Donation.method)
        ).all()
        fees, goods = s.execute(
            select(
                func.coalesce(func.sum(Donation.fee_cents), 0),
                func.coalesce(func.sum(Donation.goods_value_cents), 0),
            ).where(Donation.state.in_(COUNTED))
        ).one()
        in_doubt = s.scalar(
            select(func.count()).where(
                Donation.state.in_(BEING_CHECKED)
            )
        )
        reversals = s.execute(
            select(Refund.state, func.count(), func.sum(Refund.amount_cents))
            .where(Refund.state.in_(LIVE_REFUNDS))
            .group_by(Refund.state)
        ).all()
    by_method = {m: int(total or 0) for m, _n, total in rows}
    rev = {state: (int(n), int(total or 0)) for state, n, total in reversals}
    refunded = rev.get(RefundState.REFUNDED.value, (0, 0))
    voided = rev.get(RefundState.VOIDED.value, (0, 0))
    return Totals(
        raised_cents=sum(by_method.values()),
        gifts=sum(int(n) for _m, n, _t in rows),
        by_method=by_method,
        goal_cents=goal_dollars * 100,
        in_doubt=int(in_doubt or 0),
        refunded_cents=refunded[1],
        refunds=refunded[0],
        refunds_in_doubt=sum(
            rev.get(st.value, (0, 0))[0] for st in (RefundState.REFUNDING, RefundState.IN_DOUBT)
        ),
        voided_cents=voided[1],
        voided=voided[0],
        fees_cents=int(fees or 0),
        goods_cents=int(goods or 0),
    )


def gifts_over_time(db: Database, bucket_minutes: int = 15) -> list[tuple[dt.datetime, int]]:
    """Cents raised per `bucket_minutes` of local time, oldest first, for a chart.

    Counted like the totals (refunded and voided gifts left out). Buckets start on a grid
    from local midnight (14:00, 14:15, ...), as local aware datetimes; empty buckets between
    the first and the last gift are there with 0 so the chart's time axis is even.

    Summed in SQL from the covering index (state, created_at, amount_cents): the desk
    redraws it every few seconds and a big night has 100,000 gifts, so no row comes back
    to Python, only one sum per bucket.
    """
    if bucket_minutes <= 0:
        raise ValueError("bucket_minutes must be more than 0")
    step_s = bucket_minutes * 60
    with db.session() as s:
        first = s.scalar(select(func.min(Donation.created_at)).where(Donation.state.in_(COUNTED)))
        if first is None:
            return []
        # One grid for the whole event, from the local midnight before the first gift.
        earliest = first.astimezone()
        anchor = earliest.replace(hour=0, minute=0, second=0, microsecond=0)
        # Whole seconds on both sides, so integer division is the same floor as Python's.
        bucket = (
            func.cast(func.strftime("%s", Donation.created_at), Integer) - int(anchor.timestamp())
        ) // step_s
        rows = s.execute(
            select(bucket.label("b"), func.sum(Donation.amount_cents))
            .where(Donation.state.in_(COUNTED))
            .group_by("b")
        ).all()
    buckets = {int(b): int(cents or 0) for b, cents in rows}
    step = dt.timedelta(seconds=step_s)
    return [
        ((anchor + k * step).astimezone(), buckets.get(k, 0))
        for k in range(min(buckets), max(buckets) + 1)
    ]
