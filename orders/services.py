"""Placing orders and cancelling bookings: capacity, package places and prices are checked
and changed here only, inside one transaction that locks the rows first.

Lock order (every service takes them in this order, so two never wait on each other):
the basket, the events (by id), the school's entitlements (by id), the order-number sequence.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from accounts.audit import audit_record
from accounts.policy import Action, acts_for, can
from basket.models import Basket, BasketLine
from portal.errors import Conflict, InvalidInput, NotAllowed
from pricing.money import ZERO, money

from .models import Booking, BookingStatus, LineKind, Order, OrderLine, OrderStatus, PaymentMethod
from .numbers import order_number_next

logger = logging.getLogger(__name__)


class SoldOut(Conflict):
    code = "sold_out"


@dataclass(frozen=True)
class _PlannedLine:
    basket_line: BasketLine
    quote: object
    base_reason: str
    allocation: list  # pricing.catalogue.PackagePlaces


def order_place(
    *,
    basket: Basket | None,
    actor,
    school,
    purchase_order_number: str = "",
    idempotency_key: str,
    buyer_name: str = "",
    buyer_email: str = "",
    notify: bool = True,
) -> Order:
    """Turn the basket into an order, in one transaction: re-check who may book or buy each
    line, price every line with the pricing app, take the places (or say which event has how
    many left), consume package places, and grant the entitlements of packages bought.

    A school user's order is on account (`school` = the school they act for) and placed at
    once; a guest's (`school` None, with `buyer_name`/`buyer_email`) is paid by card: its places
    are held until the payment succeeds (`order_payment_succeeded`). A second submit with the
    same `idempotency_key` returns the first order and places nothing."""
    from catalogue.rules import purchase_refusal
    from events.eligibility import booking_refusal
    from events.models import Event
    from pricing.buyers import buyer_for
    from pricing.catalogue import base_reason, event_quote_with_places, product_quote

    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise InvalidInput("This checkout form has expired: please open the checkout again.", code="no_key")
    is_school_user = bool(actor is not None and actor.is_authenticated and actor.role)
    if school is not None and not acts_for(actor, school):
        raise NotAllowed("You cannot place orders for this school.")
    if school is None and is_school_user:
        raise InvalidInput("Choose the school you are ordering for.", code="no_school")
    if school is None:
        buyer_name = " ".join((buyer_name or "").split())
        buyer_email = (buyer_email or "").strip().lower()
        if not buyer_name or not buyer_email:
            raise InvalidInput("Enter your name and email address.", code="buyer_details")

    with transaction.atomic():
        locked = Basket.objects.select_for_update().filter(pk=basket.pk).first() if basket else None
        existing = Order.objects.filter(idempotency_key=key).first()
        if existing is not None:
            if _same_buyer(existing, actor=actor, school=school, buyer_email=buyer_email):
                return existing
            raise Conflict("This checkout form was already used: please open the checkout again.")
        if locked is None:
            raise InvalidInput("Your basket is empty.", code="empty_basket")

        lines = list(
            BasketLine.objects.filter(basket=basket)
            .select_related("product", "product__invoicing_body")
            .prefetch_related("delegates", "product__covers_categories")
            .order_by("added_at", "id")
        )
        if not lines:
            raise InvalidInput("Your basket is empty.", code="empty_basket")

        # Lock the events in a fixed order (by id), then read their places under the lock.
        event_ids = sorted({line.event_id for line in lines if line.event_id})
        events = {
            event.pk: event
            for event in Event.objects.select_for_update(of=("self",))
            .filter(pk__in=event_ids)
            .select_related("invoicing_body", "required_product")
            .prefetch_related("categories")
            .order_by("pk")
        }
        # The school's entitlements, locked: the places they have left cannot change until we
        # commit, so the prices below are exactly what is consumed.
        buyer = buyer_for(school, for_update=True)

        planned: list[_PlannedLine] = []
        used: dict[int, int] = {}
        for line in lines:
            if line.event_id:
                event = line.event = events[line.event_id]  # the locked row, categories loaded
                refusal = booking_refusal(event, user=actor, buyer=buyer)
                if refusal is not None:
                    raise NotAllowed(f"{event.title}: {refusal.message}", code=refusal.code)
                delegates = list(line.delegates.all())
                if len(delegates) != line.quantity or not delegates:
                    raise InvalidInput(
                        f"{event.title}: give a name and email address for each delegate.",
                        code="delegates_missing",
                    )
                if len({d.email.lower() for d in delegates}) != len(delegates):
                    raise InvalidInput(
                        f"{event.title}: each delegate needs their own email address.",
                        code="duplicate_delegate",
                    )
                limit = event.max_delegates_per_booking
                if limit and line.quantity > limit:
                    raise InvalidInput(
                        f"{event.title}: you can book up to {limit} delegates at a time.",
                        code="too_many_delegates",
                    )
                if event.places_left < line.quantity:
                    raise SoldOut(_sold_out_message(event, line.quantity), event=event.slug)
                quote, allocation = event_quote_with_places(event, buyer, quantity=line.quantity, used=used)
                planned.append(_PlannedLine(line, quote, base_reason(event, buyer), allocation))
            else:
                product = line.product
                refusal = purchase_refusal(product, user=actor, buyer=buyer)
                if refusal is not None:
                    raise NotAllowed(f"{product.name}: {refusal.message}", code=refusal.code)
                quote = product_quote(product, buyer)
                planned.append(_PlannedLine(line, quote, base_reason(product, buyer), []))

        coupon = _coupon_for(basket, planned, school=school, email=buyer_email)

        on_account = school is not None
        total = money(sum((p.quote.total for p in planned), ZERO))
        confirmed = on_account or total == ZERO  # nothing to pay by card: confirmed at once
        now = timezone.now()
        order = Order.objects.create(
            number=order_number_next(),
            status=OrderStatus.PLACED if confirmed else OrderStatus.AWAITING_PAYMENT,
            payment_method=PaymentMethod.ACCOUNT if on_account else PaymentMethod.CARD,
            school=school,
            buyer=actor if actor is not None and actor.is_authenticated else None,
            buyer_name=actor.full_name if is_school_user else buyer_name,
            buyer_email=actor.email if is_school_user else buyer_email,
            billing_name=school.name if school else buyer_name,
            billing_address=school.billing_address if school else "",
            purchase_order_number=(purchase_order_number or "").strip()[:50],
            subtotal=money(sum((p.quote.subtotal for p in planned), ZERO)),
            discount_total=money(sum((p.quote.discount for p in planned), ZERO)),
            total=total,
            idempotency_key=key,
            placed_at=now if confirmed else None,
            places_held_until=None
            if confirmed
            else now + dt.timedelta(minutes=getattr(settings, "CARD_PLACES_HOLD_MINUTES", 30)),
        )
        for plan in planned:
            if plan.basket_line.event_id:
                _place_event_line(order, plan, events[plan.basket_line.event_id], confirmed=confirmed)
            else:
                _place_product_line(order, plan, actor=actor)
        if coupon is not None:
            from billing.services import coupon_redeem

            # Locks the coupon row: a code with one use left is used by one order only.
            coupon_redeem(
                coupon=coupon, order=order, school=school, actor=actor, amount=_coupon_total(planned)
            )
        audit_record(
            "order.placed",
            actor=actor,
            school=school,
            target=order,
            detail={"status": order.status, "payment_method": order.payment_method, "total": order.total},
        )
        if confirmed:
            # A card order keeps the basket until its payment page opens (basket.views).
            from basket.services import basket_clear

            basket_clear(basket=basket)

        if confirmed:
            _after_placed(order, notify=notify)
    return order


def _coupon_for(basket, planned: list[_PlannedLine], *, school, email: str):
    """The basket's promotional code, applied to the quotes just computed (replacing them);
    refused with its reason when it no longer applies."""
    from basket.selectors import coupon_lines
    from billing.selectors import coupon_evaluate, coupon_for_basket

    coupon = coupon_for_basket(basket)
    if coupon is None:
        return None
    lines = coupon_lines((i, p.basket_line, p.quote) for i, p in enumerate(planned))
    result = coupon_evaluate(coupon=coupon, lines=lines, school=school, email=email if school is None else "")
    if not result.ok:
        raise InvalidInput(
            f"Promotional code {coupon.code}: {result.message} Remove the code to place your order.",
            code=f"coupon_{result.code}",
        )
    for i, line in enumerate(lines):
        planned[i] = _PlannedLine(
            planned[i].basket_line, result.apply_to(line), planned[i].base_reason, planned[i].allocation
        )
    return coupon


def _coupon_total(planned: list[_PlannedLine]):
    return money(-sum((a.amount for p in planned for a in p.quote.adjustments if a.code == "coupon"), ZERO))


def _same_buyer(order: Order, *, actor, school, buyer_email: str) -> bool:
    if school is not None:
        return order.school_id == school.pk
    return order.school_id is None and order.buyer_email.lower() == (buyer_email or "").lower()


def _sold_out_message(event, wanted: int) -> str:
    left = event.places_left
    if not left:
        return f"Sorry, “{event.title}” is sold out: no places are left."
    return (
        f"Sorry, only {left} place{'s' if left != 1 else ''} left on “{event.title}” "
        f"(you asked for {wanted}). Change the number of delegates and try again."
    )


def _place_event_line(order: Order, plan: _PlannedLine, event, *, confirmed: bool) -> None:
    from catalogue.entitlements import entitlement_consume
    from pricing.catalogue import quote_working

    quote = plan.quote
    line = OrderLine.objects.create(
        order=order,
        kind=LineKind.EVENT,
        event=event,
        description=event.title,
        quantity=quote.quantity,
        unit_price=quote.unit_price,
        discount=quote.discount,
        total=quote.total,
        price_reason=quote.reason[:200],
        price_working=quote_working(quote, base_reason=plan.base_reason),
        invoicing_body=event.invoicing_body,
    )
    # The event row is locked: this update and the CHECK constraint are the last guard.
    updated = _event_places_take(event, quote.quantity)
    if not updated:
        raise SoldOut(_sold_out_message(event, quote.quantity), event=event.slug)
    entitlement_for_delegate: list = []
    for part in plan.allocation:
        granted = entitlement_consume(entitlement_id=part.entitlement.pk, places=part.places)
        if granted != part.places:  # cannot happen while the rows are locked; never undercharge
            raise Conflict("Your package's places changed while ordering: please try again.")
        entitlement_for_delegate += [part.entitlement.pk] * part.places
    status = BookingStatus.BOOKED if confirmed else BookingStatus.HELD
    delegates = list(plan.basket_line.delegates.all())
    Booking.objects.bulk_create(
        Booking(
            order_line=line,
            event=event,
            school=order.school,
            delegate_name=d.name,
            delegate_email=d.email,
            status=status,
            entitlement_id=entitlement_for_delegate[i] if i < len(entitlement_for_delegate) else None,
        )
        for i, d in enumerate(delegates)
    )


def _event_places_take(event, places: int) -> bool:
    """Take places on a locked event row; False when that would overbook it."""
    from events.models import Event

    if event.places_taken + places > event.capacity:
        return False
    Event.objects.filter(pk=event.pk).update(places_taken=F("places_taken") + places)
    event.places_taken += places
    return True


def _place_product_line(order: Order, plan: _PlannedLine, *, actor) -> None:
    from catalogue.models import Entitlement, EntitlementStatus
    from memberships.years import year_label
    from pricing.catalogue import quote_working

    product = plan.basket_line.product
    quote = plan.quote
    line = OrderLine.objects.create(
        order=order,
        kind=LineKind.PRODUCT,
        product=product,
        description=f"{product.name} ({year_label(product.membership_year)})",
        quantity=1,
        unit_price=quote.unit_price,
        discount=quote.discount,
        total=quote.total,
        price_reason=quote.reason[:200],
        price_working=quote_working(quote, base_reason=plan.base_reason),
        invoicing_body=product.invoicing_body,
    )
    try:
        with transaction.atomic():
            entitlement = Entitlement.objects.create(
                school=order.school,
                product=product,
                membership_year=product.membership_year,
                status=EntitlementStatus.AWAITING_APPROVAL
                if product.needs_approval
                else EntitlementStatus.ACTIVE,
                places_limit=product.places_limit,
                order_line=line,
            )
            audit_record(
                "entitlement.created",
                actor=actor,
                school=order.school,
                target=entitlement,
                detail={"order": order.number, "status": entitlement.status},
            )
    except IntegrityError:
        raise Conflict(
            f"{order.school} already has {product.name} for {year_label(product.membership_year)}.",
            code="already_held",
        )


def _after_placed(order: Order, *, notify: bool) -> None:
    """Once committed: the emails, and the invoices (billing)."""
    order_id = order.pk
    if notify:
        from .emails import order_emails_send

        transaction.on_commit(lambda: order_emails_send(order_id))
    transaction.on_commit(lambda: _billing_order_placed(order_id))


def _billing_order_placed(order_id: int) -> None:
    from billing.services import order_placed

    order = Order.objects.get(pk=order_id)
    if order.payment_method == PaymentMethod.ACCOUNT:
        order_placed(order)


# --- Card payments (the payments app calls these) -------------------------------------------


def order_payment_succeeded(*, order: Order) -> Order:
    """A guest's card payment succeeded: the order is confirmed, held places become bookings
    and the emails go. If the hold had lapsed and the places were released, they are taken
    again when still free; otherwise SoldOut is raised (the payments app refunds)."""
    from events.models import Event

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.PLACED:
            return order
        lines = list(order.lines.filter(kind=LineKind.EVENT).order_by("event_id"))
        events = {
            e.pk: e
            for e in Event.objects.select_for_update()
            .filter(pk__in=[line.event_id for line in lines])
            .order_by("pk")
        }
        if order.status != OrderStatus.AWAITING_PAYMENT:  # released: take the places again
            for line in lines:
                if not _event_places_take(events[line.event_id], line.quantity):
                    raise SoldOut(_sold_out_message(events[line.event_id], line.quantity))
        # Held places become bookings; after a release, the places it cancelled (all of them:
        # a held place is never cancelled on its own) are booked again.
        Booking.objects.filter(order_line__order=order).exclude(status=BookingStatus.BOOKED).update(
            status=BookingStatus.BOOKED, cancelled_at=None
        )
        order.status = OrderStatus.PLACED
        order.placed_at = timezone.now()
        order.places_held_until = None
        order.save(update_fields=["status", "placed_at", "places_held_until"])
        audit_record(
            "order.card_payment_succeeded",
            actor=None,
            school=order.school,
            target=order,
            detail={"total": order.total},
        )
        _after_placed(order, notify=True)
    return order


def order_payment_failed(*, order: Order, status: str = OrderStatus.PAYMENT_FAILED) -> Order:
    """A card payment failed, was abandoned or its hold lapsed: the held places go back."""
    from events.models import Event

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != OrderStatus.AWAITING_PAYMENT:
            return order
        held_bookings = Booking.objects.filter(order_line__order=order, status=BookingStatus.HELD)
        held_by_event = dict(
            held_bookings.values_list("event_id").annotate(n=Count("id")).values_list("event_id", "n")
        )
        for event in Event.objects.select_for_update().filter(pk__in=held_by_event).order_by("pk"):
            Event.objects.filter(pk=event.pk).update(
                places_taken=F("places_taken") - min(held_by_event[event.pk], event.places_taken)
            )
        held_bookings.update(status=BookingStatus.CANCELLED, cancelled_at=timezone.now())
        order.status = status
        order.save(update_fields=["status"])
        audit_record(
            "order.card_payment_failed" if status == OrderStatus.PAYMENT_FAILED else "order.hold_released",
            actor=None,
            school=order.school,
            target=order,
            detail={"status": status, "places_released": sum(held_by_event.values())},
        )
    return order


# --- Cancelling a booking -------------------------------------------------------------------


def booking_cancel(*, booking: Booking, actor) -> Booking:
    """Cancel one delegate's place: the place goes back to the event, and a package place
    back to the school's entitlement. (Refunds and the 24-hour rule come with the cancellation
    policy.)"""
    from catalogue.entitlements import entitlement_release
    from events.models import Event

    school = booking.school
    governor_event = any(c.is_governor_training for c in booking.event.categories.all())
    allowed = bool(actor is not None and actor.is_authenticated and actor.is_staff) or (
        school is not None
        and (
            can(actor, Action.BOOK_TRAINING, school)
            # Governors & Clerks cancel only what they may book: governor training.
            or (governor_event and can(actor, Action.BOOK_GOVERNOR_TRAINING, school))
        )
    )
    if not allowed:
        raise NotAllowed("You cannot cancel this booking.")
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=booking.event_id)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == BookingStatus.CANCELLED:
            return booking
        if booking.status == BookingStatus.HELD:
            raise Conflict(
                "This place is held while a card payment is made: it is released with its order "
                "if the payment does not go through."
            )
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        if event.places_taken:
            Event.objects.filter(pk=event.pk).update(places_taken=F("places_taken") - 1)
        if booking.entitlement_id:
            entitlement_release(entitlement_id=booking.entitlement_id, places=1)
        audit_record(
            "booking.cancelled",
            actor=actor,
            school=school,
            target=booking,
            detail={"event": event.title, "package_place_returned": bool(booking.entitlement_id)},
        )
        logger.info("Booking %s cancelled by %s", booking.pk, getattr(actor, "pk", None))
    return booking
