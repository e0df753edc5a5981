"""Writes to the basket. Every rule is checked here on the server, whatever a form posts;
prices are never stored in the basket (the pricing app computes them when shown and when the
order is placed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from portal.errors import InvalidInput, NotAllowed

from .models import Basket, BasketDelegate, BasketLine


@dataclass(frozen=True)
class Delegate:
    name: str
    email: str


def _field(delegate, name: str):
    value = delegate.get(name) if isinstance(delegate, dict) else getattr(delegate, name, "")
    return value or ""


def delegates_clean(delegates, *, event) -> list[Delegate]:
    """Names and valid, distinct email addresses, as many as the event allows in one booking.
    Raises InvalidInput with a message a person can act on."""
    cleaned: list[Delegate] = []
    seen: set[str] = set()
    for number, delegate in enumerate(delegates, start=1):
        name = " ".join(str(_field(delegate, "name")).split())
        email = str(_field(delegate, "email")).strip().lower()
        if not name:
            raise InvalidInput(f"Enter the name of delegate {number}.", code="delegate_name")
        if len(name) > 150:
            raise InvalidInput(f"Delegate {number}'s name must be 150 characters or fewer.")
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                f"Enter delegate {number}'s email address in the correct format, like name@example.com.",
                code="delegate_email",
            )
        if email in seen:
            raise InvalidInput(
                f"{email} is given for more than one delegate: each delegate needs their own email address.",
                code="duplicate_delegate",
            )
        seen.add(email)
        cleaned.append(Delegate(name=name, email=email))
    if not cleaned:
        raise InvalidInput("Add at least one delegate.", code="no_delegates")
    limit = event.max_delegates_per_booking
    if limit and len(cleaned) > limit:
        raise InvalidInput(
            f"You can book up to {limit} delegate{'s' if limit != 1 else ''} at a time on this event.",
            code="too_many_delegates",
        )
    if len(cleaned) > event.places_left:
        left = event.places_left
        raise InvalidInput(
            "This event is fully booked."
            if not left
            else f"Only {left} place{'s' if left != 1 else ''} left on this event.",
            code="sold_out",
        )
    return cleaned


def basket_event_save(*, basket: Basket, event, delegates, user, buyer) -> BasketLine:
    """Put an event in the basket with these delegates (replacing the line's delegates when
    the event is already in the basket). Checks who may book, the delegates and places left."""
    from events.eligibility import booking_refusal

    refusal = booking_refusal(event, user=user, buyer=buyer)
    if refusal is not None:
        raise NotAllowed(refusal.message, code=refusal.code)
    cleaned = delegates_clean(delegates, event=event)
    with transaction.atomic():
        line, _ = BasketLine.objects.select_for_update().get_or_create(
            basket=basket, event=event, defaults={"quantity": len(cleaned)}
        )
        line.delegates.all().delete()
        BasketDelegate.objects.bulk_create(
            BasketDelegate(line=line, name=d.name, email=d.email, position=i) for i, d in enumerate(cleaned)
        )
        if line.quantity != len(cleaned):
            line.quantity = len(cleaned)
            line.save(update_fields=["quantity"])
        basket.save(update_fields=["updated_at"])
    return line


def basket_product_add(*, basket: Basket, product, user, buyer) -> BasketLine:
    """Put a package or traded service in the basket (once), if this user may buy it."""
    from catalogue.rules import purchase_refusal

    refusal = purchase_refusal(product, user=user, buyer=buyer)
    if refusal is not None:
        raise NotAllowed(refusal.message, code=refusal.code)
    with transaction.atomic():
        line, created = BasketLine.objects.get_or_create(
            basket=basket, product=product, defaults={"quantity": 1}
        )
        if not created:
            raise InvalidInput(f"{product.name} is already in your basket.", code="already_in_basket")
        basket.save(update_fields=["updated_at"])
    return line


def basket_line_remove(*, basket: Basket, line_id: int) -> None:
    deleted, _ = BasketLine.objects.filter(basket=basket, pk=line_id).delete()
    if not deleted:
        raise InvalidInput("That is no longer in your basket.", code="no_such_line")


def basket_clear(*, basket: Basket) -> None:
    """Empty the basket once its order is placed (its promotional code goes too)."""
    from billing.models import BasketCoupon

    BasketCoupon.objects.filter(basket=basket).delete()
    BasketLine.objects.filter(basket=basket).delete()


def basket_merge(*, source: Basket, target: Basket) -> None:
    """A guest's basket joins the account's at login. For an event in both, the guest's
    (newer) delegates win; a product already in the account's basket is not added twice."""
    if source.pk == target.pk:
        return
    with transaction.atomic():
        target_events = {
            line.event_id: line for line in BasketLine.objects.filter(basket=target, event__isnull=False)
        }
        target_products = set(
            BasketLine.objects.filter(basket=target, product__isnull=False).values_list(
                "product_id", flat=True
            )
        )
        for line in BasketLine.objects.filter(basket=source).prefetch_related("delegates"):
            if line.event_id and line.event_id in target_events:
                target_events[line.event_id].delete()
            if line.product_id and line.product_id in target_products:
                continue
            BasketLine.objects.filter(pk=line.pk).update(basket=target)
        from billing.models import BasketCoupon

        if not BasketCoupon.objects.filter(basket=target).exists():
            BasketCoupon.objects.filter(basket=source).update(basket=target)
        source.delete()
        target.save(update_fields=["updated_at"])
