import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from billing.models import InvoicingBody
from events.models import Category, Event, EventSession, Subject, Venue


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(
        lambda o: o.name.lower().replace(" ", "-").replace("/", "").replace("&", "and")
    )


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Subject {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Venue {n}")
    address = "48 Station Road, London"
    postcode = "N22 7TY"


def hep():
    return InvoicingBody.objects.get(code="hep")


class EventFactory(factory.django.DjangoModelFactory):
    """A published event with one session at a venue, a week from now."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    capacity = 20
    member_price = Decimal("50.00")
    non_member_price = Decimal("80.00")
    status = "published"
    invoicing_body = factory.LazyFunction(hep)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set(extracted)

    @factory.post_generation
    def subjects(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.subjects.set(extracted)

    @factory.post_generation
    def with_session(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EventSession.objects.create(
                event=obj,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                venue=VenueFactory(),
            )
