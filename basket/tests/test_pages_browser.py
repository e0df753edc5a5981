"""axe on the shop's and booking's other states: empty basket, a refused promotional code,
Get Ticket and checkout with errors (guest and account), the product list, and the dashboard's
Orders, order and Bookings pages. Error summaries take the keyboard to the field."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from basket.tests.factories import add_event, basket_for, key
from catalogue.tests.factories import ProductFactory, make_member
from events.tests.factories import EventFactory
from orders.services import order_place
from schools.tests.factories import SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_guest_pages_with_errors_pass_axe(page, live_server, axe):
    event = EventFactory(title="Phonics & early reading", non_member_price=Decimal("80.00"))
    ProductFactory(name="Professional Learning package")
    page.goto(live_server.url + reverse("basket:detail"))
    axe(page, context="empty basket")
    page.goto(live_server.url + reverse("catalogue:list"))
    axe(page, context="product list (guest)")

    page.goto(live_server.url + reverse("basket:get_ticket", args=[event.slug]))
    page.locator("#id_delegates-0-name").fill("<script>window.hacked=1</script>")
    page.locator("#id_delegates-0-email").fill("not-an-email")
    page.get_by_role("button", name="Save and view basket").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter an email address in the correct format" in summary.inner_text()
    axe(page, context="Get Ticket with errors")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_delegates-0-email"
    page.locator("#id_delegates-0-email").fill("ada@x.example")
    page.get_by_role("button", name="Save and view basket").click()
    page.wait_for_url("**/basket/")
    assert page.evaluate("window.hacked") is None

    page.get_by_text("Have a Promotional Code").click()
    page.get_by_label("Promotional code").fill("nosuchcode")
    page.get_by_role("button", name="Apply Coupon").click()
    page.locator("#coupon-code-error").wait_for()
    axe(page, context="basket with a refused promotional code")

    page.get_by_role("link", name="Checkout").click()
    page.wait_for_url("**/basket/checkout/")
    page.get_by_role("button", name="Continue to payment").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter your full name" in summary.inner_text()
    axe(page, context="guest checkout with errors")
    summary.get_by_role("link", name="Enter your email address.").click()
    assert page.evaluate("document.activeElement.id") == "id_buyer_email"


def test_account_pages_pass_axe(page, live_server, login_page, axe):
    school = SchoolFactory(name="Noel Park Primary School")
    make_member(school)
    manager = UserFactory(school=school, role="business_manager", email="bola@noelpark.example")
    ProductFactory(name="Professional Learning package")
    past = EventFactory(title="Already booked")
    add_event(basket_for(manager), past, [("Ada <b>Lovelace</b>", "ada@noelpark.example")])
    order = order_place(basket=basket_for(manager), actor=manager, school=school, idempotency_key=key())
    event = EventFactory(title="Maths mastery")
    add_event(basket_for(manager), event, [("Alan", "alan@noelpark.example")])

    login_page(page, "bola@noelpark.example", PASSWORD)
    page.goto(live_server.url + reverse("catalogue:list"))
    axe(page, context="product list (member)")
    page.goto(live_server.url + reverse("basket:checkout"))
    page.get_by_label("Purchase order number (optional)").fill("P" * 60)
    page.get_by_role("button", name="Place order").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    axe(page, context="account checkout with errors")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_purchase_order_number"

    page.goto(live_server.url + reverse("orders:dashboard_orders"))
    axe(page, context="orders")
    page.goto(live_server.url + reverse("orders:detail", args=[order.number]))
    assert page.get_by_role("cell", name="Ada <b>Lovelace</b>").is_visible()
    axe(page, context="order")
    page.goto(live_server.url + reverse("orders:dashboard_bookings"))
    axe(page, context="bookings")
