"""The audit log: who, when, from where; readable by staff, read-only; and no password or token
ever reaches it, django-axes' records or the application's logs."""

import logging
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditEvent, AuditKind
from accounts.security import RedactTokensFilter, redact_tokens
from accounts.tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_TYPO = "Sup3r-Secret-Typo-Password"
NEW_PASSWORD = "Marmalade-Harbour-Kite"


def test_no_password_or_token_reaches_the_audit_log_axes_or_the_logs(outbox, committed, caplog):
    user = UserFactory(email="kemi@school.example")
    caplog.set_level(logging.DEBUG)  # everything the app logs from here on (the factory logs its own)
    client = Client(HTTP_USER_AGENT="Test browser")
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": user.email, "password": SECRET_TYPO})
    with committed():
        client.post(reverse("accounts:password_reset"), {"email": user.email})
    mail = outbox.to(user.email)[-1]
    path = re.search(r"(/accounts/reset/\S+/)", mail.body).group(1)
    token = path.rstrip("/").split("/")[-1]
    set_url = client.get(path).url
    client.post(reverse("accounts:password_strength"), {"new_password": NEW_PASSWORD})
    with committed():
        client.post(set_url, {"new_password": NEW_PASSWORD})
    client.post(reverse("accounts:login"), {"username": user.email, "password": NEW_PASSWORD})
    Client().get(path)  # the used link again: logged as a page view, never with its token

    stored = []
    for event in AuditEvent.objects.all():
        stored += [str(event.detail), event.email, event.user_agent]
    for attempt in AccessAttempt.objects.all():
        stored += [attempt.get_data, attempt.post_data]
    for failure in AccessFailureLog.objects.all():
        stored += [failure.username, failure.user_agent]
    logs = "\n".join(RedactTokensFilter().filter(r) and r.getMessage() for r in caplog.records)
    everything = "\n".join(stored) + "\n" + logs
    for secret in [SECRET_TYPO, NEW_PASSWORD, PASSWORD, token]:
        assert secret not in everything, secret
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).count() == 3
    assert AuditEvent.objects.filter(kind=AuditKind.PASSWORD_RESET).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN, user_agent="Test browser").exists()


def test_the_audit_log_refuses_secret_looking_details():
    with pytest.raises(ValueError, match="never stores secrets"):
        audit_record(AuditKind.PASSWORD_CHANGED, detail={"new_password": "x"})
    with pytest.raises(ValueError):
        audit_record(AuditKind.PASSWORD_RESET, detail={"token": "x"})


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '"GET /accounts/reset/MTI/cx4f2a-8c1d2e3f4a5b6c7d8e9f/ HTTP/1.1" 302 0',
            '"GET /accounts/reset/MTI/[redacted]/ HTTP/1.1" 302 0',
        ),
        ("Not Found: /accounts/set-password/MTI/abc-def", "Not Found: /accounts/set-password/MTI/[redacted]"),
        ('"GET /accounts/reset/MTI/set/ HTTP/1.1" 200', '"GET /accounts/reset/MTI/set/ HTTP/1.1" 200'),
        (
            "POST /accounts/dashboard/details/email/confirm/.eJxLz:1tQ:abc/ 302",
            "POST /accounts/dashboard/details/email/confirm/[redacted]/ 302",
        ),
        ("GET /events/ 200", "GET /events/ 200"),
    ],
)
def test_tokens_in_request_paths_are_redacted_from_logs(line, expected):
    assert redact_tokens(line) == expected
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, "%s", (line,), None)
    RedactTokensFilter().filter(record)
    assert record.getMessage() == expected


def test_staff_read_the_audit_log_and_cannot_change_it():
    user = UserFactory()
    audit_record(AuditKind.EMAIL_CHANGED, user=user, detail={"from": "a@x.example", "to": "b@x.example"})
    event = AuditEvent.objects.get()
    client = Client()
    client.force_login(StaffFactory())
    listing = client.get(reverse("admin:accounts_auditevent_changelist"))
    assert listing.status_code == 200 and "Email changed" in listing.content.decode()
    assert client.get(reverse("admin:accounts_auditevent_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:accounts_auditevent_delete", args=[event.pk])).status_code == 403
    client.post(reverse("admin:accounts_auditevent_change", args=[event.pk]), {"kind": "login"})
    event.refresh_from_db()
    assert event.kind == AuditKind.EMAIL_CHANGED


def test_school_users_cannot_read_the_audit_log():
    client = Client()
    client.force_login(UserFactory())
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 302


def test_the_console_and_access_logs_go_through_the_redacting_filter():
    for logger in [logging.getLogger("django.server"), logging.getLogger()]:
        ours = [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        assert ours, logger
        for handler in ours:
            assert any(isinstance(f, RedactTokensFilter) for f in handler.filters), handler


def test_passwords_change_only_through_account_details_even_in_the_back_office():
    staff = StaffFactory()
    user = UserFactory()
    client = Client()
    client.force_login(staff)
    own = client.get(reverse("admin:password_change"))
    assert own.status_code == 302 and own.url == reverse("accounts:details_password")
    other = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Marmalade-Harbour-Kite", "password2": "Marmalade-Harbour-Kite"},
    )
    assert other.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
