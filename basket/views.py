"""Get Ticket, the basket and the checkout. Views parse input, call one service and render;
every rule is enforced again on the server by the services."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import acting_school_for
from portal.errors import Conflict, DomainError
from pricing.buyers import buyer_for
from pricing.catalogue import event_quote

from .forms import AccountCheckoutForm, GuestCheckoutForm, delegate_formset
from .models import BasketLine
from .selectors import basket_for_request, basket_priced, package_places_used_before
from .services import basket_event_save, basket_line_remove, basket_product_add

GUEST_ORDERS_SESSION_KEY = "guest_order_ids"
QUANTITY_CEILING = 50  # the most delegates one Get Ticket form offers


def _event_for_booking(slug: str):
    from events.models import Event, EventSession, EventStatus

    try:
        return (
            Event.objects.filter(status=EventStatus.PUBLISHED)
            .select_related("required_product")
            .prefetch_related(
                "categories", Prefetch("sessions", queryset=EventSession.objects.select_related("venue"))
            )
            .get(slug=slug)
        )
    except Event.DoesNotExist:
        raise Http404("No such event")


def _most_delegates(event) -> int:
    limit = event.max_delegates_per_booking or QUANTITY_CEILING
    return max(min(limit, event.places_left, QUANTITY_CEILING), 0)


def _rows_from_post(data, count: int) -> list[dict]:
    rows = []
    for i in range(count):
        rows.append(
            {
                "name": data.get(f"delegates-{i}-name", ""),
                "email": data.get(f"delegates-{i}-email", ""),
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
def get_ticket(request, slug: str):
    """Choose how many delegates, give each one's name and email, then check out or keep
    shopping. Works without JavaScript: "Update" redraws the form for a new number."""
    from events.eligibility import booking_refusal

    event = _event_for_booking(slug)
    school = acting_school_for(request)
    buyer = buyer_for(school)
    refusal = booking_refusal(event, user=request.user, buyer=buyer)
    most = _most_delegates(event)
    basket = basket_for_request(request)
    existing = (
        BasketLine.objects.filter(basket=basket, event=event).prefetch_related("delegates").first()
        if basket
        else None
    )
    FormSet = delegate_formset(max_num=max(most, 1))
    errors: list[str] = []
    focus_id = ""  # after "Update number of delegates", the first delegate still to fill in

    def wanted_quantity(raw, default: int) -> int:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            return default
        return min(max(value, 1), max(most, 1))

    if request.method == "POST" and refusal is None and most > 0:
        action = request.POST.get("action", "basket")
        if action == "update":
            quantity = wanted_quantity(request.POST.get("quantity"), 1)
            old = wanted_quantity(request.POST.get("delegates-TOTAL_FORMS"), quantity)
            rows = _rows_from_post(request.POST, old)[:quantity]
            rows += [{"name": "", "email": ""}] * (quantity - len(rows))
            formset = FormSet(prefix="delegates", initial=rows)
            empty = next((i for i, row in enumerate(rows) if not row["name"]), 0)
            focus_id = f"id_delegates-{empty}-name"
        else:
            formset = FormSet(request.POST, prefix="delegates")
            quantity = formset.total_form_count() if formset.management_form.is_valid() else 1
            if formset.is_valid():
                delegates = [f.cleaned_data for f in formset.forms]
                try:
                    basket = basket_for_request(request, create=True)
                    line = basket_event_save(
                        basket=basket, event=event, delegates=delegates, user=request.user, buyer=buyer
                    )
                except DomainError as error:
                    errors.append(error.message)
                else:
                    _warn_already_booked(request, event, line)
                    if action == "checkout":
                        return redirect("basket:checkout")
                    messages.success(
                        request,
                        f"{event.title}: {line.quantity} delegate{'s' if line.quantity != 1 else ''} "
                        "saved in your basket.",
                    )
                    return redirect("basket:detail")
            else:
                errors += formset.non_form_errors()
    else:
        if existing is not None:
            rows = [{"name": d.name, "email": d.email} for d in existing.delegates.all()]
        else:
            rows = []
        quantity = wanted_quantity(request.GET.get("quantity"), len(rows) or 1)
        rows = rows[:quantity] + [{"name": "", "email": ""}] * max(quantity - len(rows), 0)
        formset = FormSet(prefix="delegates", initial=rows)

    used = package_places_used_before(basket, event=event, buyer=buyer)
    quote = event_quote(event, buyer, quantity=quantity, used=used) if most else None
    status = 200
    if request.method == "POST":
        if refusal is not None:
            status = 403
        elif errors or (formset.is_bound and not formset.is_valid()):
            status = 400
    return render(
        request,
        "basket/get_ticket.html",
        {
            "event": event,
            "refusal": refusal,
            "most": most,
            "quantity": quantity,
            "quantity_choices": range(1, most + 1),
            "formset": formset,
            "errors": errors,
            "quote": quote,
            "in_basket": existing is not None,
            "buyer": buyer,
            "focus_id": focus_id,
        },
        status=status,
    )


def _warn_already_booked(request, event, line) -> None:
    from orders.selectors import delegates_already_booked

    pairs = {(event.pk, d.email.lower()) for d in line.delegates.all()}
    booked = delegates_already_booked(pairs)
    for delegate in line.delegates.all():
        if (event.pk, delegate.email.lower()) in booked:
            messages.warning(
                request,
                f"{delegate.name} ({delegate.email}) already has a place on this event. "
                "Remove them unless you mean to book them twice.",
            )


@require_http_methods(["GET"])
def basket_detail(request):
    school = acting_school_for(request)
    buyer = buyer_for(school)
    basket = basket_for_request(request)
    priced = basket_priced(basket, user=request.user, buyer=buyer)
    return render(
        request,
        "basket/detail.html",
        {
            "basket": basket,
            "priced": priced,
            "buyer": buyer,
        },
    )


@require_POST
def product_add(request, slug: str):
    from catalogue.models import Product

    product = get_object_or_404(Product, slug=slug, is_active=True)
    buyer = buyer_for(acting_school_for(request))
    try:
        basket = basket_for_request(request, create=True)
        basket_product_add(basket=basket, product=product, user=request.user, buyer=buyer)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("catalogue:detail", slug=product.slug)
    messages.success(request, f"{product.name} is in your basket.")
    return redirect("basket:detail")


@require_POST
def line_remove(request, line_id: int):
    basket = basket_for_request(request)
    if basket is None:
        raise Http404("No basket")
    try:
        line = BasketLine.objects.select_related("event", "product").get(basket=basket, pk=line_id)
    except BasketLine.DoesNotExist:
        raise Http404("No such line")
    basket_line_remove(basket=basket, line_id=line.pk)
    messages.success(request, f"{line.event or line.product} removed from your basket.")
    return redirect("basket:detail")


@require_http_methods(["GET", "POST"])
def checkout(request):
    """On account for school users (placed at once, invoiced); by card for guests."""
    from orders.services import order_place

    school = acting_school_for(request)
    buyer = buyer_for(school)
    basket = basket_for_request(request)
    priced = basket_priced(basket, user=request.user, buyer=buyer)
    is_school_user = bool(request.user.is_authenticated and request.user.role)
    if is_school_user and school is None:
        messages.error(request, "Your account is not linked to a school: contact us to check out.")
        return redirect("basket:detail")
    form_class = AccountCheckoutForm if school is not None else GuestCheckoutForm
    errors: list[str] = []

    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = order_place(
                    basket=basket,
                    actor=request.user,
                    school=school,
                    purchase_order_number=data.get("purchase_order_number", ""),
                    idempotency_key=data["idempotency_key"],
                    buyer_name=data.get("buyer_name", ""),
                    buyer_email=data.get("buyer_email", ""),
                )
                return _after_order(request, order, basket=basket)
            except DomainError as error:
                errors.append(error.message)
                # Trying again is a new attempt: a fresh key, so the failed one is not found.
                fresh = request.POST.copy()
                fresh["idempotency_key"] = uuid.uuid4().hex
                form = form_class(fresh)
        elif "idempotency_key" in form.errors:  # missing or forged: the next submit needs a key
            errors.append("This checkout form has expired: please check the order and try again.")
            fresh = request.POST.copy()
            fresh["idempotency_key"] = uuid.uuid4().hex
            form = form_class(fresh)
    else:
        if not priced.lines:
            messages.info(request, "Your basket is empty.")
            return redirect("basket:detail")
        form = form_class(initial={"idempotency_key": uuid.uuid4().hex})
    return render(
        request,
        "basket/checkout.html",
        {
            "priced": priced,
            "school": school,
            "form": form,
            "errors": errors,
            "buyer": buyer,
            "on_account": school is not None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _after_order(request, order, *, basket):
    """A placed order shows its page; a guest's order awaiting payment goes to the card
    payment page (and if that cannot open, its held places go back and the basket stays)."""
    from orders.models import OrderStatus
    from payments.services import card_checkout_start, card_order_release

    from .services import basket_clear

    if order.school_id is None:
        ids = set(request.session.get(GUEST_ORDERS_SESSION_KEY, []))
        ids.add(order.pk)
        request.session[GUEST_ORDERS_SESSION_KEY] = sorted(ids)
    if order.status not in (OrderStatus.PLACED, OrderStatus.AWAITING_PAYMENT):
        raise Conflict(f"Order {order.number} was not completed: please check out again.")
    if order.status == OrderStatus.AWAITING_PAYMENT:
        try:
            url = card_checkout_start(order=order)
        except DomainError:
            card_order_release(order=order)
            raise
        if basket is not None:
            basket_clear(basket=basket)
        return redirect(url)
    messages.success(request, f"Thank you: order {order.number} is placed.")
    return redirect("orders:detail", number=order.number)
