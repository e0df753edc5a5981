"""The permission policy: "may this user do X for this school?"

Every view, API and template asks here; nothing is hidden only in a template.
Membership (for curriculum, member-only events) is a separate question asked of
`memberships.selectors.is_member`; this module answers what a *role* allows.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from .models import Role

if TYPE_CHECKING:
    from schools.models import School

    from .models import User


class Action(StrEnum):
    BUY_PACKAGES = "buy_packages"
    ORDER_MEMBERSHIP = "order_membership"
    BOOK_TRAINING = "book_training"  # any event the school may attend
    BOOK_GOVERNOR_TRAINING = "book_governor_training"  # governor events only
    SEE_CURRICULUM = "see_curriculum"
    MANAGE_USERS = "manage_users"
    SEE_ORDERS = "see_orders"  # orders, bookings and invoices of the school
    UPDATE_CENSUS = "update_census"
    VOTE = "vote"  # board elections: Heads and Chairs of Governors


# What each action means to the person, for the dashboard ("You can: …").
ACTION_LABELS: dict[Action, str] = {
    Action.BUY_PACKAGES: "Buy packages and traded services",
    Action.ORDER_MEMBERSHIP: "Order the school's membership",
    Action.BOOK_TRAINING: "Book professional learning for colleagues",
    Action.BOOK_GOVERNOR_TRAINING: "Book governor training",
    Action.SEE_CURRICULUM: "Use the curriculum library (member schools)",
    Action.MANAGE_USERS: "Manage the school's users and their roles",
    Action.SEE_ORDERS: "See the school's orders, bookings and invoices",
    Action.UPDATE_CENSUS: "Update the school's census pupil numbers",
    Action.VOTE: "Vote in board elections (member schools)",
}

_BUYERS = {Role.KEY_USER, Role.MAT_HEAD_OFFICE, Role.HEADTEACHER, Role.BUSINESS_MANAGER}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.KEY_USER: frozenset(
        {
            Action.BUY_PACKAGES,
            Action.ORDER_MEMBERSHIP,
            Action.BOOK_TRAINING,
            Action.BOOK_GOVERNOR_TRAINING,
            Action.SEE_CURRICULUM,
            Action.MANAGE_USERS,
            Action.SEE_ORDERS,
            Action.UPDATE_CENSUS,
        }
    ),
    Role.MAT_HEAD_OFFICE: frozenset(
        {
            Action.BUY_PACKAGES,
            Action.ORDER_MEMBERSHIP,
            Action.BOOK_TRAINING,
            Action.BOOK_GOVERNOR_TRAINING,
            Action.SEE_CURRICULUM,
            Action.SEE_ORDERS,
            Action.UPDATE_CENSUS,
        }
    ),
    Role.HEADTEACHER: frozenset(
        {
            Action.BUY_PACKAGES,
            Action.ORDER_MEMBERSHIP,
            Action.BOOK_TRAINING,
            Action.BOOK_GOVERNOR_TRAINING,
            Action.SEE_CURRICULUM,
            Action.SEE_ORDERS,
            Action.UPDATE_CENSUS,
            Action.VOTE,
        }
    ),
    Role.BUSINESS_MANAGER: frozenset(
        {
            Action.BUY_PACKAGES,
            Action.ORDER_MEMBERSHIP,
            Action.BOOK_TRAINING,
            Action.BOOK_GOVERNOR_TRAINING,
            Action.SEE_ORDERS,
            Action.UPDATE_CENSUS,
        }
    ),
    Role.TEACHER: frozenset({Action.SEE_CURRICULUM}),
    Role.GOVERNOR: frozenset({Action.BOOK_GOVERNOR_TRAINING, Action.VOTE}),
}


def schools_for(user: User):
    """The schools this user may act for (their own; a MAT Head Office user's trust's)."""
    from schools.models import School

    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    if user.role == Role.MAT_HEAD_OFFICE and user.trust_id:
        return School.objects.filter(trust_id=user.trust_id)
    if user.role and user.school_id:
        return School.objects.filter(pk=user.school_id)
    return School.objects.none()


def acts_for(user: User, school: School | None) -> bool:
    if school is None or not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.MAT_HEAD_OFFICE:
        return bool(user.trust_id) and school.trust_id == user.trust_id
    return bool(user.role) and user.school_id == school.pk


def can(user: User, action: Action | str, school: School | None) -> bool:
    """May `user` do `action` for `school`? The one answer every caller uses."""
    if not acts_for(user, school):
        return False
    return Action(action) in ROLE_ACTIONS.get(user.role, frozenset())


def allowed_actions(user: User, school: School | None) -> frozenset[Action]:
    if not acts_for(user, school):
        return frozenset()
    return ROLE_ACTIONS.get(user.role, frozenset())
