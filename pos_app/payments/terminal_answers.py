"""Stripe Terminal's answers as plain, bounded data: a PaymentIntent with its card_present
charge (CardPresentPayment), a reader's action (ReaderAction), a reader (ReaderInfo).

Any JSON may sit in an answer's fields; what is kept is text of bounded length (it goes
into the donation row, logs and the window), and nothing here ever sees card data (the
card stays in the reader). Used by payments/stripe_terminal.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Transient
from .card_present import (
    CardPresentPayment,
    CardPresentSetup,
    EmvReceipt,
    ReaderAction,
    ReaderInfo,
)
from .stripe import _code

TEXT_MAX = 64  # any text taken from an answer is bounded before it is stored


def _text(value: Any) -> str:
    return value[:TEXT_MAX] if isinstance(value, str) else ""


def parse_payment(body: Mapping[str, Any]) -> CardPresentPayment:
    """A PaymentIntent (latest_charge expanded or not) as plain, bounded data."""
    pi_id = body.get("id")
    if not isinstance(pi_id, str):
        raise Transient(
            "The processor's answer was garbled; the payment will be checked again.",
            "payment_intent response without id",
        )
    charge = body.get("latest_charge")
    details: Mapping[str, Any] = {}
    pm = body.get("payment_method")
    if isinstance(charge, Mapping):
        pmd = charge.get("payment_method_details")
        if isinstance(pmd, Mapping) and isinstance(pmd.get("card_present"), Mapping):
            details = pmd["card_present"]
        pm = charge.get("payment_method") or pm
    receipt = details.get("receipt") if isinstance(details.get("receipt"), Mapping) else {}
    err = body.get("last_payment_error")
    err = err if isinstance(err, Mapping) else {}
    last4 = details.get("last4")
    amount, currency, metadata = body.get("amount"), body.get("currency"), body.get("metadata")
    ref = metadata.get("donation_id") if isinstance(metadata, Mapping) else None
    return CardPresentPayment(
        payment_intent_id=_code(pi_id),
        status=_text(body.get("status")),
        payment_method_id=_text(pm) or None,
        brand=_text(details.get("brand"))[:16] or None,
        last4=last4 if isinstance(last4, str) and len(last4) == 4 and last4.isdigit() else None,
        read_method=_text(details.get("read_method")) or None,
        generated_card=_text(details.get("generated_card")) or None,
        receipt=EmvReceipt(
            application_name=_text(receipt.get("application_preferred_name")),
            aid=_text(receipt.get("dedicated_file_name"))[:32],
            verification=_text(receipt.get("cardholder_verification_method"))[:32],
            authorization_code=_text(receipt.get("authorization_code"))[:16],
        ),
        decline_code=_text(err.get("decline_code") or ""),
        error_code=_text(err.get("code") or ""),
        # what the payment says it is for: checked against the gift before it is approved
        amount_cents=amount if type(amount) is int else None,
        currency=_text(currency) or None,
        donation_ref=_text(ref) or None,
    )


def _id(value: Any) -> str:
    """An expandable field's id (a string, or an expanded object's `id`)."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return _text(value)


def parse_setup(body: Mapping[str, Any]) -> CardPresentSetup:
    """A card_present SetupIntent (latest_attempt and payment_method expanded or not).

    The card to keep is the reusable `card` PaymentMethod: Stripe reports it as the latest
    attempt's `payment_method_details.card_present.generated_card`; where the SetupIntent's
    own `payment_method` is already a `card` (not the card_present one read), that one.
    Brand and last four come from whichever PaymentMethod is expanded."""
    seti = body.get("id")
    if not isinstance(seti, str) or not seti.startswith("seti_"):
        raise Transient(
            "The processor's answer was garbled; the card will be checked again.",
            "setup_intent response without id",
        )
    attempt = body.get("latest_attempt")
    details: Mapping[str, Any] = {}
    if isinstance(attempt, Mapping):
        pmd = attempt.get("payment_method_details")
        if isinstance(pmd, Mapping) and isinstance(pmd.get("card_present"), Mapping):
            details = pmd["card_present"]
    generated = _id(details.get("generated_card")) or None
    pm = body.get("payment_method")
    card: Mapping[str, Any] = {}
    if isinstance(pm, Mapping):
        kind = pm.get("type")
        if kind == "card" and isinstance(pm.get("card"), Mapping):
            card = pm["card"]
            generated = generated or _id(pm) or None
        elif isinstance(kind, str) and isinstance(pm.get(kind), Mapping):
            card = pm[kind]
    err = body.get("last_setup_error")
    err = err if isinstance(err, Mapping) else {}
    last4 = card.get("last4")
    metadata = body.get("metadata")
    ref = metadata.get("attendee_id") if isinstance(metadata, Mapping) else None
    return CardPresentSetup(
        setup_intent_id=_code(seti),
        status=_text(body.get("status")),
        generated_card=generated,
        brand=_text(card.get("brand"))[:16] or None,
        last4=last4 if isinstance(last4, str) and len(last4) == 4 and last4.isdigit() else None,
        read_method=_text(card.get("read_method")) or None,
        decline_code=_text(err.get("decline_code") or ""),
        error_code=_text(err.get("code") or ""),
        customer_ref=_id(body.get("customer")) or None,
        attendee_ref=_text(ref) or None,
    )


def parse_action(body: Mapping[str, Any]) -> ReaderAction:
    action = body.get("action")
    status = _text(body.get("status")) or "online"
    if not isinstance(action, Mapping):
        return ReaderAction(reader_status=status)
    ppi = action.get("process_payment_intent")
    pi = ppi.get("payment_intent") if isinstance(ppi, Mapping) else None
    if isinstance(pi, Mapping):
        pi = pi.get("id")
    psi = action.get("process_setup_intent")
    seti = psi.get("setup_intent") if isinstance(psi, Mapping) else None
    if isinstance(seti, Mapping):
        seti = seti.get("id")
    return ReaderAction(
        reader_status=status,
        type=_text(action.get("type")) or None,
        status=_text(action.get("status")) or None,
        payment_intent_id=_text(pi) or None,
        setup_intent_id=_text(seti) or None,
        failure_code=_text(action.get("failure_code")),
        failure_message=str(action.get("failure_message") or "")[:300],
    )


def reader_info(body: Mapping[str, Any]) -> ReaderInfo:
    action = parse_action(body)
    location = body.get("location")
    if isinstance(location, Mapping):
        location = location.get("id")
    return ReaderInfo(
        id=_text(body.get("id")),
        label=str(body.get("label") or "")[:100],
        status=action.reader_status,
        device_type=_text(body.get("device_type")),
        location=_text(location) or None,
        action=f"{action.type} {action.status}" if action.type else None,
    )
