"""The emails an order sends: a confirmation to the buyer, and a ticket (with a calendar
file) to each delegate."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from notifications.services import email_send

from .models import Booking, BookingStatus, LineKind, Order, OrderLine, PaymentMethod


def _order_for_emails(order_id: int) -> Order:
    from events.models import EventSession

    return (
        Order.objects.select_related("school", "buyer")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("event", "product").prefetch_related(
                    Prefetch("event__sessions", queryset=EventSession.objects.select_related("venue")),
                    "event__categories",
                    Prefetch("bookings", queryset=Booking.objects.order_by("id")),
                    "entitlements",
                ),
            )
        )
        .get(pk=order_id)
    )


def event_ics(event) -> bytes:
    """A delegate's calendar file: the public feed's entries (events.ical, same UIDs, so a
    calendar that also subscribes to the feed updates one entry), with the joining link."""
    from urllib.parse import urlsplit

    from events.ical import calendar_for

    base = settings.PORTAL_BASE_URL.rstrip("/")
    return calendar_for(
        [event],
        url_for=lambda e: base + reverse("events:detail", args=[e.slug]),
        host=urlsplit(base).hostname or "portal.invalid",
        include_online_url=True,
    )


def order_emails_send(order_id: int) -> None:
    order = _order_for_emails(order_id)
    base = settings.PORTAL_BASE_URL.rstrip("/")
    event_lines = [line for line in order.lines.all() if line.kind == LineKind.EVENT]
    product_lines = [line for line in order.lines.all() if line.kind == LineKind.PRODUCT]
    awaiting = [
        line
        for line in product_lines
        if any(e.status == "awaiting_approval" for e in line.entitlements.all())
    ]
    order_url = base + reverse("orders:detail", args=[order.number]) if order.school_id else ""
    if order.payment_method == PaymentMethod.CARD and order.total > 0:
        _card_receipt_send(order)
    else:
        _confirmation_send(order, event_lines, product_lines, awaiting, order_url, base)
    _tickets_send(order, event_lines, base)


def _card_receipt_send(order: Order) -> None:
    """A guest who paid by card gets the payments app's receipt (never an invoice)."""
    from payments.models import PaymentStatus

    payment = order.payments.filter(status=PaymentStatus.SUCCEEDED).order_by("-id").first()
    email_send(
        template="card_receipt",
        to=[order.buyer_email],
        context={"order": order, "lines": list(order.lines.all()), "payment": payment},
    )


def _confirmation_send(order, event_lines, product_lines, awaiting, order_url: str, base: str) -> None:
    email_send(
        template="order_confirmation",
        to=[order.buyer_email],
        context={
            "order": order,
            "event_lines": event_lines,
            "product_lines": product_lines,
            "awaiting_lines": awaiting,
            "order_url": order_url,
            "bookings_url": base + reverse("orders:dashboard_bookings") if _sees_orders(order) else "",
        },
    )


def _sees_orders(order: Order) -> bool:
    """Whether the buyer may open the school's Bookings page (a governor may book, not see it)."""
    from accounts.policy import Action, can

    return bool(order.school_id and order.buyer and can(order.buyer, Action.SEE_ORDERS, order.school))


def _tickets_send(order: Order, event_lines, base: str) -> None:
    for line in event_lines:
        event = line.event
        sessions = list(event.sessions.all())
        ics = event_ics(event)
        for booking in line.bookings.all():
            if booking.status != BookingStatus.BOOKED:
                continue
            email_send(
                template="delegate_ticket",
                to=[booking.delegate_email],
                context={
                    "order": order,
                    "event": event,
                    "sessions": sessions,
                    "booking": booking,
                    "event_url": f"{base}/events/{event.slug}/",
                },
                attachments=[
                    (
                        f"{event.slug[:50]}.ics",
                        ics,
                        "text/calendar",
                    )
                ],
            )
