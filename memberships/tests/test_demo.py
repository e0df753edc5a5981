import pytest
from django.core.management import call_command

from memberships.selectors import is_member, member_school_ids
from memberships.years import membership_year_for
from portal.demo import DEMO_MEMBER_SCHOOL, DEMO_NON_MEMBER_SCHOOL
from pricing.membership import membership_quote_for_school
from schools.models import School


@pytest.mark.django_db
def test_demo_memberships():
    from django.utils import timezone

    call_command("load_demo")
    year = membership_year_for(timezone.localdate())
    assert is_member(School.objects.get(name=DEMO_MEMBER_SCHOOL))
    assert not is_member(School.objects.get(name=DEMO_NON_MEMBER_SCHOOL))
    others = School.objects.filter(local_authority__in=["haringey", "enfield"]).exclude(
        name__in=[DEMO_MEMBER_SCHOOL, DEMO_NON_MEMBER_SCHOOL]
    )
    members = member_school_ids()
    share = len([s for s in others if s.pk in members]) / others.count()
    assert 0.6 <= share <= 0.72
    assert not School.objects.filter(local_authority="other", pk__in=members).exists()
    for school in others.filter(pk__in=members):
        membership = school.memberships.get(year=year)
        census_years = set(school.census_figures.values_list("census_year", flat=True))
        assert len(census_years) == 2
        assert membership.order.lines.get().total == membership.price
        # Priced by the pricing app (as a renewal when the school was a member last year).
        assert membership.price == membership_quote_for_school(school, year=year).quote.total
    last_year = School.objects.filter(memberships__year=year - 1).count()
    assert 5 <= last_year < len(members)
