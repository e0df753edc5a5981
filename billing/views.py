"""School-facing billing pages: the dashboard's invoices, PDF downloads, and the basket's
promotional-code form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import Action, can
from accounts.security import client_ip, throttle
from accounts.selectors import acting_school_for
from portal.errors import DomainError
from portal.redirects import safe_next

from . import selectors, services
from .pdf import credit_note_pdf, invoice_pdf

COUPON_FLASH = "billing_coupon_flash"
# Guesses at promotional codes, per client address: enough for honest typos, not for trying codes.
COUPON_TRIES_LIMIT = 20
COUPON_TRIES_WINDOW_SECONDS = 15 * 60


def _school_for_orders(request):
    school = acting_school_for(request)
    if school is None or not can(request.user, Action.SEE_ORDERS, school):
        raise Http404
    return school


@login_required
@require_GET
def dashboard_invoices(request):
    school = _school_for_orders(request)
    invoices = selectors.invoice_list_for_school(school)
    return render(request, "billing/dashboard_invoices.html", {"invoices": invoices, "school": school})


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def invoice_download(request, number: str):
    school = _school_for_orders(request)
    invoice = selectors.invoice_get_for_school(school=school, number=number)
    if invoice is None:
        raise Http404
    return _pdf_response(invoice_pdf(invoice), invoice.pdf_filename)


@login_required
@require_GET
def credit_note_download(request, number: str):
    school = _school_for_orders(request)
    note = selectors.credit_note_get_for_school(school=school, number=number)
    if note is None:
        raise Http404
    return _pdf_response(credit_note_pdf(note), note.pdf_filename)


# --- The basket's promotional code ----------------------------------------------------------


def _back(request):
    return redirect(safe_next(request, request.POST.get("next")) or "basket:detail")


def _buyer(request):
    """The school the basket is bought for (None for guests) and the guest's email, if known."""
    if request.user.is_authenticated:
        return acting_school_for(request), request.user.email
    return None, ""


@require_POST
def coupon_apply(request):
    from basket.selectors import basket_for_request

    basket = basket_for_request(request)
    code = request.POST.get("code", "")
    school, email = _buyer(request)
    try:
        if basket is None:
            from portal.errors import InvalidInput

            raise InvalidInput("Add something to your basket before applying a promotional code.")
        if not throttle(
            f"coupon-apply-ip:{client_ip(request) or 'unknown'}",
            limit=COUPON_TRIES_LIMIT,
            window_seconds=COUPON_TRIES_WINDOW_SECONDS,
        ):
            from portal.errors import InvalidInput

            raise InvalidInput(
                "You have tried a lot of promotional codes. Please wait 15 minutes and try again."
            )
        row = services.basket_coupon_apply(
            basket=basket, code=code, school=school, email=email, actor=request.user
        )
    except DomainError as error:
        request.session[COUPON_FLASH] = {"error": error.message, "code": code.strip()[:40]}
        return _back(request)
    messages.success(request, f"Promotional code {row.coupon.code} applied: {row.coupon.label}.")
    return _back(request)


@require_POST
def coupon_remove(request):
    from basket.selectors import basket_for_request

    basket = basket_for_request(request)
    if basket is not None:
        services.basket_coupon_remove(basket=basket, actor=request.user)
        messages.success(request, "Promotional code removed.")
    return _back(request)
