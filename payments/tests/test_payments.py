"""Guest card payments against the Stripe stand-in, through the real `stripe` library."""

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from billing.models import Coupon, CouponRedemption
from billing.services import coupon_redeem
from billing.tests.factories import CouponFactory, held_card_order
from events.models import Event
from events.tests.factories import EventFactory
from orders.models import Booking, Order
from payments import services
from payments.models import Payment, PaymentStatus, Refund, WebhookEvent
from payments.standin.server import sign
from payments.tests.conftest import WEBHOOK_SECRET
from portal.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db
D = Decimal
DELEGATES = [("Ada Guest", "ada@guest.example"), ("Ben Guest", "ben@guest.example")]


@pytest.fixture
def event():
    return EventFactory(title="Leading safeguarding", capacity=10, non_member_price=D("80.00"))


@pytest.fixture
def order(event):
    return held_card_order(event=event, delegates=DELEGATES, buyer_email="gill@guest.example")


def start(order, standin):
    url = services.card_checkout_start(order=order)
    payment = Payment.objects.get(order=order)
    session = standin.app.sessions[payment.checkout_session_id]
    return url, payment, session


def statuses(order):
    order.refresh_from_db()
    return order.status, sorted({b.status for b in Booking.objects.filter(order_line__order=order)})


def test_checkout_asks_stripe_for_the_servers_amount_in_pence(order, stripe_standin):
    url, payment, session = start(order, stripe_standin)
    assert url == f"{stripe_standin.url}/pay/{payment.checkout_session_id}"
    assert session["amount_total"] == 16000 and session["currency"] == "gbp"
    assert session["_lines"] == [{"name": "2 × Leading safeguarding", "amount": 16000, "quantity": 1}]
    assert session["client_reference_id"] == order.number
    assert session["customer_email"] == "gill@guest.example"
    assert session["success_url"].startswith("http://testserver/payments/checkout/complete/?payment=")
    assert session["success_url"].endswith("session_id={CHECKOUT_SESSION_ID}")
    assert payment.amount == D("160.00") and payment.status == PaymentStatus.PENDING
    # Starting again while the page is open returns the same page.
    assert services.card_checkout_start(order=order) == url
    assert Payment.objects.filter(order=order).count() == 1


def test_the_idempotency_key_makes_a_retried_create_return_the_same_session(order, stripe_standin):
    from payments import gateway

    args = dict(
        items=[("Thing", 1000)],
        currency="GBP",
        customer_email="",
        client_reference_id="X1",
        metadata={},
        success_url="http://testserver/ok",
        cancel_url="http://testserver/no",
        expires_at=int(time.time()) + 3600,
    )
    first = gateway.checkout_session_create(**args, idempotency_key="same-key")
    again = gateway.checkout_session_create(**args, idempotency_key="same-key")
    other = gateway.checkout_session_create(**args, idempotency_key="other-key")
    assert first.id == again.id != other.id


def test_a_webhook_with_a_bad_signature_changes_nothing(order, stripe_standin, client):
    _, payment, _ = start(order, stripe_standin)
    stripe_standin.pay(payment.checkout_session_id)
    [(payload, headers)] = stripe_standin.queued
    for signature in [
        "",
        "t=123,v1=deadbeef",
        sign(payload.decode(), "whsec_someone_else"),
        sign(payload.decode(), WEBHOOK_SECRET, timestamp=int(time.time()) - 3600),  # replayed an hour later
        headers["Stripe-Signature"] + "0",
    ]:
        response = stripe_standin.post(payload, signature)
        assert response.status_code == 400
    tampered = payload.replace(b'"amount_total": 16000', b'"amount_total": 1')
    assert stripe_standin.post(tampered, headers["Stripe-Signature"]).status_code == 400
    assert not WebhookEvent.objects.exists()
    assert statuses(order) == ("awaiting_payment", ["held"])


def test_the_same_event_five_times_confirms_once_and_sends_one_receipt(
    order, event, stripe_standin, outbox, django_capture_on_commit_callbacks
):
    _, payment, _ = start(order, stripe_standin)
    stripe_standin.pay(payment.checkout_session_id)
    [(payload, headers)] = stripe_standin.queued
    with django_capture_on_commit_callbacks(execute=True):
        responses = [stripe_standin.post(payload, headers["Stripe-Signature"]) for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    assert responses[0].json()["outcome"] == "confirmed"
    assert all(r.json()["outcome"].startswith("duplicate") for r in responses[1:])
    assert WebhookEvent.objects.count() == 1
    assert statuses(order) == ("placed", ["booked"])
    assert order.places_held_until is None and order.placed_at is not None
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_received == D("160.00")
    assert payment.payment_intent_id.startswith("pi_")
    [receipt] = outbox.to("gill@guest.example")  # a receipt: never an invoice
    assert order.number in receipt.subject + receipt.body and "£160.00" in receipt.body
    assert "invoice" not in (receipt.subject + receipt.body).lower()
    for _name, email in DELEGATES:
        [ticket] = outbox.to(email)
        assert "Leading safeguarding" in ticket.subject + ticket.body
        assert ticket.attachments[0]["filename"].endswith(".ics")
    assert Event.objects.get(pk=event.pk).places_taken == 2  # held places became bookings, not new ones


def test_a_payment_for_a_different_amount_does_not_confirm(
    order, stripe_standin, outbox, django_capture_on_commit_callbacks
):
    _, payment, _ = start(order, stripe_standin)
    stripe_standin.pay(payment.checkout_session_id, amount=100)  # £1.00 instead of £160.00
    with django_capture_on_commit_callbacks(execute=True):
        [response] = stripe_standin.deliver_queued()
    assert response.json()["outcome"] == "amount mismatch: not confirmed"
    assert statuses(order) == ("awaiting_payment", ["held"])
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.MISMATCH and payment.amount_received == D("1.00")
    assert "Paid 100p GBP, expected 16000p GBP" in payment.failure_message
    assert len(outbox) == 0


def test_an_order_whose_total_changed_after_the_session_was_made_is_not_confirmed(order, stripe_standin):
    _, payment, _ = start(order, stripe_standin)
    Order.objects.filter(pk=order.pk).update(total=D("200.00"))
    stripe_standin.pay(payment.checkout_session_id)
    [response] = stripe_standin.deliver_queued()
    assert response.json()["outcome"] == "amount mismatch: not confirmed"
    assert statuses(order)[0] == "awaiting_payment"


def test_a_payment_in_another_currency_does_not_confirm(order, stripe_standin):
    _, payment, _ = start(order, stripe_standin)
    Order.objects.filter(pk=order.pk).update(currency="EUR")
    stripe_standin.pay(payment.checkout_session_id)
    [response] = stripe_standin.deliver_queued()
    assert response.json()["outcome"] == "amount mismatch: not confirmed"


def test_the_return_page_confirms_even_before_the_webhook_arrives(
    order, stripe_standin, client, django_capture_on_commit_callbacks, outbox
):
    _, payment, session = start(order, stripe_standin)
    stripe_standin.pay(payment.checkout_session_id)
    success = (
        session["success_url"]
        .replace("{CHECKOUT_SESSION_ID}", session["id"])
        .replace("http://testserver", "")
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(success)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Booking confirmed" in page and order.number in page and "£160.00" in page
    # The webhook arriving afterwards changes nothing and sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        [late] = stripe_standin.deliver_queued()
    assert late.json()["outcome"] == "already recorded"
    assert len(outbox.to("gill@guest.example")) == 1


def test_the_return_page_waits_while_unpaid_and_is_404_without_a_valid_token(order, stripe_standin, client):
    _, payment, _ = start(order, stripe_standin)
    response = client.get(reverse("payments:checkout_success"), {"payment": payment.return_token})
    assert response.status_code == 200
    assert "Confirming your payment" in response.content.decode()
    assert '<meta http-equiv="refresh"' in response.content.decode()
    assert client.get(reverse("payments:checkout_success"), {"payment": "guess"}).status_code == 404
    assert client.get(reverse("payments:checkout_cancel")).status_code == 404


def test_a_declined_card_then_cancel_leaves_the_order_unpaid_and_frees_the_places(
    order, event, stripe_standin, client
):
    coupon = CouponFactory(code="ONCE", max_uses=1)
    coupon_redeem(coupon=coupon, order=order, school=None, actor=None)
    _, payment, session = start(order, stripe_standin)
    stripe_standin.pay(payment.checkout_session_id, "decline")
    [response] = stripe_standin.deliver_queued()
    assert response.json()["outcome"] == "payment attempt failed: Your card was declined."
    assert statuses(order) == ("awaiting_payment", ["held"])  # the guest may still try another card

    cancel = session["cancel_url"].replace("http://testserver", "")
    page = client.get(cancel).content.decode()
    assert "Payment not completed" in page and "Your card was not charged" in page
    assert statuses(order) == ("payment_failed", ["cancelled"])
    assert Event.objects.get(pk=event.pk).places_taken == 0
    assert stripe_standin.app.sessions[session["id"]]["status"] == "expired"  # can no longer be paid
    # The coupon's use is given back.
    assert Coupon.objects.get(pk=coupon.pk).times_used == 0
    assert CouponRedemption.objects.get(order=order).voided_at is not None
    # Stripe's "expired" event arriving afterwards releases nothing twice.
    [expired] = stripe_standin.deliver_queued()
    assert expired.status_code == 200
    assert Event.objects.get(pk=event.pk).places_taken == 0


def test_cancelling_without_a_failed_attempt_marks_the_order_cancelled(order, stripe_standin, client):
    _, _, session = start(order, stripe_standin)
    client.get(session["cancel_url"].replace("http://testserver", ""))
    assert statuses(order) == ("cancelled", ["cancelled"])


def test_expired_holds_are_released_by_the_task(order, event, stripe_standin):
    other = held_card_order(event=event, delegates=[("C", "c@x.example")], minutes=60)
    _, payment, session = start(order, stripe_standin)
    assert Event.objects.get(pk=event.pk).places_taken == 3
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert services.holds_release_expired() == 1
    assert statuses(order) == ("cancelled", ["cancelled"])
    assert statuses(other) == ("awaiting_payment", ["held"])
    assert Event.objects.get(pk=event.pk).places_taken == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED
    with pytest.raises(Conflict, match="released"):
        services.card_checkout_start(order=order)


def test_the_release_command_runs(order, stripe_standin):
    from django.core.management import call_command

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        call_command("release_expired_holds")
    assert statuses(order)[0] == "cancelled"


def test_a_payment_made_just_before_release_confirms_instead(order, stripe_standin, event):
    _, payment, _ = start(order, stripe_standin)
    stripe_standin.pay(payment.checkout_session_id)  # paid; the webhook is late
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert services.holds_release_expired() == 0
    assert statuses(order) == ("placed", ["booked"])
    assert Event.objects.get(pk=event.pk).places_taken == 2


def _release_without_asking_stripe(order):
    """The race: places released while the guest's payment was going through."""
    from django.db import transaction

    with transaction.atomic():
        services._release(Order.objects.select_for_update().get(pk=order.pk), status="cancelled")


def test_a_payment_after_release_whose_places_were_taken_is_refunded(
    order, event, stripe_standin, outbox, django_capture_on_commit_callbacks
):
    _, payment, _ = start(order, stripe_standin)
    stripe_standin.pay(payment.checkout_session_id)
    _release_without_asking_stripe(order)
    Event.objects.filter(pk=event.pk).update(places_taken=9)  # someone else booked; 1 left, 2 needed
    with django_capture_on_commit_callbacks(execute=True):
        [response] = stripe_standin.deliver_queued()
    assert response.json()["outcome"].startswith("refunding")
    assert statuses(order) == ("cancelled", ["cancelled"])
    assert Event.objects.get(pk=event.pk).places_taken == 9  # never oversold
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == D("160.00")
    refund = Refund.objects.get(payment=payment)
    assert refund.automatic and refund.stripe_refund_id.startswith("re_")
    intent = stripe_standin.app.intents[payment.payment_intent_id]
    assert intent["_refunded"] == 16000
    [mail] = outbox.to("gill@guest.example")
    assert "refunded" in mail.subject and "have since been booked by someone else" in mail.body


def test_a_payment_after_release_is_confirmed_if_the_places_are_still_free(
    order, event, stripe_standin, django_capture_on_commit_callbacks, outbox
):
    _, payment, _ = start(order, stripe_standin)
    stripe_standin.pay(payment.checkout_session_id)
    _release_without_asking_stripe(order)
    assert Event.objects.get(pk=event.pk).places_taken == 0
    with django_capture_on_commit_callbacks(execute=True):
        [response] = stripe_standin.deliver_queued()
    assert response.json()["outcome"].startswith("confirmed after its hold had lapsed")
    assert statuses(order) == ("placed", ["booked"])
    assert Event.objects.get(pk=event.pk).places_taken == 2
    assert len(outbox.to("gill@guest.example")) == 1


def test_staff_refund_in_part_then_in_full_and_no_more(
    order, stripe_standin, outbox, django_capture_on_commit_callbacks
):
    _, payment, _ = start(order, stripe_standin)
    stripe_standin.pay(payment.checkout_session_id)
    stripe_standin.deliver_queued()
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_card_payment(
            order=order, amount=D("80.00"), reason="One delegate cancelled", actor=None
        )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and payment.refundable == D("80.00")
    with pytest.raises(InvalidInput, match="At most £80.00"):
        services.refund_card_payment(order=order, amount=D("80.01"), reason="Too much", actor=None)
    services.refund_card_payment(order=order, amount=None, reason="The rest", actor=None)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == D("160.00")
    with pytest.raises(InvalidInput, match="no card payment left to refund"):
        services.refund_card_payment(order=order, amount=D("1"), reason="Again", actor=None)
    assert stripe_standin.app.intents[payment.payment_intent_id]["_refunded"] == 16000
    assert any("Refund for" in m.subject and "£80.00" in m.body for m in outbox.to("gill@guest.example"))


def test_staff_refund_from_the_back_office(order, stripe_standin, client):
    from accounts.tests.factories import StaffFactory

    _, payment, _ = start(order, stripe_standin)
    stripe_standin.pay(payment.checkout_session_id)
    stripe_standin.deliver_queued()
    staff = StaffFactory()
    client.force_login(staff)
    url = reverse("admin:payments_payment_refund", args=[payment.pk])
    assert "Up to £160.00 can be refunded" in client.get(url).content.decode()
    response = client.post(url, {"amount": "200.00", "reason": "x"})
    assert response.status_code == 200 and not Refund.objects.exists()
    response = client.post(url, {"amount": "45.50", "reason": "Goodwill"})
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert refund.amount == D("45.50") and refund.created_by == staff and not refund.automatic


def test_a_free_order_is_confirmed_without_a_payment_page(event, stripe_standin):
    order = held_card_order(event=event, delegates=DELEGATES, unit_price="0.00")
    url = services.card_checkout_start(order=order)
    assert url == "http://testserver" + reverse("payments:checkout_success")
    assert statuses(order) == ("placed", ["booked"])
    assert not stripe_standin.app.sessions


def test_an_unreachable_payment_service_gives_a_clear_message(order, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    settings.STRIPE_SECRET_KEY = "sk_test_unreachable"
    from payments.services import PaymentServiceError

    with pytest.raises(PaymentServiceError, match="not answering"):
        services.card_checkout_start(order=order)
    assert not Payment.objects.exists()


def test_account_orders_are_not_paid_by_card(stripe_standin):
    from billing.tests.factories import account_order, line_spec
    from schools.tests.factories import SchoolFactory

    with pytest.raises(InvalidInput, match="invoiced"):
        services.card_checkout_start(
            order=account_order(school=SchoolFactory(), lines=[line_spec("A", "1.00")])
        )


def test_events_for_other_sessions_are_recorded_and_ignored(stripe_standin):
    payload = json.dumps(
        {
            "id": "evt_other",
            "object": "event",
            "type": "checkout.session.completed",
            "data": {"object": {"id": "cs_not_ours"}},
        }
    )
    response = stripe_standin.post(payload.encode(), sign(payload, WEBHOOK_SECRET))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored: not one of our sessions"
    assert WebhookEvent.objects.get().event_id == "evt_other"
