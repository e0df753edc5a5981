"""Orders built directly (the checkout that places them is another app's): an account order with
lines of chosen bodies, a held card order for a guest, and coupons."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from billing.models import Coupon, InvoicingBody
from events.models import Event
from orders.models import Booking, Order, OrderLine

_numbers = itertools.count(1)


def body(code: str) -> InvoicingBody:
    return InvoicingBody.objects.get(code=code)


def _number(prefix: str) -> str:
    return f"{prefix}{timezone.now():%H%M%S}{next(_numbers):05d}"


def line_spec(
    description: str,
    unit_price: str,
    *,
    quantity: int = 1,
    body_code: str = "hep",
    discount: str = "0.00",
    kind: str = "product",
    event=None,
    product=None,
    membership=None,
    delegates: list[tuple[str, str]] | None = None,
    coupon: str | None = None,
) -> dict:
    return {
        "description": description,
        "unit_price": Decimal(unit_price),
        "quantity": quantity,
        "body_code": body_code,
        "discount": Decimal(discount),
        "kind": kind,
        "event": event,
        "product": product,
        "membership": membership,
        "delegates": delegates or [],
        "coupon": Decimal(coupon) if coupon else None,
    }


def _lines(order: Order, specs: list[dict], *, booking_status: str) -> None:
    subtotal = discount = total = Decimal("0.00")
    for spec in specs:
        line_subtotal = spec["unit_price"] * spec["quantity"]
        line_total = line_subtotal - spec["discount"]
        working = []
        if spec["coupon"]:
            working.append({"code": "coupon", "label": "Coupon", "amount": f"{-spec['coupon']:.2f}"})
        line = OrderLine.objects.create(
            order=order,
            kind=spec["kind"],
            event=spec["event"],
            product=spec["product"],
            membership=spec["membership"],
            description=spec["description"],
            quantity=spec["quantity"],
            unit_price=spec["unit_price"],
            discount=spec["discount"],
            total=line_total,
            price_reason="Member price",
            price_working=working,
            invoicing_body=body(spec["body_code"]),
        )
        for name, email in spec["delegates"]:
            Booking.objects.create(
                order_line=line,
                event=spec["event"],
                school=order.school,
                delegate_name=name,
                delegate_email=email,
                status=booking_status,
            )
        subtotal += line_subtotal
        discount += spec["discount"]
        total += line_total
    order.subtotal, order.discount_total, order.total = subtotal, discount, total
    order.save(update_fields=["subtotal", "discount_total", "total"])


def account_order(*, school, buyer=None, lines: list[dict], purchase_order_number: str = "") -> Order:
    """A placed order on account, as the checkout would leave it (places taken)."""
    with transaction.atomic():
        order = Order.objects.create(
            number=_number("A"),
            status="placed",
            payment_method="account",
            school=school,
            buyer=buyer,
            buyer_name=buyer.full_name if buyer else "Sam Business",
            buyer_email=buyer.email if buyer else "sam@school.example",
            billing_name=school.name,
            billing_address=school.billing_address,
            purchase_order_number=purchase_order_number,
            idempotency_key=_number("key-"),
            placed_at=timezone.now(),
        )
        _lines(order, lines, booking_status="booked")
        _take_places(lines)
    return order


def held_card_order(
    *,
    event: Event,
    delegates: list[tuple[str, str]],
    buyer_email: str = "guest@example.com",
    buyer_name: str = "Gill Guest",
    unit_price: str | None = None,
    minutes: int = 30,
    extra_lines: list[dict] | None = None,
) -> Order:
    """A guest's card order with its places held, as the checkout leaves it before payment."""
    price = Decimal(unit_price) if unit_price is not None else event.non_member_price
    spec = line_spec(
        event.title,
        str(price),
        quantity=len(delegates),
        kind="event",
        event=event,
        delegates=delegates,
        body_code=event.invoicing_body.code,
    )
    with transaction.atomic():
        order = Order.objects.create(
            number=_number("G"),
            status="awaiting_payment",
            payment_method="card",
            buyer_name=buyer_name,
            buyer_email=buyer_email,
            billing_name=buyer_name,
            idempotency_key=_number("key-"),
            places_held_until=timezone.now() + dt.timedelta(minutes=minutes),
        )
        _lines(order, [spec, *(extra_lines or [])], booking_status="held")
        _take_places([spec])
    return order


def _take_places(specs: list[dict]) -> None:
    for spec in specs:
        if spec["event"] is not None and spec["delegates"]:
            Event.objects.filter(pk=spec["event"].pk).update(
                places_taken=F("places_taken") + len(spec["delegates"])
            )


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CODE{n}")
    kind = "percentage"
    value = Decimal("10")
