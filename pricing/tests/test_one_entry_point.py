"""Pricing has one entry point: nobody multiplies prices outside the pricing app."""

import re
from decimal import Decimal
from pathlib import Path

from pricing.quotes import LineQuote, line_subtotal

ROOT = Path(__file__).resolve().parents[2]
# Apps that could be tempted; the Stripe stand-in imitates Stripe's own arithmetic, bench/ seeds data.
SKIP = ("pricing/", "bench/", "payments/standin/", ".venv/", "node_modules/")
PRICE_TIMES_SOMETHING = re.compile(r"\b\w*(?i:price|total|amount)\w*\s*\*\s*[a-z_(]")


def test_line_subtotal_is_unit_price_times_quantity_in_pence():
    assert line_subtotal(Decimal("12.50"), 3) == Decimal("37.50")
    assert line_subtotal(Decimal("0.335"), 1) == Decimal("0.34")
    assert LineQuote(unit_price=Decimal("45.00"), quantity=2, reason="Member price").subtotal == Decimal(
        "90.00"
    )


def test_no_price_is_multiplied_outside_the_pricing_app():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(SKIP) or "/tests/" in relative or "/migrations/" in relative:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if PRICE_TIMES_SOMETHING.search(line.split("#")[0]):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "Use pricing (e.g. pricing.quotes.line_subtotal) instead:\n" + "\n".join(
        offenders
    )
