"""A user's own details: name, and email (confirmed by a link sent to the new address; the old
address is told once the change is made)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from notifications.services import email_send
from portal.errors import InvalidInput

from ..audit import audit_record
from ..models import AuditKind, User
from ..security import normalise_email
from ..tokens import EMAIL_CHANGE_LINK_TIMEOUT, email_change_read, email_change_token
from ._common import email_taken, portal_url
from .passwords import InvalidLink

EMAIL_IN_USE = "This email address belongs to another account. Enter a different one."


@transaction.atomic
def user_name_change(*, user: User, full_name: str, request=None) -> User:
    full_name = " ".join(full_name.split())
    if not full_name:
        raise InvalidInput("Enter your full name.")
    if full_name == user.full_name:
        return user
    old = user.full_name
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    audit_record(
        AuditKind.NAME_CHANGED, request=request, actor=user, user=user, detail={"from": old, "to": full_name}
    )
    return user


@sensitive_variables("current_password")
@transaction.atomic
def email_change_request(*, user: User, new_email: str, current_password: str, request=None) -> None:
    """Send a confirmation link to the new address; nothing changes until it is followed."""
    new_email = normalise_email(new_email)
    if not user.check_password(current_password):
        raise InvalidInput("Your current password is not right. Enter it again.", code="wrong_password")
    if new_email == normalise_email(user.email):
        raise InvalidInput("That is already your email address.")
    if email_taken(new_email, exclude_pk=user.pk):
        raise InvalidInput(EMAIL_IN_USE, code="email_in_use")
    path = reverse("accounts:email_confirm", kwargs={"token": email_change_token(user, new_email)})
    audit_record(
        AuditKind.EMAIL_CHANGE_REQUESTED,
        request=request,
        actor=user,
        user=user,
        detail={"from": user.email, "to": new_email},
    )
    email_send(
        template="email_change_confirm",
        to=[new_email],
        context={
            "user": user,
            "new_email": new_email,
            "link": portal_url(path),
            "hours": int(EMAIL_CHANGE_LINK_TIMEOUT.total_seconds() // 3600),
        },
    )


def email_change_pending(token: str) -> tuple[User, str] | None:
    """The account and new address a confirmation link names, if the link is still good."""
    data = email_change_read(token)
    if data is None:
        return None
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None or normalise_email(user.email) != normalise_email(data["old"]):
        return None  # used already (the email has changed since), or the account is gone
    return user, data["new"]


@transaction.atomic
def email_change_confirm(*, token: str, request=None) -> User:
    pending = email_change_pending(token)
    if pending is None:
        raise InvalidLink("This email confirmation link is invalid, used or expired. Ask for a new one.")
    user, new_email = pending
    user = User.objects.select_for_update().get(pk=user.pk)
    if normalise_email(user.email) != normalise_email(email_change_read(token)["old"]):
        raise InvalidLink("This email confirmation link has already been used.")
    if email_taken(new_email, exclude_pk=user.pk):
        raise InvalidInput(EMAIL_IN_USE, code="email_in_use")
    old_email = user.email
    user.email = new_email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:
        raise InvalidInput(EMAIL_IN_USE, code="email_in_use")
    audit_record(
        AuditKind.EMAIL_CHANGED,
        request=request,
        actor=user,
        user=user,
        detail={"from": old_email, "to": new_email},
    )
    context = {
        "user": user,
        "old_email": old_email,
        "new_email": new_email,
        "when": timezone.localtime(),
        "reset_url": portal_url(reverse("accounts:password_reset")),
    }
    email_send(template="email_changed", to=[old_email], context=context)
    return user
