"""Browser journeys (Chromium through Playwright) with axe on the login, request, reset and
dashboard pages."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User
from accounts.tests.factories import PASSWORD, StaffFactory, UserFactory
from schools.tests.factories import SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEAK = "Summer2024"
MEDIUM = "tulip-orbit"
GOVERNOR_PASSWORD = "purple-kettle"


def latest_link(outbox, email, pattern=r"https?://\S+/accounts/set-password/\S+/"):
    mails = outbox.to(email)
    assert mails, f"no email to {email}"
    return re.search(pattern, mails[-1].body).group(0)


def strength_label(page):
    return page.get_by_test_id("strength-label")


def test_request_approve_set_password_log_in_and_invite_a_governor(
    page, live_server, settings, outbox, axe, login_page
):
    settings.PORTAL_BASE_URL = live_server.url
    school = SchoolFactory(name="Tiverton Primary School")
    staff = StaffFactory(email="staff@hep.example", full_name="Sam Admin")

    # A visitor requests an account from the login page.
    page.goto(f"{live_server.url}/accounts/login/")
    axe(page, context="login")
    page.get_by_role("link", name="Request an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request an account for your school")
    axe(page, context="request an account")
    page.get_by_label("Your full name").fill("Priya Shah")
    page.get_by_label("Your job title (optional)").fill("School business manager")
    page.get_by_label("School name").fill("Tiverton Primary School")
    page.get_by_label("Email address").fill("priya@tiverton.sch.example")
    page.get_by_label("Phone number").fill("020 8800 1234")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="Request received")).to_be_visible()
    axe(page, context="request received")

    # Staff approve it in the back office.
    login_page(page, staff.email, PASSWORD)
    page.goto(f"{live_server.url}/back-office/accounts/accountrequest/")
    page.get_by_role("link", name=re.compile("Priya Shah")).first.click()
    expect(page.get_by_text("We found a matching school")).to_be_visible()
    page.get_by_role("button", name="Approve and email a set-password link").click()
    expect(page.get_by_text("Approved: Priya Shah is Key user of Tiverton Primary School")).to_be_visible()
    page.context.clear_cookies()

    # The set-password email's link: a weak password is refused, a medium one accepted.
    page.goto(latest_link(outbox, "priya@tiverton.sch.example"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    axe(page, context="set password")
    page.get_by_label("New password", exact=True).fill(WEAK)
    expect(strength_label(page)).to_have_text(re.compile(r"^Password strength: Weak\b"))
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("alert")).to_contain_text("This password is weak")
    page.get_by_label("New password", exact=True).fill(MEDIUM)
    expect(strength_label(page)).to_have_text(re.compile(r"^Password strength: Medium\b"))
    page.get_by_role("button", name="Set password").click()
    expect(
        page.get_by_text("Your password is set. Log in with your email address and new password.")
    ).to_be_visible()

    # Log in; the key user invites a Governor.
    login_page(page, "priya@tiverton.sch.example", MEDIUM)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    axe(page, context="dashboard")
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Users").click()
    axe(page, context="users")
    page.get_by_role("link", name="Invite a colleague").click()
    page.get_by_label("Full name").fill("Grace Mensah")
    page.get_by_label("Email address").fill("grace@tiverton.sch.example")
    page.get_by_label("Governors & Clerks").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("We have emailed Grace Mensah an invitation")).to_be_visible()
    expect(page.get_by_role("cell", name="Grace Mensah", exact=True)).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The Governor sets a password and sees only what governors may.
    page.goto(latest_link(outbox, "grace@tiverton.sch.example"))
    page.get_by_label("New password", exact=True).fill(GOVERNOR_PASSWORD)
    expect(strength_label(page)).to_have_text(re.compile(r"^Password strength: (Medium|Strong)\b"))
    page.get_by_role("button", name="Set password").click()
    login_page(page, "grace@tiverton.sch.example", GOVERNOR_PASSWORD)
    actions = page.get_by_test_id("allowed-actions").get_by_role("listitem")
    expect(actions).to_have_text(["Book governor training", "Vote in board elections (member schools)"])
    nav = page.get_by_role("navigation", name="Dashboard")
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    expect(nav.get_by_role("link", name="Account Details")).to_be_visible()
    page.goto(f"{live_server.url}/accounts/dashboard/users/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot use this page")

    grace = User.objects.get(email="grace@tiverton.sch.example")
    assert grace.role == Role.GOVERNOR and grace.school == school


def test_reset_pages_pass_axe_and_a_used_link_shows_the_exact_message(
    page, live_server, settings, outbox, axe
):
    settings.PORTAL_BASE_URL = live_server.url
    user = UserFactory(email="bola@school.example")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    axe(page, context="reset request")
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your email address.")
    axe(page, context="reset request with an error")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    axe(page, context="reset sent")

    link = latest_link(outbox, user.email, r"https?://\S+/accounts/reset/\S+/")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill("Marmalade-Harbour-Kite")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_text("Your password has been reset.")).to_be_visible()

    page.goto(link)  # used
    expect(page.get_by_test_id("invalid-link")).to_have_text(
        "Your password reset link appears to be invalid. Please request a new link below."
    )
    expect(page.get_by_role("button", name="Send me a reset link")).to_be_visible()
    axe(page, context="invalid link")


def test_lockout_page_and_account_details_pass_axe(page, live_server, axe, login_page):
    user = UserFactory(role=Role.KEY_USER)
    login_page(page, user.email, PASSWORD)
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Account Details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account Details")
    axe(page, context="account details")
    page.get_by_role("link", name="Change password").click()
    page.get_by_label("New password", exact=True).fill("abc")
    expect(strength_label(page)).to_have_text(re.compile(r"^Password strength: Very weak\b"))
    axe(page, context="change password with the meter")
    page.get_by_role("button", name="Log out").click()

    for _ in range(10):
        login_page(page, user.email, "wrong password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed attempts")
    expect(page.get_by_test_id("lockout-until")).to_contain_text("You can try again after")
    axe(page, context="locked out")
