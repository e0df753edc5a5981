"""Event and product prices for a buyer: member/non-member, and packages that make events free."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.tests.factories import EntitlementFactory, ProductFactory, make_member, this_year
from events.models import Event
from events.tests.factories import CategoryFactory, EventFactory
from pricing.buyers import Buyer, buyer_for
from pricing.catalogue import event_quote, product_quote
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaders():
    return CategoryFactory(name="Leaders")


@pytest.fixture
def package(leaders):
    return ProductFactory(name="Professional Learning package", covers_categories=[leaders])


def test_member_and_non_member_prices():
    event = EventFactory(member_price=Decimal("45.00"), non_member_price=Decimal("70.00"))
    member = SchoolFactory()
    make_member(member)
    assert event_quote(event, buyer_for(member), quantity=2).total == Decimal("90.00")
    assert event_quote(event, buyer_for(member)).reason == "Member price"
    other = buyer_for(SchoolFactory())
    assert event_quote(event, other, quantity=2).total == Decimal("140.00")
    assert event_quote(event, other).reason == "Non-member price"
    assert event_quote(event, Buyer()).total == Decimal("70.00")


def test_package_makes_an_eligible_event_free_for_that_school_only(package, leaders):
    event = EventFactory(categories=[leaders], member_price=Decimal("60.00"), non_member_price=Decimal("90"))
    holder = SchoolFactory()
    make_member(holder)
    EntitlementFactory(school=holder, product=package)
    other = SchoolFactory()
    make_member(other)

    quote = event_quote(event, buyer_for(holder), quantity=3)
    assert quote.total == Decimal("0.00")
    assert quote.subtotal == Decimal("180.00")
    assert quote.discount == Decimal("180.00")
    assert quote.reason == "Package: free (Professional Learning package)"
    assert [a.code for a in quote.adjustments] == ["package"]
    assert quote.adjustments[0].label == "Package: free (Professional Learning package)"

    assert event_quote(event, buyer_for(other), quantity=3).total == Decimal("180.00")


def test_event_outside_the_package_categories_keeps_its_price(package):
    holder = SchoolFactory()
    make_member(holder)
    EntitlementFactory(school=holder, product=package)
    send = EventFactory(categories=[CategoryFactory(name="SEND")], member_price=Decimal("55.00"))
    quote = event_quote(send, buyer_for(holder))
    assert quote.total == Decimal("55.00")
    assert quote.reason == "Member price"


@pytest.mark.parametrize(
    ("limit", "used", "quantity", "free", "total"),
    [
        (3, 0, 1, 1, "0.00"),
        (3, 0, 3, 3, "0.00"),
        (3, 0, 4, 3, "50.00"),  # the (N+1)th delegate pays
        (3, 2, 2, 1, "50.00"),
        (3, 3, 2, 0, "100.00"),
        (None, 0, 12, 12, "0.00"),
    ],
)
def test_places_limit(package, leaders, limit, used, quantity, free, total):
    event = EventFactory(categories=[leaders], member_price=Decimal("50.00"))
    school = SchoolFactory()
    make_member(school)
    EntitlementFactory(school=school, product=package, places_limit=limit, places_used=used)
    quote = event_quote(event, buyer_for(school), quantity=quantity)
    assert quote.total == Decimal(total)
    assert quote.discount == Decimal("50.00") * free


def test_package_places_are_shared_across_lines_of_one_basket(package, leaders):
    one = EventFactory(categories=[leaders], member_price=Decimal("50.00"))
    two = EventFactory(categories=[leaders], member_price=Decimal("40.00"))
    school = SchoolFactory()
    make_member(school)
    EntitlementFactory(school=school, product=package, places_limit=3)
    buyer = buyer_for(school)
    used: dict = {}
    assert event_quote(one, buyer, quantity=2, used=used).total == Decimal("0.00")
    second = event_quote(two, buyer, quantity=2, used=used)
    assert second.total == Decimal("40.00")
    assert "1 of 2 free" in second.reason


def test_awaiting_approval_gives_nothing_until_approved(leaders):
    from accounts.tests.factories import StaffFactory
    from catalogue.services import entitlement_approve

    product = ProductFactory(covers_categories=[leaders], needs_approval=True)
    event = EventFactory(categories=[leaders], member_price=Decimal("50.00"))
    school = SchoolFactory()
    make_member(school)
    entitlement = EntitlementFactory(school=school, product=product, status="awaiting_approval")
    assert event_quote(event, buyer_for(school)).total == Decimal("50.00")
    entitlement_approve(entitlement=entitlement, actor=StaffFactory())
    assert event_quote(event, buyer_for(school)).total == Decimal("0.00")


def test_a_package_covers_events_of_its_own_membership_year_only(leaders):
    year = this_year()
    product = ProductFactory(covers_categories=[leaders], membership_year=year)
    school = SchoolFactory()
    make_member(school)
    EntitlementFactory(school=school, product=product)
    later = timezone.make_aware(dt.datetime(year + 1, 10, 1, 10))  # next membership year
    event = EventFactory(categories=[leaders], starts_at=later, member_price=Decimal("50.00"))
    assert event_quote(event, buyer_for(school)).total == Decimal("50.00")


def test_quoting_many_events_runs_no_query_per_event(package, leaders):
    school = SchoolFactory()
    make_member(school)
    EntitlementFactory(school=school, product=package, places_limit=5)
    EventFactory.create_batch(12, categories=[leaders])
    buyer = buyer_for(school)
    events = list(Event.objects.prefetch_related("categories"))
    with CaptureQueriesContext(connection) as queries:
        totals = [event_quote(e, buyer, quantity=2).total for e in events]
    assert len(queries) == 0
    assert set(totals) == {Decimal("0.00")}


def test_buyer_for_runs_a_fixed_number_of_queries(package):
    school = SchoolFactory()
    make_member(school)
    EntitlementFactory(school=school, product=package)
    with CaptureQueriesContext(connection) as few:
        buyer_for(school)
    for _ in range(4):
        EntitlementFactory(school=school, product=ProductFactory())
    with CaptureQueriesContext(connection) as many:
        buyer = buyer_for(school)
    assert len(buyer.entitlements) == 5
    assert len(few) == len(many) <= 3


def test_product_prices():
    product = ProductFactory(member_price=Decimal("1200.00"), non_member_price=Decimal("1500.00"))
    member = SchoolFactory()
    make_member(member)
    assert product_quote(product, buyer_for(member)).total == Decimal("1200.00")
    assert product_quote(product, buyer_for(SchoolFactory())).total == Decimal("1500.00")
    members_only = ProductFactory(member_price=Decimal("2500.00"), non_member_price=None, members_only=True)
    assert product_quote(members_only, Buyer()).total == Decimal("2500.00")


class _Category:
    def __init__(self, pk):
        self.pk = pk


class _Categories:
    def __init__(self, items):
        self._items = items

    def all(self):
        return self._items


class _Product:
    def __init__(self, name, category_ids):
        self.name = name
        self.covers_categories = _Categories([_Category(c) for c in category_ids])


@settings(max_examples=150, deadline=None)
@given(
    unit=st.decimals(min_value=0, max_value=500, places=2),
    quantity=st.integers(min_value=1, max_value=30),
    limits=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=10)), max_size=3),
    used=st.integers(min_value=0, max_value=10),
)
def test_quote_invariants(unit, quantity, limits, used):
    """Totals never negative, the discount never above the subtotal, and free places never
    more than the quantity nor than the places the packages have left."""
    entitlements = []
    for i, limit in enumerate(limits):
        entitlements.append(
            SimpleNamespace(
                pk=i + 1,
                membership_year=this_year(),
                places_limit=limit,
                places_used=min(used, limit or 0),
                product=_Product(f"P{i}", [1]),
            )
        )
    event = SimpleNamespace(
        member_price=unit,
        non_member_price=unit,
        starts_at=timezone.now(),
        categories=_Categories([_Category(1)]),
    )
    quote = event_quote(event, Buyer(is_member=True, entitlements=tuple(entitlements)), quantity=quantity)
    assert quote.total >= 0
    assert quote.discount <= quote.subtotal
    assert quote.total == quote.subtotal - quote.discount
    left = sum((quantity if e.places_limit is None else e.places_limit - e.places_used) for e in entitlements)
    free_places = quote.discount / unit if unit else 0
    assert free_places <= min(quantity, left)
