"""Test set-up shared by every app: fast hashing, outbox emails, Chromium for browser tests,
the axe-core helper, and PostgreSQL-only concurrency tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.conf import settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE_PATH = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(config, items):
    """Concurrency tests need real row locks: they run on PostgreSQL (CI's second pass)."""
    # Transactional tests flush the database afterwards, taking the rows data migrations made
    # (invoicing bodies, reminder schedule) with them: each restores them first.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and "serialized_rollback" not in marker.kwargs:
            item.add_marker(pytest.mark.django_db(**marker.kwargs, serialized_rollback=True), append=False)
    if settings.IS_POSTGRES:
        return
    kept, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    note = "" if settings.IS_POSTGRES else " (PostgreSQL-only concurrency tests run in CI's second pass)"
    return f"database: {engine}{note}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the snapshot of the migrated database (taken for `serialized_rollback`) on every
    connection object: once Playwright runs, later tests get a new one without it."""
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper

    contents = getattr(connection, "_test_serialized_contents", None)
    if contents is not None:
        BaseDatabaseWrapper._test_serialized_contents = contents
    yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "notifications.backends.OutboxBackend"
    settings.OUTBOX_DIR = tmp_path / "outbox"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttles (login, account requests, promotional codes) and cached pages count in the cache:
    each test starts from zero, whichever app's tests ran before it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def outbox(db):
    """Emails sent so far (newest last), as stored by the local outbox backend."""
    from notifications.models import OutboxEmail

    class Outbox:
        def all(self):
            return list(OutboxEmail.objects.order_by("id"))

        def to(self, address: str):
            return [m for m in self.all() if address.lower() in m.to.lower().splitlines()]

        def __len__(self):
            return OutboxEmail.objects.count()

    return Outbox()


# --- Browser tests ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def axe():
    """axe(page) runs axe-core on the page and fails on serious or critical violations."""

    def check(page, *, context: str = "") -> list[dict]:
        page.add_script_tag(path=str(AXE_PATH))
        result = page.evaluate("async () => await axe.run()")
        bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
        assert not bad, f"axe found serious/critical violations on {context or page.url}:\n" + json.dumps(
            [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"]][:5],
                }
                for v in bad
            ],
            indent=2,
        )
        return result["violations"]

    return check


@pytest.fixture
def login_page(live_server):
    """login_page(page, email, password) logs in through the real form."""

    def login(page, email: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Log in").click()

    return login
