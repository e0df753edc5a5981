from decimal import Decimal

import factory
from django.utils import timezone

from billing.models import InvoicingBody
from catalogue.models import Entitlement, EntitlementStatus, Product
from memberships.years import membership_year_for, year_start
from schools.tests.factories import SchoolFactory


def this_year() -> int:
    return membership_year_for(timezone.localdate())


class ProductFactory(factory.django.DjangoModelFactory):
    """A package for this membership year (covering nothing unless given categories)."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    kind = "package"
    name = factory.Sequence(lambda n: f"Package {n}")
    slug = factory.Sequence(lambda n: f"package-{n}")
    summary = "Free training for your staff."
    member_price = Decimal("1000.00")
    non_member_price = Decimal("1500.00")
    membership_year = factory.LazyFunction(this_year)
    invoicing_body = factory.LazyFunction(lambda: InvoicingBody.objects.get(code="hep"))

    @factory.post_generation
    def covers_categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.covers_categories.set(extracted)


class EntitlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entitlement

    school = factory.SubFactory(SchoolFactory)
    product = factory.SubFactory(ProductFactory)
    membership_year = factory.LazyAttribute(lambda o: o.product.membership_year)
    status = EntitlementStatus.ACTIVE
    places_limit = factory.LazyAttribute(lambda o: o.product.places_limit)


def make_member(school, *, year: int | None = None):
    """Give a school an active full membership for the (current) membership year."""
    from memberships.models import Membership

    year = this_year() if year is None else year
    return Membership.objects.create(
        school=school,
        year=year,
        membership_type="full",
        status="active",
        price=Decimal("7980.00"),
        starts_on=year_start(year),
    )
