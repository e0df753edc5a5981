"""A business manager works out the fee, then renews their school's membership choosing to
pay from the start of the school's financial year, and sees it on the dashboard."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from memberships.years import membership_year_for, next_financial_year_start, year_label
from schools.tests.factories import CensusFigureFactory, SchoolFactory

from .factories import MembershipFactory, PriceSettingsFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_business_manager_uses_the_calculator_then_renews_paying_from_1_april(
    page, live_server, axe, login_page
):
    today = timezone.localdate()
    year = membership_year_for(today)
    PriceSettingsFactory(year=year)
    PriceSettingsFactory(year=year + 1)
    school = SchoolFactory(name="Tiverton Primary School", financial_year_start=4, local_authority="haringey")
    CensusFigureFactory(school=school, census_year=year, fte_pupils=Decimal("420"))
    MembershipFactory(school=school, year=year)
    UserFactory(
        email="business@tiverton.example", full_name="Bola Sanusi", school=school, role="business_manager"
    )
    pay_from = next_financial_year_start(4, after=today)
    assert pay_from.month == 4

    # The public membership page leads to the calculator.
    page.goto(f"{live_server.url}/membership/")
    expect(page.get_by_role("heading", name="Membership", exact=True)).to_be_visible()
    axe(page, context="membership page")
    page.get_by_role("link", name="Work out your school's fee with the membership fee calculator").click()
    expect(page.get_by_role("heading", name="Membership fee calculator")).to_be_visible()
    axe(page, context="calculator")

    # Submitting nothing explains what is missing.
    page.get_by_role("button", name="Calculate the fee").click()
    expect(page.get_by_role("alert").get_by_text("Select the school's phase.")).to_be_visible()
    axe(page, context="calculator with errors")

    page.get_by_label("Primary").check()
    page.get_by_role("group", name="Does the school have a sixth form?").get_by_label("No").check()
    page.get_by_label("How many FTE pupils are on the school's October census?").fill("420")
    page.get_by_role("group", name="Is the school newly joining?").get_by_label("No").check()
    page.get_by_label("Haringey").check()
    page.get_by_role("button", name="Calculate the fee").click()
    expect(page.get_by_role("heading", name=f"£7,980.00 for {year_label(year)}")).to_be_visible()
    expect(page.get_by_role("cell", name="420 FTE pupils × £19.00")).to_be_visible()
    axe(page, context="calculator with a quote")

    # Log in and renew from the dashboard.
    login_page(page, "business@tiverton.example", PASSWORD)
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Memberships").click()
    expect(page.get_by_role("heading", name="Memberships", exact=True)).to_be_visible()
    axe(page, context="memberships dashboard")
    page.get_by_role("button", name=f"Renew for {year_label(year + 1)}").click()
    expect(page.get_by_role("heading", name=f"Renew membership for {year_label(year + 1)}")).to_be_visible()
    axe(page, context="renewal page")
    page.get_by_label(re.compile(rf"^From 1 April {pay_from.year}")).check()
    page.get_by_role("button", name="Place order for £7,980.00").click()

    # Back on the dashboard: the new year, pending, with its price, payment date and order.
    expect(page.get_by_text(f"Membership for {year_label(year + 1)} is ordered")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=year_label(year + 1))
    expect(row.get_by_text("Pending")).to_be_visible()
    expect(row.get_by_text("£7,980.00")).to_be_visible()
    expect(row.get_by_text(f"1 April {pay_from.year}")).to_be_visible()
    expect(row.get_by_text(re.compile(r"HEP-\d{6}"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Renew for"))).to_have_count(0)
    axe(page, context="dashboard after renewing")


def test_key_user_corrects_the_census_figure_and_sees_the_new_price(page, live_server, axe, login_page):
    today = timezone.localdate()
    year = membership_year_for(today)
    PriceSettingsFactory(year=year)
    PriceSettingsFactory(year=year + 1)
    school = SchoolFactory(name="Seven Sisters Primary School")
    CensusFigureFactory(school=school, census_year=year, fte_pupils=Decimal("420"))
    UserFactory(email="key@sevensisters.example", school=school, role="key_user")

    login_page(page, "key@sevensisters.example", PASSWORD)
    page.goto(f"{live_server.url}/membership/order/")
    expect(page.get_by_role("heading", name=f"Join for {year_label(year)}")).to_be_visible()
    page.get_by_role("link", name="Change the census figure").click()
    expect(page.get_by_role("heading", name="Update the October census figure")).to_be_visible()
    page.get_by_role("button", name="Save the census figure").click()
    expect(page.get_by_role("alert").get_by_role("link", name="Enter the FTE pupil count")).to_be_visible()
    axe(page, context="census page with errors")
    page.get_by_label("FTE pupils").fill("630")
    page.get_by_label("Note").fill("October census return")
    page.get_by_role("button", name="Save the census figure").click()
    expect(page.get_by_role("heading", name=f"Join for {year_label(year)}")).to_be_visible()
    expect(page.get_by_role("cell", name="630 FTE pupils × £19.00")).to_be_visible()
    expect(page.get_by_role("button", name="Place order for £11,970.00")).to_be_visible()
