"""The calendar (list and month), the event page and the iCal feed. Views parse the query,
call the selectors, price each event for this visitor once, and render."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.selectors import acting_school_for
from pricing.buyers import Buyer, buyer_for
from pricing.catalogue import event_quote
from pricing.money import format_gbp
from pricing.quotes import LineQuote

from .eligibility import booking_refusal
from .forms import CalendarFilterForm, MonthFilterForm
from .ical import calendar_for
from .models import BookingRule, Event, EventSession
from .selectors import event_get_for_page, event_list_for_calendar, event_sessions_for_month

PAGE_SIZE = 20
PER_DAY = 3  # sessions shown in a day of the month view; the rest are a link to that day's list
# The feed is a rolling window: the soonest events matching the filters, so a subscription to
# the whole calendar stays small and quick to serve.
ICAL_MAX_EVENTS = 500
# Building the feed is the costliest thing here (icalendar is thorough, not quick), and calendar
# apps poll it: cache it briefly, keyed so any change to the events shows at once.
ICAL_CACHE_SECONDS = 300


@dataclass(frozen=True)
class CalendarEntry:
    """One event as the calendar shows it, worked out once in Python (cheaper than asking the
    template to walk the relations of every card)."""

    event: Event
    quote: LineQuote
    url: str
    price: str
    sessions: list[EventSession]
    category_names: list[str]
    where: str
    rule_tag: str

    @property
    def first(self) -> EventSession | None:
        return self.sessions[0] if self.sessions else None

    @property
    def more_sessions(self) -> int:
        return max(len(self.sessions) - 1, 0)

    @property
    def places_left(self) -> int:
        return self.event.places_left


@dataclass(frozen=True)
class DayEntry:
    """One session in the month grid, with its event's price for this visitor."""

    session: EventSession
    event: Event
    url: str
    price: str
    reason: str


def _where(sessions: list[EventSession]) -> str:
    venues = list(dict.fromkeys(s.venue.name for s in sessions if s.venue_id))
    online = any(not s.venue_id for s in sessions)
    if not venues:
        return "Online" if online else "Venue to be confirmed"
    return ", ".join(venues) + (" and online" if online else "")


def _entries(events, buyer: Buyer) -> list[CalendarEntry]:
    url = reverse("events:detail", args=["-slug-"])
    entries = []
    for event in events:
        sessions = list(event.sessions.all())
        quote = event_quote(event, buyer)
        entries.append(
            CalendarEntry(
                event=event,
                quote=quote,
                url=url.replace("-slug-", event.slug),
                price=format_gbp(quote.total),
                sessions=sessions,
                category_names=[c.name for c in event.categories.all()],
                where=_where(sessions),
                rule_tag="" if event.booking_rule == BookingRule.ANYONE else event.get_booking_rule_display(),
            )
        )
    return entries


def _buyer(request) -> Buyer:
    """Who this visitor buys for: the acting school (loaded once per request) or a guest."""
    return buyer_for(acting_school_for(request))


def _url_if_resolves(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _price_context(buyer: Buyer) -> dict:
    return {"buyer": buyer, "pricing_school": buyer.school}


@require_GET
def event_list(request):
    form = CalendarFilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    paginator = Paginator(event_list_for_calendar(filters=filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    buyer = _buyer(request)
    entries = _entries(page.object_list, buyer)
    return render(
        request,
        "events/list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)),
            "ellipsis": Paginator.ELLIPSIS,
            "entries": entries,
            **_price_context(buyer),
        },
    )


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@require_GET
def event_month(request):
    form = MonthFilterForm(request.GET)
    form.is_valid()
    month = form.month_shown()
    filters = form.filters()
    found = event_sessions_for_month(month=month, filters=filters, per_day=PER_DAY)
    buyer = _buyer(request)
    url = reverse("events:detail", args=["-slug-"])
    quotes: dict[int, LineQuote] = {}
    by_day: dict[dt.date, list[DayEntry]] = defaultdict(list)
    for session in found.first_of_each_day:
        event = session.event
        quote = quotes.get(event.pk) or quotes.setdefault(event.pk, event_quote(event, buyer))
        by_day[timezone.localtime(session.starts_at).date()].append(
            DayEntry(session, event, url.replace("-slug-", event.slug), format_gbp(quote.total), quote.reason)
        )
    weeks = [
        [
            {
                "day": day,
                "in_month": day.month == month.month,
                "entries": by_day.get(day, []) if day.month == month.month else [],
                "more": max(found.per_day.get(day, 0) - PER_DAY, 0) if day.month == month.month else 0,
            }
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]
    this_month = timezone.localdate().replace(day=1)
    previous = _add_months(month, -1)
    return render(
        request,
        "events/month.html",
        {
            "form": form,
            "filters": filters,
            "month": month,
            "weeks": weeks,
            "day_names": list(calendar.day_name),
            "event_count": found.event_count,
            "session_count": sum(found.per_day.values()),
            "previous_month": previous if previous >= this_month else None,
            "next_month": _add_months(month, 1),
            "today": timezone.localdate(),
            **_price_context(buyer),
        },
    )


def _feed_cache_key(request, form: CalendarFilterForm) -> str:
    """The feed's cache key: the filters, the host, the state of the events (any save, schedule
    change, new or deleted event changes it) and a five-minute window (events drop out of the
    feed as they start)."""
    state = Event.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    changed = state["changed"].timestamp() if state["changed"] else 0
    filters = sorted((k, v) for k, v in request.GET.items() if k in form.fields)
    window = int(time.time() // ICAL_CACHE_SECONDS)
    raw = f"{request.get_host()}|{filters}|{state['n']}|{changed}|{window}"
    return "events:ical:" + hashlib.sha256(raw.encode()).hexdigest()


@require_GET
def event_ical(request):
    form = CalendarFilterForm(request.GET)
    form.is_valid()
    key = _feed_cache_key(request, form)
    body = cache.get(key)
    if body is None:
        events = list(event_list_for_calendar(filters=form.filters())[:ICAL_MAX_EVENTS])
        host = urlsplit(settings.PORTAL_BASE_URL).hostname or "portal.invalid"
        detail = request.build_absolute_uri(reverse("events:detail", args=["-slug-"]))
        body = calendar_for(events, url_for=lambda event: detail.replace("-slug-", event.slug), host=host)
        cache.set(key, body, ICAL_CACHE_SECONDS * 2)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{settings.PORTAL_SHORT_NAME.lower()}-events.ics"'
    )
    return response


@require_GET
def event_detail(request, slug: str):
    try:
        event = event_get_for_page(slug=slug, user=request.user)
    except Event.DoesNotExist:
        raise Http404("No such event")
    buyer = _buyer(request)
    quote = event_quote(event, buyer)
    refusal = booking_refusal(event, user=request.user, buyer=buyer)
    get_ticket_url = None
    if refusal is None and not event.is_full:
        # The shop's Get Ticket page; hidden until that app provides it.
        get_ticket_url = _url_if_resolves("basket:get_ticket", event.slug)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "quote": quote,
            "refusal": refusal,
            "get_ticket_url": get_ticket_url,
            **_price_context(buyer),
        },
    )
