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
    # Active entitlements of the school for the membership year of `on` and later years, with
    # `product.covers_categories` prefetched (see catalogue.entitlements.entitlements_usable).
    entitlements: tuple = ()
    # (product_id, membership_year) of every product the school holds or awaits approval for:
    # a school cannot buy the same product twice for one year.
    held_products: frozenset = frozenset()


GUEST = None


def buyer_for(school, *, on: dt.date | None = None, for_update: bool = False) -> Buyer:
    """Load what pricing needs to know about a school (a fixed number of queries: the
    membership, the entitlements and their covered categories).

    `for_update=True` (inside a transaction) locks the school's active entitlement rows, so the
    places they have left cannot change until the transaction ends: order placing prices with
    exactly what it then consumes."""
    from catalogue.entitlements import entitlements_usable
    from memberships.selectors import is_member

    day = on or timezone.localdate()
    if school is None:
        return Buyer(on=day)
    usable, held = entitlements_usable(school, on=day, for_update=for_update)
    return Buyer(
        school=school,
        is_member=is_member(school, on=day),
        is_haringey=school.is_haringey,
        on=day,
        entitlements=tuple(usable),
        held_products=frozenset(held),
    )
