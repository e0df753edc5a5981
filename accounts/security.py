"""Small security helpers shared by the login, lockout, reset and audit code.

- `client_ip`: the one client address (REMOTE_ADDR after portal.middleware.TrustedProxyMiddleware),
  used by django-axes (AXES_CLIENT_IP_CALLABLE) and the audit log alike.
- `axes_username`: the address typed at login, lower-cased, so "Key@School" and "key@school"
  count as one account for lockout.
- `lockout_until` / `lockout_clear`: when a locked-out client may try again; clearing a lock.
- `throttle`: a fixed-window counter in the cache for public forms that send email.
- `RedactTokensFilter`: keeps set-password, reset and email-confirmation tokens out of logs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


def client_ip(request) -> str | None:
    """The client's address as the nearest trusted proxy saw it (or the socket's peer)."""
    if request is None:
        return None
    address = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


def axes_username(request, credentials: dict | None) -> str | None:
    """django-axes AXES_USERNAME_CALLABLE: the typed email address, normalised."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = None
    if credentials:
        raw = credentials.get(field)
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get(field)
    if raw is None:
        return None
    return normalise_email(str(raw))


def cool_off() -> dt.timedelta:
    from axes.helpers import get_cool_off

    return get_cool_off() or dt.timedelta(0)


def lockout_until(*, username: str | None, ip_address: str | None) -> dt.datetime | None:
    """When this account may log in again from this address, or None if it is not locked."""
    from axes.models import AccessAttempt

    if not username:
        return None
    threshold = timezone.now() - cool_off()
    attempts = AccessAttempt.objects.filter(
        username=normalise_email(username), ip_address=ip_address, attempt_time__gte=threshold
    )
    failures = sum(a.failures_since_start for a in attempts)
    if failures < settings.AXES_FAILURE_LIMIT:
        return None
    latest = max(a.attempt_time for a in attempts)
    return latest + cool_off()


def lockout_clear(username: str) -> int:
    """Clear failed-login counts for this account from every address (after a reset, or by staff)."""
    from axes.utils import reset

    return reset(username=normalise_email(username))


def throttle(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one use of `key`; False when it has been used more than `limit` times in the window.

    Keys are hashed so an email address never lands in the cache's key space in clear."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    bucket = int(timezone.now().timestamp()) // window_seconds
    cache_key = f"throttle:{digest}:{bucket}"
    if cache.add(cache_key, 1, timeout=window_seconds + 5):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds + 5)
        return True
    return count <= limit


# Path segments that carry a secret: /reset/<uid>/<token>/, /set-password/<uid>/<token>/,
# /details/email/confirm/<token>/.
_TOKEN_PATHS = re.compile(
    r"(/accounts/(?:reset|set-password)/[^/\s]+/)(?!set/)[^/\s?\"]+"
    r"|(/accounts/dashboard/details/email/confirm/)[^/\s?\"]+"
)


def redact_tokens(text: str) -> str:
    return _TOKEN_PATHS.sub(lambda m: (m.group(1) or m.group(2)) + "[redacted]", text)


class RedactTokensFilter(logging.Filter):
    """A logging filter: replaces tokens in request paths with [redacted] (access and error logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is logged as it is
            return True
        cleaned = redact_tokens(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True
