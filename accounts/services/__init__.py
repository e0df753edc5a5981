"""Every write to accounts: one module per use case (account requests, passwords, a school's
users, a user's own details). Each service checks permission through accounts.policy, runs in
one transaction, records an audit event and sends its emails after commit."""

from .account_requests import (
    AccountRequestOutcome,
    account_request_approve,
    account_request_create,
    account_request_reject,
)
from .details import email_change_confirm, email_change_request, user_name_change
from .passwords import (
    InvalidLink,
    password_change,
    password_reset_request,
    password_set_with_token,
)
from .users import (
    INVITABLE_ROLES,
    acting_school_choose,
    key_user_hand_over,
    lockout_clear_for_user,
    staff_user_created,
    user_deactivate,
    user_invitation_resend,
    user_invite,
    user_reactivate,
    user_role_change,
)

__all__ = [
    "INVITABLE_ROLES",
    "AccountRequestOutcome",
    "InvalidLink",
    "account_request_approve",
    "account_request_create",
    "account_request_reject",
    "acting_school_choose",
    "email_change_confirm",
    "email_change_request",
    "key_user_hand_over",
    "lockout_clear_for_user",
    "password_change",
    "password_reset_request",
    "password_set_with_token",
    "staff_user_created",
    "user_deactivate",
    "user_invitation_resend",
    "user_invite",
    "user_name_change",
    "user_reactivate",
    "user_role_change",
]
