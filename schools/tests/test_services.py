from decimal import Decimal

import pytest

from accounts.tests.factories import StaffFactory
from portal.errors import InvalidInput
from schools.models import CensusFigure
from schools.selectors import school_latest_census
from schools.services import school_create
from schools.tests.factories import CensusFigureFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_create_a_school_with_its_first_census_figure():
    staff = StaffFactory()
    school = school_create(
        name=" Tiverton Primary School ",
        urn="102345",
        phase="secondary",
        has_sixth_form=True,
        local_authority="other",
        local_authority_name="Barnet",
        financial_year_start=9,
        postcode="en5 1aa",
        fte_pupils=Decimal("1100.5"),
        census_year=2026,
        actor=staff,
    )
    assert school.name == "Tiverton Primary School" and school.postcode == "EN5 1AA"
    assert school.local_authority_name == "Barnet" and not school.is_haringey
    figure = CensusFigure.objects.get(school=school)
    assert figure.fte_pupils == Decimal("1100.5") and figure.recorded_by == staff


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter the school's name"),
        ({"phase": "college"}, "Choose the school's phase"),
        ({"local_authority": "camden"}, "Choose the school's local authority"),
        ({"urn": "12a"}, "A URN is a number"),
        ({"phase": "primary", "has_sixth_form": True}, "can have a sixth form"),
        ({"fte_pupils": Decimal("400")}, "Give both"),
    ],
)
def test_bad_school_details_are_refused_with_a_reason(fields, message):
    data = {"name": "A School", "phase": "primary", "local_authority": "haringey", **fields}
    with pytest.raises(InvalidInput, match=message):
        school_create(**data, actor=None)


def test_a_urn_is_unique():
    SchoolFactory(urn="102345")
    with pytest.raises(InvalidInput, match="URN 102345 already exists"):
        school_create(name="Copy", urn="102345", phase="primary", local_authority="haringey", actor=None)


def test_the_latest_census_figure_wins_and_history_is_kept():
    school = SchoolFactory()
    CensusFigureFactory(school=school, census_year=2025, fte_pupils=Decimal("400"))
    CensusFigureFactory(school=school, census_year=2026, fte_pupils=Decimal("418"))
    correction = CensusFigureFactory(school=school, census_year=2026, fte_pupils=Decimal("420"))
    assert school_latest_census(school) == correction
    assert school_latest_census(school, census_year=2025).fte_pupils == Decimal("400")
    assert school.census_figures.count() == 3
