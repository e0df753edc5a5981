"""Membership pages: the public information page and fee calculator, and for school users
the dashboard section, joining or renewing, and census corrections. Thin: parse, call one
service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.policy import Action, can
from accounts.selectors import acting_school_for
from portal.errors import DomainError
from portal.redirects import safe_next
from pricing.membership import membership_quote_for_school, membership_quote_for_year
from pricing.money import format_gbp
from schools.selectors import census_history_for_school, school_latest_census

from .forms import CensusFigureForm, FeeCalculatorForm, MembershipOrderForm
from .models import PaymentDue
from .selectors import (
    is_new_joiner,
    membership_list_for_school,
    membership_years_orderable,
    price_settings_for_year,
    price_settings_years,
)
from .services import census_figure_record, membership_order, payment_due_date_for
from .years import lapse_date, membership_year_for, year_label, year_start


def _add_domain_error(form, error: DomainError) -> None:
    field = error.details.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _not_allowed(request, message: str):
    return render(request, "memberships/not_allowed.html", {"message": message}, status=403)


@require_GET
def info(request):
    today = timezone.localdate()
    year = membership_year_for(today)
    school = acting_school_for(request) if request.user.is_authenticated else None
    settings = price_settings_for_year(year)
    return render(
        request,
        "memberships/info.html",
        {
            "can_order": bool(school and can(request.user, Action.ORDER_MEMBERSHIP, school)),
            "year": year,
            "lapse_date": lapse_date(year),
            "full": settings.get("full"),
            "associate": settings.get("associate"),
        },
    )


def _calculator_initial(request, year: int) -> dict:
    """Prefill the calculator with the signed-in user's school, when there is one."""
    school = acting_school_for(request) if request.user.is_authenticated else None
    if school is None:
        return {}
    figure = school_latest_census(school)
    return {
        "phase": school.phase,
        "sixth_form": "yes" if school.has_sixth_form else "no",
        "pupils": f"{figure.fte_pupils.normalize():f}" if figure else "",
        "new_joiner": "yes" if is_new_joiner(school, year=year) else "no",
        "local_authority": school.local_authority,
    }


@require_GET
def calculator(request):
    today = timezone.localdate()
    current = membership_year_for(today)
    years = price_settings_years(from_year=current) or [current]
    bound = bool(request.GET)
    form = FeeCalculatorForm(
        request.GET if bound else None,
        years=years,
        default_year=current,
        initial={"year": current, **(_calculator_initial(request, current) if not bound else {})},
    )
    quote = None
    if bound and form.is_valid():
        try:
            quote = membership_quote_for_year(form.facts(), year=form.cleaned_data["year"])
        except DomainError as error:
            _add_domain_error(form, error)
    return render(
        request,
        "memberships/calculator.html",
        {"form": form, "quote": quote, "years": years, "total": format_gbp(quote.total) if quote else None},
    )


@login_required
@require_GET
def dashboard(request):
    today = timezone.localdate()
    school = acting_school_for(request)
    context = {"school": school, "today": today}
    if school is not None:
        memberships = membership_list_for_school(school)
        context.update(
            rows=[{"membership": m, "status": m.status_on(today)} for m in memberships],
            can_see_prices=can(request.user, Action.SEE_ORDERS, school),
            can_order=can(request.user, Action.ORDER_MEMBERSHIP, school),
            can_update_census=can(request.user, Action.UPDATE_CENSUS, school),
            orderable_years=[(y, year_label(y)) for y in membership_years_orderable(school, today=today)],
            current_year=membership_year_for(today),
            census_figure=school_latest_census(school),
            is_member_now=any(
                r.year == membership_year_for(today) and r.status_on(today) == "active" for r in memberships
            ),
        )
    return render(request, "memberships/dashboard.html", context)


def _payment_choices(school, today) -> list[tuple[str, str]]:
    fy_start = payment_due_date_for(school, PaymentDue.FINANCIAL_YEAR_START, today=today)
    return [
        (PaymentDue.NOW.value, "Now: the invoice is payable straight away"),
        (
            PaymentDue.FINANCIAL_YEAR_START.value,
            f"From {fy_start.day} {fy_start:%B %Y}, the start of the school's next financial year",
        ),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def order(request):
    """Join (this year, when not a member yet) or renew (next year): the school's quote from
    its latest census figure, and the choice of when payment falls due."""
    today = timezone.localdate()
    school = acting_school_for(request)
    if school is None or not can(request.user, Action.ORDER_MEMBERSHIP, school):
        return _not_allowed(
            request,
            "Only the key user, headteacher, school business manager or MAT Head Office "
            "can order membership.",
        )
    years = membership_years_orderable(school, today=today)
    if not years:
        messages.info(request, f"{school.name} already holds membership for this year and next year.")
        return redirect("memberships:dashboard")
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or years[0])
    except ValueError:
        year = years[0]
    if year not in years:
        year = years[0]

    payment_choices = _payment_choices(school, today)
    form = MembershipOrderForm(
        request.POST if request.method == "POST" else None,
        years=years,
        payment_choices=payment_choices,
        initial={"year": year},
    )
    quote_error = None
    school_quote = None
    try:
        school_quote = membership_quote_for_school(school, year=year)
    except DomainError as error:
        quote_error = error

    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_order(
                school=school,
                year=form.cleaned_data["year"],
                payment_due=form.cleaned_data["payment_due"],
                actor=request.user,
                today=today,
            )
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Membership for {membership.year_label} is ordered: order {membership.order.number}, "
                f"{format_gbp(membership.price)}, payment due {membership.payment_due_date.day} "
                f"{membership.payment_due_date:%B %Y}.",
            )
            return redirect("memberships:dashboard")

    joining = is_new_joiner(school, year=year)
    return render(
        request,
        "memberships/order.html",
        {
            "school": school,
            "year": year,
            "year_label": year_label(year),
            "other_years": [(y, year_label(y)) for y in years if y != year],
            "form": form,
            "school_quote": school_quote,
            "quote": school_quote.quote if school_quote else None,
            "total": format_gbp(school_quote.quote.total) if school_quote else None,
            "quote_error": quote_error,
            "joining": joining,
            "starts_on": max(today, year_start(year)),
            "census_figure": school_quote.census_figure if school_quote else school_latest_census(school),
            "can_update_census": can(request.user, Action.UPDATE_CENSUS, school),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def census(request):
    """Update the school's October census figure, with a note; history is kept for staff."""
    school = acting_school_for(request)
    if school is None or not can(request.user, Action.UPDATE_CENSUS, school):
        return _not_allowed(request, "You cannot change this school's census figure.")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = CensusFigureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            figure = census_figure_record(
                school=school,
                fte_pupils=form.cleaned_data["fte_pupils"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Census figure updated: {figure.fte_pupils.normalize():f} FTE pupils "
                f"(October {figure.census_year}).",
            )
            return redirect(next_url or reverse("memberships:dashboard"))
    return render(
        request,
        "memberships/census.html",
        {
            "school": school,
            "form": form,
            "next": next_url,
            "current": school_latest_census(school),
            "history": census_history_for_school(school),
        },
    )
