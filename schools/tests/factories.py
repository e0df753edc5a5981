from decimal import Decimal

import factory

from schools.models import CensusFigure, School, Trust


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Trust {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"School {n} Primary")
    urn = factory.Sequence(lambda n: str(500000 + n))
    phase = "primary"
    local_authority = "haringey"
    address_line_1 = "1 High Road"
    postcode = "N22 1AA"


class CensusFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CensusFigure

    school = factory.SubFactory(SchoolFactory)
    census_year = 2026
    fte_pupils = Decimal("420")
