"""Account Details: name, and email changes confirmed by a link to the new address (the old one
is told); an address belonging to another account can never be taken."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, AuditKind, User
from accounts.services import email_change_confirm, email_change_request
from accounts.tests.factories import PASSWORD, UserFactory
from portal.errors import InvalidInput

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def confirm_path(mail) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/dashboard/details/email/confirm/\S+/)", mail.body).group(1)


def test_the_details_page_shows_name_email_and_change_links():
    user = UserFactory(full_name="Bola Sanusi")
    page = logged_in(user).get(reverse("accounts:details")).content.decode()
    assert "Bola Sanusi" in page and user.email in page
    for name in ["details_name", "details_email", "details_password"]:
        assert reverse(f"accounts:{name}") in page


def test_change_name():
    user = UserFactory(full_name="Bola Sanusi")
    client = logged_in(user)
    assert (
        "Enter your full name"
        in client.post(reverse("accounts:details_name"), {"full_name": ""}).content.decode()
    )
    client.post(reverse("accounts:details_name"), {"full_name": "  Bola   Sanusi-Okafor "})
    user.refresh_from_db()
    assert user.full_name == "Bola Sanusi-Okafor"
    assert AuditEvent.objects.get(kind=AuditKind.NAME_CHANGED).detail["to"] == "Bola Sanusi-Okafor"


def test_change_email_by_a_link_sent_to_the_new_address_and_tell_the_old(outbox, committed):
    user = UserFactory(email="old@school.example")
    client = logged_in(user)
    with committed():
        response = client.post(
            reverse("accounts:details_email"),
            {"new_email": "New@School.example", "current_password": PASSWORD},
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "old@school.example"  # nothing changes until the link is followed
    [mail] = outbox.to("new@school.example")
    path = confirm_path(mail)
    assert "Confirm new email address" in Client().get(path).content.decode()  # GET changes nothing
    user.refresh_from_db()
    assert user.email == "old@school.example"

    with committed():
        confirmed = client.post(path)
    assert confirmed.status_code == 302
    user.refresh_from_db()
    assert user.email == "new@school.example"
    [told] = outbox.to("old@school.example")
    assert "from old@school.example to new@school.example" in told.body
    assert "If this wasn't you" in told.body
    assert AuditEvent.objects.filter(kind=AuditKind.EMAIL_CHANGED, user=user).exists()

    # The link works once.
    assert Client().post(path).status_code == 400
    # And the person logs in with the new address.
    login = Client().post(reverse("accounts:login"), {"username": "new@school.example", "password": PASSWORD})
    assert login.status_code == 302


def test_an_email_already_in_use_cannot_be_taken_whatever_its_case():
    UserFactory(email="taken@school.example")
    user = UserFactory()
    response = logged_in(user).post(
        reverse("accounts:details_email"), {"new_email": "TAKEN@School.Example", "current_password": PASSWORD}
    )
    assert "This email address belongs to another account" in response.content.decode()


def test_an_address_taken_between_request_and_confirmation_is_refused(outbox, committed):
    user = UserFactory()
    with committed():
        email_change_request(user=user, new_email="wanted@school.example", current_password=PASSWORD)
    token = confirm_path(outbox.to("wanted@school.example")[0]).rstrip("/").split("/")[-1]
    UserFactory(email="WANTED@school.example".lower())
    with pytest.raises(InvalidInput, match="belongs to another account"):
        email_change_confirm(token=token)
    user.refresh_from_db()
    assert user.email != "wanted@school.example"


def test_the_email_change_needs_the_current_password():
    user = UserFactory()
    response = logged_in(user).post(
        reverse("accounts:details_email"), {"new_email": "new@school.example", "current_password": "wrong"}
    )
    assert "Your current password is not right" in response.content.decode()


def test_a_tampered_email_link_is_refused():
    assert Client().get("/accounts/dashboard/details/email/confirm/abc:def:ghi/").status_code == 400


def test_the_database_refuses_two_accounts_differing_only_by_case():
    from django.db import IntegrityError

    UserFactory(email="same@school.example")
    with pytest.raises(IntegrityError):
        User.objects.create(email="SAME@school.example", full_name="Copy")
