"""Applying a promotional code to priced lines: a pure function, no database.

The caller loads the coupon's terms and how often it has been used (billing.selectors
`coupon_terms_for`) and the lines' quotes (pricing.catalogue), then asks `coupon_apply`. The
answer is either a refusal with a reason a buyer can act on, or one `Adjustment` per line the
coupon discounts. A discount never exceeds what is left of a line, so totals never go negative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .money import ZERO, format_gbp, money
from .quotes import Adjustment, LineQuote

PERCENTAGE = "percentage"
FIXED = "fixed"
PACKAGE_CODES = frozenset({"package"})


@dataclass(frozen=True)
class CouponTerms:
    """What a coupon allows, and how much of it is left for this buyer."""

    code: str
    kind: str  # "percentage" | "fixed"
    value: Decimal
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    uses_left: int | None = None  # None = unlimited
    uses_left_for_buyer: int | None = None  # per school (or guest email); None = unlimited
    product_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    minimum_spend: Decimal | None = None
    combines_with_package_discounts: bool = False
    is_active: bool = True

    @property
    def label(self) -> str:
        if self.kind == PERCENTAGE:
            return f"Coupon {self.code}: {self.value.normalize():f}% off"
        return f"Coupon {self.code}: {format_gbp(self.value)} off"

    @property
    def is_restricted(self) -> bool:
        return bool(self.product_ids or self.category_ids)


@dataclass(frozen=True)
class CouponLine:
    """One priced line and what the coupon's restrictions look at."""

    key: Hashable  # the caller's handle for the line (a basket line id, an index...)
    quote: LineQuote
    product_id: int | None = None
    event_id: int | None = None
    category_ids: frozenset[int] = frozenset()

    @property
    def has_package_discount(self) -> bool:
        return any(a.code in PACKAGE_CODES and a.amount < 0 for a in self.quote.adjustments)


@dataclass(frozen=True)
class CouponResult:
    ok: bool
    code: str  # "applied" or the refusal's stable code
    message: str
    adjustments: dict = field(default_factory=dict)  # line key -> Adjustment (amount negative)

    @property
    def discount(self) -> Decimal:
        return money(-sum((a.amount for a in self.adjustments.values()), ZERO))

    def apply_to(self, line: CouponLine) -> LineQuote:
        """The line's quote with the coupon's adjustment added (unchanged if none)."""
        adjustment = self.adjustments.get(line.key)
        if adjustment is None:
            return line.quote
        return replace(line.quote, adjustments=(*line.quote.adjustments, adjustment))


def refusal(code: str, message: str) -> CouponResult:
    return CouponResult(ok=False, code=code, message=message)


UNKNOWN = "unknown"
NOT_YET_VALID = "not_yet_valid"
EXPIRED = "expired"
USED_UP = "used_up"
NOT_APPLICABLE = "not_applicable"
MINIMUM_SPEND = "minimum_spend"


def coupon_check(terms: CouponTerms | None, *, now: dt.datetime, entered: str = "") -> CouponResult | None:
    """The refusals that do not depend on the basket; None when the code may be used."""
    if terms is None or not terms.is_active:
        shown = entered.strip().upper() or "That code"
        return refusal(UNKNOWN, f"{shown} is not a promotional code we recognise. Check it and try again.")
    if terms.valid_from and now < terms.valid_from:
        return refusal(NOT_YET_VALID, f"{terms.code} cannot be used until {_day(terms.valid_from)}.")
    if terms.valid_until and now >= terms.valid_until:
        return refusal(EXPIRED, f"{terms.code} expired on {_day(terms.valid_until)}.")
    if terms.uses_left is not None and terms.uses_left <= 0:
        return refusal(USED_UP, f"{terms.code} has been used the maximum number of times.")
    if terms.uses_left_for_buyer is not None and terms.uses_left_for_buyer <= 0:
        return refusal(
            USED_UP, f"{terms.code} has already been used the maximum number of times by your school."
        )
    return None


def coupon_apply(
    terms: CouponTerms | None, lines: Sequence[CouponLine], *, now: dt.datetime, entered: str = ""
) -> CouponResult:
    """Apply a coupon to priced lines: per-line discounts, or a refusal with its reason."""
    refused = coupon_check(terms, now=now, entered=entered)
    if refused:
        return refused
    assert terms is not None
    spend = money(sum((line.quote.total for line in lines), ZERO))
    eligible = [line for line in lines if _eligible(terms, line) and line.quote.total > ZERO]
    if not eligible:
        return refusal(NOT_APPLICABLE, f"{terms.code} does not apply to the items in your basket.")
    if terms.minimum_spend is not None and spend < money(terms.minimum_spend):
        return refusal(
            MINIMUM_SPEND,
            f"{terms.code} needs a minimum spend of {format_gbp(terms.minimum_spend)}; "
            f"your basket comes to {format_gbp(spend)}.",
        )
    amounts = _percentage(terms, eligible) if terms.kind == PERCENTAGE else _fixed(terms, eligible)
    adjustments = {
        key: Adjustment(code="coupon", label=terms.label, amount=-amount)
        for key, amount in amounts.items()
        if amount > ZERO
    }
    return CouponResult(ok=True, code="applied", message=f"{terms.label} applied.", adjustments=adjustments)


def _eligible(terms: CouponTerms, line: CouponLine) -> bool:
    if line.has_package_discount and not terms.combines_with_package_discounts:
        return False
    if not terms.is_restricted:
        return True
    if line.product_id is not None and line.product_id in terms.product_ids:
        return True
    return line.event_id is not None and bool(line.category_ids & terms.category_ids)


def _percentage(terms: CouponTerms, lines: Sequence[CouponLine]) -> dict:
    rate = min(Decimal(terms.value), Decimal(100)) / Decimal(100)
    return {line.key: min(money(line.quote.total * rate), line.quote.total) for line in lines}


def _fixed(terms: CouponTerms, lines: Sequence[CouponLine]) -> dict:
    """A fixed amount off the eligible lines together, shared in proportion to their totals,
    adding up to exactly that amount (or to the lines' whole total, if less)."""
    base = money(sum((line.quote.total for line in lines), ZERO))
    off = min(money(terms.value), base)
    amounts: dict = {}
    for line in lines:
        amounts[line.key] = min(money(off * line.quote.total / base), line.quote.total)
    # Rounding each share can leave a few pence over or short: settle them line by line,
    # never taking a line below zero.
    leftover = off - sum(amounts.values(), ZERO)
    for line in reversed(lines):
        if leftover == ZERO:
            break
        if leftover > ZERO:
            step = min(leftover, line.quote.total - amounts[line.key])
        else:
            step = -min(-leftover, amounts[line.key])
        amounts[line.key] += step
        leftover -= step
    return amounts


def _day(moment: dt.datetime) -> str:
    from django.utils import timezone

    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local.day} {local:%B %Y}"
