from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import Event, EventSession, EventStatus


def event_list_upcoming(*, limit: int | None = None) -> QuerySet[Event]:
    """Published events that have not started, soonest first, with what a listing shows."""
    qs = (
        Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__gte=timezone.now())
        .prefetch_related(
            "categories",
            Prefetch("sessions", queryset=EventSession.objects.select_related("venue")),
        )
        .order_by("starts_at", "id")
    )
    return qs[:limit] if limit else qs


def event_get_published(*, slug: str) -> Event:
    return (
        Event.objects.filter(status=EventStatus.PUBLISHED)
        .prefetch_related(
            "categories",
            "subjects",
            Prefetch("sessions", queryset=EventSession.objects.select_related("venue")),
        )
        .get(slug=slug)
    )
