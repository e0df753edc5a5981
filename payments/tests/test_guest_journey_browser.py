"""The guest's whole journey in Chromium: the event page, Get Ticket, a promotional code in the
basket, checkout, the card payment page, and back; with a declined card the places come free."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from billing.models import Coupon
from billing.tests.factories import CouponFactory
from events.models import Event
from events.tests.factories import EventFactory
from notifications.models import OutboxEmail
from orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DELEGATES = [("Ada Guest", "ada@guest.example"), ("Ben Guest", "ben@guest.example")]


@pytest.fixture
def event():
    return EventFactory(
        title="Early reading: phonics in Reception", capacity=10, non_member_price=Decimal("80.00")
    )


def book_as_guest(page, live_server, event, axe=None):
    page.goto(live_server.url + reverse("events:detail", args=[event.slug]))
    page.get_by_role("button", name="Get Ticket").click()
    page.wait_for_url(f"**/basket/get-ticket/{event.slug}/")
    page.get_by_label("Number of delegates").select_option("2")
    page.get_by_role("button", name="Update number of delegates").click()
    page.wait_for_selector("#id_delegates-1-name")
    for i, (name, email) in enumerate(DELEGATES):
        page.locator(f"#id_delegates-{i}-name").fill(name)
        page.locator(f"#id_delegates-{i}-email").fill(email)
    page.get_by_role("button", name="Save and view basket").click()
    page.wait_for_url("**/basket/")
    expect(page.locator("#basket-total")).to_have_text("£160.00")

    page.get_by_text("Have a Promotional Code").click()
    page.get_by_label("Promotional code").fill("nosuchcode")
    page.get_by_role("button", name="Apply Coupon").click()
    expect(page.locator("#coupon-code-error")).to_be_visible()
    page.get_by_label("Promotional code").fill("welcome10")  # codes are not case-sensitive
    page.get_by_role("button", name="Apply Coupon").click()
    expect(page.locator("#basket-total")).to_have_text("£144.00")
    if axe:
        axe(page, context="the guest's basket with a promotional code")

    page.get_by_role("link", name="Checkout").click()
    page.wait_for_url("**/basket/checkout/")
    page.get_by_label("Your full name").fill("Gill Guest")
    page.get_by_label("Your email address").fill("gill@guest.example")
    if axe:
        axe(page, context="the guest checkout")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Pay £144.00")).to_be_visible()
    order = Order.objects.get()
    assert order.status == "awaiting_payment" and order.total == Decimal("144.00")
    assert Event.objects.get(pk=event.pk).places_taken == 2  # held while the guest pays
    return order


def test_a_guest_books_applies_a_coupon_and_pays_by_card(page, live_server, live_stripe_standin, event, axe):
    CouponFactory(code="WELCOME10", kind="percentage", value=Decimal("10"))
    order = book_as_guest(page, live_server, event, axe)

    page.get_by_role("button", name=re.compile("test card that succeeds")).click()
    page.wait_for_url(re.compile(r"/payments/checkout/complete/"))
    expect(page.get_by_role("heading", name="Booking confirmed")).to_be_visible()
    expect(page.get_by_text(order.number)).to_be_visible()

    order.refresh_from_db()
    assert order.status == "placed" and not order.invoices.exists()  # guests get a receipt
    assert Coupon.objects.get(code="WELCOME10").times_used == 1
    [receipt] = OutboxEmail.objects.filter(to="gill@guest.example")
    assert order.number in receipt.subject + receipt.body and "£144.00" in receipt.body
    for _name, email in DELEGATES:
        [ticket] = OutboxEmail.objects.filter(to=email)
        assert "Early reading: phonics in Reception" in ticket.subject
        assert ticket.attachments[0]["filename"].endswith(".ics")


def test_a_declined_card_leaves_the_order_unpaid_and_the_places_free(
    page, live_server, live_stripe_standin, event
):
    CouponFactory(code="WELCOME10", kind="percentage", value=Decimal("10"))
    order = book_as_guest(page, live_server, event)

    page.get_by_role("button", name=re.compile("declined")).click()
    expect(page.get_by_role("alert")).to_contain_text("Your card was declined")
    page.get_by_role("button", name="Cancel and return to the portal").click()
    page.wait_for_url(re.compile(r"/payments/checkout/cancelled/"))
    expect(page.get_by_role("heading", name="Payment not completed")).to_be_visible()

    order.refresh_from_db()
    assert order.status == "payment_failed"
    assert Event.objects.get(pk=event.pk).places_taken == 0
    assert Coupon.objects.get(code="WELCOME10").times_used == 0
    assert not OutboxEmail.objects.filter(to__in=["gill@guest.example", "ada@guest.example"]).exists()
