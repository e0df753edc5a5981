"""A school's users: the key user (or staff) invites colleagues, changes roles, hands over the key
user role and deactivates accounts (never deletes: their bookings and orders stay)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from notifications.services import email_send
from portal.errors import Conflict, InvalidInput, NotAllowed
from schools.models import School

from ..audit import audit_record
from ..models import AuditKind, Role, User
from ..policy import Action, can, schools_for
from ..security import lockout_clear, normalise_email
from ..selectors import ACTING_SCHOOL_SESSION_KEY
from ._common import email_taken, set_password_link, set_password_link_days

# Roles a key user may give. The key user role moves only by hand-over; MAT Head Office users
# belong to a trust, not a school, and are set up by partnership staff.
INVITABLE_ROLES = [
    Role.HEADTEACHER,
    Role.BUSINESS_MANAGER,
    Role.TEACHER,
    Role.GOVERNOR,
]


def _may_manage(actor: User, school: School | None) -> bool:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return bool(actor.is_staff) or can(actor, Action.MANAGE_USERS, school)


def _require_manager(actor: User, school: School | None) -> None:
    if not _may_manage(actor, school):
        raise NotAllowed("Only the school's key user or partnership staff can manage its users.")


def _check_role(role: str) -> str:
    if role not in INVITABLE_ROLES:
        raise InvalidInput("Choose one of the roles listed.")
    return role


@transaction.atomic
def user_invite(*, school: School, full_name: str, email: str, role: str, actor: User, request=None) -> User:
    _require_manager(actor, school)
    _check_role(role)
    email = normalise_email(email)
    full_name = full_name.strip()
    if not full_name:
        raise InvalidInput("Enter your colleague's full name.")
    if email_taken(email):
        raise InvalidInput(
            "This email address already belongs to an account. If it is your colleague's old "
            "account, contact the partnership to move it to your school; otherwise use another address."
        )
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, full_name=full_name, role=role, school=school)
    except IntegrityError:
        raise InvalidInput("This email address already belongs to an account. Use another address.")
    audit_record(
        AuditKind.USER_INVITED,
        request=request,
        actor=actor,
        user=user,
        school=school,
        detail={"role": user.get_role_display()},
    )
    _send_invitation(user, inviter=actor)
    return user


def _send_invitation(user: User, *, inviter: User) -> None:
    email_send(
        template="user_invited",
        to=[user.email],
        context={
            "user": user,
            "school": user.school,
            "inviter": inviter,
            "role": user.get_role_display(),
            "link": set_password_link(user),
            "days": set_password_link_days(),
        },
    )


def user_is_invited(user: User) -> bool:
    """Invited but has not set a password yet."""
    return not user.has_usable_password() and user.last_login is None


@transaction.atomic
def user_invitation_resend(*, user: User, actor: User, request=None) -> None:
    _require_manager(actor, user.school)
    if not user.is_active or not user_is_invited(user):
        raise InvalidInput(f"{user.full_name} has already set a password; they can reset it if forgotten.")
    audit_record(AuditKind.USER_INVITED, request=request, actor=actor, user=user, detail={"resent": True})
    _send_invitation(user, inviter=actor)


@transaction.atomic
def user_role_change(*, user: User, role: str, actor: User, request=None) -> User:
    _require_manager(actor, user.school)
    _check_role(role)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role == Role.KEY_USER:
        raise InvalidInput("The key user's role changes only by handing the key user role to a colleague.")
    if user.role == Role.MAT_HEAD_OFFICE or user.school_id is None:
        raise InvalidInput("Only partnership staff can change a MAT Head Office account.")
    if user.role == role:
        return user
    old = user.get_role_display()
    user.role = role
    user.save(update_fields=["role"])
    audit_record(
        AuditKind.ROLE_CHANGED,
        request=request,
        actor=actor,
        user=user,
        detail={"from": old, "to": user.get_role_display()},
    )
    return user


@transaction.atomic
def key_user_hand_over(
    *,
    school: School,
    to_user: User,
    actor: User,
    previous_key_user_role: str = Role.BUSINESS_MANAGER,
    request=None,
) -> User:
    """Make `to_user` the school's key user and give the previous key user `previous_key_user_role`,
    in one transaction. The school row is locked first, so two hand-overs at once run one after
    the other; the database's one-key-user constraint is the last guard."""
    _require_manager(actor, school)
    _check_role(previous_key_user_role)
    School.objects.select_for_update().get(pk=school.pk)
    to_user = User.objects.select_for_update().get(pk=to_user.pk)
    if to_user.school_id != school.pk or to_user.role in ("", Role.MAT_HEAD_OFFICE):
        raise InvalidInput(f"{to_user.full_name} is not a user of {school.name}.")
    if not to_user.is_active:
        raise InvalidInput(f"{to_user.full_name}'s account is deactivated. Reactivate it first.")
    if to_user.role == Role.KEY_USER:
        raise InvalidInput(f"{to_user.full_name} is already the key user.")
    current = (
        User.objects.select_for_update()
        .filter(school=school, role=Role.KEY_USER, is_active=True)
        .exclude(pk=to_user.pk)
        .first()
    )
    if current is not None:
        current.role = previous_key_user_role
        current.save(update_fields=["role"])
    to_user.role = Role.KEY_USER
    try:
        with transaction.atomic():
            to_user.save(update_fields=["role"])
    except IntegrityError:
        raise Conflict("Someone else changed the key user a moment ago. Please look again and retry.")
    audit_record(
        AuditKind.KEY_USER_HANDED_OVER,
        request=request,
        actor=actor,
        user=to_user,
        school=school,
        detail={
            "from": current.email if current else "",
            "previous_key_user_now": current.get_role_display() if current else "",
        },
    )
    recipients = [to_user.email] + ([current.email] if current else [])
    email_send(
        template="key_user_handed_over",
        to=recipients,
        context={"school": school, "new_key_user": to_user, "previous": current, "actor": actor},
    )
    return to_user


@transaction.atomic
def user_deactivate(*, user: User, actor: User, request=None) -> User:
    """Deactivate (never delete): the person can no longer log in and their sessions end
    (Django refuses inactive users on every request); their orders and bookings stay."""
    _require_manager(actor, user.school)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise InvalidInput("You cannot deactivate your own account.")
    if user.role == Role.KEY_USER and user.is_active:
        raise InvalidInput("Hand the key user role to a colleague before deactivating this account.")
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(AuditKind.USER_DEACTIVATED, request=request, actor=actor, user=user)
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User, request=None) -> User:
    _require_manager(actor, user.school)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    if user.role == Role.KEY_USER:
        raise InvalidInput("The school has a key user already: give this account another role first.")
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(AuditKind.USER_REACTIVATED, request=request, actor=actor, user=user)
    return user


def lockout_clear_for_user(*, user: User, actor: User, request=None) -> int:
    """Staff clear a login lockout for this account (from every address)."""
    if not (actor and actor.is_authenticated and actor.is_staff):
        raise NotAllowed("Only partnership staff can clear a lockout.")
    cleared = lockout_clear(user.email)
    audit_record(
        AuditKind.LOCKOUT_CLEARED, request=request, actor=actor, user=user, detail={"attempts": cleared}
    )
    return cleared


def acting_school_choose(*, request, school_id) -> School:
    """A MAT Head Office user chooses which of their trust's schools they act for (this session)."""
    user = request.user
    if user.role != Role.MAT_HEAD_OFFICE:
        raise NotAllowed("Only MAT Head Office users choose a school to act for.")
    try:
        school = schools_for(user).get(pk=int(school_id))
    except (TypeError, ValueError, School.DoesNotExist):
        raise InvalidInput("Choose one of your trust's schools.")
    request.session[ACTING_SCHOOL_SESSION_KEY] = school.pk
    request.__dict__.pop("_acting_school", None)  # forget this request's cached choice
    return school


def staff_user_created(*, user: User, actor: User, request=None) -> None:
    """After staff add an account in the back office: audit it and email a set-password link."""
    if not (actor and actor.is_authenticated and actor.is_staff):
        raise NotAllowed("Only partnership staff can create accounts in the back office.")
    audit_record(
        AuditKind.USER_INVITED,
        request=request,
        actor=actor,
        user=user,
        detail={"role": user.get_role_display() or user.get_staff_role_display(), "by_staff": True},
    )
    _send_invitation(user, inviter=actor)
