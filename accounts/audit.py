"""The audit log: one call records who did what, to which account, when and from where.

`detail` is for facts a person reviewing the log needs (old and new role, old and new email,
a rejection reason). It never holds a password or a token: keys that look like one are refused."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import AuditEvent, AuditKind
from .security import client_ip, normalise_email

if TYPE_CHECKING:
    from schools.models import School

    from .models import User

_FORBIDDEN_KEYS = ("password", "token", "secret", "csrf")


def _clean_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        if any(word in key.lower() for word in _FORBIDDEN_KEYS):
            raise ValueError(f"The audit log never stores secrets (refused detail key {key!r}).")
        cleaned[key] = value if isinstance(value, (int, float, bool, type(None))) else str(value)
    return cleaned


def audit_record(
    kind: AuditKind | str,
    *,
    request=None,
    actor: User | None = None,
    user: User | None = None,
    email: str = "",
    school: School | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if school is None and user is not None and user.school_id:
        school = user.school
    user_agent = ""
    if request is not None:
        user_agent = (request.META.get("HTTP_USER_AGENT") or "")[:300]
    return AuditEvent.objects.create(
        kind=AuditKind(kind),
        actor=actor,
        user=user,
        email=normalise_email(email or (user.email if user is not None else "")),
        school=school,
        ip_address=client_ip(request),
        user_agent=user_agent,
        detail=_clean_detail(detail),
    )
