"""axe on the pages of the foundation, accounts and membership apps that no journey covered yet:
contact, curriculum (locked and open), the MAT school chooser, the Users pages with errors, the
Account Details forms with errors, and the "not allowed" pages."""

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory
from memberships.tests.factories import MembershipFactory
from memberships.years import membership_year_for
from schools.tests.factories import SchoolFactory, TrustFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_contact_and_curriculum_pages_pass_axe(page, live_server, axe, settings):
    page.goto(f"{live_server.url}/contact/")
    assert page.locator("main").get_by_role("link", name=settings.PORTAL_PHONE).is_visible()
    axe(page, context="contact")
    page.goto(f"{live_server.url}/curriculum/")
    assert page.get_by_text("Members only").is_visible()
    axe(page, context="curriculum, locked")


def test_teacher_pages_pass_axe(page, live_server, axe, login_page):
    school = SchoolFactory(name="Earlsmead Primary School")
    MembershipFactory(school=school, year=membership_year_for(timezone.localdate()))
    teacher = UserFactory(school=school, role="teacher", email="t@earlsmead.example")
    login_page(page, teacher.email, PASSWORD)
    page.goto(f"{live_server.url}/curriculum/")
    assert page.get_by_text("The curriculum library for your school").is_visible()
    axe(page, context="curriculum, open")
    page.goto(f"{live_server.url}/membership/order/")
    axe(page, context="membership: not allowed")
    page.goto(f"{live_server.url}/accounts/dashboard/users/")
    axe(page, context="users: not allowed")


def test_key_user_forms_with_errors_pass_axe(page, live_server, axe, login_page):
    school = SchoolFactory(name="Earlsmead Primary School")
    key = UserFactory(school=school, role="key_user", email="key@earlsmead.example")
    colleague = UserFactory(school=school, role="teacher", full_name="Ada Teacher")
    login_page(page, key.email, PASSWORD)

    page.goto(f"{live_server.url}/accounts/dashboard/users/invite/")
    page.get_by_role("button", name="Send invitation").click()
    assert page.locator(".govuk-error-summary").is_visible()
    axe(page, context="invite with errors")
    # The error summary links to the fields it names.
    links = page.locator(".govuk-error-summary a").all()
    assert links
    for link in links:
        target = link.get_attribute("href")
        assert target.startswith("#") and page.locator(target).count() == 1, target

    page.goto(f"{live_server.url}/accounts/dashboard/users/{colleague.pk}/")
    axe(page, context="user detail")

    page.goto(f"{live_server.url}/accounts/dashboard/details/name/")
    page.get_by_label("Full name").fill("")
    page.get_by_role("button", name="Save name").click()
    axe(page, context="change name with an error")

    page.goto(f"{live_server.url}/accounts/dashboard/details/email/")
    page.get_by_role("button", name="Send confirmation link").click()
    axe(page, context="change email with errors")


def test_mat_school_chooser_passes_axe(page, live_server, axe, login_page):
    trust = TrustFactory(name="North London Learning Trust")
    SchoolFactory(name="Alpha Primary", trust=trust)
    beta = SchoolFactory(name="Beta Primary", trust=trust)
    mat = UserFactory(role="mat_head_office", school=None, trust=trust, email="mat@trust.example")
    login_page(page, mat.email, PASSWORD)
    page.goto(f"{live_server.url}/accounts/dashboard/")
    page.get_by_label("School you are acting for").select_option(label="Beta Primary")
    page.get_by_role("button", name="Act for this school").click()
    assert page.get_by_text(f"You are now acting for {beta.name}.").is_visible()
    axe(page, context="dashboard with the MAT chooser")
