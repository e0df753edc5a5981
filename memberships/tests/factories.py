from decimal import Decimal

import factory

from memberships.models import Membership, PriceSettings
from memberships.years import year_start
from schools.tests.factories import SchoolFactory


class PriceSettingsFactory(factory.django.DjangoModelFactory):
    """HEP's figures by default."""

    class Meta:
        model = PriceSettings
        django_get_or_create = ("year", "membership_type")

    year = 2026
    membership_type = "full"
    rate_per_pupil = Decimal("19.00")
    cap = Decimal("12500.00")
    cap_secondary_sixth_form = Decimal("13000.00")
    further_education_price = Decimal("7500.00")
    new_joiner_minimum = Decimal("6000.00")


class AssociatePriceSettingsFactory(PriceSettingsFactory):
    membership_type = "associate"
    rate_per_pupil = Decimal("12.00")
    cap = Decimal("8000.00")
    cap_secondary_sixth_form = Decimal("8500.00")
    further_education_price = Decimal("5000.00")
    new_joiner_minimum = Decimal("3000.00")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    school = factory.SubFactory(SchoolFactory)
    year = 2026
    membership_type = "full"
    status = "active"
    price = Decimal("7980.00")
    starts_on = factory.LazyAttribute(lambda m: year_start(m.year))
