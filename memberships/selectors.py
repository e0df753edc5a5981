"""What every other feature asks: is this school a member on this day?"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Membership, MembershipStatus
from .years import lapse_date


def is_member(school, *, on: dt.date | None = None) -> bool:
    """A school is a member on a day when a membership covers it: active (or pending, ordered
    and awaiting its start or payment) and not lapsed. No membership lapses before 31 August."""
    if school is None:
        return False
    day = on or timezone.localdate()
    return membership_on(school, on=day) is not None


def membership_on(school, *, on: dt.date) -> Membership | None:
    for membership in Membership.objects.filter(
        school=school,
        status__in=[MembershipStatus.ACTIVE, MembershipStatus.PENDING],
        starts_on__lte=on,
        year__gte=on.year - 1,
    ).order_by("-year"):
        if on <= lapse_date(membership.year):
            return membership
    return None
