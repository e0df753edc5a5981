"""No overselling, whatever the concurrency: real parallel connections on PostgreSQL."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from basket.tests.factories import add_event, basket_for, key
from catalogue.tests.factories import EntitlementFactory, ProductFactory, make_member
from events.models import Event
from events.tests.factories import CategoryFactory, EventFactory
from orders.models import Booking, Order
from orders.services import order_place
from portal.errors import DomainError
from schools.tests.factories import SchoolFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_parallel(calls):
    """Run the calls at the same moment, each thread on its own database connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = ("placed", call())
        except DomainError as error:
            results[index] = ("refused", error)
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _placer(user):
    basket = basket_for(user)

    def call():
        return order_place(basket=basket, actor=user, school=user.school, idempotency_key=key())

    return call


def test_fifty_connections_booking_the_last_five_places():
    event = EventFactory(title="Maths mastery", capacity=100)
    Event.objects.filter(pk=event.pk).update(places_taken=95)
    users = []
    for i in range(50):
        user = UserFactory(school=SchoolFactory(), email=f"buyer{i}@school.example")
        add_event(basket_for(user), event, [(f"Delegate {i}", f"delegate{i}@school.example")])
        users.append(user)

    results = in_parallel([_placer(u) for u in users])

    errors = [r[1] for r in results if r[0] == "error"]
    assert not errors, errors
    placed = [r[1] for r in results if r[0] == "placed"]
    refused = [r[1] for r in results if r[0] == "refused"]
    assert len(placed) == 5
    assert len(refused) == 45
    assert {e.code for e in refused} == {"sold_out"}
    assert all("“Maths mastery” is sold out" in e.message for e in refused)
    event.refresh_from_db()
    assert event.places_taken == 100
    assert Booking.objects.filter(event=event).count() == 5
    assert Order.objects.count() == 5
    for order in Order.objects.all():  # no order without its bookings
        assert Booking.objects.filter(order_line__order=order).count() == 1
    assert len({o.number for o in placed}) == 5


def test_concurrent_bookings_cannot_use_more_package_places_than_it_has():
    school = SchoolFactory()
    make_member(school)
    leaders = CategoryFactory(name="Leaders")
    entitlement = EntitlementFactory(
        school=school, product=ProductFactory(covers_categories=[leaders]), places_limit=3
    )
    event = EventFactory(categories=[leaders], capacity=50, member_price=Decimal("50.00"))
    users = []
    for i in range(8):
        user = UserFactory(school=school, email=f"colleague{i}@school.example")
        add_event(basket_for(user), event, [(f"Delegate {i}", f"d{i}@school.example")])
        users.append(user)

    results = in_parallel([_placer(u) for u in users])

    assert [r[0] for r in results] == ["placed"] * 8, results
    entitlement.refresh_from_db()
    assert entitlement.places_used == 3
    assert Booking.objects.filter(entitlement=entitlement).count() == 3
    totals = sorted(r[1].total for r in results)
    assert totals == [Decimal("0.00")] * 3 + [Decimal("50.00")] * 5
