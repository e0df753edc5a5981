"""The guest's card payment in Chromium: from a held order (the checkout that makes one is another
app's) to the stand-in's payment page and back to the portal's return pages."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from billing.tests.factories import held_card_order
from events.models import Event
from events.tests.factories import EventFactory
from notifications.models import OutboxEmail
from orders.models import Order
from payments import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DELEGATES = [("Ada Guest", "ada@guest.example"), ("Ben Guest", "ben@guest.example")]


@pytest.fixture
def held_order():
    event = EventFactory(
        title="Early reading: phonics in Reception", capacity=10, non_member_price=Decimal("80.00")
    )
    return held_card_order(
        event=event, delegates=DELEGATES, buyer_email="gill@guest.example", buyer_name="Gill Guest"
    )


def test_a_guest_pays_and_gets_a_confirmation_a_receipt_and_tickets(
    page, live_server, live_stripe_standin, held_order, axe
):
    page.goto(services.card_checkout_start(order=held_order))
    expect(page.get_by_role("heading", name="Pay £160.00")).to_be_visible()
    axe(page, context="the stand-in's payment page")
    page.get_by_role("button", name=re.compile("test card that succeeds")).click()

    page.wait_for_url(re.compile(r"/payments/checkout/complete/"))
    expect(page.get_by_role("heading", name="Booking confirmed")).to_be_visible()
    expect(page.get_by_text(held_order.number)).to_be_visible()
    expect(page.get_by_text("gill@guest.example")).to_be_visible()
    axe(page, context="the confirmation page")

    held_order.refresh_from_db()
    assert held_order.status == "placed"
    assert set(held_order.lines.get().bookings.values_list("status", flat=True)) == {"booked"}
    [receipt] = OutboxEmail.objects.filter(to="gill@guest.example")
    assert held_order.number in receipt.subject + receipt.body and "£160.00" in receipt.body
    for _name, email in DELEGATES:
        [ticket] = OutboxEmail.objects.filter(to=email)
        assert "Early reading: phonics in Reception" in ticket.subject + ticket.body
        assert ticket.attachments[0]["filename"].endswith(".ics")


def test_a_declined_card_leaves_the_order_unpaid_and_frees_the_places(
    page, live_server, live_stripe_standin, held_order, axe
):
    event = Event.objects.get(pk=held_order.lines.get().event_id)
    assert event.places_taken == 2
    page.goto(services.card_checkout_start(order=held_order))
    page.get_by_role("button", name=re.compile("declined")).click()
    expect(page.get_by_role("alert")).to_contain_text("Your card was declined")
    page.get_by_role("button", name="Cancel and return to the portal").click()

    page.wait_for_url(re.compile(r"/payments/checkout/cancelled/"))
    expect(page.get_by_role("heading", name="Payment not completed")).to_be_visible()
    expect(page.get_by_text("Your card was not charged")).to_be_visible()
    axe(page, context="the payment-not-completed page")

    assert Order.objects.get(pk=held_order.pk).status == "payment_failed"
    assert Event.objects.get(pk=event.pk).places_taken == 0
    assert not OutboxEmail.objects.filter(to="gill@guest.example").exists()
