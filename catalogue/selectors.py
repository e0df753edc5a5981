"""Reads of the shop and of what a school holds."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from memberships.years import membership_year_for

from .models import Entitlement, EntitlementStatus, Product, ProductKind


def product_list_for_shop() -> QuerySet[Product]:
    return (
        Product.objects.filter(is_active=True)
        .select_related("invoicing_body")
        .prefetch_related("covers_categories")
        .order_by("kind", "position", "name")
    )


def product_get_for_shop(*, slug: str) -> Product:
    return (
        Product.objects.filter(is_active=True)
        .select_related("invoicing_body")
        .prefetch_related("covers_categories")
        .get(slug=slug)
    )


KIND_HEADINGS = {
    ProductKind.PACKAGE: (
        "Packages",
        "A package makes events in the categories it covers free for your school for the whole "
        "membership year.",
    ),
    ProductKind.TRADED_SERVICE: (
        "Traded services",
        "Services for your school, at a lower price for partnership members.",
    ),
}


@dataclass(frozen=True)
class HeldPackage:
    entitlement: Entitlement
    state: str  # active, awaiting_approval, declined, expired, upcoming
    label: str
    tag_class: str


_STATES = {
    "active": ("Active", "govuk-tag--green"),
    "upcoming": ("Active from 1 September", "govuk-tag--blue"),
    "awaiting_approval": ("Awaiting approval", "govuk-tag--yellow"),
    "declined": ("Declined", "govuk-tag--red"),
    "expired": ("Expired", "govuk-tag--grey"),
}


def package_list_for_school(school, *, on=None) -> list[HeldPackage]:
    """Every package and service a school holds, awaits or held: for the dashboard, with its
    state on `on` (one query)."""
    if school is None:
        return []
    day = on or timezone.localdate()
    this_year = membership_year_for(day)
    held = []
    for entitlement in (
        Entitlement.objects.filter(school=school)
        .exclude(status=EntitlementStatus.CANCELLED)
        .select_related("product")
        .order_by("-membership_year", "product__kind", "product__position", "id")
    ):
        if entitlement.status == EntitlementStatus.ACTIVE:
            if entitlement.membership_year < this_year:
                state = "expired"
            elif entitlement.membership_year > this_year:
                state = "upcoming"
            else:
                state = "active"
        elif entitlement.status == EntitlementStatus.AWAITING_APPROVAL:
            if entitlement.membership_year < this_year:
                continue
            state = "awaiting_approval"
        else:
            state = "declined"
        label, tag = _STATES[state]
        held.append(HeldPackage(entitlement=entitlement, state=state, label=label, tag_class=tag))
    return held
