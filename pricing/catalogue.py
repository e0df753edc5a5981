"""Prices of events and products for a buyer. Every price shown or charged comes from here.

Pure functions: the buyer (membership, entitlements with their covered categories) and the
event's categories are loaded beforehand, so quoting a list of events runs no query per event.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from memberships.years import membership_year_for

from .buyers import Buyer
from .money import money
from .quotes import Adjustment, LineQuote


@dataclass(frozen=True)
class PackagePlaces:
    """Delegates on an event line made free by one entitlement (a package the school holds)."""

    entitlement: object  # catalogue.Entitlement
    places: int


def _base_price(event_or_product, buyer: Buyer) -> tuple:
    if buyer.is_member or event_or_product.non_member_price is None:
        return money(event_or_product.member_price), "member_price", "Member price"
    return money(event_or_product.non_member_price), "non_member_price", "Non-member price"


def event_membership_year(event, buyer: Buyer) -> int:
    """The membership year an event falls in (by its start), which a package must cover."""
    day = timezone.localdate(event.starts_at) if event.starts_at else buyer.on
    return membership_year_for(day)


def event_package_places(
    event, buyer: Buyer, *, quantity: int, used: dict[int, int] | None = None
) -> list[PackagePlaces]:
    """Which entitlements make how many of `quantity` delegates free: the school's packages
    covering one of the event's categories in the event's membership year, oldest first,
    each up to the places it has left. `used` counts places already given to earlier lines
    of the same basket or order (entitlement id -> places); it is updated."""
    if not buyer.entitlements or quantity <= 0:
        return []
    from catalogue.entitlements import covering_entitlements

    category_ids = {c.pk for c in event.categories.all()}
    year = event_membership_year(event, buyer)
    allocation: list[PackagePlaces] = []
    wanted = quantity
    for entitlement in covering_entitlements(buyer.entitlements, category_ids, year=year):
        already = (used or {}).get(entitlement.pk, 0)
        if entitlement.places_limit is None:
            free = wanted
        else:
            free = min(wanted, max(entitlement.places_limit - entitlement.places_used - already, 0))
        if free:
            allocation.append(PackagePlaces(entitlement=entitlement, places=free))
            if used is not None:
                used[entitlement.pk] = already + free
            wanted -= free
        if not wanted:
            break
    return allocation


def event_quote(event, buyer: Buyer, *, quantity: int = 1, used: dict[int, int] | None = None) -> LineQuote:
    """The price of `quantity` delegates on `event` for `buyer`: member or non-member price,
    then a 100% discount for each delegate a package covers (limited by its places left)."""
    return event_quote_with_places(event, buyer, quantity=quantity, used=used)[0]


def _event_quote(unit, reason: str, quantity: int, allocation: list[PackagePlaces]) -> LineQuote:
    adjustments = []
    free_total = 0
    for part in allocation:
        free_total += part.places
        label = f"Package: free ({part.entitlement.product.name})"
        if part.places != quantity:
            label = f"{label}, {part.places} delegate{'s' if part.places != 1 else ''}"
        adjustments.append(Adjustment(code="package", label=label, amount=money(-unit * part.places)))
    if allocation and free_total == quantity and unit > 0:
        names = ", ".join(p.entitlement.product.name for p in allocation)
        reason = f"Package: free ({names})"
    elif allocation and unit > 0:
        reason = f"{reason}; {free_total} of {quantity} free with your package"
    return LineQuote(unit_price=unit, quantity=quantity, reason=reason, adjustments=tuple(adjustments))


def event_quote_with_places(
    event, buyer: Buyer, *, quantity: int, used: dict[int, int] | None = None
) -> tuple[LineQuote, list[PackagePlaces]]:
    """The quote and the package places behind it (what order placing consumes)."""
    unit, _code, reason = _base_price(event, buyer)
    allocation = event_package_places(event, buyer, quantity=quantity, used=used)
    return _event_quote(unit, reason, quantity, allocation), allocation


def product_quote(product, buyer: Buyer, *, quantity: int = 1) -> LineQuote:
    unit, _code, reason = _base_price(product, buyer)
    return LineQuote(unit_price=unit, quantity=quantity, reason=reason, adjustments=())


def quote_working(quote: LineQuote, *, base_reason: str | None = None) -> list[dict]:
    """A quote's working as stored on an order line: the base price, then each adjustment."""
    steps = [
        {
            "code": "base",
            "label": f"{base_reason or quote.reason}: {quote.quantity} × £{quote.unit_price:.2f}",
            "amount": f"{quote.subtotal:.2f}",
        }
    ]
    steps += quote.working()
    steps.append({"code": "total", "label": "Total", "amount": f"{quote.total:.2f}"})
    return steps


def base_reason(event_or_product, buyer: Buyer) -> str:
    return _base_price(event_or_product, buyer)[2]


__all__ = [
    "Adjustment",
    "PackagePlaces",
    "base_reason",
    "event_package_places",
    "event_quote",
    "event_quote_with_places",
    "product_quote",
    "quote_working",
]
