"""Entitlements have one home: what a school's packages allow on a date (read), and the
locked consumption and return of a place (write)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from memberships.years import membership_year_for

from .models import Entitlement, EntitlementStatus

HELD_STATUSES = (EntitlementStatus.ACTIVE, EntitlementStatus.AWAITING_APPROVAL)


def entitlements_usable(
    school, *, on: dt.date, for_update: bool = False
) -> tuple[list[Entitlement], set[tuple[int, int]]]:
    """For pricing and the shop, in one query plus one prefetch:
    - the active entitlements of the membership year of `on` and of later years (an event is
      free when the entitlement's year is the event's year, see pricing.catalogue);
    - the (product, year) pairs the school holds or awaits approval for, from this year on.
    With `for_update`, the rows are locked (inside the caller's transaction)."""
    qs = Entitlement.objects.filter(
        school=school, status__in=HELD_STATUSES, membership_year__gte=membership_year_for(on)
    )
    if for_update:
        assert transaction.get_connection().in_atomic_block, "lock entitlements inside a transaction"
        qs = qs.select_for_update(of=("self",))
    rows = list(qs.select_related("product").prefetch_related("product__covers_categories").order_by("id"))
    usable = [e for e in rows if e.status == EntitlementStatus.ACTIVE]
    held = {(e.product_id, e.membership_year) for e in rows}
    return usable, held


def school_holds(entitlements: list[Entitlement], product_id: int) -> bool:
    return any(e.product_id == product_id for e in entitlements)


def covering_entitlements(
    entitlements, category_ids: set[int], *, year: int | None = None
) -> list[Entitlement]:
    """The entitlements (oldest first) covering any of the categories in the membership year
    `year` (any year when None), whether or not they have places left."""
    return [
        e
        for e in entitlements
        if (year is None or e.membership_year == year)
        and {c.pk for c in e.product.covers_categories.all()} & category_ids
    ]


def entitlement_consume(*, entitlement_id: int, places: int) -> int:
    """Consume up to `places` places under a row lock; returns how many were consumed (all of
    them for an unlimited entitlement). Call inside the booking transaction."""
    assert transaction.get_connection().in_atomic_block, "consume places inside a transaction"
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement_id)
    if entitlement.status != EntitlementStatus.ACTIVE:
        return 0
    granted = places if entitlement.places_limit is None else min(places, entitlement.places_left or 0)
    if granted:
        Entitlement.objects.filter(pk=entitlement.pk).update(places_used=F("places_used") + granted)
    return granted


def entitlement_release(*, entitlement_id: int, places: int) -> None:
    """Give places back (a cancelled booking)."""
    assert transaction.get_connection().in_atomic_block, "release places inside a transaction"
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement_id)
    give_back = min(places, entitlement.places_used)
    Entitlement.objects.filter(pk=entitlement.pk).update(places_used=F("places_used") - give_back)
