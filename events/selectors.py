"""Reads of the calendar and the event page, shared by the HTML pages and the iCal feed.
Each runs a fixed number of queries whatever the number of events, categories, subjects
or sessions (the tests count them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from .models import Category, Event, EventSession, EventStatus, Subject

MAX_SEARCH_WORDS = 8


@dataclass(frozen=True)
class CalendarFilters:
    """What a visitor narrowed the calendar to (all optional, combined with AND)."""

    text: str = ""
    category: Category | None = None
    subject: Subject | None = None
    date_from: dt.date | None = None  # events starting on or after this day (London time)
    date_to: dt.date | None = None  # events starting on or before this day

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.category or self.subject or self.date_from or self.date_to)


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _with_listing_relations(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.prefetch_related(
        "categories",
        Prefetch(
            "sessions", queryset=EventSession.objects.select_related("venue").order_by("starts_at", "id")
        ),
    )


def event_list_for_calendar(
    *, filters: CalendarFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[Event]:
    """Published events that have not started yet, soonest first, narrowed by `filters`.
    Drafts, cancelled and past events never appear."""
    filters = filters or CalendarFilters()
    qs = Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__gte=now or timezone.now())
    if filters.category is not None:
        qs = qs.filter(categories=filters.category)
    if filters.subject is not None:
        qs = qs.filter(subjects=filters.subject)
    if filters.date_from:
        qs = qs.filter(starts_at__gte=_start_of_day(filters.date_from))
    if filters.date_to:
        qs = qs.filter(starts_at__lt=_start_of_day(filters.date_to + dt.timedelta(days=1)))
    for word in filters.text.split()[:MAX_SEARCH_WORDS]:
        qs = qs.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return _with_listing_relations(qs.order_by("starts_at", "id"))


@dataclass(frozen=True)
class MonthSessions:
    """The calendar's sessions in one month: how many on each day, the first few of each day
    (with their event), and how many events they belong to."""

    per_day: dict[dt.date, int]
    first_of_each_day: list[EventSession]
    event_count: int


def event_sessions_for_month(
    *,
    month: dt.date,
    filters: CalendarFilters | None = None,
    per_day: int = 3,
    now: dt.datetime | None = None,
) -> MonthSessions:
    """Sessions of the calendar's events (published, not started, matching `filters`) that fall in
    `month` (its first day), by London day. The first `per_day` of each day come with their
    event, venue and categories; the rest are only counted, so a month with hundreds of events
    costs the same few queries and a bounded amount of work."""
    first = _start_of_day(month.replace(day=1))
    following = _start_of_day((month.replace(day=1) + dt.timedelta(days=32)).replace(day=1))
    events = event_list_for_calendar(filters=filters, now=now).filter(
        starts_at__lt=following, ends_at__gte=first
    )
    sessions = EventSession.objects.filter(
        event__in=events.order_by().values("pk"), starts_at__gte=first, starts_at__lt=following
    )
    day = TruncDate("starts_at", tzinfo=timezone.get_current_timezone())
    per_day_counts = dict(
        sessions.annotate(day=day).order_by().values("day").annotate(n=Count("pk")).values_list("day", "n")
    )
    event_count = sessions.aggregate(n=Count("event", distinct=True))["n"]
    first_of_each_day = list(
        sessions.annotate(
            day=day,
            rank=Window(RowNumber(), partition_by=[day], order_by=[F("starts_at").asc(), F("pk").asc()]),
        )
        .filter(rank__lte=per_day)
        .select_related("event", "venue")
        .prefetch_related("event__categories")
        .order_by("starts_at", "pk")
    )
    return MonthSessions(per_day=per_day_counts, first_of_each_day=first_of_each_day, event_count=event_count)


def event_list_upcoming(*, limit: int | None = None) -> QuerySet[Event]:
    """Published events that have not started, soonest first, with what a listing shows."""
    qs = event_list_for_calendar()
    return qs[:limit] if limit else qs


def event_get_for_page(*, slug: str, user=None) -> Event:
    """The event at `slug` as its page shows it: published or cancelled (so a shared link says it
    was cancelled); staff may also preview drafts. Raises Event.DoesNotExist otherwise."""
    statuses = [EventStatus.PUBLISHED, EventStatus.CANCELLED]
    if user is not None and user.is_authenticated and user.is_staff:
        statuses.append(EventStatus.DRAFT)
    return (
        Event.objects.filter(status__in=statuses)
        .select_related("required_product", "invoicing_body")
        .prefetch_related(
            "categories",
            "subjects",
            Prefetch(
                "sessions", queryset=EventSession.objects.select_related("venue").order_by("starts_at", "id")
            ),
        )
        .get(slug=slug)
    )


def event_get_published(*, slug: str) -> Event:
    return _with_listing_relations(Event.objects.filter(status=EventStatus.PUBLISHED)).get(slug=slug)
