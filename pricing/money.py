"""Money is exact: Decimal with 2 places, GBP, rounded here and nowhere else."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    """Round a number to pence (half up)."""
    try:
        return Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"Not an amount of money: {value!r}") from exc


def to_pence(value: Decimal) -> int:
    """Integer pence, for the card-payment boundary only."""
    return int(money(value) * 100)


def from_pence(pence: int) -> Decimal:
    return money(Decimal(pence) / 100)


def format_gbp(value: Decimal) -> str:
    return f"£{money(value):,.2f}"
