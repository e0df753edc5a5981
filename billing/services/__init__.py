"""Every write billing does. Callers import from here: `billing.services.invoices_issue_for_order`."""

from .coupons import (
    basket_coupon_apply,
    basket_coupon_remove,
    coupon_redeem,
    coupon_redemption_restore,
    coupon_redemption_void,
)
from .credit_notes import credit_note_issue
from .invoices import invoice_mark_paid, invoices_issue_for_order, order_placed
from .settings import billing_settings_save

__all__ = [
    "basket_coupon_apply",
    "basket_coupon_remove",
    "billing_settings_save",
    "coupon_redeem",
    "coupon_redemption_restore",
    "coupon_redemption_void",
    "credit_note_issue",
    "invoice_mark_paid",
    "invoices_issue_for_order",
    "order_placed",
]
