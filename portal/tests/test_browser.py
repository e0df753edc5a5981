import pytest

from events.tests.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_shows_upcoming_events_and_passes_axe(page, live_server, axe):
    EventFactory(title="Early reading: phonics in Reception")
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="Upcoming events").is_visible()
    assert page.get_by_role("link", name="Early reading: phonics in Reception").is_visible()
    axe(page)


def test_navigation_works_by_keyboard_alone(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    # Tab through the header to the main navigation, then follow "Events" with Enter.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.locator(":focus").inner_text().strip() == "Events":
            break
    assert page.locator(":focus").inner_text().strip() == "Events"
    page.keyboard.press("Enter")
    page.wait_for_url("**/events/")
    assert page.get_by_role("heading", level=1).inner_text() == "Professional learning calendar"
