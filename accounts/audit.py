"""The audit log: one call records who did what, to which thing, for which school, when and from
where. Account events (logins, role changes...) and the domain services (orders, bookings,
invoices, refunds, entitlements...) write through `audit_record`; staff read it in the back office.

`kind` is a stable string from `KINDS` (account kinds such as `login`, domain kinds such as
`order.placed`); an unknown kind is refused, so a typo fails a test rather than a filter.

`detail` is for facts a person reviewing the log needs (old and new role, old and new capacity,
an amount, a reason). It never holds a password, a token, card data or an email body: keys that
look like a secret are refused, values that look like one are redacted, and strings are cut short.

Services call it inside their transaction, so the record commits or rolls back with the change.
The IP address and user agent come from the request when one is at hand: passed in, or the one
`AuditRequestMiddleware` is serving (a scheduled job or a direct call has none)."""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models

from .models import AuditEvent, AuditKind
from .security import client_ip, normalise_email

if TYPE_CHECKING:
    from schools.models import School

    from .models import User

# What the domain services record. Add a kind here (one line) before recording it.
DOMAIN_KINDS: dict[str, str] = {
    "membership.ordered": "Membership ordered",
    "membership.recorded": "Membership recorded by staff",
    "membership.status_changed": "Membership status changed (daily job)",
    "census.recorded": "Census figure recorded",
    "entitlement.created": "Package entitlement created",
    "entitlement.approved": "Package entitlement approved",
    "entitlement.declined": "Package entitlement declined",
    "order.placed": "Order placed",
    "order.card_payment_succeeded": "Card payment succeeded",
    "order.card_payment_failed": "Card payment failed",
    "order.hold_released": "Held places released",
    "booking.cancelled": "Booking cancelled",
    "invoice.issued": "Invoice issued",
    "invoice.marked_paid": "Invoice marked paid",
    "credit_note.issued": "Credit note issued",
    "coupon.redeemed": "Promotional code redeemed",
    "billing.settings_changed": "Billing settings changed",
    "payment.refunded": "Card payment refunded",
    "payment.late_payment_refunded": "Late card payment refunded automatically",
    "payment.mismatch_rejected": "Card payment rejected (amount or currency mismatch)",
    "event.copied": "Event copied",
    "event.capacity_changed": "Event capacity changed",
}
KINDS: dict[str, str] = {**dict(AuditKind.choices), **DOMAIN_KINDS}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


# --- Details: nothing secret, nothing long ----------------------------------------------------

_FORBIDDEN_KEYS = ("password", "token", "secret", "csrf", "card_number", "cvc", "cvv", "api_key")
MAX_TEXT = 200  # a reason or a reference fits; an email body does not
REDACTED = "[redacted]"
_SECRET_VALUES = [
    re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]+"),  # Stripe secret / restricted keys
    re.compile(r"\bwhsec_[A-Za-z0-9]+"),  # Stripe webhook signing secrets
    re.compile(r"\b(?:pbkdf2_sha256|argon2|bcrypt|scrypt)\$"),  # password hashes
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
]
_LONG_RANDOM = re.compile(r"[A-Za-z0-9_\-]{24,}")  # a bare token: long, no spaces, mixed case
_LONG_HEX = re.compile(r"[0-9a-fA-F]{32,}")
_DIGITS = re.compile(r"(?:\d[ -]?){12,18}\d")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def looks_secret(text: str) -> bool:
    """A password hash, an API or webhook key, a bare token, or a card number."""
    if any(pattern.search(text) for pattern in _SECRET_VALUES):
        return True
    for word in text.split():
        if _LONG_HEX.fullmatch(word):
            return True
        if _LONG_RANDOM.fullmatch(word) and all(re.search(p, word) for p in (r"\d", r"[a-z]", r"[A-Z]")):
            return True
    for match in _DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn(digits):
            return True
    return False


def _clean_value(value: Any, depth: int) -> Any:
    if isinstance(value, (bool, int, float, type(None))):
        return value
    if isinstance(value, dict):
        return _clean_detail(value, depth=depth + 1)
    if isinstance(value, (list, tuple, set)) and depth < 2:
        return [_clean_value(item, depth + 1) for item in list(value)[:20]]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        value = str(value)
    text = str(value)
    if looks_secret(text):
        return REDACTED
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _clean_detail(detail: dict[str, Any] | None, *, depth: int = 0) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if depth > 2:
        raise ValueError("Audit details are small: at most three levels deep.")
    for key, value in (detail or {}).items():
        if any(word in str(key).lower() for word in _FORBIDDEN_KEYS):
            raise ValueError(f"The audit log never stores secrets (refused detail key {key!r}).")
        cleaned[str(key)] = _clean_value(value, depth)
    return cleaned


# --- The request at hand ------------------------------------------------------------------------

_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)


class AuditRequestMiddleware:
    """Lets services record the client's address and browser without being handed the request.
    Sits after TrustedProxyMiddleware (REMOTE_ADDR is the client's) and authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reset = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(reset)


def _target_fields(target: models.Model | None, label: str) -> dict[str, str]:
    if target is None:
        return {"target_type": "", "target_id": "", "target_repr": label[:200]}
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk)[:64],
        "target_repr": (label or str(target))[:200],
    }


def audit_record(
    kind: AuditKind | str,
    *,
    request=None,
    actor: User | None = None,
    user: User | None = None,
    email: str = "",
    school: School | None = None,
    target: models.Model | None = None,
    target_label: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event. `actor` is who did it (None: a visitor, a webhook, a scheduled job);
    (services pass it; it is taken from `request` only when the caller passes one), `target`
    the row it was done to (`target_label` overrides its short description); `user`
    the account concerned, for account events (it is the target when no other is given)."""
    kind = str(kind)
    if kind not in KINDS:
        raise ValueError(f"Unknown audit kind {kind!r}: add it to accounts.audit.DOMAIN_KINDS.")
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user  # only from a request passed in: services name their actor
    if request is None:
        request = _current_request.get()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser: a visitor
    if school is None and user is not None and user.school_id:
        school = user.school
    if target is None and user is not None:
        target, target_label = user, target_label or user.email
    user_agent = ""
    if request is not None:
        user_agent = (request.META.get("HTTP_USER_AGENT") or "")[:300]
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        user=user,
        email=normalise_email(email or (user.email if user is not None else "")),
        school=school,
        **_target_fields(target, target_label),
        ip_address=client_ip(request),
        user_agent=user_agent,
        detail=_clean_detail(detail),
    )
