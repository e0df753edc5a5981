"""Every write to events from the back office: saving an event (sanitised, capacity checked under
a lock), keeping its schedule in step with its sessions, and copying it to a new date.

Places taken are never written here: the booking services own that counter."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.audit import audit_record
from portal.errors import InvalidInput

from .models import Event, EventSession, EventStatus
from .richtext import sanitise_html

# Written by event_sync_schedule (from the sessions) or the booking services, never by a form.
_NOT_SAVED_FROM_FORMS = {"id", "places_taken", "starts_at", "ends_at", "is_online", "created_at"}
# Not carried over by a copy: a copy is a new, unpublished event with nobody booked.
_NOT_COPIED = _NOT_SAVED_FROM_FORMS | {"slug", "status", "booking_cutoff", "updated_at"}


def capacity_problem(*, capacity: int, places_taken: int) -> str | None:
    """Why `capacity` is not acceptable for an event with `places_taken` places taken, if it is not."""
    if capacity < places_taken:
        return (
            f"Capacity cannot be lower than the {places_taken} place{'s' if places_taken != 1 else ''} "
            "already taken. Cancel bookings first, or choose a capacity of at least "
            f"{places_taken}."
        )
    return None


def event_save(*, event: Event, actor) -> Event:
    """Create or update an event as staff entered it: the description is sanitised; on update the
    row is locked so the capacity is checked against the places taken right now, and the places
    taken (changed meanwhile by bookings) are never overwritten with a stale value."""
    event.description = sanitise_html(event.description)
    with transaction.atomic():
        if event.pk is None:
            event.places_taken = 0
            event.save()
            return event
        taken, capacity_before = (
            Event.objects.select_for_update().values_list("places_taken", "capacity").get(pk=event.pk)
        )
        problem = capacity_problem(capacity=event.capacity, places_taken=taken)
        if problem:
            raise InvalidInput(problem, code="capacity_below_places_taken")
        event.places_taken = taken
        event.save(
            update_fields=[f.name for f in Event._meta.concrete_fields if f.name not in _NOT_SAVED_FROM_FORMS]
        )
        if event.capacity != capacity_before:
            audit_record(
                "event.capacity_changed",
                actor=actor,
                target=event,
                detail={"from": capacity_before, "to": event.capacity, "places_taken": taken},
            )
    return event


def event_sync_schedule(event: Event) -> Event:
    """Set the event's starts_at, ends_at and is_online from its sessions (the calendar filters on
    them). Online means every session is online. One aggregate query and one update."""
    schedule = EventSession.objects.filter(event=event).aggregate(
        first=Min("starts_at"),
        last=Max("ends_at"),
        sessions=Count("pk"),
        at_a_venue=Count("pk", filter=Q(venue__isnull=False)),
    )
    event.starts_at = schedule["first"]
    event.ends_at = schedule["last"]
    event.is_online = bool(schedule["sessions"]) and schedule["at_a_venue"] == 0
    event.updated_at = timezone.now()  # the feed's cache key notices the change
    Event.objects.filter(pk=event.pk).update(
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        is_online=event.is_online,
        updated_at=event.updated_at,
    )
    return event


def _shift(value: dt.datetime, days: int) -> dt.datetime:
    """`value` moved by whole days, keeping its wall-clock time in London across clock changes."""
    local = timezone.localtime(value)
    return timezone.make_aware(local.replace(tzinfo=None) + dt.timedelta(days=days))


def _unique_slug(title: str, day: dt.date) -> str:
    base = f"{slugify(title)[:200].rstrip('-') or 'event'}-{day:%Y%m%d}"
    taken = set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def event_copy_to_date(*, event: Event, starts_on: dt.date, actor) -> Event:
    """A draft copy of `event` whose first session is on `starts_on`: every session (and the
    booking cut-off) moves by the same number of days at the same local times; categories,
    subjects, prices, capacity and rules are kept; nobody is booked on it."""
    sessions = list(EventSession.objects.filter(event=event).order_by("starts_at", "id"))
    if not sessions:
        raise InvalidInput("This event has no sessions, so there is no date to move. Add a session first.")
    if starts_on < timezone.localdate():
        raise InvalidInput("Choose a new start date from today onwards.", code="date_in_past")
    days = (starts_on - timezone.localtime(sessions[0].starts_at).date()).days
    with transaction.atomic():
        copy = Event(
            **{
                f.attname: getattr(event, f.attname)
                for f in Event._meta.concrete_fields
                if f.name not in _NOT_COPIED
            }
        )
        copy.slug = _unique_slug(event.title, starts_on)
        copy.status = EventStatus.DRAFT
        copy.places_taken = 0
        copy.booking_cutoff = _shift(event.booking_cutoff, days) if event.booking_cutoff else None
        copy.description = sanitise_html(copy.description)
        copy.save()
        copy.categories.set(event.categories.all())
        copy.subjects.set(event.subjects.all())
        EventSession.objects.bulk_create(
            EventSession(
                event=copy,
                starts_at=_shift(s.starts_at, days),
                ends_at=_shift(s.ends_at, days),
                venue_id=s.venue_id,
                online_url=s.online_url,
            )
            for s in sessions
        )
        event_sync_schedule(copy)
        audit_record(
            "event.copied",
            actor=actor,
            target=copy,
            detail={"copied_from": event.pk, "copied_from_title": event.title, "starts_on": starts_on},
        )
    return copy
