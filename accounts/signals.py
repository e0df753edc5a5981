"""Audit receivers for Django's and django-axes' authentication signals (recording only)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .models import AuditKind, User
from .security import axes_username, lockout_until


@receiver(user_logged_in, dispatch_uid="accounts.audit.login")
def _logged_in(sender, request, user, **kwargs):
    audit_record(AuditKind.LOGIN, request=request, actor=user, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(AuditKind.LOGOUT, request=request, actor=user, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the typed address is kept.
    email = axes_username(request, credentials) or ""
    user = User.objects.filter(email__iexact=email).first() if email else None
    audit_record(
        AuditKind.LOGIN_FAILED,
        request=request,
        actor=None,
        user=user,
        email=email,
        detail={"locked_out": bool(getattr(request, "axes_locked_out", False))},
    )


@receiver(user_locked_out, dispatch_uid="accounts.audit.lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    user = User.objects.filter(email__iexact=username).first() if username else None
    until = lockout_until(username=username, ip_address=ip_address)
    audit_record(
        AuditKind.LOCKOUT,
        request=request,
        actor=None,
        user=user,
        email=username or "",
        detail={"until": until.isoformat() if until else None},
    )
