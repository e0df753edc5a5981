"""The Stripe boundary: the only module that imports `stripe`.

Amounts cross it as integer pence; every create call carries an idempotency key. With
STRIPE_API_BASE set (development and tests), the same calls go to the local stand-in
(payments/standin) instead of Stripe; production talks to Stripe with this same code."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

import stripe
from django.conf import settings

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    """Stripe refused or could not be reached; `message` is safe to show to staff."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


class SignatureError(GatewayError):
    pass


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    status: str  # open | complete | expired
    payment_status: str  # unpaid | paid | no_payment_required
    amount_total: int  # pence
    currency: str  # lower case, e.g. "gbp"
    payment_intent: str = ""
    client_reference_id: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    object: dict


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str  # succeeded | pending | failed ...
    amount: int


@lru_cache(maxsize=4)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=2,  # safe: every create carries an idempotency key
        http_client=stripe.RequestsClient(timeout=20),
    )


def _client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise GatewayError(
            "Card payments are not set up: STRIPE_SECRET_KEY is missing.", code="not_configured"
        )
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE or "")


def _session(obj) -> CheckoutSession:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    intent = data.get("payment_intent") or ""
    if isinstance(intent, dict):
        intent = intent.get("id", "")
    return CheckoutSession(
        id=data["id"],
        url=data.get("url") or "",
        status=data.get("status") or "",
        payment_status=data.get("payment_status") or "",
        amount_total=int(data.get("amount_total") or 0),
        currency=(data.get("currency") or "").lower(),
        payment_intent=intent,
        client_reference_id=data.get("client_reference_id") or "",
        metadata=dict(data.get("metadata") or {}),
    )


def _fail(error: stripe.StripeError, doing: str) -> GatewayError:
    message = getattr(error, "user_message", None) or str(error) or "Stripe did not answer."
    logger.warning("Stripe error while %s: %s", doing, message)
    return GatewayError(
        f"The card payment service could not {doing}: {message}", code=getattr(error, "code", "") or ""
    )


def checkout_session_create(
    *,
    items: list[tuple[str, int]],
    currency: str,
    customer_email: str,
    client_reference_id: str,
    metadata: dict,
    success_url: str,
    cancel_url: str,
    expires_at: int,
    idempotency_key: str,
) -> CheckoutSession:
    """A hosted payment page for `items` [(name, pence)], each charged once."""
    params = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": pence,
                    "product_data": {"name": name[:250]},
                },
                "quantity": 1,
            }
            for name, pence in items
        ],
        "client_reference_id": client_reference_id,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata, "description": f"Order {client_reference_id}"},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": expires_at,
    }
    if customer_email:
        params["customer_email"] = customer_email
    try:
        session = _client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as error:
        raise _fail(error, "start the payment")
    return _session(session)


def checkout_session_retrieve(session_id: str) -> CheckoutSession:
    try:
        return _session(_client().v1.checkout.sessions.retrieve(session_id))
    except stripe.StripeError as error:
        raise _fail(error, "look up the payment")


def checkout_session_expire(session_id: str) -> CheckoutSession:
    """Close an open session so it can no longer be paid. If it was completed (or had already
    expired) meanwhile, its current state is returned instead."""
    try:
        return _session(_client().v1.checkout.sessions.expire(session_id))
    except stripe.InvalidRequestError:
        return checkout_session_retrieve(session_id)
    except stripe.StripeError as error:
        raise _fail(error, "close the payment page")


def refund_create(
    *, payment_intent: str, amount: int, idempotency_key: str, order_number: str
) -> RefundResult:
    try:
        refund = _client().v1.refunds.create(
            params={
                "payment_intent": payment_intent,
                "amount": amount,
                "metadata": {"order_number": order_number},
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _fail(error, "refund the payment")
    data = refund.to_dict()
    return RefundResult(
        id=data["id"], status=data.get("status") or "", amount=int(data.get("amount") or amount)
    )


def webhook_event_construct(payload: bytes, signature: str) -> Event:
    """Verify a webhook's Stripe-Signature against STRIPE_WEBHOOK_SECRET and parse it."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise SignatureError("STRIPE_WEBHOOK_SECRET is not set.", code="not_configured")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as error:
        raise SignatureError(f"Bad signature: {error}", code="bad_signature")
    except ValueError as error:
        raise SignatureError(f"Unreadable payload: {error}", code="bad_payload")
    data = event.to_dict()
    return Event(id=data["id"], type=data["type"], object=dict((data.get("data") or {}).get("object") or {}))
