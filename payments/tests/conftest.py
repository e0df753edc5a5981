"""The Stripe stand-in on a free port, with the real `stripe` library pointed at it."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from payments.standin.server import StripeStandin, serve

WEBHOOK_SECRET = "whsec_test_portal"


class Standin:
    """Non-browser tests: webhooks the stand-in sends are queued, and posted to the portal by
    the test itself (through the test client, in the test's own transaction)."""

    def __init__(self, app: StripeStandin, url: str, client):
        self.app, self.url, self.client = app, url, client
        self.queued: list[tuple[bytes, dict]] = []

    def deliver(self, url, payload, headers):
        self.queued.append((payload, headers))
        return 202

    def pay(self, session_id: str, outcome: str = "succeed", amount: int | None = None) -> dict:
        return self.app.pay(session_id, outcome, amount=amount)

    def post(self, payload: bytes, signature: str):
        return self.client.post(
            reverse("payments:webhook"),
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )

    def deliver_queued(self) -> list:
        queued, self.queued = self.queued, []
        return [self.post(payload, headers["Stripe-Signature"]) for payload, headers in queued]


def _start(app: StripeStandin):
    server = serve(app, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _configure(settings, url: str):
    settings.STRIPE_API_BASE = url
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def stripe_standin(settings, client):
    holder: dict = {}
    app = StripeStandin(
        webhook_url="(the test posts them)",
        webhook_secret=WEBHOOK_SECRET,
        deliver=lambda *args: holder["standin"].deliver(*args),
        background_api_events=False,
    )
    server, url = _start(app)
    holder["standin"] = standin = Standin(app, url, client)
    _configure(settings, url)
    settings.PORTAL_BASE_URL = "http://testserver"
    yield standin
    server.shutdown()
    server.server_close()


@pytest.fixture
def live_stripe_standin(settings, live_server):
    """Browser tests: the stand-in sends its webhooks over HTTP to the live server, as in `make run`."""
    app = StripeStandin(
        webhook_url=live_server.url + reverse("payments:webhook"), webhook_secret=WEBHOOK_SECRET
    )
    server, url = _start(app)
    _configure(settings, url)
    settings.PORTAL_BASE_URL = live_server.url
    yield app
    server.shutdown()
    server.server_close()
