"""Stripe's webhook, and the pages a guest returns to from the payment page."""

from __future__ import annotations

import logging

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from orders.models import OrderStatus
from portal.errors import DomainError

from . import gateway, services
from .models import PaymentStatus

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request):
    try:
        event = gateway.webhook_event_construct(request.body, request.headers.get("Stripe-Signature", ""))
    except gateway.SignatureError as error:
        logger.warning("Rejected a Stripe webhook: %s", error)
        return HttpResponse("Invalid signature.", status=400, content_type="text/plain")
    try:
        outcome = services.webhook_event_handle(event)
    except (gateway.GatewayError, DomainError) as error:
        # Nothing was recorded: Stripe sends the event again later.
        logger.warning("Stripe webhook %s not handled yet: %s", event.id, error)
        return HttpResponse("Try again later.", status=503, content_type="text/plain")
    return JsonResponse({"received": True, "outcome": outcome})


def _payment(request):
    payment = services.payment_for_token(request.GET.get("payment", ""))
    if payment is None:
        raise Http404
    return payment


@never_cache
@require_GET
def checkout_success(request):
    payment = services.payment_return_sync(_payment(request))
    order = payment.order
    context = {
        "order": order,
        "payment": payment,
        "lines": list(order.lines.all()),
        "confirmed": order.status == OrderStatus.PLACED,
        "pending": order.status == OrderStatus.AWAITING_PAYMENT and payment.status == PaymentStatus.PENDING,
        "mismatch": payment.status == PaymentStatus.MISMATCH,
    }
    return render(request, "payments/checkout_success.html", context)


@never_cache
@require_GET
def checkout_cancel(request):
    payment = _payment(request)
    order = payment.order
    error = ""
    if order.status == OrderStatus.AWAITING_PAYMENT:
        try:
            services.card_order_release(order=order)
        except DomainError as exc:
            error = exc.message
        order.refresh_from_db()
    payment.refresh_from_db()
    context = {"order": order, "payment": payment, "error": error, "paid": order.status == OrderStatus.PLACED}
    return render(request, "payments/checkout_cancel.html", context)
