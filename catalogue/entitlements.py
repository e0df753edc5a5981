"""Entitlements have one home: what a school's packages allow on a date (read), and the
locked consumption and return of a place (write)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from memberships.years import membership_year_for

from .models import Entitlement, EntitlementStatus


def entitlements_for(school, *, on: dt.date | None = None) -> list[Entitlement]:
    """The active entitlements a school may use on a day, with their covered category ids
    prefetched (`entitlement.product.covers_categories`). One query plus one prefetch."""
    if school is None:
        return []
    day = on or timezone.localdate()
    return list(
        Entitlement.objects.filter(
            school=school, status=EntitlementStatus.ACTIVE, membership_year=membership_year_for(day)
        )
        .select_related("product")
        .prefetch_related("product__covers_categories")
        .order_by("id")
    )


def school_holds(entitlements: list[Entitlement], product_id: int) -> bool:
    return any(e.product_id == product_id for e in entitlements)


def covering_entitlement(entitlements: list[Entitlement], category_ids: set[int]) -> Entitlement | None:
    """The first entitlement (oldest) covering any of the categories, with a place left."""
    for entitlement in entitlements:
        covered = {c.pk for c in entitlement.product.covers_categories.all()}
        if covered & category_ids and (entitlement.places_left is None or entitlement.places_left > 0):
            return entitlement
    return None


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
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement_id)
    give_back = min(places, entitlement.places_used)
    Entitlement.objects.filter(pk=entitlement.pk).update(places_used=F("places_used") - give_back)
