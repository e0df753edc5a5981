"""On PostgreSQL, with real parallel connections: one event delivered five times at once
confirms the order once; the webhook and the buyer's return racing confirm it once."""

import pytest
from django.test import Client
from django.urls import reverse

from billing.tests.factories import held_card_order
from billing.tests.test_concurrency import in_parallel
from events.models import Event
from events.tests.factories import EventFactory
from notifications.models import OutboxEmail
from orders.models import Order
from payments import services
from payments.models import Payment, WebhookEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_five_parallel_deliveries_of_one_event_confirm_once_and_send_one_receipt(stripe_standin):
    event = EventFactory(capacity=5)
    order = held_card_order(
        event=event, delegates=[("Ada", "ada@guest.example")], buyer_email="gill@guest.example"
    )
    services.card_checkout_start(order=order)
    payment = Payment.objects.get(order=order)
    stripe_standin.pay(payment.checkout_session_id)
    [(payload, headers)] = stripe_standin.queued

    def deliver(_):
        return Client().post(
            reverse("payments:webhook"),
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
        )

    responses = in_parallel(deliver, range(5))
    assert [getattr(r, "status_code", r) for r in responses] == [200] * 5
    outcomes = sorted(r.json()["outcome"] for r in responses)
    assert outcomes.count("confirmed") == 1
    assert WebhookEvent.objects.count() == 1
    assert Order.objects.get(pk=order.pk).status == "placed"
    assert OutboxEmail.objects.filter(to="gill@guest.example").count() == 1
    assert Event.objects.get(pk=event.pk).places_taken == 1


def test_the_webhook_and_the_return_page_racing_confirm_once(stripe_standin):
    event = EventFactory(capacity=5)
    order = held_card_order(
        event=event, delegates=[("Ada", "ada@guest.example")], buyer_email="gill@guest.example"
    )
    services.card_checkout_start(order=order)
    payment = Payment.objects.get(order=order)
    stripe_standin.pay(payment.checkout_session_id)
    [(payload, headers)] = stripe_standin.queued

    def arrive(which):
        if which == "webhook":
            return Client().post(
                reverse("payments:webhook"),
                data=payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
            )
        return Client().get(reverse("payments:checkout_success"), {"payment": payment.return_token})

    responses = in_parallel(arrive, ["webhook", "return", "return"])
    assert all(getattr(r, "status_code", None) == 200 for r in responses), responses
    assert OutboxEmail.objects.filter(to="gill@guest.example").count() == 1
    assert OutboxEmail.objects.filter(to="ada@guest.example").count() == 1
