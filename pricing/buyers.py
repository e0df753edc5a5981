"""Who is buying: loaded once per request, then pricing is pure computation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass(frozen=True)
class Buyer:
    school: object | None = None  # schools.School, or None for a guest / visitor
    is_member: bool = False
    is_haringey: bool = False
    on: dt.date = field(default_factory=timezone.localdate)
    # Entitlements the school may use on `on` (filled by catalogue.entitlements; see pricing.events).
    entitlements: tuple = ()


GUEST = None


def buyer_for(school, *, on: dt.date | None = None) -> Buyer:
    """Load what pricing needs to know about a school (a fixed number of queries)."""
    from catalogue.entitlements import entitlements_for
    from memberships.selectors import is_member

    day = on or timezone.localdate()
    if school is None:
        return Buyer(on=day)
    return Buyer(
        school=school,
        is_member=is_member(school, on=day),
        is_haringey=school.is_haringey,
        on=day,
        entitlements=tuple(entitlements_for(school, on=day)),
    )
