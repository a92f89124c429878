"""In-process processor for training mode and tests, with Stripe's test-card meanings.

It keeps Stripe's idempotency behaviour (same key: the same answer, never a second charge)
so training drills and tests exercise the real retry and replay paths. `network_down`
makes every call fail as if the venue Wi-Fi had dropped. Saving a card derives the
customer id from the idempotency key (one customer per donation however often it is
retried); `refuse_save` and `save_processor_error` are its failure switches. A refund's id
is derived from its key too, and a payment is refunded at most once, as Stripe refuses to
refund more than was charged. It makes its own simulated card reader (simulated_reader.py),
so training has a reader to practise on. Registered as `simulator` at the bottom.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from typing import TYPE_CHECKING

from pos_app.checks import Check
from pos_app.domain.cards import Card

from .base import (
    ChargeRequest,
    ChargeResult,
    Declined,
    PaymentMethod,
    Permanent,
    RefundRequest,
    RefundResult,
    SaveCardRequest,
    SavedCard,
    SetupCardRequest,
    SetupResult,
    Transient,
    decline_message,
)
from .pay_links import SimulatedPayLinks
from .registry import Capability, ProcessorSpec, register
from .simulated_reader import SimulatedReader

if TYPE_CHECKING:
    from pos_app.settings import Settings

# number -> (stage, decline_code); stage "attach" declines when the card is tokenized
TEST_CARDS = {
    "4000000000000002": "generic_decline",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
    "4000000000000341": "generic_decline",
    # Wants 3-D Secure on every payment, however the card was set up: a charge with nobody
    # there to authenticate (a pledge, give again) is refused with authentication_required.
    "4000002760003184": "authentication_required",
}
# Refused already when a Customer is to keep them (Stripe's attach-stage declines): a
# SetupIntent with one of these fails at check-in. The others set up, then decline later.
DECLINED_AT_SETUP = ("4000000000000002", "4000000000009995", "4000000000000069")


class SimulatorProcessor:
    name = "simulator"
    capabilities = frozenset(
        {
            Capability.READER,
            Capability.TEST_TAPS,
            Capability.SAVE_CARD,
            Capability.CARD_ON_FILE,
            Capability.REFUND,
            Capability.SIMULATED,
            Capability.PAY_LINK,
        }
    )

    def __init__(self, latency_ms: int = 0) -> None:
        self.latency_ms = latency_ms
        self.network_down = False
        self.lose_next_response = False  # the processor acts, the answer never arrives
        # Saving cards: refuse_save answers like Stripe's 402 on attach; processor_error
        # like a 5xx (transient, the network is fine).
        self.refuse_save = False
        self.save_processor_error = False
        self.customers: dict[str, dict[str, str]] = {}  # customer id -> name, email, donation
        self.attached: dict[str, str] = {}  # payment method id -> customer id
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[ChargeRequest, object]] = {}
        self.charges: dict[str, ChargeRequest] = {}  # payment_intent_id -> request
        self.refunds: dict[str, RefundRequest] = {}  # refund id -> request
        self.setup_intents: dict[str, SetupCardRequest] = {}  # seti id -> first request
        self._refund_keys: dict[str, tuple[RefundRequest, object]] = {}
        self._refunded: set[str] = set()  # payment_intent_ids given back
        self.reader = SimulatedReader(self)  # shares this simulator's switches and charges
        # pay links a drill marks paid (pay_links.py), behind the same network switch
        self.links = SimulatedPayLinks(lambda: self.network_down)

    def pay_links(self) -> SimulatedPayLinks:
        return self.links

    def card_reader(self) -> SimulatedReader:
        return self.reader

    def _wait(self) -> None:
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        if self.network_down:
            raise Transient(
                "Couldn't reach the processor.",
                "simulator: network down",
                maybe_charged=False,
                offline=True,
            )

    def create_payment_method(self, card: Card, idempotency_key: str) -> PaymentMethod:
        self._wait()
        # The token carries its test-card meaning, so a replay after a restart (a new
        # simulator with no memory) reaches the same answer, as Stripe would.
        meaning = TEST_CARDS.get(card.digits, "ok")
        if card.digits in DECLINED_AT_SETUP:
            meaning = f"setup{meaning}"  # declined at setup (and at any charge)
        pm = PaymentMethod(
            id=f"pm_sim_{meaning}_{uuid.uuid4().hex[:12]}",
            brand=card.brand.key,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
        )
        return pm

    def charge(self, request: ChargeRequest) -> ChargeResult:
        outcome = self._idempotent(self._keys, request, self._decide)
        assert isinstance(outcome, ChargeResult)
        return outcome

    def _idempotent(self, seen_keys: dict, request, decide):  # type: ignore[no-untyped-def]
        """Stripe's idempotency: the first answer for a key is replayed for the same
        request; the same key with other parameters is refused. Then the answer may be lost."""
        self._wait()
        with self._lock:
            seen = seen_keys.get(request.idempotency_key)
            if seen is not None:
                if seen[0] != request:
                    raise Permanent(
                        "The processor refused a retry with changed details.",
                        "idempotency_error: key reused with different parameters",
                    )
                outcome = seen[1]
            else:
                outcome = decide(request)
                seen_keys[request.idempotency_key] = (request, outcome)
        if self.lose_next_response:
            self.lose_next_response = False
            raise Transient("No answer from the processor.", "simulator: response lost")
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _decide(self, request: ChargeRequest) -> ChargeResult | Exception:
        prefix, _, rest = request.payment_method_id.partition("pm_sim_")
        meaning = rest.rsplit("_", 1)[0].removeprefix("setup")
        if prefix or not rest or (meaning != "ok" and meaning not in TEST_CARDS.values()):
            return Permanent("The card token is unknown.", f"no such {request.payment_method_id}")
        if meaning != "ok":
            return Declined(decline_message(meaning), "card_declined", meaning)
        # Derived from the key: however often a charge is replayed, it is one payment.
        pi = "pi_sim_" + hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:20]
        self.charges[pi] = request
        return _succeeded(pi, request)

    def check_charge(self, payment_intent_id: str) -> ChargeResult:
        self._wait()
        with self._lock:
            request = self.charges.get(payment_intent_id)
        if request is None:
            raise Permanent("The processor knows no such payment.", f"no such {payment_intent_id}")
        return _succeeded(payment_intent_id, request)

    def create_customer(self, request: SaveCardRequest) -> str:
        self._wait()
        if self.save_processor_error:
            raise Transient("The processor is busy; trying again.", "simulator: HTTP 503")
        # Derived from the key, like Stripe's idempotent replay: one customer per donation.
        cid = "cus_sim_" + hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:14]
        with self._lock:
            self.customers.setdefault(
                cid,
                {"name": request.name, "email": request.email, "donation_id": request.donation_id},
            )
        return cid

    def save_card(self, request: SaveCardRequest) -> SavedCard:
        customer_id = request.customer_id or self.create_customer(request)
        self._wait()
        if self.save_processor_error:
            raise Transient("The processor is busy; trying again.", "simulator: HTTP 503")
        if request.payment_method_id.startswith("pm_sim_present_"):
            # As Stripe: the card_present PaymentMethod a reader read can't be kept by a
            # Customer (HTTP 402 on attach); the charge's generated card can.
            raise Declined(
                "This card was read on the reader and can't be saved itself; save the card "
                "the processor generated from it.",
                "card_declined",
                "generic_decline",
                "simulator: HTTP 402 on attach: card_present PaymentMethod",
            )
        if self.refuse_save or not request.payment_method_id.startswith("pm_sim_ok_"):
            raise Declined(
                "The card's bank wouldn't let it be saved.",
                "card_declined",
                "generic_decline",
                "simulator: HTTP 402 on attach",
            )
        with self._lock:
            if customer_id not in self.customers:
                raise Permanent("The saved-card record is missing.", f"no such {customer_id}")
            self.attached[request.payment_method_id] = customer_id
        return SavedCard(customer_id=customer_id, payment_method_id=request.payment_method_id)

    # ---- a card on file with no charge (check-in) ----
    def create_setup_intent(self, request: SetupCardRequest) -> str:
        self._wait()
        seti = "seti_sim_" + hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:20]
        with self._lock:
            if request.customer_id not in self.customers:
                raise Permanent(
                    "The saved-card record is missing.", f"no such {request.customer_id}"
                )
            self.setup_intents.setdefault(seti, request)
        return seti

    def confirm_setup_intent(self, request: SetupCardRequest) -> SetupResult:
        """Setup succeeds unless the bank refuses the card when it is to be kept (a
        training drill's "ask for another card"); the card is then the customer's. The
        simulator plays the donor authenticating where a bank would ask."""
        self._wait()
        assert request.setup_intent_id
        pm = request.payment_method_id
        if not pm.startswith("pm_sim_") or pm.startswith("pm_sim_present_"):
            raise Permanent("The card token is unknown.", f"no such {pm}")
        if pm.startswith("pm_sim_setup"):
            code = pm.removeprefix("pm_sim_setup").rsplit("_", 1)[0]
            raise Declined(decline_message(code), "card_declined", code,
                           "simulator: HTTP 402 on setup_intent confirm")
        with self._lock:
            self.attached[pm] = request.customer_id
        if self.lose_next_response:
            self.lose_next_response = False
            raise Transient("No answer from the processor.", "simulator: response lost")
        return SetupResult(request.setup_intent_id, "succeeded", pm)

    def cancel_setup_intent(self, request: SetupCardRequest) -> None:
        self._wait()

    def refund(self, request: RefundRequest) -> RefundResult:
        outcome = self._idempotent(self._refund_keys, request, self._decide_refund)
        assert isinstance(outcome, RefundResult)
        return outcome

    def _decide_refund(self, request: RefundRequest) -> RefundResult | Exception:
        pi = request.payment_intent_id
        if not pi.startswith("pi_sim_"):
            return Permanent("The payment to refund is unknown.", f"no such {pi}")
        charged = self.charges.get(pi)  # unknown after a restart: the simulator forgets
        if request.amount_cents <= 0 or (charged and request.amount_cents > charged.amount_cents):
            return Permanent(
                "The processor refused the refund amount.",
                f"refund of {request.amount_cents} on {pi}",
            )
        if pi in self._refunded:
            return Permanent(
                "This payment has already been refunded.",
                f"charge_already_refunded: {pi}",
            )
        self._refunded.add(pi)
        refund_id = "re_sim_" + hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:20]
        self.refunds[refund_id] = request
        return RefundResult(refund_id=refund_id, status="succeeded")

    def close(self) -> None:
        pass


def _doctor_checks(_settings: Settings) -> list[Check]:
    return [
        Check(
            "processor",
            "warn",
            "simulator: TRAINING MODE, no real charges",
            'set [payments] provider = "stripe" for the event',
        )
    ]


SPEC = register(
    ProcessorSpec(
        name=SimulatorProcessor.name,
        label="Simulator (training mode: no real money)",
        mode_label=lambda _processor: "Training (simulator)",
        factory=lambda settings, _secret: SimulatorProcessor(
            latency_ms=settings.payments.simulator_latency_ms
        ),
        capabilities=SimulatorProcessor.capabilities,
        doctor_checks=_doctor_checks,
    )
)


def _succeeded(pi: str, request: ChargeRequest) -> ChargeResult:
    """An approval that says what it is for, as Stripe's PaymentIntent does."""
    return ChargeResult(
        payment_intent_id=pi,
        status="succeeded",
        amount_cents=request.amount_cents,
        currency=request.currency,
        donation_ref=request.donation_id,
    )
