"""Helpers for the events tests: member schools, package holders, users of each role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from billing.models import InvoicingBody
from schools.tests.factories import SchoolFactory


def make_member(school):
    from memberships.models import Membership
    from memberships.years import membership_year_for, year_start

    year = membership_year_for(timezone.localdate())
    Membership.objects.create(
        school=school,
        year=year,
        membership_type="full",
        status="active",
        price=Decimal("1000.00"),
        starts_on=year_start(year),
    )
    return school


def make_package(name="Professional Learning package", *, categories=()):
    from catalogue.models import Product
    from memberships.years import membership_year_for

    product = Product.objects.create(
        kind="package",
        name=name,
        slug=name.lower().replace(" ", "-"),
        member_price=Decimal("2500.00"),
        membership_year=membership_year_for(timezone.localdate()),
        invoicing_body=InvoicingBody.objects.get(code="hep"),
    )
    product.covers_categories.set(categories)
    return product


def give_package(school, product):
    from catalogue.models import Entitlement

    return Entitlement.objects.create(
        school=school, product=product, membership_year=product.membership_year, status="active"
    )


@pytest.fixture
def member_school(db):
    return make_member(SchoolFactory(name="Noel Park Primary School", local_authority="haringey"))


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Bush Hill Park Primary School", local_authority="enfield")


@pytest.fixture
def user_at(db):
    def make(school, role="business_manager", **kwargs):
        return UserFactory(school=school, role=role, **kwargs)

    return make


def at(days: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A time `days` from today, at a London wall-clock time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
