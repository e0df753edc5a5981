"""Reads of the basket: whose it is, and what it holds priced for this buyer."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum

from pricing.money import ZERO, money
from pricing.quotes import LineQuote

from .models import Basket, BasketDelegate, BasketLine

# The guest's basket id lives in the session data (not only its key): the session key changes
# at login, and the basket must survive that to be merged into the user's basket.
SESSION_BASKET_KEY = "basket_id"


def basket_for_request(request, *, create: bool = False) -> Basket | None:
    """The account user's basket (kept across logins), or the guest's for this session."""
    if request.user.is_authenticated:
        if create:
            basket, _ = Basket.objects.get_or_create(user=request.user)
            return basket
        return Basket.objects.filter(user=request.user).first()
    basket_id = request.session.get(SESSION_BASKET_KEY)
    basket = Basket.objects.filter(pk=basket_id, user=None).first() if basket_id else None
    if basket is None and create:
        if request.session.session_key is None:
            request.session.save()
        basket = Basket.objects.create(session_key=request.session.session_key)
        request.session[SESSION_BASKET_KEY] = basket.pk
    return basket


def basket_item_count(request) -> int:
    """Places and products in the basket (event lines count their delegates)."""
    if request.user.is_authenticated:
        filters = {"basket__user": request.user}
    else:
        session = getattr(request, "session", None)
        basket_id = session.get(SESSION_BASKET_KEY) if session is not None else None
        if not basket_id:
            return 0
        filters = {"basket_id": basket_id, "basket__user": None}
    return BasketLine.objects.filter(**filters).aggregate(n=Sum("quantity"))["n"] or 0


def basket_lines(basket: Basket | None) -> list[BasketLine]:
    """The lines with everything pricing, eligibility and the page need (a fixed number of
    queries whatever the number of lines and delegates)."""
    if basket is None or basket.pk is None:
        return []
    from events.models import EventSession

    return list(
        BasketLine.objects.filter(basket=basket)
        .select_related("event", "event__required_product", "product", "product__invoicing_body")
        .prefetch_related(
            "event__categories",
            Prefetch("event__sessions", queryset=EventSession.objects.select_related("venue")),
            "product__covers_categories",
            Prefetch("delegates", queryset=BasketDelegate.objects.order_by("position", "id")),
        )
        .order_by("added_at", "id")
    )


@dataclass
class PricedLine:
    line: BasketLine
    quote: LineQuote
    base_reason: str = ""  # "Member price" / "Non-member price", before any package discount
    refusal: object | None = None  # events.eligibility.Refusal: why it cannot be ordered
    problems: list[str] = field(default_factory=list)  # e.g. fewer places left than delegates
    already_booked: set[str] = field(default_factory=set)  # delegate emails already booked

    @property
    def is_event(self) -> bool:
        return self.line.event_id is not None

    @property
    def orderable(self) -> bool:
        return self.refusal is None and not self.problems


@dataclass
class PricedBasket:
    lines: list[PricedLine]
    coupon: object | None = None  # billing.Coupon applied to the basket
    coupon_result: object | None = None  # pricing.coupons.CouponResult (applied, or why not)

    @property
    def subtotal(self) -> Decimal:
        return money(sum((p.quote.subtotal for p in self.lines), ZERO))

    @property
    def discount(self) -> Decimal:
        return money(sum((p.quote.discount for p in self.lines), ZERO))

    @property
    def total(self) -> Decimal:
        return money(sum((p.quote.total for p in self.lines), ZERO))

    @property
    def orderable(self) -> bool:
        coupon_ok = self.coupon is None or bool(self.coupon_result and self.coupon_result.ok)
        return bool(self.lines) and all(p.orderable for p in self.lines) and coupon_ok

    @property
    def item_count(self) -> int:
        return sum(p.line.quantity for p in self.lines)


def basket_priced(basket: Basket | None, *, user, buyer) -> PricedBasket:
    """Each line priced by the pricing app for this buyer (package places shared across the
    lines in order), with the reasons a line could not be ordered now."""
    from catalogue.rules import purchase_refusal
    from events.eligibility import booking_refusal
    from orders.selectors import delegates_already_booked
    from pricing.catalogue import base_reason

    lines = basket_lines(basket)
    quotes = basket_line_quotes(lines, buyer)
    booked = delegates_already_booked(
        {(line.event_id, d.email.lower()) for line in lines if line.event_id for d in line.delegates.all()}
    )
    priced = []
    for line, quote in zip(lines, quotes, strict=True):
        if line.event_id:
            event = line.event
            item = PricedLine(
                line=line,
                quote=quote,
                base_reason=base_reason(event, buyer),
                refusal=booking_refusal(event, user=user, buyer=buyer),
            )
            if event.places_left < line.quantity:
                item.problems.append(
                    "This event is fully booked."
                    if not event.places_left
                    else f"Only {event.places_left} place{'s' if event.places_left != 1 else ''} left: "
                    "change the number of delegates."
                )
            if len(line.delegates.all()) != line.quantity:
                item.problems.append("Give a name and email address for each delegate.")
            item.already_booked = {
                d.email.lower() for d in line.delegates.all() if (event.pk, d.email.lower()) in booked
            }
        else:
            item = PricedLine(
                line=line,
                quote=quote,
                base_reason=base_reason(line.product, buyer),
                refusal=purchase_refusal(line.product, user=user, buyer=buyer),
            )
        priced.append(item)
    result = PricedBasket(lines=priced)
    _coupon_apply(result, basket, buyer=buyer)
    return result


def basket_line_quotes(lines: list[BasketLine], buyer) -> list[LineQuote]:
    """The one way a basket's lines are priced (by the pricing app), in basket order, with
    package places shared across the event lines as the order will use them."""
    from pricing.catalogue import event_quote, product_quote

    used: dict[int, int] = {}
    return [
        event_quote(line.event, buyer, quantity=line.quantity, used=used)
        if line.event_id
        else product_quote(line.product, buyer, quantity=line.quantity)
        for line in lines
    ]


def basket_coupon_lines(basket: Basket | None, buyer) -> list:
    """The basket priced for `buyer`, as a promotional code sees it."""
    lines = basket_lines(basket)
    return coupon_lines(
        (line.pk, line, quote) for line, quote in zip(lines, basket_line_quotes(lines, buyer), strict=True)
    )


def coupon_lines(items) -> list:
    """Priced lines as a promotional code sees them (pricing.coupons.CouponLine)."""
    from pricing.coupons import CouponLine

    lines = []
    for key, line, quote in items:
        if line.event_id:
            categories = frozenset(c.pk for c in line.event.categories.all())
            lines.append(CouponLine(key=key, quote=quote, event_id=line.event_id, category_ids=categories))
        else:
            lines.append(CouponLine(key=key, quote=quote, product_id=line.product_id))
    return lines


def _coupon_apply(priced: PricedBasket, basket, *, buyer) -> None:
    """The basket's promotional code (billing), applied by the pricing app to these quotes."""
    from billing.selectors import coupon_evaluate, coupon_for_basket

    coupon = coupon_for_basket(basket) if priced.lines else None
    if coupon is None:
        return
    lines = coupon_lines((item.line.pk, item.line, item.quote) for item in priced.lines)
    result = coupon_evaluate(coupon=coupon, lines=lines, school=buyer.school)
    priced.coupon, priced.coupon_result = coupon, result
    if result.ok:
        for item, line in zip(priced.lines, lines, strict=True):
            item.quote = result.apply_to(line)


def package_places_used_before(basket: Basket | None, *, event, buyer) -> dict[int, int]:
    """Package places the basket's earlier event lines take before `event`'s (all its event
    lines when `event` is not in it yet), so Get Ticket quotes what the basket will charge."""
    from pricing.catalogue import event_quote

    used: dict[int, int] = {}
    if basket is None or not buyer.entitlements:
        return used
    for line in basket_lines(basket):
        if line.event_id == event.pk:
            break
        if line.event_id:
            event_quote(line.event, buyer, quantity=line.quantity, used=used)
    return used
