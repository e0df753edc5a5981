"""A business manager buys the Professional Learning package, sees it at once on the
dashboard, and an eligible event then costs £0.00."""

from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.tests.factories import PASSWORD, UserFactory
from catalogue.tests.factories import ProductFactory, make_member
from events.tests.factories import CategoryFactory, EventFactory
from schools.tests.factories import SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def packages_page() -> str:
    """The Memberships dashboard page once it exists; until then the shop's own panel page."""
    try:
        return reverse("memberships:dashboard")
    except NoReverseMatch:
        return reverse("catalogue:dashboard")


def test_business_manager_buys_the_package_and_events_become_free(page, live_server, login_page, axe):
    school = SchoolFactory(name="Noel Park Primary School")
    make_member(school)
    UserFactory(
        school=school, role="business_manager", email="bola@noelpark.example", full_name="Bola Sanusi"
    )
    leaders = CategoryFactory(name="Leaders")
    ProductFactory(
        name="Professional Learning package",
        slug="professional-learning-package",
        covers_categories=[leaders],
        member_price=Decimal("2500.00"),
        non_member_price=None,
        members_only=True,
    )
    event = EventFactory(
        title="Leading curriculum change", categories=[leaders], member_price=Decimal("60.00")
    )

    login_page(page, "bola@noelpark.example", PASSWORD)
    page.goto(live_server.url + reverse("catalogue:list"))
    page.get_by_role("link", name="Professional Learning package").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Professional Learning package"
    assert page.get_by_text("£2500.00").is_visible()
    axe(page, context="product page")
    page.get_by_role("button", name="Add to basket").click()

    page.wait_for_url("**/basket/")
    assert page.get_by_role("link", name="Professional Learning package").is_visible()
    page.get_by_role("link", name="Checkout").click()
    page.wait_for_url("**/basket/checkout/")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/orders/HEP-*/")
    assert page.get_by_text("It took effect when the order was placed").is_visible()

    page.goto(live_server.url + packages_page())
    row = page.get_by_role("row", name="Professional Learning package")
    assert "Active" in row.inner_text()
    assert "wait" not in page.content().lower().replace("awaiting", "")

    page.goto(live_server.url + reverse("events:detail", args=[event.slug]))
    assert page.locator(".portal-price").first.inner_text() == "£0.00"
    assert page.get_by_text("Package: free (Professional Learning package)").first.is_visible()

    page.goto(live_server.url + reverse("basket:get_ticket", args=[event.slug]))
    price = page.locator("#price")
    assert "£0.00" in price.inner_text()
    assert "Package: free (Professional Learning package)" in price.inner_text()
