"""The calendar, the event page and the feed run a fixed number of queries whatever the
number of events, categories, subjects or sessions (an N+1 anywhere fails here)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import EventSession
from events.services import event_sync_schedule
from events.tests.conftest import give_package, make_package
from events.tests.factories import CategoryFactory, EventFactory, SubjectFactory, VenueFactory

pytestmark = pytest.mark.django_db


def _next_month() -> dt.date:
    return (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def seed(n: int, *, categories: int, subjects: int, sessions: int, tag: str):
    """`n` events in next month, each in every category/subject given and with `sessions` sessions."""
    cats = [CategoryFactory(name=f"{tag} category {i}", slug=f"{tag}-cat-{i}") for i in range(categories)]
    subs = [SubjectFactory(name=f"{tag} subject {i}", slug=f"{tag}-sub-{i}") for i in range(subjects)]
    month = _next_month()
    events = []
    for i in range(n):
        event = EventFactory(title=f"{tag} maths {i}", categories=cats, subjects=subs, with_session=False)
        for s in range(sessions):
            start = timezone.make_aware(
                dt.datetime.combine(month + dt.timedelta(days=(i + s * 7) % 27), dt.time(9))
            )
            EventSession.objects.create(
                event=event,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                venue=VenueFactory() if s % 2 == 0 else None,
                online_url="" if s % 2 == 0 else "https://meet.example/x",
            )
        event_sync_schedule(event)
        events.append(event)
    return events, cats, subs


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def urls(category, subject) -> list[str]:
    month = _next_month().strftime("%Y-%m")
    return [
        reverse("events:list"),
        reverse("events:list") + f"?category={category.slug}&subject={subject.slug}&q=maths",
        reverse("events:list") + "?page=2",
        reverse("events:month") + f"?month={month}",
        reverse("events:month") + f"?month={month}&category={category.slug}",
        reverse("events:ical"),
        reverse("events:ical") + f"?subject={subject.slug}",
    ]


@pytest.mark.parametrize("visitor", ["guest", "member"])
def test_calendar_and_feed_queries_do_not_grow_with_the_data(client, member_school, user_at, visitor):
    if visitor == "member":
        give_package(member_school, make_package())
        client.force_login(user_at(member_school))
    # 3 events, 1 category, 1 subject, 1 session each ...
    few, cats, subs = seed(3, categories=1, subjects=1, sessions=1, tag="few")
    # (page 2 needs more than a page: the same page count in both runs keeps the comparison fair)
    EventFactory.create_batch(20, title="filler", starts_at=timezone.now() + dt.timedelta(days=90))
    small = {url: count(client, url) for url in urls(cats[0], subs[0])}
    # ... then 30 more, in 5 categories and 4 subjects, with 3 sessions each.
    _, many_cats, many_subs = seed(30, categories=5, subjects=4, sessions=3, tag="many")
    for many_cat in many_cats:
        for event in few:
            event.categories.add(many_cat)
    large = {url: count(client, url) for url in urls(cats[0], subs[0])}
    assert large == small
    assert max(small.values()) <= 15, small


@pytest.mark.parametrize("visitor", ["guest", "member"])
def test_event_page_queries_do_not_grow_with_sessions_or_categories(client, member_school, user_at, visitor):
    if visitor == "member":
        give_package(member_school, make_package())
        client.force_login(user_at(member_school))
    [simple], _, _ = seed(1, categories=1, subjects=1, sessions=1, tag="simple")
    [big], _, _ = seed(1, categories=6, subjects=4, sessions=5, tag="big")
    big.booking_rule = "package"
    big.required_product = make_package("Another package")
    big.save()
    simple_count = count(client, reverse("events:detail", args=[simple.slug]))
    big_count = count(client, reverse("events:detail", args=[big.slug]))
    assert simple_count == big_count
    assert simple_count <= 12


def test_pricing_loads_the_buyer_once_per_page(client, member_school, user_at, django_assert_max_num_queries):
    """Pricing 30 events must not ask about membership 30 times."""
    client.force_login(user_at(member_school))
    seed(30, categories=1, subjects=1, sessions=1, tag="p")
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("events:list"))
    membership_queries = [q for q in ctx.captured_queries if "memberships_membership" in q["sql"]]
    assert len(membership_queries) == 1
