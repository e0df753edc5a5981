"""Demo events beyond portal.demo's term of events, so `make run` shows every booking rule on
the event page: an event for holders of a package and one that was cancelled. Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def load_calendar_extras(ctx: dict) -> None:
    from billing.models import InvoicingBody
    from catalogue.models import Product
    from events.models import Category, Event, EventSession, Subject, Venue
    from events.services import event_sync_schedule

    hep = InvoicingBody.objects.get(code="hep")
    package = Product.objects.filter(slug="professional-learning-package").first()
    venue = Venue.objects.order_by("name").first()
    day = timezone.localdate() + dt.timedelta(days=24)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    extras = [
        dict(
            slug="package-holders-leadership-conference",
            title="Leadership conference for package schools",
            summary="A day for leaders of schools holding the Professional Learning package.",
            description=(
                "<h2>The day</h2><p>Keynotes and workshops on <strong>curriculum leadership</strong>."
                "</p><ul><li>Morning: keynote and panel</li><li>Afternoon: workshops</li></ul>"
                '<p>More about the package on <a href="/packages/">the packages page</a>.</p>'
            ),
            booking_rule="package" if package else "members",
            required_product=package,
            status="published",
            category="leaders",
            subject="curriculum",
            day=day,
            online=False,
        ),
        dict(
            slug="cancelled-assessment-network",
            title="Assessment network (cancelled)",
            summary="This network meeting will not take place; a new date will follow.",
            description="<p>We are sorry: this meeting has been cancelled.</p>",
            booking_rule="anyone",
            required_product=None,
            status="cancelled",
            category="middle-leaders",
            subject="assessment",
            day=day + dt.timedelta(days=3),
            online=True,
        ),
    ]
    for extra in extras:
        event, created = Event.objects.get_or_create(
            slug=extra["slug"],
            defaults=dict(
                title=extra["title"],
                summary=extra["summary"],
                description=extra["description"],
                capacity=80,
                member_price=Decimal("0.00"),
                non_member_price=Decimal("150.00"),
                booking_rule=extra["booking_rule"],
                required_product=extra["required_product"],
                status=extra["status"],
                invoicing_body=hep,
            ),
        )
        if not created:
            continue
        event.categories.set(Category.objects.filter(slug=extra["category"]))
        event.subjects.set(Subject.objects.filter(slug=extra["subject"]))
        starts = dt.datetime.combine(extra["day"], dt.time(9, 30), tzinfo=LONDON)
        EventSession.objects.create(
            event=event,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=6),
            venue=None if extra["online"] else venue,
            online_url="https://meet.example/hep-assessment-network" if extra["online"] else "",
        )
        event_sync_schedule(event)
