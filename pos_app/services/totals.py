"""Event totals: approved card gifts plus cash and checks."""

from __future__ import annotations

from sqlalchemy import func, select

from pos_app.domain.states import DonationState
from pos_app.store.database import Database
from pos_app.store.models import Donation

from .records import Totals

COUNTED = (DonationState.APPROVED.value, DonationState.RECORDED.value)


def event_totals(db: Database, goal_dollars: int) -> Totals:
    with db.session() as s:
        rows = s.execute(
            select(Donation.method, func.count(), func.sum(Donation.amount_cents))
            .where(Donation.state.in_(COUNTED))
            .group_by(Donation.method)
        ).all()
        in_doubt = s.scalar(
            select(func.count()).where(
                Donation.state.in_((DonationState.IN_DOUBT.value, DonationState.CHARGING.value))
            )
        )
    by_method = {m: int(total or 0) for m, _n, total in rows}
    return Totals(
        raised_cents=sum(by_method.values()),
        gifts=sum(int(n) for _m, n, _t in rows),
        by_method=by_method,
        goal_cents=goal_dollars * 100,
        in_doubt=int(in_doubt or 0),
    )
