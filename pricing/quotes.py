"""What every price is: a quote listing each step of its working and the reason for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .money import ZERO, money


def line_subtotal(unit_price: Decimal, quantity: int) -> Decimal:
    """A line's price before adjustments: unit price × quantity, rounded to pence. Invoices and
    quotes both use this, so nobody multiplies prices anywhere else."""
    return money(unit_price * quantity)


@dataclass(frozen=True)
class Adjustment:
    """One step of a quote's working, e.g. ("Member price", 45.00) or ("Package: free", -45.00)."""

    code: str  # stable: member_price, non_member_price, package, coupon, cap, minimum, ...
    label: str
    amount: Decimal

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "amount": f"{self.amount:.2f}"}


@dataclass(frozen=True)
class LineQuote:
    """The price of one line: a unit price times a quantity, then adjustments."""

    unit_price: Decimal
    quantity: int
    reason: str  # the headline reason shown to the buyer, e.g. "Member price", "Package: free"
    adjustments: tuple[Adjustment, ...] = field(default_factory=tuple)

    @property
    def subtotal(self) -> Decimal:
        return line_subtotal(self.unit_price, self.quantity)

    @property
    def discount(self) -> Decimal:
        return money(-sum((a.amount for a in self.adjustments if a.amount < 0), ZERO))

    @property
    def total(self) -> Decimal:
        return max(money(self.subtotal + sum((a.amount for a in self.adjustments), ZERO)), ZERO)

    def working(self) -> list[dict]:
        return [a.as_dict() for a in self.adjustments]
