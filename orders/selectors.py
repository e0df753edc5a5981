"""Reads of orders and bookings, for the dashboard, the basket and the back office."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from .models import Booking, BookingStatus, Order, OrderLine, OrderStatus

LIVE_BOOKING = (BookingStatus.HELD, BookingStatus.BOOKED)


def delegates_already_booked(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of (event id, lower-case email) pairs, those already holding a live booking (one query)."""
    if not pairs:
        return set()
    event_ids = {event_id for event_id, _ in pairs}
    emails = {email for _, email in pairs}
    found = (
        Booking.objects.filter(event_id__in=event_ids, status__in=LIVE_BOOKING)
        .annotate(email_lower=Lower("delegate_email"))
        .filter(email_lower__in=emails)
        .values_list("event_id", "email_lower")
    )
    return {pair for pair in found if pair in pairs}


def _lines_prefetch() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=OrderLine.objects.select_related("event", "product", "invoicing_body").prefetch_related(
            Prefetch("bookings", queryset=Booking.objects.order_by("id"))
        ),
    )


def order_list_for_school(school) -> QuerySet[Order]:
    """A school's orders, newest first, with their lines (a fixed number of queries)."""
    return (
        Order.objects.filter(school=school)
        .exclude(status=OrderStatus.AWAITING_PAYMENT)
        .select_related("buyer")
        .prefetch_related(_lines_prefetch())
        .order_by("-created_at", "-id")
    )


def order_get_for_school(*, number: str, school) -> Order:
    return (
        Order.objects.select_related("buyer", "school")
        .prefetch_related(_lines_prefetch())
        .get(number=number, school=school)
    )


def order_get_for_buyer(*, number: str, school, buyer) -> Order:
    """An order of `school` placed by `buyer` (for roles that book but may not see all orders)."""
    return (
        Order.objects.select_related("buyer", "school")
        .prefetch_related(_lines_prefetch())
        .get(number=number, school=school, buyer=buyer)
    )


def order_get_for_guest(*, number: str, order_ids) -> Order:
    return (
        Order.objects.select_related("buyer")
        .prefetch_related(_lines_prefetch())
        .get(number=number, school=None, pk__in=list(order_ids or []))
    )


def booking_list_for_school(school, *, upcoming: bool, now=None) -> list[dict]:
    """The school's bookings grouped by event: [{"event": Event, "bookings": [...]}], soonest
    first for upcoming events, latest first for past ones (a fixed number of queries)."""
    from events.models import Event, EventSession

    now = now or timezone.now()
    when = Q(event__ends_at__gte=now) | Q(event__ends_at__isnull=True, event__starts_at__gte=now)
    bookings = (
        Booking.objects.filter(school=school)
        .exclude(status=BookingStatus.HELD)
        .filter(when if upcoming else ~when)
        .select_related("order_line__order")
        .order_by("event_id", "id")
    )
    by_event: dict[int, list[Booking]] = {}
    for booking in bookings:
        by_event.setdefault(booking.event_id, []).append(booking)
    events = Event.objects.filter(pk__in=by_event).prefetch_related(
        Prefetch("sessions", queryset=EventSession.objects.select_related("venue"))
    )
    ordered = sorted(
        events,
        key=lambda e: (e.starts_at or now, e.pk),
        reverse=not upcoming,
    )
    return [{"event": event, "bookings": by_event[event.pk]} for event in ordered]
