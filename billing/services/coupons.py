"""Promotional codes: applying one to a basket, and counting a use when an order is placed."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit_record
from portal.errors import Conflict, InvalidInput
from pricing.coupons import coupon_check
from pricing.money import ZERO, money

from ..models import BasketCoupon, Coupon, CouponRedemption
from ..selectors import coupon_evaluate, coupon_get_by_code, coupon_terms_for

logger = logging.getLogger(__name__)


def basket_coupon_apply(*, basket, code: str, school=None, email: str = "", actor=None) -> BasketCoupon:
    """Check a code against the basket as it is priced now and keep it on the basket.

    Raises InvalidInput with the reason (unknown, expired, used up, not for these items,
    minimum spend) when it cannot be used."""
    from basket.selectors import basket_coupon_lines
    from pricing.buyers import buyer_for

    entered = (code or "").strip()
    if not entered:
        raise InvalidInput("Enter a promotional code.", code="coupon_missing")
    if len(entered) > 40:
        raise InvalidInput(f"{entered[:40]}… is not a promotional code we recognise.", code="unknown")
    coupon = coupon_get_by_code(entered)
    lines = basket_coupon_lines(basket, buyer_for(school))
    if not lines:
        raise InvalidInput(
            "Add something to your basket before applying a promotional code.", code="empty_basket"
        )
    result = coupon_evaluate(coupon=coupon, lines=lines, school=school, email=email, entered=entered)
    if not result.ok:
        raise InvalidInput(result.message, code=result.code)
    row, _ = BasketCoupon.objects.update_or_create(basket=basket, defaults={"coupon": coupon})
    return row


def basket_coupon_remove(*, basket, actor=None) -> None:
    BasketCoupon.objects.filter(basket=basket).delete()


def _coupon_amount(order) -> Decimal:
    """What the coupon took off the order: the "coupon" steps of its lines' price working."""
    total = ZERO
    for line in order.lines.all():
        for step in line.price_working or []:
            if isinstance(step, dict) and step.get("code") == "coupon":
                total += -money(step.get("amount", 0))
    return money(total)


def coupon_redeem(
    *, coupon: Coupon, order, school=None, actor=None, amount: Decimal | None = None
) -> CouponRedemption:
    """Count one use of `coupon` by `order`, inside the checkout's transaction.

    The coupon row is locked first, so a one-use code redeemed by many checkouts at once is
    used exactly once; the others get Conflict("... used the maximum number of times")."""
    with transaction.atomic():
        coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
        email = "" if school is not None else (order.buyer_email or "")
        terms = coupon_terms_for(coupon, school=school, email=email)
        refused = coupon_check(terms, now=timezone.now())
        if refused:
            raise Conflict(refused.message, code=refused.code)
        value = money(amount) if amount is not None else _coupon_amount(order)
        redemption = CouponRedemption.objects.create(
            coupon=coupon, order=order, school=school, email=email if school is None else "", amount=value
        )
        Coupon.objects.filter(pk=coupon.pk).update(times_used=F("times_used") + 1)
        audit_record(
            "coupon.redeemed",
            actor=actor,
            school=school,
            target=coupon,
            detail={"order": order.number, "amount": value},
        )
    logger.info("Coupon %s redeemed by order %s (%s)", coupon.code, order.number, value)
    return redemption


def coupon_redemption_void(*, order, actor=None) -> bool:
    """Give a use back when an order that used a coupon is never paid (its places released)."""
    with transaction.atomic():
        redemption = CouponRedemption.objects.filter(order=order, voided_at__isnull=True).first()
        if redemption is None:
            return False
        coupon = Coupon.objects.select_for_update().get(pk=redemption.coupon_id)
        redemption = CouponRedemption.objects.select_for_update().get(pk=redemption.pk)
        if redemption.voided_at is not None:
            return False
        redemption.voided_at = timezone.now()
        redemption.save(update_fields=["voided_at"])
        Coupon.objects.filter(pk=coupon.pk, times_used__gt=0).update(times_used=F("times_used") - 1)
    return True


def coupon_redemption_restore(*, order, actor=None) -> bool:
    """Count a voided use again when its order was paid after all (late card payment), if the
    coupon still has a use left; otherwise the order keeps its price and the use stays voided."""
    with transaction.atomic():
        redemption = CouponRedemption.objects.filter(order=order, voided_at__isnull=False).first()
        if redemption is None:
            return False
        coupon = Coupon.objects.select_for_update().get(pk=redemption.coupon_id)
        if coupon.max_uses is not None and coupon.times_used >= coupon.max_uses:
            logger.warning(
                "Coupon %s: no use left to restore for late-paid order %s", coupon.code, order.number
            )
            return False
        CouponRedemption.objects.filter(pk=redemption.pk).update(voided_at=None)
        Coupon.objects.filter(pk=coupon.pk).update(times_used=F("times_used") + 1)
    return True
