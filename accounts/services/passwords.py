"""Passwords: reset by email, set with a link (new accounts, resets), change with the current one.

Every change sends a confirmation ("if this wasn't you…") and ends the user's other sessions:
Django ties each session to a hash of the password, so a new password signs out every other
session; the session making the change is kept (`update_session_auth_hash`)."""

from __future__ import annotations

from typing import Literal

from django.contrib.auth import password_validation, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from notifications.services import email_send
from portal.errors import DomainError, InvalidInput

from ..audit import audit_record
from ..models import AuditKind, User
from ..security import lockout_clear, normalise_email, throttle
from ..tokens import RESET_LINK_TIMEOUT, reset_tokens, set_password_tokens, uid_encode
from ._common import portal_url

INVALID_LINK_MESSAGE = "Your password reset link appears to be invalid. Please request a new link below."


class InvalidLink(DomainError):
    code = "invalid_link"
    default_message = INVALID_LINK_MESSAGE


LinkKind = Literal["reset", "set"]
_GENERATORS = {"reset": reset_tokens, "set": set_password_tokens}


def link_is_valid(user: User | None, token: str, kind: LinkKind) -> bool:
    return bool(user is not None and user.is_active and _GENERATORS[kind].check_token(user, token))


def password_reset_request(*, email: str, request=None) -> None:
    """Email a reset link if the address belongs to an active account. The caller answers the
    same whatever happens here, so nobody learns whether an account exists."""
    email = normalise_email(email)
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    # A few links an hour per address is plenty; more would let anyone flood an inbox.
    allowed = throttle(f"password-reset:{email}", limit=5, window_seconds=3600)
    audit_record(
        AuditKind.PASSWORD_RESET_REQUESTED,
        request=request,
        actor=None,
        user=user,
        email=email,
        detail={"account_found": user is not None, "sent": bool(user is not None and allowed)},
    )
    if user is None or not allowed:
        return
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid_encode(user), "token": reset_tokens.make_token(user)},
    )
    email_send(
        template="password_reset",
        to=[user.email],
        context={
            "user": user,
            "link": portal_url(path),
            "minutes": int(RESET_LINK_TIMEOUT.total_seconds() // 60),
        },
    )


def _validate_new_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="weak_password")


def _send_changed_email(user: User, *, how: str) -> None:
    email_send(
        template="password_changed",
        to=[user.email],
        context={
            "user": user,
            "how": how,
            "when": timezone.localtime(),
            "reset_url": portal_url(reverse("accounts:password_reset")),
        },
    )


@sensitive_variables("password")
@transaction.atomic
def password_set_with_token(*, user: User, token: str, kind: LinkKind, password: str, request=None) -> User:
    """Set a password through a set-password or reset link. The row is locked and the token
    checked again inside the transaction, so one link sets one password even if sent twice."""
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if not link_is_valid(locked, token, kind):
        raise InvalidLink()
    _validate_new_password(password, locked)
    locked.set_password(password)
    locked.save(update_fields=["password"])
    lockout_clear(locked.email)
    first_time = kind == "set" and locked.last_login is None
    audit_record(
        AuditKind.PASSWORD_SET if first_time else AuditKind.PASSWORD_RESET,
        request=request,
        actor=locked,
        user=locked,
        detail={"link": "set-password" if kind == "set" else "reset"},
    )
    _send_changed_email(locked, how="set" if first_time else "reset")
    return locked


@sensitive_variables("current_password", "new_password")
@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str, request=None) -> User:
    if not user.check_password(current_password):
        raise InvalidInput("Your current password is not right. Enter it again.", code="wrong_password")
    _validate_new_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    if request is not None:
        update_session_auth_hash(request, user)  # keep this session; every other one ends
    audit_record(AuditKind.PASSWORD_CHANGED, request=request, actor=user, user=user)
    _send_changed_email(user, how="changed")
    return user
