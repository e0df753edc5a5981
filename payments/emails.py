"""What a guest who paid by card hears from the payments app: word of a refund (the receipt
and the delegates' tickets are sent by the orders app when the order is confirmed)."""

from __future__ import annotations

from notifications.services import email_send
from orders.models import Order

from .models import Refund


def refund_send(refund_pk: int) -> None:
    refund = Refund.objects.select_related("payment__order").get(pk=refund_pk)
    order = refund.payment.order
    email_send(
        template="card_refund",
        to=[order.buyer_email],
        context={"order": order, "refund": refund, "late": False},
        on_commit=False,
    )


def late_payment_refunded_send(order_pk: int, reason: str) -> None:
    order = Order.objects.get(pk=order_pk)
    refund = Refund.objects.filter(payment__order=order, automatic=True).order_by("-created_at").first()
    email_send(
        template="card_refund",
        to=[order.buyer_email],
        context={"order": order, "refund": refund, "late": True, "reason": reason},
        on_commit=False,
    )
