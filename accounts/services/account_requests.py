"""Account requests: a visitor asks for a school account; staff approve (linking or creating the
school, making the requester its key user) or reject with a reason."""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from notifications.services import email_send
from portal.errors import Conflict, InvalidInput, NotAllowed
from schools.models import School
from schools.services import school_create

from ..audit import audit_record
from ..models import AccountRequest, AccountRequestStatus, AuditKind, Role, User
from ..security import client_ip, normalise_email, throttle
from ._common import email_taken, portal_url, set_password_link, set_password_link_days


class AccountRequestOutcome(StrEnum):
    RECEIVED = "received"  # a new request is waiting for staff
    DUPLICATE = "duplicate"  # this address already has a request waiting
    REGISTERED = "registered"  # this address already has an account


def account_request_create(
    *,
    full_name: str,
    school_name: str,
    email: str,
    phone: str,
    job_title: str = "",
    school_urn: str = "",
    request=None,
) -> AccountRequestOutcome:
    """Record a request, or tell the address's owner by email why no new one was needed.

    The page answers the same in all three cases (so the form cannot be used to find out who
    has an account); the email to the address says exactly what happened and what to do next."""
    email = normalise_email(email)
    full_name = full_name.strip()
    school_name = school_name.strip()
    if not (full_name and school_name and email and phone.strip()):
        raise InvalidInput("Give your name, your school, your email address and a phone number.")
    # At most a few "already" emails a day to one address, so the form cannot flood an inbox.
    may_email = throttle(f"account-request-email:{email}", limit=3, window_seconds=24 * 3600)

    existing_user = User.objects.filter(email__iexact=email).first()
    if existing_user is not None:
        if may_email:
            email_send(
                template="account_request_registered",
                to=[existing_user.email],
                context={
                    "name": existing_user.full_name,
                    "login_url": portal_url(reverse("accounts:login")),
                    "reset_url": portal_url(reverse("accounts:password_reset")),
                    "active": existing_user.is_active,
                },
            )
        return AccountRequestOutcome.REGISTERED

    try:
        with transaction.atomic():
            account_request = AccountRequest.objects.create(
                full_name=full_name,
                job_title=job_title.strip(),
                school_name=school_name,
                school_urn=school_urn.strip(),
                email=email,
                phone=phone.strip(),
                ip_address=client_ip(request),
            )
    except IntegrityError:  # a request from this address is already waiting
        pending = AccountRequest.objects.filter(
            email__iexact=email, status=AccountRequestStatus.PENDING
        ).first()
        if may_email and pending is not None:
            email_send(
                template="account_request_duplicate",
                to=[email],
                context={"name": pending.full_name, "requested_at": pending.created_at},
            )
        return AccountRequestOutcome.DUPLICATE

    audit_record(
        AuditKind.ACCOUNT_REQUESTED,
        request=request,
        email=email,
        detail={"school": school_name, "request": account_request.pk},
    )
    email_send(
        template="account_request_received",
        to=[email],
        context={"request": account_request},
    )
    email_send(
        template="account_request_staff",
        to=[settings.PORTAL_EMAIL],
        context={
            "request": account_request,
            "review_url": portal_url(
                reverse("admin:accounts_accountrequest_change", args=[account_request.pk])
            ),
        },
    )
    return AccountRequestOutcome.RECEIVED


def _require_staff(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.is_staff):
        raise NotAllowed("Only partnership staff can decide account requests.")


def _lock_pending(account_request: AccountRequest) -> AccountRequest:
    locked = AccountRequest.objects.select_for_update().get(pk=account_request.pk)
    if locked.status != AccountRequestStatus.PENDING:
        raise Conflict(f"This request was already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def account_request_approve(
    *,
    account_request: AccountRequest,
    actor: User,
    school: School | None = None,
    new_school: dict | None = None,
    role: str = Role.KEY_USER,
    request=None,
) -> User:
    """Link the requester to `school` (or create `new_school` from its fields), give them `role`
    (key user unless the school already has one) and email them a link to set a password."""
    _require_staff(actor)
    account_request = _lock_pending(account_request)
    if (school is None) == (new_school is None):
        raise InvalidInput("Choose an existing school, or give the details of a new one.")
    if role in ("", Role.MAT_HEAD_OFFICE) or role not in Role.values:
        raise InvalidInput("Choose the requester's role at the school.")
    if email_taken(account_request.email):
        raise InvalidInput(
            f"{account_request.email} already has an account. Reject this request and tell them "
            "to log in or reset their password."
        )
    if new_school is not None:
        school = school_create(**new_school, actor=actor)
    school = School.objects.select_for_update().get(pk=school.pk)
    if role == Role.KEY_USER:
        current = User.objects.filter(school=school, role=Role.KEY_USER, is_active=True).first()
        if current is not None:
            raise InvalidInput(
                f"{school.name} already has a key user, {current.full_name}. Give the requester "
                "another role, or hand over the key user role first."
            )
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=account_request.email,
                full_name=account_request.full_name,
                phone=account_request.phone,
                role=role,
                school=school,
            )
    except IntegrityError:
        raise Conflict("That email address or key user role was taken a moment ago. Please try again.")
    account_request.status = AccountRequestStatus.APPROVED
    account_request.school = school
    account_request.user = user
    account_request.decided_by = actor
    account_request.decided_at = timezone.now()
    account_request.save()
    audit_record(
        AuditKind.ACCOUNT_REQUEST_APPROVED,
        request=request,
        actor=actor,
        user=user,
        school=school,
        detail={"request": account_request.pk, "role": user.get_role_display()},
    )
    email_send(
        template="account_approved",
        to=[user.email],
        context={
            "user": user,
            "school": school,
            "link": set_password_link(user),
            "days": set_password_link_days(),
        },
    )
    return user


@transaction.atomic
def account_request_reject(
    *, account_request: AccountRequest, reason: str, actor: User, request=None
) -> AccountRequest:
    _require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Give the reason: the requester reads it in the email we send.")
    account_request = _lock_pending(account_request)
    account_request.status = AccountRequestStatus.REJECTED
    account_request.rejection_reason = reason
    account_request.decided_by = actor
    account_request.decided_at = timezone.now()
    account_request.save()
    audit_record(
        AuditKind.ACCOUNT_REQUEST_REJECTED,
        request=request,
        actor=actor,
        email=account_request.email,
        detail={"request": account_request.pk, "reason": reason},
    )
    email_send(
        template="account_rejected",
        to=[account_request.email],
        context={"request": account_request, "reason": reason},
    )
    return account_request
