import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import EventSession
from events.services import event_sync_schedule
from events.tests.conftest import at
from events.tests.factories import CategoryFactory, EventFactory, SubjectFactory, VenueFactory

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [entry.event.title for entry in response.context["entries"]]


@pytest.fixture
def catalogue():
    leaders = CategoryFactory(name="Leaders", slug="leaders")
    eyfs = CategoryFactory(name="Early Years", slug="early-years")
    maths = SubjectFactory(name="Maths", slug="maths")
    phonics = SubjectFactory(name="Phonics", slug="phonics")
    return {
        "leaders_maths": EventFactory(
            title="Leading maths",
            summary="Mastery across the school",
            starts_at=at(5),
            categories=[leaders],
            subjects=[maths],
        ),
        "leaders_phonics": EventFactory(
            title="Leading early reading",
            summary="Phonics for leaders",
            starts_at=at(12),
            categories=[leaders],
            subjects=[phonics],
        ),
        "eyfs_phonics": EventFactory(
            title="Phonics in Reception",
            summary="Practical phonics",
            starts_at=at(20),
            categories=[eyfs],
            subjects=[phonics],
        ),
        "eyfs_maths": EventFactory(
            title="Counting and number",
            summary="Maths in the early years",
            starts_at=at(40),
            categories=[eyfs],
            subjects=[maths],
        ),
    }


def test_lists_published_upcoming_events_soonest_first(client, catalogue):
    response = client.get(reverse("events:list"))
    assert response.status_code == 200
    assert titles(response) == [
        "Leading maths",
        "Leading early reading",
        "Phonics in Reception",
        "Counting and number",
    ]
    assert "4 events" in response.content.decode()


def test_drafts_cancelled_and_past_events_never_appear(client):
    EventFactory(title="Published one", starts_at=at(3))
    EventFactory(title="Still a draft", status="draft", starts_at=at(3))
    EventFactory(title="Called off", status="cancelled", starts_at=at(3))
    EventFactory(title="Last week", starts_at=at(-7))
    EventFactory(title="Started an hour ago", starts_at=timezone.now() - dt.timedelta(hours=1))
    for url in (reverse("events:list"), reverse("events:month"), reverse("events:ical")):
        body = client.get(url).content.decode()
        for hidden in ("Still a draft", "Called off", "Last week", "Started an hour ago"):
            assert hidden not in body, (url, hidden)
    assert "Published one" in client.get(reverse("events:list")).content.decode()


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"category": "leaders"}, ["Leading maths", "Leading early reading"]),
        ({"subject": "phonics"}, ["Leading early reading", "Phonics in Reception"]),
        ({"q": "phonics"}, ["Leading early reading", "Phonics in Reception"]),  # title or summary
        ({"q": "LEADING maths"}, ["Leading maths"]),  # every word, any case
        ({"q": "reception practical"}, ["Phonics in Reception"]),
        ({"category": "early-years", "subject": "maths"}, ["Counting and number"]),
        ({"category": "leaders", "subject": "phonics", "q": "reading"}, ["Leading early reading"]),
        ({"category": "leaders", "subject": "phonics", "q": "counting"}, []),
    ],
)
def test_filters_each_and_combined(client, catalogue, query, expected):
    response = client.get(reverse("events:list"), query)
    assert response.status_code == 200
    assert titles(response) == expected
    assert not response.context["form"].errors


def test_date_range_filters_by_london_start_day(client, catalogue):
    day = timezone.localdate()
    query = {
        "from": (day + dt.timedelta(days=12)).isoformat(),
        "to": (day + dt.timedelta(days=20)).isoformat(),
    }
    assert titles(client.get(reverse("events:list"), query)) == [
        "Leading early reading",
        "Phonics in Reception",
    ]
    # UK style dates work too; "to" alone, and combined with a category.
    uk = {"to": (day + dt.timedelta(days=12)).strftime("%d/%m/%Y"), "category": "leaders"}
    assert titles(client.get(reverse("events:list"), uk)) == ["Leading maths", "Leading early reading"]
    assert titles(client.get(reverse("events:list"), {"from": query["to"], "subject": "maths"})) == [
        "Counting and number"
    ]


def test_an_evening_event_counts_on_its_london_day(client):
    # 23:30 in London in summer is 22:30 UTC, and in winter 23:30 UTC: either way, its London day.
    event = EventFactory(title="Late governors' briefing", starts_at=at(30, 23, 30))
    day = timezone.localtime(event.starts_at).date().isoformat()
    assert titles(client.get(reverse("events:list"), {"from": day, "to": day})) == [
        "Late governors' briefing"
    ]


def test_invalid_filters_are_explained_and_the_valid_ones_still_apply(client, catalogue):
    response = client.get(
        reverse("events:list"), {"category": "no-such-thing", "from": "31/02/2027", "subject": "maths"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Choose a category from the list" in body
    assert "Enter the ‘starting from’ date as a real date" in body
    assert 'href="#id_category"' in body  # the summary links to the field
    assert titles(response) == ["Leading maths", "Counting and number"]  # the subject still applies


def test_to_before_from_is_refused(client, catalogue):
    day = timezone.localdate()
    response = client.get(
        reverse("events:list"),
        {"from": (day + dt.timedelta(days=30)).isoformat(), "to": (day + dt.timedelta(days=2)).isoformat()},
    )
    assert "must be the same as or after" in response.content.decode()
    assert titles(response) == ["Counting and number"]


def test_filtered_view_is_a_shareable_url(client, catalogue):
    body = client.get(reverse("events:list"), {"category": "leaders", "subject": "maths"}).content.decode()
    # The form is GET, and the view links keep the filters.
    assert '<form method="get" action="/events/"' in body
    assert 'href="/events/month/?category=leaders&amp;subject=maths"' in body
    assert 'href="/events/calendar.ics?category=leaders&amp;subject=maths"' in body
    assert '<option value="leaders" selected>' in body


def test_pagination_keeps_filters_and_pages_through_everything(client):
    category = CategoryFactory(name="Leaders", slug="leaders")
    for n in range(45):
        EventFactory(title=f"Leaders' forum {n:02d}", starts_at=at(2 + n), categories=[category])
    EventFactory(title="Another audience", starts_at=at(1))
    seen = []
    for page in (1, 2, 3):
        response = client.get(reverse("events:list"), {"category": "leaders", "page": page})
        seen += titles(response)
        if page == 1:
            body = response.content.decode()
            assert 'class="govuk-pagination"' in body
            assert 'href="?category=leaders&amp;page=2" rel="next"' in body
            assert "45 events match your filters" in body
    assert seen == [f"Leaders' forum {n:02d}" for n in range(45)]
    # A page number out of range shows the last page rather than an error.
    assert titles(client.get(reverse("events:list"), {"category": "leaders", "page": 99})) == [
        f"Leaders' forum {n:02d}" for n in range(40, 45)
    ]


def test_each_entry_shows_dates_venue_places_and_the_guest_price(client):
    venue = VenueFactory(name="HEP Training Centre")
    EventFactory(
        title="At a venue",
        starts_at=at(3, 9),
        ends_at=at(3, 12),
        capacity=20,
        non_member_price=Decimal("80"),
        with_session=False,
    )
    event = EventFactory._meta.model.objects.get(title="At a venue")
    EventSession.objects.create(event=event, starts_at=event.starts_at, ends_at=event.ends_at, venue=venue)
    event.places_taken = 5
    event.save()
    full = EventFactory(title="No room", starts_at=at(4), capacity=10)
    full.places_taken = 10
    full.save()
    online = EventFactory(title="Webinar", starts_at=at(5), with_session=False)
    EventSession.objects.create(
        event=online, starts_at=at(5, 16), ends_at=at(5, 17), online_url="https://meet.example/secret-room"
    )
    event_sync_schedule(online)
    body = client.get(reverse("events:list")).content.decode()
    assert "HEP Training Centre" in body
    assert "15 places left" in body
    assert "Fully booked" in body
    assert "£80.00</span> per delegate" in body and "Non-member price" in body
    assert "Online" in body
    assert timezone.localtime(event.starts_at).strftime("%-d %B %Y, 09:00") in body
    assert "secret-room" not in body


def test_a_member_school_sees_member_prices(client, member_school, user_at):
    EventFactory(
        title="Priced", starts_at=at(3), member_price=Decimal("45.50"), non_member_price=Decimal("70")
    )
    client.force_login(user_at(member_school))
    response = client.get(reverse("events:list"))
    [entry] = response.context["entries"]
    assert (entry.quote.total, entry.quote.reason) == (Decimal("45.50"), "Member price")
    body = response.content.decode()
    assert "£45.50</span> per delegate" in body
    assert "Prices shown are for Noel Park Primary School (a partnership member)" in body


def test_a_school_outside_membership_sees_non_member_prices(client, other_school, user_at):
    EventFactory(
        title="Priced", starts_at=at(3), member_price=Decimal("45.50"), non_member_price=Decimal("70")
    )
    client.force_login(user_at(other_school))
    [entry] = client.get(reverse("events:list")).context["entries"]
    assert (entry.quote.total, entry.quote.reason) == (Decimal("70.00"), "Non-member price")


# --- Month view -----------------------------------------------------------------------------


def _next_month() -> dt.date:
    first = timezone.localdate().replace(day=1)
    return (first + dt.timedelta(days=32)).replace(day=1)


def test_month_view_places_each_session_on_its_day(client):
    month = _next_month()
    leaders = CategoryFactory(name="Leaders", slug="leaders")
    course = EventFactory(
        title="Two-part course", with_session=False, categories=[leaders], starts_at=timezone.now()
    )
    venue = VenueFactory(name="Civic Centre")
    for day in (3, 17):
        start = timezone.make_aware(dt.datetime.combine(month.replace(day=day), dt.time(9)))
        EventSession.objects.create(
            event=course, starts_at=start, ends_at=start + dt.timedelta(hours=3), venue=venue
        )
    event_sync_schedule(course)
    EventFactory(
        title="Other audience",
        starts_at=timezone.make_aware(dt.datetime.combine(month.replace(day=10), dt.time(13))),
    )
    EventFactory(
        title="Following month",
        starts_at=timezone.make_aware(
            dt.datetime.combine((month + dt.timedelta(days=40)).replace(day=2), dt.time(9))
        ),
    )

    response = client.get(reverse("events:month"), {"month": month.strftime("%Y-%m")})
    assert response.status_code == 200
    days = {
        cell["day"].day: [e.event.title for e in cell["entries"]]
        for week in response.context["weeks"]
        for cell in week
        if cell["in_month"] and cell["entries"]
    }
    assert days == {3: ["Two-part course"], 10: ["Other audience"], 17: ["Two-part course"]}
    body = response.content.decode()
    assert month.strftime("%B %Y") in body
    assert "2 events in" in body
    assert "Civic Centre" in body and "£80.00" in body and "20 places left" in body
    assert "Following month" not in body

    filtered = client.get(reverse("events:month"), {"month": month.strftime("%Y-%m"), "category": "leaders"})
    assert {e.event.title for w in filtered.context["weeks"] for c in w for e in c["entries"]} == {
        "Two-part course"
    }
    assert f'name="month" value="{month:%Y-%m}"' in filtered.content.decode()  # the form keeps the month


def test_month_view_defaults_to_this_month_and_links_to_the_next(client):
    this_month = timezone.localdate().replace(day=1)
    response = client.get(reverse("events:month"))
    assert response.context["month"] == this_month
    assert response.context["previous_month"] is None  # nothing to see in the past
    assert f"month={_next_month():%Y-%m}" in response.content.decode()


def test_month_view_explains_a_bad_month(client):
    response = client.get(reverse("events:month"), {"month": "2027-13"})
    assert response.status_code == 200
    assert "Enter the month as year and month, for example 2027-01" in response.content.decode()
    assert response.context["month"] == timezone.localdate().replace(day=1)


def test_a_busy_day_shows_three_and_links_to_the_rest(client):
    month = _next_month()
    busy = month.replace(day=8)
    for hour in (9, 10, 11, 13, 15):
        EventFactory(
            title=f"At {hour}", starts_at=timezone.make_aware(dt.datetime.combine(busy, dt.time(hour)))
        )
    response = client.get(reverse("events:month"), {"month": month.strftime("%Y-%m"), "q": "at"})
    [cell] = [c for w in response.context["weeks"] for c in w if c["day"] == busy]
    assert [e.event.title for e in cell["entries"]] == ["At 9", "At 10", "At 11"]
    assert cell["more"] == 2
    assert response.context["event_count"] == 5
    body = response.content.decode()
    assert f'href="/events/?q=at&amp;from={busy:%Y-%m-%d}&amp;to={busy:%Y-%m-%d}">2 more' in body
    # The link leads to that day's events in the list.
    listed = client.get(reverse("events:list"), {"q": "at", "from": busy.isoformat(), "to": busy.isoformat()})
    assert titles(listed) == ["At 9", "At 10", "At 11", "At 13", "At 15"]
