from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def basket_coupon(context, basket=None):
    """What the basket's promotional-code form shows: the applied code and what it does now,
    and the last refused code with its reason (shown once)."""
    from accounts.selectors import acting_school_for

    from ..selectors import BasketCouponState, basket_coupon_state
    from ..views import COUPON_FLASH

    request = context.get("request")
    flash = request.session.pop(COUPON_FLASH, None) if request is not None else None
    school, email = None, ""
    if request is not None and request.user.is_authenticated:
        school, email = acting_school_for(request), request.user.email
    priced = context.get("priced")  # the basket page has priced it already, coupon included
    if basket is not None and getattr(priced, "coupon", None) is not None:
        state = BasketCouponState(coupon=priced.coupon, result=priced.coupon_result)
    else:
        state = basket_coupon_state(basket, school=school, email=email) if basket is not None else None
    return {
        "coupon": state.coupon if state else None,
        "result": state.result if state else None,
        "error": (flash or {}).get("error", ""),
        "entered": (flash or {}).get("code", ""),
        "next": request.get_full_path() if request is not None else "",
    }


@register.filter
def gbp(value) -> str:
    """£1,234.50, and −£220.00 for a credit."""
    from pricing.money import money

    if value in (None, ""):
        return ""
    amount = money(value)
    return f"{'−' if amount < 0 else ''}£{abs(amount):,.2f}"
