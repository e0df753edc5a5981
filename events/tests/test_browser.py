from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory
from events.tests.conftest import at, make_member
from events.tests.factories import CategoryFactory, EventFactory, SubjectFactory
from schools.tests.factories import SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def calendar_data():
    leaders = CategoryFactory(name="Leaders", slug="leaders")
    eyfs = CategoryFactory(name="Early Years", slug="early-years")
    maths = SubjectFactory(name="Maths", slug="maths")
    phonics = SubjectFactory(name="Phonics", slug="phonics")
    target = EventFactory(
        title="Leading maths across the school",
        summary="For maths leads",
        description="<p>Plan a <strong>mastery</strong> curriculum.</p>",
        categories=[leaders],
        subjects=[maths],
        starts_at=at(9, 9),
        ends_at=at(9, 12),
        capacity=30,
        member_price=Decimal("45.00"),
        non_member_price=Decimal("70.00"),
    )
    type(target).objects.filter(pk=target.pk).update(places_taken=8)
    EventFactory(title="Leading early reading", categories=[leaders], subjects=[phonics], starts_at=at(4))
    EventFactory(title="Counting in Reception", categories=[eyfs], subjects=[maths], starts_at=at(6))
    EventFactory(
        title="Members' forum",
        categories=[leaders],
        subjects=[maths],
        booking_rule="members",
        starts_at=at(12),
    )
    return target


def tab_to(page, predicate, limit=60):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def test_business_manager_filters_by_keyboard_and_opens_an_event(
    page, live_server, login_page, axe, calendar_data
):
    school = make_member(SchoolFactory(name="Noel Park Primary School"))
    user = UserFactory(email="business@noelpark.example", school=school, role="business_manager")
    login_page(page, user.email, PASSWORD)
    page.goto(f"{live_server.url}/events/")
    assert page.get_by_role("heading", level=1).inner_text() == "Professional learning calendar"
    axe(page, context="calendar list")

    # Keyboard only: Tab to each filter, type to choose, Enter to apply.
    tab_to(page, "() => document.activeElement.id === 'id_category'")
    page.keyboard.type("Leaders")
    tab_to(page, "() => document.activeElement.id === 'id_subject'")
    page.keyboard.type("Maths")
    tab_to(page, "() => document.activeElement.textContent.trim() === 'Apply filters'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/?*category=leaders*")
    assert "subject=maths" in page.url  # the filtered view is a shareable link

    cards = page.locator(".portal-card h3")
    assert cards.all_inner_texts() == ["Leading maths across the school", "Members' forum"]
    assert page.get_by_role("heading", name="2 events match your filters").is_visible()
    card = page.locator(".portal-card").filter(has_text="Leading maths across the school")
    assert "22 places left" in card.inner_text() and "£45.00 per delegate (Member price)" in card.inner_text()
    axe(page, context="filtered calendar")

    tab_to(page, "() => document.activeElement.textContent.trim() === 'Leading maths across the school'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/events/{calendar_data.slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Leading maths across the school"
    booking = page.locator(".portal-filters")
    assert "£45.00 per delegate" in booking.inner_text()
    assert "Member price for Noel Park Primary School" in booking.inner_text()
    assert "22 places left" in booking.inner_text()
    assert page.get_by_text("Plan a mastery curriculum.").is_visible()
    axe(page, context="event page")


def test_month_view_and_guest_event_page_pass_axe(page, live_server, axe, calendar_data):
    month = timezone.localtime(calendar_data.starts_at).strftime("%Y-%m")
    page.goto(f"{live_server.url}/events/month/?month={month}")
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .endswith(timezone.localtime(calendar_data.starts_at).strftime("%B %Y"))
    )
    axe(page, context="month view")
    # The event is on its day in the grid, with its places and price; its link opens the event.
    day = timezone.localtime(calendar_data.starts_at)
    cell = page.locator("td").filter(has=page.locator(f"time[datetime='{day:%Y-%m-%d}']"))
    assert "22 places left" in cell.inner_text() and "£70.00" in cell.inner_text()
    cell.get_by_role("link", name="Leading maths across the school").click()
    page.wait_for_url(f"**/events/{calendar_data.slug}/")
    assert "£70.00" in page.locator(".portal-filters").inner_text()  # a guest pays the non-member price
    axe(page, context="event page (guest)")

    members_only = type(calendar_data).objects.get(title="Members' forum")
    page.goto(f"{live_server.url}/events/{members_only.slug}/")
    assert page.get_by_text("Members only: log in with your member school's account to book.").is_visible()
    axe(page, context="members-only event page")


def test_filter_errors_are_accessible(page, live_server, axe, calendar_data):
    page.goto(f"{live_server.url}/events/?from=31/02/2027&category=nope")
    summary = page.locator(".govuk-error-summary")
    assert "Choose a category from the list" in summary.inner_text()
    summary.get_by_role("link", name="Choose a category from the list").click()
    assert page.evaluate("() => document.activeElement.id") == "id_category"
    axe(page, context="calendar with errors")
