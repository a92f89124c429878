"""Donation states and methods: the vocabulary shared by store, services and UI."""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    CARD = "card"
    CASH = "cash"
    CHECK = "check"


class DonationState(StrEnum):
    CHARGING = "charging"  # row written, charge may or may not have reached the processor
    IN_DOUBT = "in_doubt"  # the charge was sent, its answer was lost: a replay will settle it
    APPROVED = "approved"
    DECLINED = "declined"
    FAILED = "failed"  # certainly not charged (e.g. never reached the processor)
    RECORDED = "recorded"  # cash or check

    @property
    def unsettled(self) -> bool:
        return self in (DonationState.CHARGING, DonationState.IN_DOUBT)
