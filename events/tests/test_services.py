import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from events.models import Event, EventSession
from events.richtext import sanitise_html
from events.services import event_copy_to_date, event_save, event_sync_schedule
from events.tests.conftest import at
from events.tests.factories import CategoryFactory, EventFactory, SubjectFactory, VenueFactory
from portal.errors import InvalidInput

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    "dirty, clean",
    [
        ("<p>Hi <script>alert(1)</script>there</p>", "<p>Hi there</p>"),
        ('<p onclick="x()" style="color:red" class="big">Text</p>', "<p>Text</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        (
            '<a href="https://hep.example" title="t" target="_blank">x</a>',
            '<a href="https://hep.example" rel="noopener noreferrer">x</a>',
        ),
        (
            "<h1>Big</h1><h2>Two</h2><h3>Three</h3><h4>Four</h4><h5>Five</h5>",
            "Big<h2>Two</h2><h3>Three</h3><h4>Four</h4>Five",
        ),
        (
            "<ul><li><strong>a</strong></li></ul><ol><li><em>b</em></li></ol>line<br>break",
            "<ul><li><strong>a</strong></li></ul><ol><li><em>b</em></li></ol>line<br>break",
        ),
        ('<img src="x" onerror="alert(1)"><iframe src="https://evil"></iframe><style>p{}</style>ok', "ok"),
        ("<!-- note --><table><tr><td>cell</td></tr></table>", "cell"),
        ("", ""),
    ],
)
def test_sanitise_keeps_only_the_allowed_subset(dirty, clean):
    assert sanitise_html(dirty) == clean


def test_event_save_sanitises_the_description():
    event = EventFactory.build(description="<p>Safe</p><script>steal()</script>")
    event_save(event=event, actor=StaffFactory())
    event.refresh_from_db()
    assert event.description == "<p>Safe</p>"


def test_event_save_refuses_capacity_below_places_taken_and_never_overwrites_places_taken():
    event = EventFactory(capacity=20)
    Event.objects.filter(pk=event.pk).update(places_taken=12)  # a booking, after staff opened the form
    event.capacity = 11
    with pytest.raises(InvalidInput, match="lower than the 12 places already taken"):
        event_save(event=event, actor=StaffFactory())
    event.capacity = 12
    event.title = "Renamed"
    event_save(event=event, actor=StaffFactory())  # the stale places_taken=0 in memory is not written
    event.refresh_from_db()
    assert (event.title, event.capacity, event.places_taken) == ("Renamed", 12, 12)


def test_the_database_refuses_overselling_as_the_last_guard():
    event = EventFactory(capacity=2)
    with pytest.raises(IntegrityError):
        Event.objects.filter(pk=event.pk).update(places_taken=3)


def test_sessions_must_end_after_they_start_in_the_database_too():
    event = EventFactory()
    with pytest.raises(IntegrityError):
        EventSession.objects.create(event=event, starts_at=at(3, 10), ends_at=at(3, 9), venue=VenueFactory())


def test_sync_schedule_follows_the_sessions():
    event = EventFactory(with_session=False, starts_at=None, ends_at=None)
    event_sync_schedule(event)
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at, event.is_online) == (None, None, False)

    EventSession.objects.create(
        event=event, starts_at=at(10, 13), ends_at=at(10, 15), online_url="https://m.example/1"
    )
    event_sync_schedule(event)
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at, event.is_online) == (at(10, 13), at(10, 15), True)

    EventSession.objects.create(event=event, starts_at=at(3, 9), ends_at=at(3, 12), venue=VenueFactory())
    event_sync_schedule(event)
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at, event.is_online) == (at(3, 9), at(10, 15), False)


def test_sync_schedule_does_not_touch_places_taken():
    event = EventFactory(capacity=10)
    Event.objects.filter(pk=event.pk).update(places_taken=7)
    event_sync_schedule(event)  # the in-memory event still says 0
    event.refresh_from_db()
    assert event.places_taken == 7


def test_copy_to_a_new_date_shifts_every_session_and_starts_as_an_empty_draft():
    leaders, maths = CategoryFactory(name="Leaders"), SubjectFactory(name="Maths")
    event = EventFactory(
        title="Leading maths",
        with_session=False,
        categories=[leaders],
        subjects=[maths],
        description="<p>Same text</p>",
        capacity=25,
        booking_cutoff=at(9, 17),
        max_delegates_per_booking=3,
    )
    venue = VenueFactory()
    EventSession.objects.create(event=event, starts_at=at(10, 9), ends_at=at(10, 12), venue=venue)
    EventSession.objects.create(
        event=event, starts_at=at(17, 13, 30), ends_at=at(17, 16), online_url="https://m.example/x"
    )
    event_sync_schedule(event)
    Event.objects.filter(pk=event.pk).update(places_taken=20)
    event.refresh_from_db()

    new_day = timezone.localdate() + dt.timedelta(days=40)
    copy = event_copy_to_date(event=event, starts_on=new_day, actor=StaffFactory())
    copy.refresh_from_db()
    assert copy.pk != event.pk and copy.slug != event.slug
    assert copy.slug == f"leading-maths-{new_day:%Y%m%d}"
    assert (copy.status, copy.places_taken, copy.capacity, copy.max_delegates_per_booking) == (
        "draft",
        0,
        25,
        3,
    )
    assert (copy.title, copy.description, copy.member_price, copy.invoicing_body_id) == (
        event.title,
        event.description,
        event.member_price,
        event.invoicing_body_id,
    )
    assert list(copy.categories.all()) == [leaders] and list(copy.subjects.all()) == [maths]
    sessions = list(copy.sessions.order_by("starts_at"))
    local = [timezone.localtime(s.starts_at) for s in sessions]
    assert [d.date() for d in local] == [new_day, new_day + dt.timedelta(days=7)]
    assert [d.strftime("%H:%M") for d in local] == ["09:00", "13:30"]
    assert [timezone.localtime(s.ends_at).strftime("%H:%M") for s in sessions] == ["12:00", "16:00"]
    assert (sessions[0].venue_id, sessions[1].online_url) == (venue.pk, "https://m.example/x")
    assert copy.starts_at == sessions[0].starts_at and copy.ends_at == sessions[1].ends_at
    assert timezone.localtime(copy.booking_cutoff) == timezone.localtime(event.booking_cutoff) + dt.timedelta(
        days=30
    )
    # The original is untouched.
    event.refresh_from_db()
    assert (event.places_taken, event.sessions.count(), event.status) == (20, 2, "published")
    # Copying again to the same day gives another unique slug.
    again = event_copy_to_date(event=event, starts_on=new_day, actor=StaffFactory())
    assert again.slug == f"leading-maths-{new_day:%Y%m%d}-2"


def test_copy_keeps_local_times_across_the_clock_change():
    # 09:00 in winter (GMT) copied into summer (BST) is still 09:00 in London, not 10:00.
    winter = dt.datetime(2027, 1, 12, 9, 0, tzinfo=LONDON)
    event = EventFactory(with_session=False)
    EventSession.objects.create(
        event=event, starts_at=winter, ends_at=winter + dt.timedelta(hours=2), venue=VenueFactory()
    )
    event_sync_schedule(event)
    with time_machine_at(dt.datetime(2026, 12, 1, tzinfo=LONDON)):
        copy = event_copy_to_date(event=event, starts_on=dt.date(2027, 6, 15), actor=StaffFactory())
    session = copy.sessions.get()
    assert session.starts_at == dt.datetime(2027, 6, 15, 9, 0, tzinfo=LONDON)
    assert session.starts_at.astimezone(dt.UTC).hour == 8


def time_machine_at(when):
    import time_machine

    return time_machine.travel(when, tick=False)


def test_copy_refuses_a_date_in_the_past_or_an_event_without_sessions():
    event = EventFactory()
    with pytest.raises(InvalidInput, match="from today onwards"):
        event_copy_to_date(
            event=event, starts_on=timezone.localdate() - dt.timedelta(days=1), actor=StaffFactory()
        )
    empty = EventFactory(with_session=False)
    with pytest.raises(InvalidInput, match="no sessions"):
        event_copy_to_date(event=empty, starts_on=timezone.localdate(), actor=StaffFactory())
    assert Event.objects.count() == 2
