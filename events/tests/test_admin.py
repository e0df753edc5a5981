import datetime as dt

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from events.models import Event, EventSession
from events.tests.conftest import at, make_package
from events.tests.factories import CategoryFactory, EventFactory, VenueFactory, hep

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def _local(value: dt.datetime) -> dict:
    local = timezone.localtime(value)
    return {"0": local.strftime("%d/%m/%Y"), "1": local.strftime("%H:%M")}


def event_form(category, *, sessions=(), **overrides) -> dict:
    data = {
        "title": "Leading maths",
        "slug": "leading-maths",
        "summary": "For maths leads",
        "description": "<p>Hello</p>",
        "categories": [category.pk],
        "capacity": "20",
        "member_price": "50.00",
        "non_member_price": "80.00",
        "status": "published",
        "booking_rule": "anyone",
        "invoicing_body": hep().pk,
        "sessions-TOTAL_FORMS": str(len(sessions)),
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    for n, session in enumerate(sessions):
        for key, value in session.items():
            if isinstance(value, dt.datetime):
                for part, text in _local(value).items():
                    data[f"sessions-{n}-{key}_{part}"] = text
            else:
                data[f"sessions-{n}-{key}"] = value
    data.update(overrides)
    return data


def test_adding_an_event_sanitises_and_sets_the_schedule_from_sessions(staff_client):
    category = CategoryFactory()
    venue = VenueFactory()
    data = event_form(
        category,
        description='<p>Hi</p><script>alert("x")</script><p onclick="x()">there</p>',
        sessions=[
            {"starts_at": at(10, 9), "ends_at": at(10, 12), "venue": venue.pk},
            {"starts_at": at(17, 13), "ends_at": at(17, 15), "online_url": "https://meet.example/2"},
        ],
    )
    response = staff_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(slug="leading-maths")
    assert event.description == "<p>Hi</p><p>there</p>"
    assert (event.starts_at, event.ends_at, event.is_online) == (at(10, 9), at(17, 15), False)
    assert event.sessions.count() == 2
    # Changing the sessions moves the schedule too (save_related, not a signal).
    first, second = event.sessions.order_by("starts_at")
    change = event_form(
        category,
        sessions=[
            {
                "id": first.pk,
                "event": event.pk,
                "starts_at": at(11, 9),
                "ends_at": at(11, 12),
                "venue": venue.pk,
            },
            {
                "id": second.pk,
                "event": event.pk,
                "starts_at": at(17, 13),
                "ends_at": at(17, 15),
                "online_url": "https://meet.example/2",
                "DELETE": "on",
            },
        ],
        **{"sessions-INITIAL_FORMS": "2"},
    )
    response = staff_client.post(reverse("admin:events_event_change", args=[event.pk]), change)
    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at, event.sessions.count()) == (at(11, 9), at(11, 12), 1)


@pytest.mark.parametrize(
    "session, message",
    [
        (
            {"starts_at": at(10, 12), "ends_at": at(10, 9), "venue": "VENUE"},
            "A session must end after it starts.",
        ),
        (
            {"starts_at": at(10, 9), "ends_at": at(10, 12)},
            "Choose a venue, or give the joining link for an online session.",
        ),
    ],
)
def test_session_problems_are_explained(staff_client, session, message):
    venue = VenueFactory()
    session = {k: (venue.pk if v == "VENUE" else v) for k, v in session.items()}
    response = staff_client.post(
        reverse("admin:events_event_add"), event_form(CategoryFactory(), sessions=[session])
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_a_published_event_needs_a_session(staff_client):
    response = staff_client.post(reverse("admin:events_event_add"), event_form(CategoryFactory()))
    assert "A published event needs at least one session." in response.content.decode()
    response = staff_client.post(
        reverse("admin:events_event_add"), event_form(CategoryFactory(), status="draft")
    )
    assert response.status_code == 302


def test_capacity_cannot_go_below_places_taken(staff_client):
    category = CategoryFactory()
    event = EventFactory(categories=[category], capacity=20)
    Event.objects.filter(pk=event.pk).update(places_taken=15)
    session = event.sessions.get()
    data = event_form(
        category,
        slug=event.slug,
        capacity="14",
        sessions=[
            {
                "id": session.pk,
                "event": event.pk,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "venue": session.venue_id,
            }
        ],
        **{"sessions-INITIAL_FORMS": "1"},
    )
    response = staff_client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 200
    assert "Capacity cannot be lower than the 15 places already taken" in response.content.decode()
    data["capacity"] = "15"
    response = staff_client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.capacity, event.places_taken) == (15, 15)


def test_package_rule_needs_a_package_and_only_that_rule_takes_one(staff_client):
    category = CategoryFactory()
    session = [{"starts_at": at(10, 9), "ends_at": at(10, 12), "venue": VenueFactory().pk}]
    response = staff_client.post(
        reverse("admin:events_event_add"), event_form(category, sessions=session, booking_rule="package")
    )
    assert "Choose the package that holders must have." in response.content.decode()
    product = make_package()
    response = staff_client.post(
        reverse("admin:events_event_add"), event_form(category, sessions=session, required_product=product.pk)
    )
    assert "Only events for holders of a given package name a package" in response.content.decode()
    response = staff_client.post(
        reverse("admin:events_event_add"),
        event_form(category, sessions=session, booking_rule="package", required_product=product.pk),
    )
    assert response.status_code == 302
    assert Event.objects.get().required_product == product


def test_month_is_not_a_usable_slug(staff_client):
    response = staff_client.post(
        reverse("admin:events_event_add"), event_form(CategoryFactory(), slug="month", status="draft")
    )
    assert "is reserved for a page of the calendar" in response.content.decode()


def test_copy_to_a_new_date_asks_for_the_date_then_copies(staff_client):
    event = EventFactory(title="Leading maths", starts_at=at(5, 9), ends_at=at(5, 12))
    Event.objects.filter(pk=event.pk).update(places_taken=4)
    changelist = reverse("admin:events_event_changelist")
    ask = staff_client.post(
        changelist, {"action": "copy_to_new_date", "_selected_action": [event.pk], "index": 0}
    )
    assert ask.status_code == 200
    body = ask.content.decode()
    assert "New start date" in body and "Copy “Leading maths” to a new date" in body

    new_day = timezone.localdate() + dt.timedelta(days=60)
    done = staff_client.post(
        changelist,
        {
            "action": "copy_to_new_date",
            "_selected_action": [event.pk],
            "apply": "Copy",
            "starts_on": new_day.strftime("%d/%m/%Y"),
        },
    )
    copy = Event.objects.exclude(pk=event.pk).get()
    assert done.status_code == 302 and done.url == reverse("admin:events_event_change", args=[copy.pk])
    assert (copy.status, copy.places_taken) == ("draft", 0)
    assert timezone.localtime(copy.starts_at).date() == new_day
    assert timezone.localtime(copy.starts_at).strftime("%H:%M") == "09:00"
    assert EventSession.objects.filter(event=copy).count() == 1
    assert LogEntry.objects.filter(object_id=str(copy.pk), action_flag=ADDITION).exists()


def test_copy_explains_a_bad_date_and_needs_one_event(staff_client):
    event = EventFactory()
    other = EventFactory()
    changelist = reverse("admin:events_event_changelist")
    past = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    response = staff_client.post(
        changelist,
        {"action": "copy_to_new_date", "_selected_action": [event.pk], "apply": "Copy", "starts_on": past},
    )
    assert response.status_code == 200
    assert "Choose a new start date from today onwards." in response.content.decode()
    response = staff_client.post(
        changelist,
        {"action": "copy_to_new_date", "_selected_action": [event.pk, other.pk], "index": 0},
        follow=True,
    )
    assert "Choose one event to copy to a new date." in response.content.decode()
    assert Event.objects.count() == 2


def test_admin_pages_render(staff_client):
    event = EventFactory()
    for url in (
        reverse("admin:events_event_changelist"),
        reverse("admin:events_event_add"),
        reverse("admin:events_event_change", args=[event.pk]),
    ):
        assert staff_client.get(url).status_code == 200, url


def test_a_booking_racing_the_save_is_reported_not_crashed(staff_client, monkeypatch):
    from events import admin as events_admin
    from portal.errors import InvalidInput

    category = CategoryFactory()
    event = EventFactory(categories=[category], capacity=20)
    session = event.sessions.get()

    def raced(**kwargs):
        raise InvalidInput("Capacity cannot be lower than the 20 places already taken.")

    monkeypatch.setattr(events_admin, "event_save", raced)
    data = event_form(
        category,
        slug=event.slug,
        title="Changed",
        sessions=[
            {
                "id": session.pk,
                "event": event.pk,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "venue": session.venue_id,
            }
        ],
        **{"sessions-INITIAL_FORMS": "1"},
    )
    response = staff_client.post(reverse("admin:events_event_change", args=[event.pk]), data, follow=True)
    assert "Capacity cannot be lower than the 20 places already taken." in response.content.decode()
    event.refresh_from_db()
    assert event.title != "Changed"
