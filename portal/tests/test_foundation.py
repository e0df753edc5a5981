import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.tests.factories import EventFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_home_lists_upcoming_published_events_only(client):
    EventFactory(title="Phonics for reception teachers")
    EventFactory(title="A draft nobody should see", status="draft")
    EventFactory(title="Last term's conference", starts_at=timezone.now() - dt.timedelta(days=3))
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Phonics for reception teachers" in body
    assert "A draft nobody should see" not in body
    assert "Last term&#x27;s conference" not in body and "Last term's conference" not in body


@pytest.mark.django_db
def test_layout_has_navigation_phone_and_skip_link(client, settings):
    settings.PORTAL_PHONE = "020 0000 1234"
    body = client.get("/").content.decode()
    for label in ("Events", "Packages", "Membership", "Curriculum", "Contact", "Log in", "Basket"):
        assert f">{label}" in body
    assert "020 0000 1234" in body
    assert 'href="#main-content"' in body and 'id="main-content"' in body
    assert "googleapis" not in body and "cdn" not in body.lower()


@pytest.mark.django_db
def test_user_text_is_escaped(client):
    EventFactory(title="<script>alert('x')</script> Maths")
    body = client.get("/").content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.django_db
def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_fails_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"


def _django(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("SECRET_KEY", "DATABASE_URL", "PORTAL_", "STRIPE_", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC")
        )
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "PORTAL_PRODUCTION": "true",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-value-0123456789",
    "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
    "ALLOWED_HOSTS": "portal.hep.example",
    "STRIPE_SECRET_KEY": "sk_test_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_example",
}


def test_production_settings_pass_the_deploy_check():
    result = _django(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "STRIPE_SECRET_KEY"])
def test_production_refuses_to_start_without_a_secret(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _django(env, "check")
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


@pytest.mark.django_db
def test_demo_data_is_idempotent_and_complete():
    from accounts.models import User
    from events.models import Event
    from schools.models import School

    call_command("load_demo")
    first = json.dumps(_snapshot(), sort_keys=True, default=str)
    call_command("load_demo")
    assert json.dumps(_snapshot(), sort_keys=True, default=str) == first
    assert School.objects.filter(local_authority__in=["haringey", "enfield"]).count() >= 38
    assert School.objects.filter(local_authority="other").count() == 5
    assert {p for (p,) in School.objects.values_list("phase").distinct()} >= {
        "nursery",
        "primary",
        "secondary",
        "all-through",
        "special",
        "alternative-provision",
        "further-education",
    }
    for email in ["key", "mat", "head", "business", "teacher", "governor"]:
        assert User.objects.get(email=f"{email}@demo.test").check_password("Demo-Partnership-2026!")
        assert User.objects.filter(email=f"{email}2@demo.test").exists()
    for email in ["staff", "finance"]:
        assert User.objects.get(email=f"{email}@demo.test").is_staff
    published = Event.objects.filter(status="published")
    assert 55 <= published.count() <= 65
    assert published.filter(is_online=True).exists()
    assert published.filter(booking_rule="members").exists()
    assert any(e.places_left <= 2 for e in published)


def _snapshot():
    from django.apps import apps

    data = {}
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "admin", "contenttypes", "axes"):
            continue
        data[model._meta.label] = list(model.objects.order_by("pk").values())
    return data


@pytest.mark.django_db
def test_outbox_stores_and_writes_eml(settings, outbox):
    from django.core.mail import send_mail

    send_mail("Hello <school>", "Body text", "hep@example.com", ["a@school.example"])
    [mail] = outbox.to("a@school.example")
    assert mail.subject == "Hello <school>"
    assert (
        Path(mail.eml_path).read_bytes().startswith(b"Content-Type")
        or b"Subject:" in Path(mail.eml_path).read_bytes()
    )


@pytest.mark.django_db
def test_back_office_is_staff_only(client):
    from accounts.tests.factories import StaffFactory, UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(StaffFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "HEP back office" in response.content.decode()


def test_trusted_proxy_uses_the_nearest_proxy_address(rf, settings):
    from portal.middleware import TrustedProxyMiddleware

    settings.TRUSTED_PROXY_COUNT = 1
    seen = {}
    middleware = TrustedProxyMiddleware(lambda request: seen.setdefault("ip", request.META["REMOTE_ADDR"]))
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    middleware(request)
    assert seen["ip"] == "203.0.113.9"
