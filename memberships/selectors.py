"""What every other feature asks: is this school a member on this day? And the reads the
membership pages share."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from .models import Membership, MembershipStatus, PriceSettings
from .years import membership_year_for

if TYPE_CHECKING:
    from schools.models import School


def is_member(school: School | None, *, on: dt.date | None = None) -> bool:
    """A school is a member on a day when a membership of that day's membership year covers it:
    not cancelled, and started by then (a year ordered in advance starts on 1 September; one
    ordered mid-year starts the day it was ordered). It lapses after 31 August. Whether it has
    been paid does not matter: payment may fall due later, by the school's choice."""
    if school is None:
        return False
    day = on or timezone.localdate()
    return membership_on(school, on=day) is not None


def membership_on(school: School, *, on: dt.date) -> Membership | None:
    """The membership that covers `on`, if any (one query)."""
    return (
        Membership.objects.filter(school=school, year=membership_year_for(on), starts_on__lte=on)
        .exclude(status=MembershipStatus.CANCELLED)
        .first()
    )


def member_school_ids(*, on: dt.date | None = None) -> set[int]:
    """The ids of every school that is a member on `on`: for lists, in one query."""
    day = on or timezone.localdate()
    return set(
        Membership.objects.filter(year=membership_year_for(day), starts_on__lte=day)
        .exclude(status=MembershipStatus.CANCELLED)
        .values_list("school_id", flat=True)
    )


def membership_list_for_school(school: School) -> list[Membership]:
    """A school's memberships, newest year first, with their orders (for the dashboard)."""
    return list(
        Membership.objects.filter(school=school)
        .exclude(status=MembershipStatus.CANCELLED)
        .select_related("order")
        .prefetch_related("order__invoices")
        .order_by("-year")
    )


def membership_get(school: School, *, year: int) -> Membership | None:
    return (
        Membership.objects.filter(school=school, year=year).exclude(status=MembershipStatus.CANCELLED).first()
    )


def is_new_joiner(school: School, *, year: int) -> bool:
    """A school joining for `year` is new unless it held a membership the year before
    (a school that let its membership lapse for a year joins anew)."""
    return membership_get(school, year=year - 1) is None


def membership_years_orderable(school: School, *, today: dt.date | None = None) -> list[int]:
    """The years a school may order now: the current year if it is not a member yet, and the
    next year (renewal, or joining ahead) unless already ordered. Earliest first."""
    day = today or timezone.localdate()
    current = membership_year_for(day)
    held = set(
        Membership.objects.filter(school=school, year__in=[current, current + 1])
        .exclude(status=MembershipStatus.CANCELLED)
        .values_list("year", flat=True)
    )
    return [year for year in (current, current + 1) if year not in held]


def price_settings_years(*, from_year: int) -> list[int]:
    """Membership years with full-membership prices set, from `from_year` on (the calculator's choice)."""
    return sorted(set(PriceSettings.objects.filter(year__gte=from_year).values_list("year", flat=True)))


def price_settings_for_year(year: int) -> dict[str, PriceSettings]:
    """The year's settings by membership type ("full", "associate")."""
    return {s.membership_type: s for s in PriceSettings.objects.filter(year=year)}
