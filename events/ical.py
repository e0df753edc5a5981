"""iCalendar (RFC 5545) for events: one VEVENT per session. The public feed never carries an
online joining link; a delegate's ticket (sent only to booked delegates) may ask for it."""

from __future__ import annotations

from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.utils import timezone

from .models import Event, EventSession


def session_vevent(
    event: Event, session: EventSession, *, event_url: str, host: str, include_online_url: bool = False
) -> icalendar.Event:
    sessions = event.sessions.all()
    count = len(sessions)
    vevent = icalendar.Event()
    vevent.add("uid", f"event-{event.pk}-session-{session.pk}@{host}")
    vevent.add("dtstamp", event.updated_at or timezone.now())
    vevent.add("dtstart", session.starts_at)
    vevent.add("dtend", session.ends_at)
    title = event.title
    if count > 1:
        number = next((n for n, s in enumerate(sessions, start=1) if s.pk == session.pk), 1)
        title = f"{title} (session {number} of {count})"
    vevent.add("summary", title)
    if session.venue_id:
        venue = session.venue
        vevent.add(
            "location",
            ", ".join(p for p in [venue.name, " ".join(venue.address.split()), venue.postcode] if p),
        )
    else:
        vevent.add("location", "Online")
    lines = [event.summary] if event.summary else []
    if not session.venue_id:
        if include_online_url and session.online_url:
            lines.append(f"Join online: {session.online_url}")
        else:
            lines.append("Online: the joining link is sent to booked delegates.")
    lines.append(f"Details and booking: {event_url}")
    vevent.add("description", "\n".join(lines))
    vevent.add("url", event_url)
    vevent.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    vevent.add("categories", [c.name for c in event.categories.all()] or ["Professional learning"])
    return vevent


def calendar_for(
    events: Iterable[Event], *, url_for, host: str, name: str | None = None, include_online_url: bool = False
) -> bytes:
    """The events' sessions as an .ics file. `url_for(event)` gives the absolute URL of its page.
    Events need their sessions (with venues) and categories prefetched."""
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{settings.PORTAL_SHORT_NAME}//Partnership portal//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name or f"{settings.PORTAL_SHORT_NAME} professional learning")
    for event in events:
        event_url = url_for(event)
        for session in event.sessions.all():
            cal.add_component(
                session_vevent(
                    event, session, event_url=event_url, host=host, include_online_url=include_online_url
                )
            )
    return cal.to_ical()
