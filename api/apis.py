"""JSON endpoints: parse the query, call pricing or a selector, answer. No rules live here."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils import timezone

from memberships.years import membership_year_for, year_label
from portal.errors import InvalidInput
from pricing.membership import SchoolFacts, membership_quote_for_year

from .errors import json_api

TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}


def _flag(params, name: str) -> bool:
    raw = params.get(name, "false").strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise InvalidInput(f"{name} must be true or false.", code=f"{name}_invalid", field=name)


def _year(params) -> int:
    raw = params.get("year", "").strip()
    if not raw:
        return membership_year_for(timezone.localdate())
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise InvalidInput(
            "year must be the year a membership year starts, e.g. 2026 for 2026/27.",
            code="year_invalid",
            field="year",
        )
    return int(raw)


@json_api(methods=("GET",))
def membership_quote(request):
    """GET /api/membership/quote?phase=primary&pupils=420&sixth_form=false&new_joiner=false
    &local_authority=haringey[&year=2026] → the year's membership fee with its working."""
    params = request.GET
    phase = params.get("phase", "").strip()
    if not phase:
        raise InvalidInput("phase is required.", code="phase_missing", field="phase")
    local_authority = params.get("local_authority", "").strip().lower()
    if not local_authority:
        raise InvalidInput(
            "local_authority is required: haringey, enfield or other.",
            code="local_authority_missing",
            field="local_authority",
        )
    facts = SchoolFacts(
        phase=phase,
        pupils=params.get("pupils"),
        local_authority=local_authority,
        has_sixth_form=_flag(params, "sixth_form"),
        new_joiner=_flag(params, "new_joiner"),
    )
    quote = membership_quote_for_year(facts, year=_year(params))
    return JsonResponse(
        {**quote.as_dict(), "year_label": year_label(quote.year)}, json_dumps_params={"ensure_ascii": False}
    )
