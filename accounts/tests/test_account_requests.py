"""Account requests: the public form, duplicates and registered addresses, and the staff queue
(approve linking or creating the school; reject with a reason)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AccountRequest, AccountRequestStatus, AuditEvent, AuditKind, Role, User
from accounts.services import account_request_approve, account_request_reject
from accounts.tests.factories import StaffFactory, UserFactory
from portal.errors import Conflict, InvalidInput, NotAllowed
from schools.models import CensusFigure, School
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Priya Shah",
    "job_title": "School business manager",
    "school_name": "Tiverton Primary School",
    "school_urn": "",
    "email": "Priya.Shah@Tiverton.sch.example",
    "phone": "020 8800 1234",
}


def submit(client=None, **changes):
    client = client or Client()
    return client.post(reverse("accounts:request"), {**FORM, **changes}, REMOTE_ADDR="203.0.113.20")


def _strip_tokens(html):
    return re.sub(r'"X-CSRFToken": "[^"]+"|value="[A-Za-z0-9]{64}"', "", html)


def test_the_form_records_a_request_and_tells_the_requester_and_staff(outbox, committed, settings):
    with committed():
        response = submit()
    assert response.status_code == 302 and response.url == reverse("accounts:request_sent")
    request = AccountRequest.objects.get()
    assert request.status == AccountRequestStatus.PENDING
    assert request.email == "priya.shah@tiverton.sch.example"
    assert request.ip_address == "203.0.113.20"
    [mail] = outbox.to("priya.shah@tiverton.sch.example")
    assert "usually within one working day" in mail.body
    [staff_mail] = outbox.to(settings.PORTAL_EMAIL)
    assert "Tiverton Primary School" in staff_mail.subject
    assert f"/back-office/accounts/accountrequest/{request.pk}/change/" in staff_mail.body
    assert AuditEvent.objects.filter(kind=AuditKind.ACCOUNT_REQUESTED, email=request.email).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"full_name": ""}, "Enter your full name."),
        ({"school_name": ""}, "Enter the name of your school."),
        ({"email": "not-an-email"}, "Enter an email address in the right format"),
        ({"phone": ""}, "Enter a phone number we can call you on."),
        ({"phone": "call me"}, "Enter a phone number, like"),
        ({"school_urn": "12AB"}, "A URN is a number of 5 to 8 digits"),
    ],
)
def test_bad_input_gets_a_clear_message(changes, message):
    response = submit(**changes)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not AccountRequest.objects.exists()


def test_a_duplicate_request_gets_a_clear_answer_by_email_and_no_second_row(outbox, committed):
    with committed():
        first = submit()
    with committed():
        second = submit(email="PRIYA.shah@tiverton.sch.example")
    assert AccountRequest.objects.count() == 1
    assert first.url == second.url  # the page answers the same...
    [received, duplicate] = outbox.to("priya.shah@tiverton.sch.example")
    assert duplicate.subject == "Your HEP account request is already with us"  # ...the email says why
    assert "There is no need to send another" in duplicate.body


def test_an_address_already_registered_gets_a_clear_answer_by_email(outbox, committed):
    UserFactory(email="priya.shah@tiverton.sch.example")
    client = Client()
    with committed():
        response = submit(client)
    assert response.url == reverse("accounts:request_sent")
    assert not AccountRequest.objects.exists()
    [mail] = outbox.to("priya.shah@tiverton.sch.example")
    assert mail.subject == "You already have a HEP account"
    assert "/accounts/login/" in mail.body and "/accounts/password-reset/" in mail.body


def test_the_page_does_not_reveal_whether_the_address_has_an_account():
    UserFactory(email="taken@school.example")
    pages = []
    for email in ["taken@school.example", "fresh@school.example"]:
        response = Client().post(reverse("accounts:request"), {**FORM, "email": email}, follow=True)
        pages.append(_strip_tokens(response.content.decode()).replace(email, "EMAIL"))
    assert pages[0] == pages[1]


def test_requests_from_one_address_are_limited():
    for n in range(10):
        assert submit(email=f"person{n}@school.example").status_code == 302
    response = submit(email="person11@school.example")
    assert response.status_code == 200
    assert "a lot of requests from your connection" in response.content.decode()


# --- Staff decide ------------------------------------------------------------------------


@pytest.fixture
def pending():
    return AccountRequest.objects.create(
        full_name="Priya Shah",
        school_name="Tiverton Primary School",
        school_urn="",
        email="priya@tiverton.sch.example",
        phone="020 8800 1234",
    )


def test_approving_links_an_existing_school_makes_a_key_user_and_emails_a_link(pending, outbox, committed):
    school = SchoolFactory(name="Tiverton Primary School")
    staff = StaffFactory()
    with committed():
        user = account_request_approve(account_request=pending, school=school, actor=staff)
    assert user.school == school and user.role == Role.KEY_USER
    assert not user.has_usable_password()
    pending.refresh_from_db()
    assert pending.status == AccountRequestStatus.APPROVED
    assert pending.user == user and pending.decided_by == staff and pending.decided_at
    [mail] = outbox.to(user.email)
    assert "Set your password here (the link works once, for 3 days)" in mail.body
    assert re.search(r"/accounts/set-password/[^/]+/[^/]+/", mail.body)
    event = AuditEvent.objects.get(kind=AuditKind.ACCOUNT_REQUEST_APPROVED)
    assert event.actor == staff and event.user == user


def test_approving_can_create_the_school_with_its_census_figure(pending):
    user = account_request_approve(
        account_request=pending,
        actor=StaffFactory(),
        new_school={
            "name": "Tiverton Primary School",
            "urn": "102345",
            "phase": "primary",
            "local_authority": "haringey",
            "fte_pupils": 410,
            "census_year": 2026,
            "postcode": "n15 6qr",
        },
    )
    school = School.objects.get(urn="102345")
    assert user.school == school and school.postcode == "N15 6QR"
    assert CensusFigure.objects.get(school=school).fte_pupils == 410


def test_a_school_keeps_exactly_one_key_user(pending):
    school = SchoolFactory()
    UserFactory(school=school, role=Role.KEY_USER, full_name="Kemi Adeyemi")
    with pytest.raises(InvalidInput, match="already has a key user, Kemi Adeyemi"):
        account_request_approve(account_request=pending, school=school, actor=StaffFactory())
    user = account_request_approve(
        account_request=pending, school=school, role=Role.BUSINESS_MANAGER, actor=StaffFactory()
    )
    assert user.role == Role.BUSINESS_MANAGER


def test_approving_a_request_whose_address_has_since_registered_is_refused(pending):
    UserFactory(email="PRIYA@tiverton.sch.example".lower())
    with pytest.raises(InvalidInput, match="already has an account"):
        account_request_approve(account_request=pending, school=SchoolFactory(), actor=StaffFactory())


def test_a_decided_request_cannot_be_decided_again(pending):
    account_request_reject(account_request=pending, reason="Not a school", actor=StaffFactory())
    with pytest.raises(Conflict, match="already rejected"):
        account_request_approve(account_request=pending, school=SchoolFactory(), actor=StaffFactory())


def test_only_staff_decide(pending):
    with pytest.raises(NotAllowed):
        account_request_approve(account_request=pending, school=SchoolFactory(), actor=UserFactory())


def test_rejecting_needs_a_reason_and_emails_it(pending, outbox, committed):
    with pytest.raises(InvalidInput, match="Give the reason"):
        account_request_reject(account_request=pending, reason="  ", actor=StaffFactory())
    with committed():
        account_request_reject(
            account_request=pending,
            reason="We could not confirm you work at the school.",
            actor=StaffFactory(),
        )
    [mail] = outbox.to(pending.email)
    assert "Reason: We could not confirm you work at the school." in mail.body
    assert AuditEvent.objects.get(kind=AuditKind.ACCOUNT_REQUEST_REJECTED).detail["reason"]


# --- The back office queue ------------------------------------------------------------------


def test_staff_see_the_queue_and_approve_from_the_back_office(pending, outbox, committed):
    school = SchoolFactory(name="Tiverton Primary School")
    client = Client()
    client.force_login(StaffFactory())
    queue = client.get(reverse("admin:accounts_accountrequest_changelist") + "?status__exact=pending")
    assert "Priya Shah" in queue.content.decode()
    url = reverse("admin:accounts_accountrequest_change", args=[pending.pk])
    page = client.get(url).content.decode()
    assert "We found a matching school" in page and "Tiverton Primary School" in page
    with committed():
        response = client.post(
            url,
            {
                "_approve": "1",
                "approve-school_choice": "existing",
                "approve-school": school.pk,
                "approve-role": "key_user",
                "approve-financial_year_start": "4",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="priya@tiverton.sch.example")
    assert user.role == Role.KEY_USER and user.school == school
    assert len(outbox.to(user.email)) == 1


def test_staff_reject_from_the_back_office_with_a_reason(pending):
    client = Client()
    client.force_login(StaffFactory())
    url = reverse("admin:accounts_accountrequest_change", args=[pending.pk])
    missing = client.post(url, {"_reject": "1", "reject-reason": ""})
    assert "Give the reason" in missing.content.decode()
    client.post(url, {"_reject": "1", "reject-reason": "Tutoring companies book as guests."})
    pending.refresh_from_db()
    assert pending.status == AccountRequestStatus.REJECTED
    # A decided request opens read-only, without the decision forms.
    assert "_approve" not in client.get(url).content.decode()


def test_school_users_cannot_open_the_queue(pending):
    client = Client()
    client.force_login(UserFactory(role=Role.KEY_USER))
    response = client.get(reverse("admin:accounts_accountrequest_change", args=[pending.pk]))
    assert response.status_code == 302 and "/login/" in response.url
