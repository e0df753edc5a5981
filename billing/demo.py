"""Demo data for billing: promotional codes, and a few invoices for the demo member school
(both invoicing bodies, one paid, one partly credited). Idempotent, like portal/demo.py."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F
from django.utils import timezone

DEMO_COUPONS = [
    dict(
        code="WELCOME10",
        description="Demo: 10% off a first booking, once per school",
        kind="percentage",
        value=Decimal("10"),
        max_uses_per_school=1,
    ),
    dict(
        code="LEADERS25",
        description="Demo: £25 off leadership events when spending £100 or more",
        kind="fixed",
        value=Decimal("25"),
        minimum_spend=Decimal("100"),
        categories=["Leaders", "Middle Leaders"],
    ),
]


def load_billing(ctx: dict) -> None:
    from billing.models import BillingSettings, Coupon

    BillingSettings.load()
    for spec in DEMO_COUPONS:
        spec = dict(spec)
        categories = spec.pop("categories", [])
        coupon, created = Coupon.objects.get_or_create(code=spec.pop("code"), defaults=spec)
        if created and categories:
            coupon.categories.set([ctx["categories"][name] for name in categories])
    _demo_invoices(ctx)


def _demo_invoices(ctx: dict) -> None:
    from accounts.models import User
    from billing.models import CreditNote, InvoiceStatus
    from billing.services import credit_note_issue, invoice_mark_paid, invoices_issue_for_order
    from portal.demo import DEMO_MEMBER_SCHOOL

    school = ctx["schools"][DEMO_MEMBER_SCHOOL]
    buyer = User.objects.get(email="business@demo.test")
    finance = User.objects.filter(email="finance@demo.test").first()
    events = [e for e in ctx["events"] if e.member_price > 0 and e.status == "published"]

    def first(category: str):
        return next(e for e in events if e.places_left >= 3 and e.categories.filter(name=category).exists())

    orders = [
        (
            "demo-billing-1",
            "NP-PO-0042",
            [
                ("event", first("Early Years"), ["Priya Shah", "Tom Okafor"]),
                ("event", first("SEND"), ["Grace Mensah"]),
                ("event", first("Leaders"), ["Kemi Adeyemi"]),
            ],
        ),
        ("demo-billing-2", "NP-PO-0043", [("product", ctx["products"]["school-improvement"], [])]),
        ("demo-billing-3", "", [("product", ctx["products"]["clerking"], [])]),
    ]
    for number, (key, po, lines) in enumerate(orders, start=1):
        order = _order(key=key, number=f"DEMO-B{number}", school=school, buyer=buyer, po=po, lines=lines)
        invoices = invoices_issue_for_order(order=order, actor=buyer)
        if key == "demo-billing-2":
            for invoice in invoices:
                if invoice.status == InvoiceStatus.ISSUED:
                    invoice_mark_paid(invoice=invoice, actor=finance, reference="BACS demo")
        if key == "demo-billing-3":
            for invoice in order.invoices.all():
                if not CreditNote.objects.filter(invoice=invoice).exists():
                    credit_note_issue(
                        invoice=invoice,
                        amount=Decimal("220.00"),
                        reason="One meeting not needed",
                        actor=finance,
                    )


def _order(*, key: str, number: str, school, buyer, po: str, lines: list):
    from events.models import Event
    from orders.models import Booking, BookingStatus, Order, OrderLine, OrderStatus, PaymentMethod
    from pricing.buyers import buyer_for
    from pricing.catalogue import event_quote, product_quote

    existing = Order.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    priced_for = buyer_for(school)
    order = Order.objects.create(
        number=number,
        status=OrderStatus.PLACED,
        payment_method=PaymentMethod.ACCOUNT,
        school=school,
        buyer=buyer,
        buyer_name=buyer.full_name,
        buyer_email=buyer.email,
        billing_name=school.name,
        billing_address=school.billing_address,
        purchase_order_number=po,
        idempotency_key=key,
        placed_at=timezone.now(),
    )
    subtotal = discount = total = Decimal("0.00")
    for kind, thing, delegates in lines:
        if kind == "event":
            quote = event_quote(thing, priced_for, quantity=len(delegates))
        else:
            quote = product_quote(thing, priced_for)
        line = OrderLine.objects.create(
            order=order,
            kind=kind,
            event=thing if kind == "event" else None,
            product=thing if kind == "product" else None,
            description=thing.title if kind == "event" else thing.name,
            quantity=quote.quantity,
            unit_price=quote.unit_price,
            discount=quote.discount,
            total=quote.total,
            price_reason=quote.reason,
            price_working=quote.working(),
            invoicing_body=thing.invoicing_body,
        )
        for index, name in enumerate(delegates):
            Booking.objects.create(
                order_line=line,
                event=thing,
                school=school,
                delegate_name=name,
                delegate_email=f"{name.split()[0].lower()}.{index}@noel-park.sch.example",
                status=BookingStatus.BOOKED,
            )
        if delegates:
            Event.objects.filter(pk=thing.pk).update(places_taken=F("places_taken") + len(delegates))
        subtotal += quote.subtotal
        discount += quote.discount
        total += quote.total
    order.subtotal, order.discount_total, order.total = subtotal, discount, total
    order.save(update_fields=["subtotal", "discount_total", "total"])
    return order
