import datetime as dt

import pytest

from memberships.models import MembershipStatus
from memberships.selectors import (
    is_member,
    is_new_joiner,
    member_school_ids,
    membership_years_orderable,
)
from schools.tests.factories import SchoolFactory

from .factories import MembershipFactory

D = dt.date


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day,expected",
    [
        (D(2026, 8, 31), False),  # the day before its year starts
        (D(2026, 9, 1), True),  # the first day
        (D(2027, 2, 14), True),
        (D(2027, 8, 31), True),  # the lapse date itself
        (D(2027, 9, 1), False),  # lapsed: no auto-renewal
        (D(2028, 1, 1), False),
    ],
)
def test_is_member_over_the_year(day, expected):
    membership = MembershipFactory(year=2026)
    assert is_member(membership.school, on=day) is expected


@pytest.mark.django_db
def test_mid_year_joiner_is_a_member_from_the_day_they_ordered():
    membership = MembershipFactory(year=2026, starts_on=D(2026, 12, 4))
    assert not is_member(membership.school, on=D(2026, 12, 3))
    assert is_member(membership.school, on=D(2026, 12, 4))


@pytest.mark.django_db
def test_a_renewal_ordered_ahead_counts_from_its_own_year_only():
    school = SchoolFactory()
    MembershipFactory(school=school, year=2027, status=MembershipStatus.PENDING)
    assert not is_member(school, on=D(2027, 3, 1))
    assert is_member(school, on=D(2027, 9, 1))
    assert is_member(school, on=D(2028, 8, 31))


@pytest.mark.django_db
def test_cancelled_or_lapsed_status_and_no_school():
    cancelled = MembershipFactory(year=2026, status=MembershipStatus.CANCELLED)
    assert not is_member(cancelled.school, on=D(2027, 1, 1))
    # The stored status "lapsed" (set after the year) does not rewrite history.
    lapsed = MembershipFactory(year=2025, status=MembershipStatus.LAPSED)
    assert is_member(lapsed.school, on=D(2026, 1, 1))
    assert not is_member(lapsed.school, on=D(2026, 9, 1))
    assert not is_member(None, on=D(2027, 1, 1))


@pytest.mark.django_db
def test_member_school_ids_in_one_query(django_assert_num_queries):
    members = [MembershipFactory(year=2026).school for _ in range(3)]
    MembershipFactory(year=2025)  # last year's only
    MembershipFactory(year=2026, status=MembershipStatus.CANCELLED)
    with django_assert_num_queries(1):
        ids = member_school_ids(on=D(2027, 1, 10))
    assert ids == {s.pk for s in members}


@pytest.mark.django_db
def test_years_a_school_may_order():
    school = SchoolFactory()
    today = D(2026, 12, 4)
    assert membership_years_orderable(school, today=today) == [2026, 2027]
    MembershipFactory(school=school, year=2026)
    assert membership_years_orderable(school, today=today) == [2027]
    MembershipFactory(school=school, year=2027, status=MembershipStatus.PENDING)
    assert membership_years_orderable(school, today=today) == []


@pytest.mark.django_db
def test_new_joiner_means_not_a_member_the_year_before():
    school = SchoolFactory()
    assert is_new_joiner(school, year=2026)
    MembershipFactory(school=school, year=2025)
    assert not is_new_joiner(school, year=2026)
    assert is_new_joiner(school, year=2027)  # lapsed for 2026/27, so joining anew
