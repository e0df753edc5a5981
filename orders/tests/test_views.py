"""The dashboard's Orders and Bookings pages, and an order's page: a school sees its own only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from basket.tests.factories import add_event, add_product, basket_for, key
from catalogue.tests.factories import ProductFactory, make_member
from events.models import Event
from events.tests.factories import EventFactory
from orders.services import order_place
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    school = SchoolFactory(name="Noel Park Primary School")
    make_member(school)
    return UserFactory(school=school, role="business_manager")


def place(user, *lines):
    basket = basket_for(user)
    for line in lines:
        if isinstance(line, tuple):
            add_event(basket, *line)
        else:
            add_product(basket, line)
    return order_place(basket=basket, actor=user, school=user.school, idempotency_key=key())


def test_orders_page_lists_the_schools_orders_with_lines_and_status(client, manager):
    mine = place(manager, (EventFactory(title="Phonics"), 2), ProductFactory(name="SEND package"))
    theirs = place(UserFactory(), (EventFactory(title="Someone else's event"), 1))
    client.force_login(manager)
    body = client.get(reverse("orders:dashboard_orders")).content.decode()
    assert mine.number in body and "Phonics (2 delegates)" in body and "SEND package" in body
    assert "Placed" in body
    assert theirs.number not in body and "Someone else" not in body
    assert 'href="/orders/"' in body  # the dashboard lists the section


def test_bookings_page_shows_upcoming_and_past_with_delegates(client, manager):
    soon = EventFactory(title="Coming up")
    add_event(basket_for(manager), soon, [("Ada Lovelace", "ada@x.example")])
    order_place(basket=basket_for(manager), actor=manager, school=manager.school, idempotency_key=key())
    past = EventFactory(title="Last term")
    add_event(basket_for(manager), past, [("Alan Turing", "alan@x.example")])
    order_place(basket=basket_for(manager), actor=manager, school=manager.school, idempotency_key=key())
    earlier = timezone.now() - dt.timedelta(days=30)
    Event.objects.filter(pk=past.pk).update(starts_at=earlier, ends_at=earlier + dt.timedelta(hours=2))
    client.force_login(manager)
    body = client.get(reverse("orders:dashboard_bookings")).content.decode()
    upcoming, _, previous = body.partition(">Past<")
    assert "Coming up" in upcoming and "Ada Lovelace" in upcoming
    assert "Last term" in previous and "Alan Turing" in previous


def test_order_page_is_404_for_another_school_and_for_roles_without_orders(client, manager):
    order = place(manager, (EventFactory(), 1))
    client.force_login(manager)
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 404
    client.force_login(UserFactory(school=manager.school, role="teacher"))
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 404
    assert client.get(reverse("orders:dashboard_orders")).status_code == 404
    client.logout()
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 404


def test_order_page_shows_package_state(client, manager):
    order = place(manager, ProductFactory(name="Professional Learning package"))
    client.force_login(manager)
    body = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert "Professional Learning package" in body and "It took effect when the order was placed" in body


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_pages_run_a_fixed_number_of_queries(client, manager):
    client.force_login(manager)
    place(manager, (EventFactory(), 1))
    few = [_queries(client, reverse(n)) for n in ("orders:dashboard_orders", "orders:dashboard_bookings")]
    for _ in range(5):
        place(manager, (EventFactory(), 3), ProductFactory())
    many = [_queries(client, reverse(n)) for n in ("orders:dashboard_orders", "orders:dashboard_bookings")]
    assert few == many


def test_order_page_and_past_bookings_run_a_fixed_number_of_queries(client, manager):
    client.force_login(manager)
    one = place(manager, (EventFactory(), 1))
    Event.objects.update(
        starts_at=timezone.now() - dt.timedelta(days=3), ends_at=timezone.now() - dt.timedelta(days=3)
    )
    few = [
        _queries(client, reverse("orders:detail", args=[one.number])),
        _queries(client, reverse("orders:dashboard_bookings")),
    ]
    many_lines = place(manager, *[(EventFactory(), 3) for _ in range(4)], ProductFactory(), ProductFactory())
    Event.objects.update(
        starts_at=timezone.now() - dt.timedelta(days=3), ends_at=timezone.now() - dt.timedelta(days=3)
    )
    many = [
        _queries(client, reverse("orders:detail", args=[many_lines.number])),
        _queries(client, reverse("orders:dashboard_bookings")),
    ]
    assert few == many
    past = client.get(reverse("orders:dashboard_bookings")).content.decode().partition(">Past<")[2]
    assert past.count("Delegate 3") == 4 and past.count("<section") == 5
