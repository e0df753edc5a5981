"""Seed a large calendar into the database named by DATABASE_URL (a separate, throwaway one):
`python -m bench.seed --events 10000`. Prints one JSON line describing what the measurements
should ask for (a busy month, an event slug, filters, a member's session cookie)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from billing.models import InvoicingBody  # noqa: E402
from events.models import Category, Event, EventSession, Subject, Venue  # noqa: E402
from memberships.models import Membership  # noqa: E402
from memberships.years import membership_year_for, year_start  # noqa: E402
from schools.models import School  # noqa: E402

CATEGORIES = [
    ("Early Career Teachers / NQTs", False),
    ("Leaders", False),
    ("Middle Leaders", False),
    ("Governors & Clerks", True),
    ("Early Years", False),
    ("SEND", False),
    ("Teaching Assistants", False),
    ("School Business Managers", False),
    ("Headteachers", False),
    ("Designated Safeguarding Leads", False),
    ("Subject Leaders", False),
    ("Trainee Teachers", False),
]
SUBJECTS = [
    "English",
    "Maths",
    "Science",
    "History",
    "Geography",
    "Art",
    "Music",
    "PE",
    "Computing",
    "Phonics",
    "Safeguarding",
    "Wellbeing",
    "Curriculum",
    "Assessment",
    "Languages",
    "RE",
    "PSHE",
    "Design and Technology",
    "Drama",
    "Oracy",
    "Reading",
    "Writing",
    "Attendance",
    "Behaviour",
    "Inclusion",
]
WORDS = ["practical", "network", "briefing", "masterclass", "conference", "workshop", "forum", "course"]


def seed(n_events: int, *, seed_value: int = 20261204) -> dict:
    rng = random.Random(seed_value)
    now = timezone.now()
    hep = InvoicingBody.objects.get(code="hep")
    lbh = InvoicingBody.objects.get(code="lbh")
    with transaction.atomic():
        categories = [
            Category.objects.get_or_create(
                slug=f"bench-{i}", defaults={"name": name, "is_governor_training": governor}
            )[0]
            for i, (name, governor) in enumerate(CATEGORIES)
        ]
        subjects = [
            Subject.objects.get_or_create(slug=f"bench-{i}", defaults={"name": name})[0]
            for i, name in enumerate(SUBJECTS)
        ]
        venues = Venue.objects.bulk_create(
            Venue(name=f"Venue {i}", address=f"{i} High Road\nLondon", postcode=f"N{i % 22 + 1} 1AA")
            for i in range(40)
        )
        events, sessions_for = [], []
        for i in range(n_events):
            roll = rng.random()
            status = "published"
            if roll < 0.03:
                status = "draft"
            elif roll < 0.05:
                status = "cancelled"
            # Most events ahead (over two years), a tenth already past.
            days = rng.randint(-180, -1) if rng.random() < 0.10 else rng.randint(1, 730)
            day = timezone.localdate() + dt.timedelta(days=days)
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.choice([9, 9, 13, 16]), 0)))
            length = dt.timedelta(hours=rng.choice([2, 3]))
            count = rng.choice([1, 1, 1, 2, 3])
            online = rng.random() < 0.2
            sessions = [
                (start + dt.timedelta(days=7 * s), start + dt.timedelta(days=7 * s) + length, online)
                for s in range(count)
            ]
            capacity = rng.choice([12, 20, 25, 30, 40, 60])
            member_price = Decimal(rng.choice([0, 45, 60, 75, 95, 120]))
            subject = rng.choice(SUBJECTS)
            category = rng.randrange(len(categories))
            events.append(
                Event(
                    title=f"{subject} {rng.choice(WORDS)} for {CATEGORIES[category][0].lower()} #{i}",
                    slug=f"bench-event-{i}",
                    summary=f"A {rng.choice(WORDS)} on {subject.lower()}.",
                    description=f"<p>About {subject.lower()}.</p><ul><li>Evidence</li><li>Planning</li></ul>",
                    capacity=capacity,
                    places_taken=rng.randint(0, capacity),
                    member_price=member_price,
                    non_member_price=member_price * Decimal("1.5") + 25,
                    booking_rule=rng.choice(["anyone"] * 6 + ["members", "haringey"]),
                    status=status,
                    invoicing_body=lbh if CATEGORIES[category][0] in ("Early Years", "SEND") else hep,
                    # As events.services.event_sync_schedule would set them from the sessions.
                    starts_at=sessions[0][0],
                    ends_at=sessions[-1][1],
                    is_online=online,
                )
            )
            sessions_for.append((sessions, category))
        events = Event.objects.bulk_create(events, batch_size=1000)
        EventSession.objects.bulk_create(
            (
                EventSession(
                    event=event,
                    starts_at=s_start,
                    ends_at=s_end,
                    venue=None if online else venues[(event.pk or 0) % len(venues)],
                    online_url=f"https://meet.example/{event.slug}" if online else "",
                )
                for event, (sessions, _) in zip(events, sessions_for, strict=True)
                for s_start, s_end, online in sessions
            ),
            batch_size=2000,
        )
        category_links, subject_links = [], []
        for event, (_, category) in zip(events, sessions_for, strict=True):
            chosen = {category} | ({rng.randrange(len(categories))} if rng.random() < 0.3 else set())
            category_links += [
                Event.categories.through(event_id=event.pk, category_id=categories[c].pk) for c in chosen
            ]
            subject_links += [
                Event.subjects.through(event_id=event.pk, subject_id=s.pk)
                for s in rng.sample(subjects, rng.choice([1, 1, 2, 3]))
            ]
        Event.categories.through.objects.bulk_create(category_links, batch_size=5000)
        Event.subjects.through.objects.bulk_create(subject_links, batch_size=5000)

        school = School.objects.create(
            name="Bench Member Primary School", phase="primary", local_authority="haringey", urn="999001"
        )
        year = membership_year_for(timezone.localdate())
        Membership.objects.create(
            school=school,
            year=year,
            membership_type="full",
            status="active",
            price=Decimal("1000.00"),
            starts_on=year_start(year),
        )
        user = User.objects.create_user(
            "bench-member@bench.example",
            None,
            full_name="Bench member",
            role="business_manager",
            school=school,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a long-running database would have
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()

    # What to ask for: a busy month, a popular category and subject, an upcoming multi-session event.
    upcoming = Event.objects.filter(status="published", starts_at__gte=now)
    months: dict[str, int] = {}
    for starts in upcoming.values_list("starts_at", flat=True):
        key = timezone.localtime(starts).strftime("%Y-%m")
        months[key] = months.get(key, 0) + 1
    busiest = max(months, key=months.get)
    event = upcoming.filter(sessions__venue__isnull=False).order_by("starts_at").distinct().first()
    return {
        "events": Event.objects.count(),
        "published_upcoming": upcoming.count(),
        "sessions": EventSession.objects.count(),
        "categories": Category.objects.count(),
        "subjects": Subject.objects.count(),
        "month": busiest,
        "month_events": months[busiest],
        "event_slug": event.slug,
        "category": categories[1].slug,
        "subject": subjects[1].slug,
        "session_cookie": f"sessionid={session.session_key}",
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(seed(args.events)))
