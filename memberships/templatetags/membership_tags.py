from decimal import Decimal

from django import template

from pricing.money import format_gbp, money

register = template.Library()


@register.filter
def gbp(value) -> str:
    """£1,234.50 (Decimal or the "1234.50" strings of a stored quote)."""
    if value in (None, ""):
        return ""
    return format_gbp(Decimal(str(value)))


@register.filter
def gbp_signed(value) -> str:
    """A step of a quote's working: +£1,240.00 or −£470.00."""
    amount = money(value)
    if amount < 0:
        return f"−{format_gbp(-amount)}"
    return f"+{format_gbp(amount)}"


@register.filter
def year_label(year) -> str:
    """2026 → 2026/27."""
    from memberships.years import year_label as label

    return label(int(year))


@register.filter
def fte(value) -> str:
    """An FTE pupil count without a needless ".0": 420, 420.5."""
    if value in (None, ""):
        return ""
    return f"{Decimal(str(value)).normalize():f}"
