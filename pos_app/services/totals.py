"""Event totals: approved card gifts minus refunds, plus cash and checks not voided.

A refunded or voided gift leaves the totals (its state says so, in the same transaction
that records the refund), and the amounts given back are reported beside them. A refund
still in doubt counts as not refunded until the processor confirms it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from pos_app.domain.states import DonationState, RefundState
from pos_app.store.database import Database
from pos_app.store.models import Donation, Refund

from .records import Totals

COUNTED = (DonationState.APPROVED.value, DonationState.RECORDED.value)


def event_totals(db: Database, goal_dollars: int) -> Totals:
    with db.session() as s:
        rows = s.execute(
            select(Donation.method, func.count(), func.sum(Donation.amount_cents))
            .where(Donation.state.in_(COUNTED))
            .group_by(Donation.method)
        ).all()
        fees = s.scalar(
            select(func.coalesce(func.sum(Donation.fee_cents), 0)).where(
                Donation.state.in_(COUNTED)
            )
        )
        in_doubt = s.scalar(
            select(func.count()).where(
                Donation.state.in_((DonationState.IN_DOUBT.value, DonationState.CHARGING.value))
            )
        )
        reversals = s.execute(
            select(Refund.state, func.count(), func.sum(Refund.amount_cents))
            .where(Refund.state != RefundState.FAILED.value)
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
    )


def gifts_over_time(db: Database, bucket_minutes: int = 15) -> list[tuple[dt.datetime, int]]:
    """Cents raised per `bucket_minutes` of local time, oldest first, for a chart.

    Counted like the totals (refunded and voided gifts left out). Buckets start on a grid
    from local midnight (14:00, 14:15, ...), as local aware datetimes; empty buckets between
    the first and the last gift are there with 0 so the chart's time axis is even.
    """
    if bucket_minutes <= 0:
        raise ValueError("bucket_minutes must be more than 0")
    with db.session() as s:
        rows = s.execute(
            select(Donation.created_at, Donation.amount_cents).where(Donation.state.in_(COUNTED))
        ).all()
    if not rows:
        return []
    step = dt.timedelta(minutes=bucket_minutes)
    # SQLite hands datetimes back naive; they are stored in UTC.
    gifts = [(c if c.tzinfo else c.replace(tzinfo=dt.UTC), int(n)) for c, n in rows]
    # One grid for the whole event, from the local midnight before the first gift.
    earliest = min(c for c, _n in gifts).astimezone()
    anchor = earliest.replace(hour=0, minute=0, second=0, microsecond=0)
    buckets: dict[dt.datetime, int] = {}
    for created, cents in gifts:
        key = anchor + ((created - anchor) // step) * step
        buckets[key] = buckets.get(key, 0) + cents
    first, last = min(buckets), max(buckets)
    out = []
    at = first
    while at <= last:
        out.append((at.astimezone(), buckets.get(at, 0)))
        at += step
    return out
