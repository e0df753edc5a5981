"""Guest card payments: start a Stripe Checkout Session for a held order, confirm the order when
Stripe says it was paid (the right amount, in the right currency), release held places that
were never paid for, and refund.

An order paid by card is confirmed by whichever arrives first, the webhook or the buyer's
return to the success page; both act on the session's current state fetched from Stripe, under
a lock on the order, so it is confirmed (and emailed) exactly once."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from orders.models import Order, OrderStatus, PaymentMethod
from portal.errors import Conflict, DomainError, InvalidInput
from pricing.money import ZERO, format_gbp, from_pence, money, to_pence

from . import emails, gateway
from .models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from .order_state import order_confirm_paid, order_places_release

logger = logging.getLogger(__name__)

STRIPE_MIN_SESSION_MINUTES = 31  # Stripe expires a session 30 minutes to 24 hours after creation


class PaymentServiceError(DomainError):
    code = "payment_service"
    default_message = "The card payment service is not answering. Please try again in a few minutes."


def hold_minutes() -> int:
    return int(getattr(settings, "CARD_PLACES_HOLD_MINUTES", 30))


def _absolute(url: str | None, default_name: str) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    url = url or reverse(default_name)
    return base + url if url.startswith("/") else url


def _with_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    # Stripe fills in {CHECKOUT_SESSION_ID}: keep its braces unescaped.
    encoded = urlencode(query).replace("%7BCHECKOUT_SESSION_ID%7D", "{CHECKOUT_SESSION_ID}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, encoded, parts.fragment))


def _items(order: Order) -> list[tuple[str, int]]:
    """What the payment page lists, in pence; one line for the order if its lines don't add up."""
    lines = [line for line in order.lines.all() if line.total > ZERO]
    if money(sum((line.total for line in lines), ZERO)) != money(order.total):
        return [(f"Order {order.number}", to_pence(order.total))]
    return [
        (
            f"{line.quantity} × {line.description}" if line.quantity > 1 else line.description,
            to_pence(line.total),
        )
        for line in lines
    ]


def card_checkout_start(
    *, order: Order, success_url: str | None = None, cancel_url: str | None = None
) -> str:
    """The URL of the payment page for a held card order (Stripe's, or the local stand-in's).

    Amounts come from the order (the server's prices), in pence. Starting again while a
    payment page is open returns the same page."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.payment_method != PaymentMethod.CARD:
            raise InvalidInput("This order is placed on account: it is invoiced, not paid by card.")
        if order.status == OrderStatus.PLACED:
            raise Conflict(f"Order {order.number} is already paid.")
        if order.status != OrderStatus.AWAITING_PAYMENT:
            raise Conflict(
                "Your places were released because payment was not completed in time. Please book again."
            )
        now = timezone.now()
        if order.places_held_until and order.places_held_until <= now:
            raise Conflict(
                "Your places were released because payment was not completed in time. Please book again."
            )
        success = _absolute(success_url, "payments:checkout_success")
        cancel = _absolute(cancel_url, "payments:checkout_cancel")
        if order.total <= ZERO:
            # Nothing to pay (e.g. a 100% coupon): confirm now, no payment page.
            order_confirm_paid(order)
            return success
        open_payment = order.payments.filter(status=PaymentStatus.PENDING).exclude(checkout_url="").first()
        if open_payment is not None:
            return open_payment.checkout_url
        attempt = order.payments.count() + 1
        token = secrets.token_urlsafe(24)
        held_until = order.places_held_until or now + dt.timedelta(minutes=hold_minutes())
        expires = max(held_until, now + dt.timedelta(minutes=STRIPE_MIN_SESSION_MINUTES))
        metadata = {"order_number": order.number, "payment_token": token}
        try:
            session = gateway.checkout_session_create(
                items=_items(order),
                currency=order.currency,
                customer_email=order.buyer_email,
                client_reference_id=order.number,
                metadata=metadata,
                success_url=_with_query(success, payment=token, session_id="{CHECKOUT_SESSION_ID}"),
                cancel_url=_with_query(cancel, payment=token),
                expires_at=int(expires.timestamp()),
                idempotency_key=f"checkout-{order.number}-{attempt}",
            )
        except gateway.GatewayError as error:
            raise PaymentServiceError(code=error.code or PaymentServiceError.code)
        Payment.objects.create(
            order=order,
            checkout_session_id=session.id,
            return_token=token,
            amount=money(order.total),
            currency=order.currency,
            checkout_url=session.url,
        )
    return session.url


# --- Confirming -----------------------------------------------------------------------------


def checkout_session_sync(session: gateway.CheckoutSession) -> str:
    """Act on a Checkout Session's current state. Returns what happened (for the event log)."""
    refund_needed = None
    with transaction.atomic():
        # Lock the order first, then its payment: the same order as releasing places does.
        payment = Payment.objects.filter(checkout_session_id=session.id).first()
        if payment is None:
            logger.warning("Stripe session %s is not one of ours", session.id)
            return "unknown session"
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if session.status == "expired":
            if payment.status == PaymentStatus.PENDING:
                payment.status = PaymentStatus.EXPIRED
                payment.save(update_fields=["status"])
            if (
                order.status == OrderStatus.AWAITING_PAYMENT
                and not order.payments.filter(status=PaymentStatus.PENDING).exists()
            ):
                _release(order, status=_unpaid_status(order))
                return "expired: places released"
            return "expired"
        if not (session.status == "complete" and session.payment_status == "paid"):
            return f"not paid ({session.status}/{session.payment_status})"
        if payment.status != PaymentStatus.PENDING and payment.status != PaymentStatus.EXPIRED:
            return "already recorded"
        payment.payment_intent_id = session.payment_intent
        payment.amount_received = from_pence(session.amount_total)
        payment.succeeded_at = timezone.now()
        expected = to_pence(payment.amount)
        if (
            session.amount_total != expected
            or session.amount_total != to_pence(order.total)
            or session.currency != order.currency.lower()
        ):
            payment.status = PaymentStatus.MISMATCH
            payment.failure_message = (
                f"Paid {session.amount_total}p {session.currency.upper()}, expected {to_pence(order.total)}p "
                f"{order.currency}: not confirmed"
            )[:300]
            payment.save()
            audit_record(
                "payment.mismatch_rejected",
                actor=None,
                school=order.school,
                target=payment,
                detail={
                    "order": order.number,
                    "paid_pence": session.amount_total,
                    "paid_currency": (session.currency or "").upper(),
                    "expected_pence": to_pence(order.total),
                    "expected_currency": order.currency,
                },
            )
            logger.error("Order %s: %s", order.number, payment.failure_message)
            return "amount mismatch: not confirmed"
        payment.status = PaymentStatus.SUCCEEDED
        payment.save()
        if order.status == OrderStatus.PLACED:
            refund_needed = "This order had already been paid; the second payment was refunded."
        else:
            lapsed = order.status != OrderStatus.AWAITING_PAYMENT
            if order_confirm_paid(order):
                if lapsed:
                    _coupon_restore(order)
                    return "confirmed after its hold had lapsed (places still free)"
                return "confirmed"
            refund_needed = "The places were released before the payment arrived and have since been taken."
        reason = refund_needed
        transaction.on_commit(lambda: _refund_automatically(order.pk, reason), robust=True)
    return f"refunding: {refund_needed}"


def _refund_automatically(order_pk: int, reason: str) -> None:
    order = Order.objects.get(pk=order_pk)
    try:
        refund_card_payment(order=order, amount=None, reason=reason, actor=None, automatic=True)
    except DomainError as error:
        logger.error(
            "Automatic refund of order %s failed: %s. Refund it from the back office.", order.number, error
        )
        return
    emails.late_payment_refunded_send(order.pk, reason)


def _coupon_restore(order: Order) -> None:
    from billing.services import coupon_redemption_restore

    coupon_redemption_restore(order=order)


# --- Releasing held places --------------------------------------------------------------------


def _unpaid_status(order: Order) -> str:
    failed = order.payments.exclude(failure_message="").exclude(status=PaymentStatus.MISMATCH).exists()
    return OrderStatus.PAYMENT_FAILED if failed else OrderStatus.CANCELLED


def _release(order: Order, *, status: str) -> None:
    """Give an unpaid order's held places back. The caller holds the order's lock."""
    from billing.services import coupon_redemption_void

    order_places_release(order, status=status)
    order.payments.filter(status=PaymentStatus.PENDING).update(status=PaymentStatus.EXPIRED)
    coupon_redemption_void(order=order)
    logger.info("Order %s: held places released (%s)", order.number, status)


def card_order_release(*, order: Order, actor=None) -> str:
    """Close the order's payment page and release its held places, unless it was paid meanwhile
    (then it is confirmed instead). Returns the order's status afterwards."""
    for payment in order.payments.filter(status=PaymentStatus.PENDING):
        try:
            session = gateway.checkout_session_expire(payment.checkout_session_id)
        except gateway.GatewayError as error:
            raise PaymentServiceError(code=error.code or PaymentServiceError.code)
        if session.status == "complete":
            checkout_session_sync(session)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            _release(order, status=_unpaid_status(order))
    return order.status


def holds_release_expired(*, now: dt.datetime | None = None) -> int:
    """Release the places of card orders whose hold has lapsed. Run every minute or so."""
    now = now or timezone.now()
    released = 0
    expired = Order.objects.filter(
        payment_method=PaymentMethod.CARD, status=OrderStatus.AWAITING_PAYMENT, places_held_until__lte=now
    ).order_by("places_held_until")
    for order in expired:
        try:
            if card_order_release(order=order) != OrderStatus.PLACED:
                released += 1
        except DomainError as error:
            logger.warning("Could not release order %s yet: %s", order.number, error)
    return released


# --- Webhooks ---------------------------------------------------------------------------------

SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}


def webhook_event_handle(event: gateway.Event) -> str:
    """Act once on a verified Stripe event: its id is recorded in the same transaction."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(
                    event_id=event.id, type=event.type, object_id=str(event.object.get("id", ""))[:255]
                )
        except IntegrityError:
            return "duplicate: already handled"
        outcome = _dispatch(event)
        record.outcome = outcome[:300]
        record.save(update_fields=["outcome"])
    return outcome


def _dispatch(event: gateway.Event) -> str:
    if event.type in SESSION_EVENTS:
        session_id = event.object.get("id", "")
        if not Payment.objects.filter(checkout_session_id=session_id).exists():
            return "ignored: not one of our sessions"
        # Act on the session's current state, not on the (possibly stale) copy in the event.
        session = gateway.checkout_session_retrieve(session_id)
        if event.type == "checkout.session.async_payment_failed":
            Payment.objects.filter(checkout_session_id=session_id, failure_message="").update(
                failure_message="The payment failed."
            )
        return checkout_session_sync(session)
    if event.type == "payment_intent.payment_failed":
        token = (event.object.get("metadata") or {}).get("payment_token", "")
        error = (event.object.get("last_payment_error") or {}).get("message") or "The card was declined."
        updated = Payment.objects.filter(return_token=token, status=PaymentStatus.PENDING).update(
            failure_message=str(error)[:300]
        )
        return f"payment attempt failed: {error}" if updated else "ignored: payment attempt failed"
    return "ignored"


def payment_for_token(token: str) -> Payment | None:
    if not token:
        return None
    return Payment.objects.select_related("order").filter(return_token=token).first()


def payment_return_sync(payment: Payment) -> Payment:
    """When the buyer comes back from the payment page: confirm now if Stripe says it is paid."""
    if payment.status == PaymentStatus.PENDING:
        try:
            checkout_session_sync(gateway.checkout_session_retrieve(payment.checkout_session_id))
        except gateway.GatewayError as error:
            logger.warning("Could not check session %s on return: %s", payment.checkout_session_id, error)
    payment.refresh_from_db()
    payment.order.refresh_from_db()
    return payment


# --- Refunds ------------------------------------------------------------------------------------


def refund_card_payment(
    *, order: Order, amount: Decimal | None, reason: str, actor, automatic: bool = False
) -> Refund:
    """Refund all (amount=None) or part of an order's card payment through Stripe."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for the refund.")
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(
                order=order,
                status__in=[
                    PaymentStatus.SUCCEEDED,
                    PaymentStatus.PARTIALLY_REFUNDED,
                    PaymentStatus.MISMATCH,
                ],
            )
            .order_by("-succeeded_at")
            .first()
        )
        if payment is None or payment.refundable <= ZERO:
            raise InvalidInput(f"Order {order.number} has no card payment left to refund.")
        try:
            value = payment.refundable if amount is None else money(amount)
        except ValueError:
            raise InvalidInput(f"{amount!r} is not an amount of money.")
        if value <= ZERO:
            raise InvalidInput("A refund must be more than £0.00.")
        if value > payment.refundable:
            raise InvalidInput(
                f"At most {format_gbp(payment.refundable)} of order {order.number} can be refunded."
            )
        refund = Refund.objects.create(
            payment=payment,
            idempotency_key=uuid.uuid4().hex,
            amount=value,
            reason=reason[:300],
            automatic=automatic,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        try:
            result = gateway.refund_create(
                payment_intent=payment.payment_intent_id,
                amount=to_pence(value),
                idempotency_key=refund.idempotency_key,
                order_number=order.number,
            )
        except gateway.GatewayError as error:
            raise PaymentServiceError(error.message, code=error.code or PaymentServiceError.code)
        refund.stripe_refund_id = result.id
        refund.status = (
            RefundStatus.FAILED if result.status in ("failed", "canceled") else RefundStatus.SUCCEEDED
        )
        refund.save(update_fields=["stripe_refund_id", "status"])
        if refund.status == RefundStatus.FAILED:
            raise PaymentServiceError("Stripe could not make the refund.")
        payment.amount_refunded = money(payment.amount_refunded + value)
        payment.status = (
            PaymentStatus.REFUNDED
            if payment.amount_refunded == payment.amount_received
            else PaymentStatus.PARTIALLY_REFUNDED
        )
        payment.save(update_fields=["amount_refunded", "status"])
        audit_record(
            "payment.late_payment_refunded" if automatic else "payment.refunded",
            actor=actor,
            school=order.school,
            target=refund,
            detail={"order": order.number, "amount": value, "reason": refund.reason},
        )
        if not automatic:
            transaction.on_commit(lambda: emails.refund_send(refund.pk), robust=True)
    logger.info("Refunded %s on order %s (%s)", value, order.number, reason)
    return refund
