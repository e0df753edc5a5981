"""What a card payment does to its order: confirm it (held places become bookings, the receipt
and tickets go out) or give its held places back.

Order state belongs to the orders app. When it provides `orders.services.order_payment_succeeded`
and `order_payment_failed` (the checkout's), they are used, so an order is confirmed and
emailed the same way however it was paid. Until then, the local versions below do the same
job (and say what those must do). The caller holds the order's row lock."""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from events.models import Event
from orders.models import Booking, BookingStatus, Order, OrderStatus
from portal.errors import Conflict

from . import emails


def _orders_service(name: str):
    try:
        from orders import services
    except ImportError:
        return None
    return getattr(services, name, None)


def order_confirm_paid(order: Order) -> bool:
    """Confirm a paid order. If its hold had lapsed and its places were released, they are
    taken again when all still free; False when they were taken meanwhile (refund it)."""
    succeeded = _orders_service("order_payment_succeeded")
    if succeeded is not None:
        try:
            with transaction.atomic():
                succeeded(order=order)
        except Conflict:
            return False
        order.refresh_from_db()
        return True
    if order.status != OrderStatus.AWAITING_PAYMENT and not _places_retake(order):
        return False
    Booking.objects.filter(order_line__order=order, status=BookingStatus.HELD).update(
        status=BookingStatus.BOOKED
    )
    order.status = OrderStatus.PLACED
    order.placed_at = timezone.now()
    order.places_held_until = None
    order.save(update_fields=["status", "placed_at", "places_held_until"])
    order_pk = order.pk
    transaction.on_commit(lambda: emails.confirmation_send(order_pk), robust=True)
    return True


def _places_retake(order: Order) -> bool:
    bookings = list(
        Booking.objects.select_for_update(of=("self",)).filter(
            order_line__order=order, status=BookingStatus.CANCELLED
        )
    )
    wanted = Counter(b.event_id for b in bookings)
    events = {e.pk: e for e in Event.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    if any(events[pk].places_left < n for pk, n in wanted.items()):
        return False
    for pk, n in wanted.items():
        Event.objects.filter(pk=pk).update(places_taken=F("places_taken") + n)
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
        status=BookingStatus.BOOKED, cancelled_at=None
    )
    return True


def order_places_release(order: Order, *, status: str) -> None:
    """An unpaid order's held places go back to their events; the order ends as `status`."""
    failed = _orders_service("order_payment_failed")
    if failed is not None:
        failed(order=order, status=status)
        order.refresh_from_db()
        return
    bookings = list(
        Booking.objects.select_for_update(of=("self",)).filter(
            order_line__order=order, status=BookingStatus.HELD
        )
    )
    counts = Counter(b.event_id for b in bookings)
    for event in Event.objects.select_for_update().filter(pk__in=counts).order_by("pk"):
        Event.objects.filter(pk=event.pk).update(places_taken=F("places_taken") - counts[event.pk])
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
        status=BookingStatus.CANCELLED, cancelled_at=timezone.now()
    )
    order.status = status
    order.save(update_fields=["status"])
