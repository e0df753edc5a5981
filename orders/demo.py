"""Demo data made through the real services: orders placed by order_place, so the places,
prices, entitlements and order numbers are what a real order gives."""

from __future__ import annotations

from basket.models import Basket, BasketDelegate, BasketLine

from .models import Order
from .services import order_place


def _place(*, key: str, actor, school, lines: list[tuple]) -> Order:
    """Place an order from a throwaway basket (never the user's own). `lines` holds
    ("event", event, [(name, email), ...]) or ("product", product)."""
    existing = Order.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    basket = Basket.objects.create(session_key=f"demo:{key}"[:64])
    for line in lines:
        if line[0] == "event":
            _, event, delegates = line
            basket_line = BasketLine.objects.create(basket=basket, event=event, quantity=len(delegates))
            BasketDelegate.objects.bulk_create(
                BasketDelegate(line=basket_line, name=name, email=email, position=i)
                for i, (name, email) in enumerate(delegates)
            )
        else:
            BasketLine.objects.create(basket=basket, product=line[1], quantity=1)
    order = order_place(
        basket=basket, actor=actor, school=school, idempotency_key=key, purchase_order_number="", notify=False
    )
    basket.delete()
    return order


def load_nearly_full(ctx: dict) -> None:
    """Book most places on a few events for another school, so the calendar shows scarcity."""
    from events.models import Event
    from portal.demo import _user

    school = ctx["schools"]["Bruce Grove Primary School"]
    actor = _user(
        "bookings@bruce-grove.demo.test",
        full_name="Bruce Grove bookings",
        role="business_manager",
        school=school,
    )
    for index in (1, 6, 11, 17, 25):
        event = Event.objects.get(pk=ctx["events"][index].pk)
        key = f"demo-nearly-full-{event.slug[:40]}"
        if Order.objects.filter(idempotency_key__startswith=key).exists():
            continue
        wanted = event.capacity - (1 if index % 2 else 2) if index != 25 else event.capacity
        chunk = event.max_delegates_per_booking or wanted
        booked = 0
        part = 0
        while booked < wanted:
            size = min(chunk, wanted - booked)
            delegates = [
                (f"Delegate {booked + i + 1}", f"delegate{booked + i + 1}@bruce-grove.sch.example")
                for i in range(size)
            ]
            _place(key=f"{key}-{part}", actor=actor, school=school, lines=[("event", event, delegates)])
            booked += size
            part += 1


def load_shop(ctx: dict) -> None:
    """The demo member school (Noel Park) holds the Professional Learning package this year,
    bought by its key user: key@demo.test sees £0.00 on the events it covers."""
    from accounts.models import User
    from catalogue.models import Entitlement, EntitlementStatus
    from portal.demo import DEMO_MEMBER_SCHOOL

    school = ctx["schools"][DEMO_MEMBER_SCHOOL]
    product = ctx["products"]["professional-learning-package"]
    held = Entitlement.objects.filter(
        school=school,
        product=product,
        membership_year=product.membership_year,
        status__in=[EntitlementStatus.ACTIVE, EntitlementStatus.AWAITING_APPROVAL],
    ).exists()
    if held:
        return
    actor = User.objects.get(email="key@demo.test")
    _place(key=f"demo-package-{product.slug}"[:64], actor=actor, school=school, lines=[("product", product)])
