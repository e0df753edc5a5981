"""What a card payment does to its order: confirm it (held places become bookings, the receipt
and tickets go out) or give its held places back.

Order state belongs to the orders app: these call its services, so an order is confirmed and
emailed the same way however it was paid. The caller holds the order's row lock."""

from __future__ import annotations

from django.db import transaction

from orders.models import Order
from orders.services import order_payment_failed, order_payment_succeeded
from portal.errors import Conflict


def order_confirm_paid(order: Order) -> bool:
    """Confirm a paid order. If its hold had lapsed and its places were released, they are
    taken again when all still free; False when they were taken meanwhile (refund it)."""
    try:
        with transaction.atomic():
            order_payment_succeeded(order=order)
    except Conflict:
        return False
    order.refresh_from_db()
    return True


def order_places_release(order: Order, *, status: str) -> None:
    """An unpaid order's held places go back to their events; the order ends as `status`."""
    order_payment_failed(order=order, status=status)
    order.refresh_from_db()
