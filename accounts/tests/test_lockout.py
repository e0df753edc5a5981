"""Lockout: ten failed logins lock an account for 30 minutes, counted per account *and* client
address (django-axes, configured in config/settings.py), with our email login form."""

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, AuditKind
from accounts.tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

IP = "203.0.113.5"
START = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)


def attempt(client, email, password, ip=IP, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip, **extra
    )


def fail(client, email, times, ip=IP, **extra):
    responses = [attempt(client, email, "not-the-password", ip=ip, **extra) for _ in range(times)]
    return responses[-1]


def test_eleventh_attempt_is_refused_even_with_the_right_password_and_allowed_30_minutes_later():
    user = UserFactory(email="sbm@school.example")
    with time_machine.travel(START, tick=False) as traveller:
        for n in range(9):
            response = attempt(Client(), user.email, "wrong")
            assert response.status_code == 200, n
            assert "Enter a correct email address and password." in response.content.decode()
        tenth = attempt(Client(), user.email, "wrong")
        assert tenth.status_code == 429  # the tenth failure locks

        eleventh = attempt(Client(), user.email, PASSWORD)
        assert eleventh.status_code == 429
        assert "_auth_user_id" not in eleventh.wsgi_request.session

        traveller.shift(dt.timedelta(minutes=29, seconds=59))
        assert attempt(Client(), user.email, PASSWORD).status_code == 429

        traveller.shift(dt.timedelta(seconds=2))  # 30 minutes after the tenth failure
        client = Client()
        allowed = attempt(client, user.email, PASSWORD)
        assert allowed.status_code == 302
        assert allowed.url == reverse("accounts:dashboard")
        assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_attempts_while_locked_do_not_extend_the_lock():
    user = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        fail(Client(), user.email, 10)
        for _ in range(5):
            traveller.shift(dt.timedelta(minutes=5))
            assert attempt(Client(), user.email, "wrong").status_code == 429
        traveller.shift(dt.timedelta(minutes=5, seconds=1))  # 30 minutes after the 10th failure
        assert attempt(Client(), user.email, PASSWORD).status_code == 302


def test_the_locked_out_user_is_told_when_they_can_try_again():
    user = UserFactory()
    with time_machine.travel(START, tick=False):
        response = fail(Client(), user.email, 10)
    page = response.content.decode()
    until = timezone.localtime(START + dt.timedelta(minutes=30))
    assert "Too many failed attempts" in page
    assert re.search(r"You can try again after <strong>09:30</strong> on 3 November 2026", page), page
    assert until.strftime("%H:%M") == "09:30"  # November: London is on GMT
    assert reverse("accounts:password_reset") in page


def test_another_user_from_the_same_address_is_unaffected():
    locked, colleague = UserFactory(), UserFactory(school=None, role="")
    colleague.role, colleague.school = "teacher", locked.school
    colleague.save()
    fail(Client(), locked.email, 10)
    assert attempt(Client(), locked.email, PASSWORD).status_code == 429
    assert attempt(Client(), colleague.email, PASSWORD).status_code == 302


def test_the_same_user_from_another_address_is_unaffected():
    """A stranger who knows someone's email cannot lock them out from everywhere."""
    user = UserFactory()
    fail(Client(), user.email, 10, ip="198.51.100.66")
    assert attempt(Client(), user.email, PASSWORD, ip="198.51.100.66").status_code == 429
    assert attempt(Client(), user.email, PASSWORD, ip=IP).status_code == 302


def test_capitals_and_spaces_in_the_address_count_as_the_same_account():
    user = UserFactory(email="head@school.example")
    for variant in ["Head@School.example", "HEAD@SCHOOL.EXAMPLE", " head@school.example "] * 3 + [
        "hEad@school.example"
    ]:
        attempt(Client(), variant, "wrong")
    assert attempt(Client(), user.email, PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"head@school.example"}


def test_a_successful_login_resets_the_count():
    user = UserFactory()
    fail(Client(), user.email, 9)
    assert attempt(Client(), user.email, PASSWORD).status_code == 302
    fail(Client(), user.email, 9)
    assert attempt(Client(), user.email, PASSWORD).status_code == 302


def test_a_password_reset_clears_the_lockout(outbox, committed):
    user = UserFactory()
    fail(Client(), user.email, 10)
    client = Client()
    with committed():
        client.post(reverse("accounts:password_reset"), {"email": user.email}, REMOTE_ADDR=IP)
    [mail] = outbox.to(user.email)
    path = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.body).group(1)
    set_url = client.get(path).url
    response = client.post(set_url, {"new_password": "Marmalade-Harbour-Kite"}, REMOTE_ADDR=IP)
    assert response.status_code == 302
    assert attempt(Client(), user.email, "Marmalade-Harbour-Kite").status_code == 302


def test_staff_clear_a_lockout_from_the_back_office():
    user = UserFactory()
    fail(Client(), user.email, 10)
    staff_client = Client()
    staff_client.force_login(StaffFactory())
    change = staff_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert f"locked from {IP}" in change.content.decode()
    response = staff_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "clear_lockout", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    assert attempt(Client(), user.email, PASSWORD).status_code == 302
    cleared = AuditEvent.objects.get(kind=AuditKind.LOCKOUT_CLEARED)
    assert cleared.user == user and cleared.actor.is_staff


def test_behind_one_proxy_the_lock_follows_the_address_the_proxy_saw(settings):
    """A client cannot dodge the count by sending its own X-Forwarded-For entries: only the
    address our one trusted proxy appended counts."""
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    proxy = "10.0.0.2"
    for n in range(10):
        attempt(Client(), user.email, "wrong", ip=proxy, HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, {IP}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {IP}
    assert (
        attempt(Client(), user.email, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=f"9.9.9.9, {IP}").status_code
        == 429
    )
    other_client = attempt(Client(), user.email, PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other_client.status_code == 302


def test_failed_logins_and_the_lockout_are_in_the_audit_log_with_the_address():
    user = UserFactory()
    fail(Client(), user.email, 10)
    failures = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED)
    assert failures.count() == 10
    assert {e.ip_address for e in failures} == {IP}
    assert all(e.user == user for e in failures)
    lockout = AuditEvent.objects.get(kind=AuditKind.LOCKOUT)
    assert lockout.user == user and lockout.ip_address == IP and lockout.detail["until"]
    attempt(Client(), user.email, PASSWORD, ip="198.51.100.9")
    login = AuditEvent.objects.get(kind=AuditKind.LOGIN)
    assert login.user == user and login.ip_address == "198.51.100.9"
