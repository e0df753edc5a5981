"""The dashboard's sections, each a page of its own app, shown to whom the policy allows."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from .policy import Action, can
from .selectors import acting_school_for

# (label, URL name, action the user needs for the acting school, or None for everyone)
SECTIONS: list[tuple[str, str, Action | None]] = [
    ("Overview", "accounts:dashboard", None),
    ("Memberships", "memberships:dashboard", None),
    ("Orders", "orders:dashboard_orders", Action.SEE_ORDERS),
    ("Bookings", "orders:dashboard_bookings", Action.SEE_ORDERS),
    ("Invoices", "billing:dashboard_invoices", Action.SEE_ORDERS),
    ("Users", "accounts:users", Action.MANAGE_USERS),
    ("Account Details", "accounts:details", None),
]


def dashboard_sections(request) -> list[dict]:
    school = acting_school_for(request)
    sections = []
    for label, url_name, action in SECTIONS:
        if action is not None and not can(request.user, action, school):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # that app has not built its section yet
        sections.append(
            {
                "label": label,
                "url": url,
                "current": getattr(request.resolver_match, "view_name", None) == url_name,
            }
        )
    return sections
