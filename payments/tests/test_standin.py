"""The stand-in speaks enough of Stripe's API for the real library, and signs as Stripe does."""

import json
import time
import urllib.request

import pytest
import stripe

from payments.standin.server import StripeStandin, decode_form, sign


def test_decode_form_reads_stripes_nested_encoding():
    body = (
        "mode=payment&line_items[0][price_data][currency]=gbp&line_items[0][price_data][unit_amount]=4500"
        "&line_items[0][quantity]=1&line_items[1][price_data][unit_amount]=10&metadata[order_number]=G1"
    )
    assert decode_form(body) == {
        "mode": "payment",
        "line_items": [
            {"price_data": {"currency": "gbp", "unit_amount": "4500"}, "quantity": "1"},
            {"price_data": {"unit_amount": "10"}},
        ],
        "metadata": {"order_number": "G1"},
    }


def test_signatures_verify_with_the_stripe_library():
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "x", "data": {"object": {}}})
    header = sign(payload, "whsec_abc")
    assert header.startswith("t=") and ",v1=" in header
    event = stripe.Webhook.construct_event(payload, header, "whsec_abc")
    assert event["id"] == "evt_1"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, header, "whsec_other")


@pytest.fixture
def client_and_app():
    from payments.tests.conftest import _start

    app = StripeStandin(
        webhook_url="http://127.0.0.1:9/none", webhook_secret="whsec_x", deliver=lambda *a: 200
    )
    server, url = _start(app)
    yield stripe.StripeClient("sk_test_x", base_addresses={"api": url}), app, url
    server.shutdown()
    server.server_close()


def session_params(**extra):
    return {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {"currency": "gbp", "unit_amount": 4500, "product_data": {"name": "Course"}},
                "quantity": 2,
            }
        ],
        "success_url": "http://portal/ok?s={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://portal/no",
        "metadata": {"order_number": "G1"},
        **extra,
    }


def test_the_real_library_creates_retrieves_and_expires_sessions(client_and_app):
    client, app, url = client_and_app
    session = client.v1.checkout.sessions.create(params=session_params())
    assert isinstance(session, stripe.checkout.Session)
    assert (
        session.amount_total == 9000 and session.status == "open" and session.url == f"{url}/pay/{session.id}"
    )
    assert client.v1.checkout.sessions.retrieve(session.id).metadata["order_number"] == "G1"
    expired = client.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired"
    assert [r["event"]["type"] for r in app.events] == ["checkout.session.expired"]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)


def test_paying_and_refunding_through_the_library(client_and_app):
    client, app, _ = client_and_app
    session = client.v1.checkout.sessions.create(params=session_params())
    app.pay(session.id, "succeed")
    paid = client.v1.checkout.sessions.retrieve(session.id)
    assert (paid.status, paid.payment_status) == ("complete", "paid")
    intent = client.v1.payment_intents.retrieve(paid.payment_intent)
    assert intent.status == "succeeded" and intent.amount_received == 9000
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 5000})
    assert refund.status == "succeeded" and refund.amount == 5000
    with pytest.raises(stripe.InvalidRequestError, match="greater than unrefunded"):
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 4001})


def test_a_wrong_key_and_bad_requests_are_refused_like_stripe(client_and_app):
    _, _, url = client_and_app
    with pytest.raises(stripe.AuthenticationError):
        stripe.StripeClient("sk_live_nope", base_addresses={"api": url}).v1.checkout.sessions.create(
            params=session_params()
        )
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": url})
    with pytest.raises(stripe.InvalidRequestError, match="at least"):
        client.v1.checkout.sessions.create(
            params=session_params(
                line_items=[{"price_data": {"currency": "gbp", "unit_amount": 10}, "quantity": 1}]
            )
        )
    with pytest.raises(stripe.InvalidRequestError, match="30 minutes"):
        client.v1.checkout.sessions.create(params=session_params(expires_at=int(time.time()) + 60))
    with pytest.raises(stripe.InvalidRequestError, match="No such checkout.session"):
        client.v1.checkout.sessions.retrieve("cs_test_missing")


def test_the_payment_page_pays_declines_and_cancels(client_and_app):
    client, app, url = client_and_app
    session = client.v1.checkout.sessions.create(params=session_params())
    page = urllib.request.urlopen(f"{url}/pay/{session.id}").read().decode()  # noqa: S310
    assert "Pay £90.00" in page and "declined" in page and "Cancel and return to the portal" in page

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def press(action):
        request = urllib.request.Request(
            f"{url}/pay/{session.id}", data=f"action={action}".encode(), method="POST"
        )  # noqa: S310
        try:
            return opener.open(request)
        except urllib.error.HTTPError as error:
            return error

    declined = press("decline")
    assert declined.code == 402 and "Your card was declined" in declined.read().decode()
    assert app.events[-1]["event"]["type"] == "payment_intent.payment_failed"
    cancelled = press("cancel")
    assert cancelled.code == 303 and cancelled.headers["Location"] == "http://portal/no"
    paid = press("succeed")
    assert paid.code == 303 and paid.headers["Location"] == f"http://portal/ok?s={session.id}"
    assert app.events[-1]["event"]["type"] == "checkout.session.completed"
    assert app.events[-1]["event"]["data"]["object"]["payment_status"] == "paid"
