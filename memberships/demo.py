"""Demo memberships for `make run`: about two thirds of the Haringey and Enfield schools are
members this year (half of those were members last year too), priced by the pricing app from
their census figures. The demo member school keeps its membership (portal.demo) and gains last
year's; the Enfield demo school stays a non-member. Idempotent: found by (school, year)."""

from __future__ import annotations

from django.utils import timezone

from .models import Membership, MembershipStatus, MembershipType, PaymentDue
from .years import membership_year_for, next_financial_year_start, year_start


def load_member_schools(ctx: dict) -> None:
    from portal.demo import DEMO_MEMBER_SCHOOL, DEMO_NON_MEMBER_SCHOOL
    from pricing.membership import membership_quote_for_school

    from .services import _place_order

    today = timezone.localdate()
    year = membership_year_for(today)
    schools = ctx["schools"]
    candidates = sorted(
        (
            school
            for name, school in schools.items()
            if school.in_partnership_area and name not in (DEMO_MEMBER_SCHOOL, DEMO_NON_MEMBER_SCHOOL)
        ),
        key=lambda school: school.name,
    )
    members = [school for index, school in enumerate(candidates) if index % 3 != 2]
    plan = [(schools[DEMO_MEMBER_SCHOOL], (year - 1,))]
    for index, school in enumerate(members):
        plan.append((school, (year - 1, year) if index % 2 == 0 else (year,)))
    now = timezone.now()
    for school, years in plan:
        for y in years:  # last year first, so this year's price knows it is a renewal
            if Membership.objects.filter(school=school, year=y).exists():
                continue
            quote = membership_quote_for_school(school, year=y).quote
            pay_later = school.pk % 2 == 0
            membership = Membership.objects.create(
                school=school,
                year=y,
                membership_type=MembershipType(quote.membership_type),
                status=MembershipStatus.ACTIVE if y == year else MembershipStatus.LAPSED,
                price=quote.total,
                quote_working=quote.working(),
                payment_due=PaymentDue.FINANCIAL_YEAR_START if pay_later else PaymentDue.NOW,
                payment_due_date=(
                    next_financial_year_start(school.financial_year_start, after=year_start(y))
                    if pay_later
                    else year_start(y)
                ),
                starts_on=year_start(y),
                recorded_by_staff=True,
            )
            if y == year:
                _place_order(
                    membership=membership, working=quote.working(), reason=quote.headline, actor=None, now=now
                )
    _complete_demo_member(schools[DEMO_MEMBER_SCHOOL], year=year, now=now)


def _complete_demo_member(school, *, year: int, now) -> None:
    """The demo member's membership (portal.demo) gets its working, payment date and order."""
    from pricing.membership import membership_quote_for_school

    from .services import _place_order

    membership = Membership.objects.filter(school=school, year=year, order__isnull=True).first()
    if membership is None:
        return
    quote = membership_quote_for_school(school, year=year).quote
    membership.quote_working = quote.working()
    membership.payment_due_date = membership.payment_due_date or year_start(year)
    membership.save(update_fields=["quote_working", "payment_due_date"])
    _place_order(membership=membership, working=quote.working(), reason=quote.headline, actor=None, now=now)
