"""Get Ticket without a mouse: choosing the number of delegates with the arrow keys does not
reload the page under the keyboard; the Update button does, and every field is reachable by Tab."""

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from basket.models import BasketLine
from catalogue.tests.factories import make_member
from events.tests.factories import EventFactory
from schools.tests.factories import SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_get_ticket_with_the_keyboard_only(page, live_server, login_page, axe):
    school = SchoolFactory(name="Noel Park Primary School")
    make_member(school)
    UserFactory(school=school, role="business_manager", email="bola@noelpark.example")
    event = EventFactory(title="Maths mastery", capacity=20)
    login_page(page, "bola@noelpark.example", PASSWORD)
    page.goto(live_server.url + reverse("basket:get_ticket", args=[event.slug]))

    page.locator("#quantity").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)  # a reload on change would have happened by now
    assert page.locator("#quantity").input_value() == "3"
    assert page.evaluate("document.activeElement.id") == "quantity"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "update-quantity"
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_delegates-2-name")
    assert page.evaluate("document.activeElement.id") == "id_delegates-0-name"

    for i in range(3):
        page.keyboard.type(f"Delegate {i + 1}")
        page.keyboard.press("Tab")
        page.keyboard.type(f"d{i + 1}@noelpark.example")
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Checkout now"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Save and view basket"
    page.keyboard.press("Enter")
    page.wait_for_url("**/basket/")
    line = BasketLine.objects.get()
    assert [d.name for d in line.delegates.all()] == ["Delegate 1", "Delegate 2", "Delegate 3"]
