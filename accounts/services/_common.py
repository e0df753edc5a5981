"""Helpers the account services share: absolute links for emails and the set-password link."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from ..tokens import SET_PASSWORD_LINK_TIMEOUT, set_password_tokens, uid_encode


def portal_url(path: str) -> str:
    """An absolute link for an email. Always built from PORTAL_BASE_URL, never from the request's
    Host header, so a forged Host can never redirect a reset link to someone else's site."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def set_password_link(user) -> str:
    path = reverse(
        "accounts:set_password",
        kwargs={"uidb64": uid_encode(user), "token": set_password_tokens.make_token(user)},
    )
    return portal_url(path)


def set_password_link_days() -> int:
    return SET_PASSWORD_LINK_TIMEOUT.days


def email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    from ..models import User

    users = User.objects.filter(email__iexact=email.strip())
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    return users.exists()
