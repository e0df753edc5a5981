"""Prices of events and products for a buyer. Every price shown or charged comes from here."""

from __future__ import annotations

from .buyers import Buyer
from .money import money
from .quotes import Adjustment, LineQuote


def event_quote(event, buyer: Buyer, *, quantity: int = 1) -> LineQuote:
    """The price of `quantity` delegates on `event` for `buyer`: member or non-member price."""
    if buyer.is_member:
        unit, reason = money(event.member_price), "Member price"
    else:
        unit, reason = money(event.non_member_price), "Non-member price"
    return LineQuote(unit_price=unit, quantity=quantity, reason=reason, adjustments=())


def product_quote(product, buyer: Buyer, *, quantity: int = 1) -> LineQuote:
    if buyer.is_member or product.non_member_price is None:
        unit, reason = money(product.member_price), "Member price"
    else:
        unit, reason = money(product.non_member_price), "Non-member price"
    return LineQuote(unit_price=unit, quantity=quantity, reason=reason, adjustments=())


__all__ = ["Adjustment", "event_quote", "product_quote"]
