"""The school's orders and bookings on the dashboard, and one order's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.policy import Action, can
from accounts.selectors import acting_school_for

from .models import Order
from .selectors import (
    booking_list_for_school,
    order_get_for_buyer,
    order_get_for_guest,
    order_get_for_school,
    order_list_for_school,
)


def _school_seeing_orders(request):
    """The school whose orders this user may see, or 404 (never a hint that others exist)."""
    school = acting_school_for(request)
    if school is None or not can(request.user, Action.SEE_ORDERS, school):
        raise Http404("No orders to show")
    return school


@login_required
@require_GET
def dashboard_orders(request):
    school = _school_seeing_orders(request)
    return render(request, "orders/dashboard_orders.html", {"orders": order_list_for_school(school)})


@login_required
@require_GET
def dashboard_bookings(request):
    school = _school_seeing_orders(request)
    return render(
        request,
        "orders/dashboard_bookings.html",
        {
            "upcoming": booking_list_for_school(school, upcoming=True),
            "past": booking_list_for_school(school, upcoming=False),
        },
    )


@require_GET
def order_detail(request, number: str):
    """A school's order (users who may see its orders, or the user who placed it), or a guest's
    own card order (kept in their session). Anyone else gets 404."""
    from basket.views import GUEST_ORDERS_SESSION_KEY

    try:
        if request.user.is_authenticated and request.user.role:
            school = acting_school_for(request)
            if school is not None and can(request.user, Action.SEE_ORDERS, school):
                order = order_get_for_school(number=number, school=school)
            elif school is not None:  # e.g. a governor sees the orders they placed themselves
                order = order_get_for_buyer(number=number, school=school, buyer=request.user)
            else:
                raise Order.DoesNotExist
        else:
            order = order_get_for_guest(
                number=number, order_ids=request.session.get(GUEST_ORDERS_SESSION_KEY, [])
            )
    except Order.DoesNotExist:
        raise Http404("No such order")
    from catalogue.models import Entitlement

    entitlements = {e.order_line_id: e for e in Entitlement.objects.filter(order_line__order=order)}
    lines = [{"line": line, "entitlement": entitlements.get(line.pk)} for line in order.lines.all()]
    template = "orders/detail.html"
    if request.user.is_authenticated and request.user.role:
        template = "orders/detail_dashboard.html"
    sees_orders = order.school_id is not None and can(request.user, Action.SEE_ORDERS, order.school)
    return render(request, template, {"order": order, "lines": lines, "sees_orders": sees_orders})
