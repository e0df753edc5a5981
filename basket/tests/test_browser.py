"""A business manager books three delegates through Get Ticket, the basket and the checkout
on account; the buyer and each delegate get their emails. axe checks each page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from catalogue.tests.factories import make_member
from events.tests.factories import CategoryFactory, EventFactory
from notifications.models import OutboxEmail
from orders.models import Booking, Order
from schools.tests.factories import SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DELEGATES = [
    ("Ada Lovelace", "ada@noelpark.example"),
    ("Alan Turing", "alan@noelpark.example"),
    ("Grace Hopper", "grace@noelpark.example"),
]


def test_book_three_delegates_and_check_out_on_account(page, live_server, login_page, axe):
    school = SchoolFactory(name="Noel Park Primary School")
    make_member(school)
    UserFactory(
        school=school, role="business_manager", email="bola@noelpark.example", full_name="Bola Sanusi"
    )
    event = EventFactory(
        title="Maths mastery for middle leaders",
        categories=[CategoryFactory(name="Middle Leaders")],
        member_price=Decimal("45.00"),
        capacity=20,
    )

    login_page(page, "bola@noelpark.example", PASSWORD)
    page.goto(live_server.url + reverse("events:detail", args=[event.slug]))
    page.get_by_role("button", name="Get Ticket").click()
    page.wait_for_url(f"**/basket/get-ticket/{event.slug}/")
    axe(page, context="Get Ticket")

    page.get_by_label("Number of delegates").select_option("3")
    page.get_by_role("button", name="Update number of delegates").click()
    page.wait_for_selector("#id_delegates-2-name")
    for i, (name, email) in enumerate(DELEGATES):
        page.locator(f"#id_delegates-{i}-name").fill(name)
        page.locator(f"#id_delegates-{i}-email").fill(email)
    assert "£135.00" in page.locator("#price").inner_text()
    page.get_by_role("button", name="Save and view basket").click()

    page.wait_for_url("**/basket/")
    for name, _ in DELEGATES:
        assert page.get_by_role("cell", name=name).is_visible()
    assert page.locator("#basket-total").inner_text() == "£135.00"
    assert page.locator(".portal-basket-count").inner_text() == "3"
    axe(page, context="basket")

    page.get_by_role("link", name="Checkout").click()
    page.wait_for_url("**/basket/checkout/")
    assert page.get_by_text("Noel Park Primary School").first.is_visible()
    axe(page, context="checkout")
    page.get_by_label("Purchase order number (optional)").fill("PO-2026-17")
    page.get_by_role("button", name="Place order").click()

    page.wait_for_url("**/orders/HEP-*/")
    order = Order.objects.get()
    assert page.get_by_role("heading", level=1).inner_text() == f"Order {order.number}"
    assert order.purchase_order_number == "PO-2026-17"
    assert Booking.objects.filter(order_line__order=order, status="booked").count() == 3

    def mails_to(address):
        return [m for m in OutboxEmail.objects.all() if address in m.recipients]

    [confirmation] = [m for m in mails_to("bola@noelpark.example") if "confirmed" in m.subject]
    assert order.number in confirmation.subject
    for name, email in DELEGATES:
        assert name in confirmation.body
        [ticket] = mails_to(email)
        assert "Maths mastery for middle leaders" in ticket.subject
        assert ticket.attachments[0]["mimetype"] == "text/calendar"
