import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from events.models import EventSession
from events.services import event_sync_schedule
from events.tests.conftest import at
from events.tests.factories import CategoryFactory, EventFactory, SubjectFactory, VenueFactory

pytestmark = pytest.mark.django_db


def feed(client, **query):
    response = client.get(reverse("events:ical"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert ".ics" in response["Content-Disposition"]
    return icalendar.Calendar.from_ical(response.content)


def vevents(cal):
    return [c for c in cal.walk("VEVENT")]


def test_each_session_is_a_vevent_with_times_place_and_link(client, settings):
    settings.PORTAL_BASE_URL = "https://portal.hep.example"
    leaders = CategoryFactory(name="Leaders")
    venue = VenueFactory(
        name="HEP Training Centre", address="48 Station Road\nWood Green", postcode="N22 7TY"
    )
    course = EventFactory(
        title="Two-part course", summary="Plan together", with_session=False, categories=[leaders]
    )
    EventSession.objects.create(event=course, starts_at=at(5, 9), ends_at=at(5, 12), venue=venue)
    EventSession.objects.create(
        event=course, starts_at=at(12, 13), ends_at=at(12, 15), online_url="https://meet.example/secret"
    )
    event_sync_schedule(course)

    cal = feed(client)
    assert str(cal["X-WR-CALNAME"]) == "HEP professional learning"
    first, second = vevents(cal)
    assert str(first["SUMMARY"]) == "Two-part course (session 1 of 2)"
    assert str(second["SUMMARY"]) == "Two-part course (session 2 of 2)"
    assert first.decoded("DTSTART") == at(5, 9) and first.decoded("DTEND") == at(5, 12)
    assert second.decoded("DTSTART") == at(12, 13)
    assert str(first["LOCATION"]) == "HEP Training Centre, 48 Station Road Wood Green, N22 7TY"
    assert str(second["LOCATION"]) == "Online"
    assert str(first["UID"]).endswith("@portal.hep.example") and first["UID"] != second["UID"]
    assert str(first["URL"]) == f"http://testserver/events/{course.slug}/"
    assert "Plan together" in str(first["DESCRIPTION"])
    assert "joining link is sent to booked delegates" in str(second["DESCRIPTION"])
    assert "secret" not in client.get(reverse("events:ical")).content.decode()
    assert [str(c) for c in first["CATEGORIES"].cats] == ["Leaders"]


def test_the_feed_follows_the_filters_and_skips_drafts_and_past_events(client):
    maths = SubjectFactory(name="Maths", slug="maths")
    EventFactory(title="Maths one", subjects=[maths], starts_at=at(3))
    EventFactory(title="English one", starts_at=at(4))
    EventFactory(title="Maths draft", subjects=[maths], status="draft", starts_at=at(5))
    EventFactory(title="Maths last year", subjects=[maths], starts_at=at(-300))
    assert [str(v["SUMMARY"]) for v in vevents(feed(client))] == ["Maths one", "English one"]
    assert [str(v["SUMMARY"]) for v in vevents(feed(client, subject="maths"))] == ["Maths one"]
    assert [str(v["SUMMARY"]) for v in vevents(feed(client, q="english"))] == ["English one"]
    day = (at(4)).date().isoformat()
    assert [str(v["SUMMARY"]) for v in vevents(feed(client, **{"from": day}))] == ["English one"]


def test_the_feed_is_a_rolling_window(client, monkeypatch):
    from events import views

    monkeypatch.setattr(views, "ICAL_MAX_EVENTS", 3)
    for n in range(5):
        EventFactory(title=f"Event {n}", starts_at=at(2 + n))
    assert [str(v["SUMMARY"]) for v in vevents(feed(client))] == ["Event 0", "Event 1", "Event 2"]


def test_times_are_exact_instants_across_the_clock_change(client):
    # A 09:00 London session in summer is 08:00 UTC; the feed carries the instant, not a guess.
    today = dt.date.today()
    summer = dt.datetime(today.year + 1, 7, 1, 8, 0, tzinfo=dt.UTC)
    event = EventFactory(with_session=False, starts_at=summer)
    EventSession.objects.create(
        event=event, starts_at=summer, ends_at=summer + dt.timedelta(hours=1), venue=VenueFactory()
    )
    event_sync_schedule(event)
    [vevent] = vevents(feed(client))
    assert vevent.decoded("DTSTART") == summer


def test_the_feed_is_cached_until_an_event_changes(client, django_assert_num_queries):
    from events.services import event_save

    event = EventFactory(title="First title", starts_at=at(3))
    assert [str(v["SUMMARY"]) for v in vevents(feed(client))] == ["First title"]
    with django_assert_num_queries(3):  # filter lists and the state of the events; the body is cached
        assert [str(v["SUMMARY"]) for v in vevents(feed(client))] == ["First title"]
    event.title = "Renamed"
    event_save(event=event, actor=None)
    assert [str(v["SUMMARY"]) for v in vevents(feed(client))] == ["Renamed"]
    EventFactory(title="Added", starts_at=at(4))
    assert [str(v["SUMMARY"]) for v in vevents(feed(client))] == ["Renamed", "Added"]
