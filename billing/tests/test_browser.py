"""A school business manager finds the school's invoices on the dashboard and downloads one."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from billing.services import invoices_issue_for_order
from billing.tests.factories import account_order, line_spec
from schools.tests.factories import SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_invoices_page_lists_and_downloads_the_schools_invoices(page, live_server, login_page, axe):
    school = SchoolFactory(name="Tiverton Primary School")
    user = UserFactory(school=school, role="business_manager", email="sbm@tiverton.example")
    order = account_order(
        school=school,
        buyer=user,
        purchase_order_number="TIV-118",
        lines=[
            line_spec("Haringey SEND package", "1200.00", body_code="lbh"),
            line_spec("Clerking service", "2200.00"),
        ],
    )
    invoices = {i.body.code: i for i in invoices_issue_for_order(order=order)}

    login_page(page, "sbm@tiverton.example", PASSWORD)
    page.goto(live_server.url + "/accounts/dashboard/")
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Invoices").click()
    expect(page.get_by_role("heading", name="Invoices", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="London Borough of Haringey")).to_be_visible()
    expect(page.get_by_text("PO TIV-118").first).to_be_visible()
    axe(page, context="the dashboard's invoices")

    with page.expect_download() as download:
        page.get_by_role("link", name=f"{invoices['lbh'].number} (PDF)").click()
    assert download.value.suggested_filename == f"{invoices['lbh'].number}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
