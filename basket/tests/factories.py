import uuid

from basket.models import Basket, BasketDelegate, BasketLine


def basket_for(user=None, *, session_key: str | None = None) -> Basket:
    if user is not None:
        return Basket.objects.get_or_create(user=user)[0]
    return Basket.objects.create(session_key=session_key or uuid.uuid4().hex)


def add_event(basket: Basket, event, delegates: int | list = 1, *, prefix: str = "delegate") -> BasketLine:
    """Put an event line straight into the basket (bypassing the basket service's checks, as a
    forged form post could): `delegates` is a count or a list of (name, email)."""
    if isinstance(delegates, int):
        tag = uuid.uuid4().hex[:6]
        delegates = [(f"Delegate {i + 1}", f"{prefix}{i + 1}-{tag}@school.example") for i in range(delegates)]
    line = BasketLine.objects.create(basket=basket, event=event, quantity=len(delegates))
    BasketDelegate.objects.bulk_create(
        BasketDelegate(line=line, name=name, email=email, position=i)
        for i, (name, email) in enumerate(delegates)
    )
    return line


def add_product(basket: Basket, product) -> BasketLine:
    return BasketLine.objects.create(basket=basket, product=product, quantity=1)


def key() -> str:
    return uuid.uuid4().hex
