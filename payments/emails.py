"""What a guest who paid by card receives: a receipt (never an invoice) and a ticket per
delegate with a calendar attachment; and word of a refund."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from notifications.services import email_send
from orders.models import Booking, BookingStatus, Order

from .models import PaymentStatus, Refund


def ticket_ics(booking: Booking) -> bytes:
    """An iCalendar file with one entry per session of the booked event."""
    from icalendar import Calendar
    from icalendar import Event as CalendarEvent

    event = booking.event
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PORTAL_NAME}//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    host = settings.PORTAL_BASE_URL.split("//")[-1].split("/")[0] or "portal"
    for session in event.sessions.all():
        entry = CalendarEvent()
        entry.add("uid", f"booking-{booking.pk}-session-{session.pk}@{host}")
        entry.add("dtstamp", timezone.now())
        entry.add("dtstart", session.starts_at)
        entry.add("dtend", session.ends_at)
        entry.add("summary", event.title)
        if session.venue_id:
            entry.add("location", f"{session.venue.name}, {session.venue.address}".replace("\n", ", "))
        elif session.online_url:
            entry.add("location", session.online_url)
        entry.add("description", f"Booked for {booking.delegate_name}. {event.summary}".strip())
        calendar.add_component(entry)
    return calendar.to_ical()


def _order(order_pk: int) -> Order:
    return Order.objects.prefetch_related("lines", "payments").get(pk=order_pk)


def confirmation_send(order_pk: int) -> None:
    """The receipt to the buyer and a ticket to each delegate."""
    order = _order(order_pk)
    payment = next((p for p in order.payments.all() if p.status == PaymentStatus.SUCCEEDED), None)
    email_send(
        template="card_receipt",
        to=[order.buyer_email],
        context={"order": order, "lines": list(order.lines.all()), "payment": payment},
        on_commit=False,
    )
    bookings = (
        Booking.objects.filter(order_line__order=order, status=BookingStatus.BOOKED)
        .select_related("event")
        .prefetch_related("event__sessions__venue")
    )
    for booking in bookings:
        email_send(
            template="event_ticket",
            to=[booking.delegate_email],
            context={
                "booking": booking,
                "event": booking.event,
                "order": order,
                "sessions": booking.event.sessions.all(),
            },
            attachments=[(f"{booking.event.slug}.ics", ticket_ics(booking), "text/calendar")],
            on_commit=False,
        )


def refund_send(refund_pk: int) -> None:
    refund = Refund.objects.select_related("payment__order").get(pk=refund_pk)
    order = refund.payment.order
    email_send(
        template="card_refund",
        to=[order.buyer_email],
        context={"order": order, "refund": refund, "late": False},
        on_commit=False,
    )


def late_payment_refunded_send(order_pk: int, reason: str) -> None:
    order = _order(order_pk)
    refund = Refund.objects.filter(payment__order=order, automatic=True).order_by("-created_at").first()
    email_send(
        template="card_refund",
        to=[order.buyer_email],
        context={"order": order, "refund": refund, "late": True, "reason": reason},
        on_commit=False,
    )
