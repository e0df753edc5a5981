"""Links sent by email: set-password (new accounts, 3 days), password reset (1 hour) and email
change confirmation (1 day).

Set-password and reset tokens are Django's HMAC tokens over the user's password hash, last login,
email and active flag: setting a password, logging in, changing the email or deactivating the
account makes every earlier link invalid, so each link works once. Each kind has its own salt,
so a reset token never opens the set-password page or the other way round."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

SET_PASSWORD_LINK_TIMEOUT = dt.timedelta(days=getattr(settings, "SET_PASSWORD_LINK_DAYS", 3))
RESET_LINK_TIMEOUT = dt.timedelta(hours=getattr(settings, "PASSWORD_RESET_LINK_HOURS", 1))
EMAIL_CHANGE_LINK_TIMEOUT = dt.timedelta(days=1)


class _TimedTokenGenerator(PasswordResetTokenGenerator):
    timeout: dt.timedelta

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{int(user.is_active)}"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        age = self._num_seconds(self._now()) - ts
        if age < 0 or age > self.timeout.total_seconds():
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


class SetPasswordTokenGenerator(_TimedTokenGenerator):
    key_salt = "accounts.tokens.set_password"
    timeout = SET_PASSWORD_LINK_TIMEOUT


class ResetTokenGenerator(_TimedTokenGenerator):
    key_salt = "accounts.tokens.password_reset"
    timeout = RESET_LINK_TIMEOUT


set_password_tokens = SetPasswordTokenGenerator()
reset_tokens = ResetTokenGenerator()


def uid_encode(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_from_uid(uidb64: str):
    from .models import User

    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.select_related("school").filter(pk=pk).first()


# --- Email change -------------------------------------------------------------------------
_EMAIL_CHANGE_SALT = "accounts.tokens.email_change"


def email_change_token(user, new_email: str) -> str:
    """A signed, timestamped token naming the account, its current email and the new one.
    Once the email has changed the token no longer matches: it works once."""
    return signing.dumps(
        {"u": user.pk, "old": user.email, "new": new_email}, salt=_EMAIL_CHANGE_SALT, compress=True
    )


def email_change_read(token: str) -> dict | None:
    try:
        data = signing.loads(
            token, salt=_EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_LINK_TIMEOUT.total_seconds()
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not {"u", "old", "new"} <= data.keys():
        return None
    return data
