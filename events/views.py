"""The calendar (list and month), the event page and the iCal feed. Views parse the query,
call the selectors, price each event for this visitor once, and render."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.selectors import acting_school_for
from pricing.buyers import Buyer, buyer_for
from pricing.catalogue import event_quote
from pricing.quotes import LineQuote

from .eligibility import booking_refusal
from .forms import CalendarFilterForm, MonthFilterForm
from .ical import calendar_for
from .models import Event, EventSession
from .selectors import event_get_for_page, event_list_for_calendar, event_list_for_month

PAGE_SIZE = 20
# The feed is a rolling window: the soonest events matching the filters, so a subscription to
# the whole calendar stays small and quick to serve.
ICAL_MAX_EVENTS = 500


@dataclass(frozen=True)
class CalendarEntry:
    event: Event
    quote: LineQuote


@dataclass(frozen=True)
class DayEntry:
    session: EventSession
    event: Event
    quote: LineQuote


def _buyer(request) -> Buyer:
    """Who this visitor buys for: the acting school (loaded once per request) or a guest."""
    return buyer_for(acting_school_for(request))


def _url_if_resolves(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _price_context(request, buyer: Buyer) -> dict:
    return {"buyer": buyer, "pricing_school": buyer.school}


@require_GET
def event_list(request):
    form = CalendarFilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    paginator = Paginator(event_list_for_calendar(filters=filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    buyer = _buyer(request)
    entries = [CalendarEntry(event, event_quote(event, buyer)) for event in page.object_list]
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
            **_price_context(request, buyer),
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
    events = event_list_for_month(month=month, filters=form.filters())
    buyer = _buyer(request)
    by_day: dict[dt.date, list[DayEntry]] = defaultdict(list)
    for event in events:
        quote = event_quote(event, buyer)
        for session in event.sessions.all():
            day = timezone.localtime(session.starts_at).date()
            if (day.year, day.month) == (month.year, month.month):
                by_day[day].append(DayEntry(session, event, quote))
    weeks = [
        [
            {
                "day": day,
                "in_month": day.month == month.month,
                "entries": sorted(by_day.get(day, []), key=lambda e: (e.session.starts_at, e.event.pk))
                if day.month == month.month
                else [],
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
            "filters": form.filters(),
            "month": month,
            "weeks": weeks,
            "day_names": list(calendar.day_name),
            "session_count": sum(len(v) for v in by_day.values()),
            "event_count": len({e.event.pk for v in by_day.values() for e in v}),
            "previous_month": previous if previous >= this_month else None,
            "next_month": _add_months(month, 1),
            "today": timezone.localdate(),
            **_price_context(request, buyer),
        },
    )


@require_GET
def event_ical(request):
    form = CalendarFilterForm(request.GET)
    form.is_valid()
    events = list(event_list_for_calendar(filters=form.filters())[:ICAL_MAX_EVENTS])
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "portal.invalid"
    body = calendar_for(
        events,
        url_for=lambda event: request.build_absolute_uri(reverse("events:detail", args=[event.slug])),
        host=host,
    )
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
            **_price_context(request, buyer),
        },
    )
