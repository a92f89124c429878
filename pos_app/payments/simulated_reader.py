"""Training mode's card reader: Stripe Terminal's behaviour in memory, no hardware.

It plays Stripe's part (PaymentIntents keyed by idempotency key, a reader whose action goes
in_progress -> succeeded/failed, cancel_action, busy and offline readers) and the donor's
part is played by `present()`, which the training buttons in the window's result panel
call while a card is wanted ("Tap an approving card" F5, "Tap a declining card" F6, "Pull
the card out too soon" F7; "Donor never taps" F8 is the reader service's own timeout).
It shares the simulator's switches (`network_down`, latency), and its approved payments
are the simulator's charges, so refunds and card saving work on them. Check-in keeps a
card from it with no charge (`create_reader_setup`, `process_setup`, `setup`,
`cancel_setup`): the same `present()` plays the guest, and a kept card is a generated
`pm_sim_ok_` card attached to the guest's simulated Customer, which pledges then charge.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .base import ChargeRequest, Permanent
from .card_present import (
    BUSY_MESSAGE,
    OFFLINE_MESSAGE,
    PRESENT_APPROVE,
    PRESENT_DECLINE,
    PRESENT_REMOVED,
    CardPresentPayment,
    CardPresentSetup,
    EmvReceipt,
    ReaderAction,
    ReaderChargeRequest,
    ReaderInfo,
    ReaderSetupRequest,
    ReaderUnavailable,
)

if TYPE_CHECKING:  # the simulator makes its own reader (and imports this module)
    from .simulator import SimulatorProcessor

SIMULATED_READER_ID = "tmr_training"


@dataclass
class _Payment:
    request: ReaderChargeRequest
    state: CardPresentPayment
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class _Setup:
    request: ReaderSetupRequest
    state: CardPresentSetup


class SimulatedReader:
    name = "simulator"

    def __init__(self, simulator: SimulatorProcessor) -> None:
        self.sim = simulator
        self.reader_id = SIMULATED_READER_ID
        self.offline = False  # the reader itself is off (the laptop's network is fine)
        self._lock = threading.Lock()
        self._by_key: dict[str, str] = {}
        self._payments: dict[str, _Payment] = {}
        self._setups: dict[str, _Setup] = {}  # check-in: cards kept with no charge
        self._action = ReaderAction(reader_status="online")
        self.payment_intents_created = 0
        self.setup_intents_created = 0

    # ---- Stripe's part ----
    def create_reader_payment(self, request: ReaderChargeRequest, timeout: float) -> str:
        self.sim._wait()
        with self._lock:
            pi = self._by_key.get(request.idempotency_key)
            if pi is not None:
                if self._payments[pi].request != request:
                    raise Permanent(
                        "The processor refused a retry with changed details.",
                        "idempotency_error: key reused with different parameters",
                    )
                return pi
            pi = "pi_sim_" + hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:20]
            self._by_key[request.idempotency_key] = pi
            state = CardPresentPayment(
                payment_intent_id=pi,
                status="requires_payment_method",
                amount_cents=request.amount_cents,
                currency=request.currency,
                donation_ref=request.donation_id,
            )
            self._payments[pi] = _Payment(request, state)
            self.payment_intents_created += 1
        return pi

    def show_amount(self, request: ReaderChargeRequest, timeout: float, attempt: int = 1) -> None:
        self.sim._wait()
        self._online()

    def process(
        self, request: ReaderChargeRequest, payment_intent_id: str, timeout: float, attempt: int = 1
    ) -> None:
        self.sim._wait()
        with self._lock:
            self._online()
            a = self._action
            if a.status == "in_progress" and (
                a.payment_intent_id != payment_intent_id or a.setup_intent_id is not None
            ):
                raise ReaderUnavailable(BUSY_MESSAGE, "terminal_reader_busy")
            pay = self._payments.get(payment_intent_id)
            if pay is None or pay.state.status != "requires_payment_method":
                raise Permanent("The payment can't go to the reader.", "unexpected state")
            self._action = ReaderAction(
                reader_status="online",
                type="process_payment_intent",
                status="in_progress",
                payment_intent_id=payment_intent_id,
            )

    def reader_action(self, timeout: float) -> ReaderAction:
        self.sim._wait()
        with self._lock:
            return replace(self._action, reader_status="offline" if self.offline else "online")

    def payment(self, payment_intent_id: str, timeout: float) -> CardPresentPayment:
        self.sim._wait()
        with self._lock:
            pay = self._payments.get(payment_intent_id)
            if pay is None:
                raise Permanent("The payment is unknown.", f"no such {payment_intent_id}")
            return pay.state

    def cancel_reader_action(self, timeout: float) -> None:
        self.sim._wait()
        with self._lock:
            self._online()
            if self._action.status == "in_progress":
                self._action = replace(
                    self._action,
                    status="failed",
                    failure_code="canceled",
                    failure_message="The action was canceled.",
                )

    def cancel_payment(
        self, request: ReaderChargeRequest, payment_intent_id: str, timeout: float
    ) -> CardPresentPayment:
        self.sim._wait()
        with self._lock:
            pay = self._payments[payment_intent_id]
            if pay.state.status != "succeeded":
                pay.state = replace(pay.state, status="canceled")
            return pay.state

    # ---- a card kept with no charge (check-in) ----
    def create_reader_setup(self, request: ReaderSetupRequest, timeout: float) -> str:
        self.sim._wait()
        with self._lock:
            seti = self._by_key.get(request.idempotency_key)
            if seti is not None:
                if self._setups[seti].request != request:
                    raise Permanent(
                        "The processor refused a retry with changed details.",
                        "idempotency_error: key reused with different parameters",
                    )
                return seti
            if request.customer_id not in self.sim.customers:
                raise Permanent(
                    "The saved-card record is missing.", f"no such {request.customer_id}"
                )
            seti = "seti_sim_" + hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:20]
            self._by_key[request.idempotency_key] = seti
            self._setups[seti] = _Setup(
                request,
                CardPresentSetup(
                    setup_intent_id=seti,
                    status="requires_payment_method",
                    customer_ref=request.customer_id,
                    attendee_ref=request.attendee_id,
                ),
            )
            self.setup_intents_created += 1
        return seti

    def process_setup(
        self, request: ReaderSetupRequest, setup_intent_id: str, timeout: float
    ) -> None:
        self.sim._wait()
        with self._lock:
            self._online()
            a = self._action
            if a.status == "in_progress" and a.setup_intent_id != setup_intent_id:
                raise ReaderUnavailable(BUSY_MESSAGE, "terminal_reader_busy")
            setup = self._setups.get(setup_intent_id)
            if setup is None or setup.state.status != "requires_payment_method":
                raise Permanent("The card can't go to the reader.", "unexpected state")
            self._action = ReaderAction(
                reader_status="online",
                type="process_setup_intent",
                status="in_progress",
                setup_intent_id=setup_intent_id,
            )

    def setup(self, setup_intent_id: str, timeout: float) -> CardPresentSetup:
        self.sim._wait()
        with self._lock:
            setup = self._setups.get(setup_intent_id)
            if setup is None:
                raise Permanent("The card's setup is unknown.", f"no such {setup_intent_id}")
            return setup.state

    def cancel_setup(
        self, request: ReaderSetupRequest, setup_intent_id: str, timeout: float
    ) -> CardPresentSetup:
        self.sim._wait()
        with self._lock:
            setup = self._setups[setup_intent_id]
            if setup.state.status != "succeeded":
                setup.state = replace(setup.state, status="canceled")
            return setup.state

    # ---- the donor's part ----
    def present(self, kind: str) -> None:
        with self._lock:
            self._online()
            a = self._action
            if a.status == "in_progress" and a.setup_intent_id is not None:
                self._present_for_setup(kind, a)
                return
            if a.status != "in_progress" or a.payment_intent_id is None:
                raise Permanent("The reader isn't waiting for a card.", "no action in progress")
            pay = self._payments[a.payment_intent_id]
            if kind == PRESENT_APPROVE:
                pay.state = self._approved(pay)
                self._action = replace(a, status="succeeded")
                req = pay.request
                self.sim.charges[pay.state.payment_intent_id] = ChargeRequest(
                    req.amount_cents,
                    req.currency,
                    pay.state.payment_method_id or "",
                    req.donation_id,
                    req.idempotency_key,
                )
            elif kind == PRESENT_DECLINE:
                pay.state = replace(
                    pay.state,
                    decline_code="generic_decline",
                    error_code="card_declined",
                    brand="visa",
                    last4="0002",
                )
                self._action = replace(
                    a,
                    status="failed",
                    failure_code="card_declined",
                    failure_message="Your card was declined.",
                )
            elif kind == PRESENT_REMOVED:
                self._action = replace(
                    a,
                    status="failed",
                    failure_code="card_removed",
                    failure_message="The card was removed too soon.",
                )
            else:
                raise ValueError(kind)

    def _present_for_setup(self, kind: str, a: ReaderAction) -> None:
        """The guest's card on a setup (called with the lock held): a tap keeps it (the
        generated card is the customer's), a refusal leaves the SetupIntent for another."""
        assert a.setup_intent_id is not None
        setup = self._setups[a.setup_intent_id]
        if kind == PRESENT_APPROVE:
            h = hashlib.sha256(a.setup_intent_id.encode()).hexdigest()
            generated = f"pm_sim_ok_{h[:12]}"  # the simulator charges it like a kept card
            setup.state = replace(
                setup.state, status="succeeded", generated_card=generated, brand="visa",
                last4="4242", read_method="contactless_emv", decline_code="", error_code="",
            )  # fmt: skip
            self.sim.attached[generated] = setup.request.customer_id
            self._action = replace(a, status="succeeded")
        elif kind == PRESENT_DECLINE:
            setup.state = replace(setup.state, decline_code="generic_decline",
                                  error_code="card_declined")  # fmt: skip
            self._action = replace(a, status="failed", failure_code="card_declined",
                                   failure_message="Your card was declined.")  # fmt: skip
        elif kind == PRESENT_REMOVED:
            self._action = replace(a, status="failed", failure_code="card_removed",
                                   failure_message="The card was removed too soon.")  # fmt: skip
        else:
            raise ValueError(kind)

    @staticmethod
    def _approved(pay: _Payment) -> CardPresentPayment:
        h = hashlib.sha256(pay.state.payment_intent_id.encode()).hexdigest()
        saving = pay.request.setup_future_usage is not None
        return replace(
            pay.state,
            status="succeeded",
            payment_method_id=f"pm_sim_present_{h[:12]}",
            brand="visa",
            last4="4242",
            read_method="contactless_emv",
            # pm_sim_ok_: the simulator's save_card accepts it, as Stripe accepts a generated card
            generated_card=f"pm_sim_ok_{h[12:24]}" if saving else None,
            receipt=EmvReceipt(
                application_name="Visa Credit",
                aid="A0000000031010",
                verification="none",
                authorization_code=h[24:30].upper(),
            ),
        )

    def _online(self) -> None:
        if self.offline:
            raise ReaderUnavailable(OFFLINE_MESSAGE, "terminal_reader_offline")

    def readers(self) -> list[ReaderInfo]:
        a = self._action
        return [
            ReaderInfo(
                id=self.reader_id,
                label="Training reader",
                status="offline" if self.offline else "online",
                device_type="simulated_wisepos_e",
                location=None,
                action=f"{a.type} {a.status}" if a.type else None,
            )
        ]
