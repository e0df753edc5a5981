"""Passwords: strength (zxcvbn >= 3 with the user's own words), the live meter, reset requests
that never reveal an account, single-use expiring links, confirmations, and other sessions ending."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, AuditKind
from accounts.passwords import password_strength, user_inputs_for
from accounts.services.passwords import INVALID_LINK_MESSAGE
from accounts.tests.factories import PASSWORD, UserFactory
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

EXACT = "Your password reset link appears to be invalid. Please request a new link below."
WEAK = "Summer2024"  # zxcvbn 2: "Weak"
MEDIUM = "tulip-orbit"  # zxcvbn 3: "Medium"


def link_path(mail) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/(?:reset|set-password)/\S+/)", mail.body).group(1)


# --- Strength ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "label", "ok"),
    [
        ("password", "Very weak", False),
        ("kitten123", "Weak", False),
        (WEAK, "Weak", False),
        (MEDIUM, "Medium", True),
        ("correct horse battery staple", "Strong", True),
    ],
)
def test_strength_labels_follow_the_zxcvbn_scale(password, label, ok):
    strength = password_strength(password)
    assert strength["label"] == label
    assert strength["acceptable"] is ok


def test_the_validator_refuses_weak_and_common_passwords_and_explains_what_to_do():
    user = UserFactory.build(email="kemi@noelpark.sch.example", full_name="Kemi Adeyemi", school=None)
    with pytest.raises(ValidationError) as weak:
        password_validation.validate_password(WEAK, user)
    message = " ".join(weak.value.messages)
    assert "This password is weak" in message
    assert "three or four unrelated words" in message
    with pytest.raises(ValidationError) as common:
        password_validation.validate_password("password1", user)
    assert "too common" in " ".join(common.value.messages)
    password_validation.validate_password(MEDIUM, user)


def test_the_users_name_email_and_school_count_as_dictionary_words():
    school = SchoolFactory(name="Tottenham Riverside Primary")
    user = UserFactory(
        email="quentin.ormsby@riverside.sch.example", full_name="Quentin Ormsby", school=school
    )
    inputs = user_inputs_for(user)
    assert {"quentin", "ormsby", "riverside", "tottenham"} <= set(inputs)
    guessable = "Ormsby2024"
    assert password_strength(guessable)["score"] >= 3  # strong for a stranger...
    with pytest.raises(ValidationError):  # ...but not for Quentin at Tottenham Riverside
        password_validation.validate_password(guessable, user)


@pytest.mark.parametrize(
    "password",
    [
        "the quick brown fox jumps over the lazy dog near the old mill " * 8,  # ~500 characters
        "pässwörd-ünïcode-çafé",
        "日本語のパスワード は 安全 です",
        "Ζεύς-και-Ήρα-στον-Όλυμπο",
    ],
)
def test_long_passphrases_and_non_ascii_are_accepted_and_log_in(client, password):
    user = UserFactory()
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": password})
    assert response.status_code == 302


# --- The live meter ------------------------------------------------------------------------


def test_the_meter_scores_on_the_server_with_the_labels():
    client = Client(enforce_csrf_checks=False)
    url = reverse("accounts:password_strength")
    for password, label, bar in [("password", "Very weak", 0), (WEAK, "Weak", 2), (MEDIUM, "Medium", 3)]:
        html = client.post(url, {"new_password": password}).content.decode()
        assert f"Password strength: <strong>{label}</strong>" in html
        assert f"portal-meter__bar--{bar}" in html
    strong = client.post(url, {"new_password": "correct horse battery staple"}).content.decode()
    assert "<strong>Strong</strong>" in strong and "good enough to use" in strong
    weak = client.post(url, {"new_password": WEAK}).content.decode()
    assert "not strong enough yet" in weak


def test_the_meter_needs_post_and_a_csrf_token():
    url = reverse("accounts:password_strength")
    assert Client().get(url, {"new_password": "x"}).status_code == 405
    assert Client(enforce_csrf_checks=True).post(url, {"new_password": MEDIUM}).status_code == 403


def test_the_meter_uses_the_words_of_the_person_setting_the_password(outbox, committed):
    """On a set-password page the meter knows whose password it is (from the session)."""
    school = SchoolFactory(name="Tottenham Riverside Primary")
    user = UserFactory(
        email="quentin.ormsby@riverside.sch.example", full_name="Quentin Ormsby", school=school
    )
    client = Client()
    with committed():
        client.post(reverse("accounts:password_reset"), {"email": user.email})
    client.get(client.get(link_path(outbox.to(user.email)[0])).url)
    html = client.post(reverse("accounts:password_strength"), {"new_password": "Ormsby2024"})
    assert "not strong enough yet" in html.content.decode()


def test_the_meter_is_throttled(settings):
    client = Client()
    url = reverse("accounts:password_strength")
    responses = [client.post(url, {"new_password": "a"}).content.decode() for _ in range(241)]
    assert "Password strength" in responses[0]
    assert "when you continue" in responses[-1]


# --- Reset requests --------------------------------------------------------------------


def _normalise(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return html.replace("someone@school.example", "EMAIL").replace("nobody@school.example", "EMAIL")


def test_a_reset_request_answers_the_same_for_an_unknown_email(outbox, committed):
    UserFactory(email="someone@school.example")
    answers = []
    for email in ["someone@school.example", "nobody@school.example"]:
        client = Client()
        with committed():
            response = client.post(reverse("accounts:password_reset"), {"email": email}, follow=True)
        answers.append((response.status_code, response.redirect_chain, _normalise(response.content.decode())))
    assert answers[0][0] == answers[1][0] == 200
    assert answers[0][1] == answers[1][1] == [(reverse("accounts:password_reset_sent"), 302)]
    assert answers[0][2] == answers[1][2]
    assert len(outbox.to("someone@school.example")) == 1
    assert outbox.to("nobody@school.example") == []
    requested = AuditEvent.objects.filter(kind=AuditKind.PASSWORD_RESET_REQUESTED)
    assert sorted(requested.values_list("email", "detail__account_found")) == [
        ("nobody@school.example", False),
        ("someone@school.example", True),
    ]


def test_reset_emails_to_one_address_are_limited(outbox, committed):
    user = UserFactory()
    for _ in range(8):
        with committed():
            Client().post(reverse("accounts:password_reset"), {"email": user.email}, follow=True)
    assert len(outbox.to(user.email)) == 5


def test_a_deactivated_account_gets_no_reset_link(outbox, committed):
    user = UserFactory(is_active=False)
    with committed():
        Client().post(reverse("accounts:password_reset"), {"email": user.email})
    assert outbox.to(user.email) == []


# --- Links ----------------------------------------------------------------------------------


def _request_reset(client, user, committed, outbox):
    with committed():
        client.post(reverse("accounts:password_reset"), {"email": user.email})
    return link_path(outbox.to(user.email)[-1])


def test_reset_link_sets_a_password_once_then_shows_the_exact_message(outbox, committed):
    user = UserFactory()
    client = Client()
    path = _request_reset(client, user, committed, outbox)
    response = client.get(path)
    assert response.status_code == 302
    set_url = response.url
    assert "/set/" in set_url and path.rstrip("/").split("/")[-1] not in set_url  # token left the URL
    form = client.get(set_url)
    assert "Choose a new password" in form.content.decode()
    with committed():
        done = client.post(set_url, {"new_password": "Marmalade-Harbour-Kite"})
    assert done.status_code == 302 and done.url == reverse("accounts:login")
    user.refresh_from_db()
    assert user.check_password("Marmalade-Harbour-Kite")

    again = Client().get(path)  # the same link, used
    page = again.content.decode()
    assert EXACT in page
    assert '<form method="post" action="/accounts/password-reset/"' in page
    assert page.index(EXACT) < page.index('action="/accounts/password-reset/"')  # the form is under it
    assert INVALID_LINK_MESSAGE == EXACT


def test_a_weak_password_is_refused_on_the_link_page(outbox, committed):
    user = UserFactory()
    client = Client()
    set_url = client.get(_request_reset(client, user, committed, outbox)).url
    response = client.post(set_url, {"new_password": WEAK})
    assert response.status_code == 200
    assert "This password is weak" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_reset_link_expires_after_an_hour(outbox, committed):
    user = UserFactory()
    start = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        path = _request_reset(Client(), user, committed, outbox)
        traveller.shift(dt.timedelta(minutes=59))
        assert Client().get(path).status_code == 302
        traveller.shift(dt.timedelta(minutes=2))
        assert EXACT in Client().get(path).content.decode()


def test_a_set_password_link_lasts_three_days(outbox, committed):
    from accounts.services._common import set_password_link

    user = UserFactory()
    start = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        path = re.search(r"(/accounts/set-password/\S+/)", set_password_link(user)).group(1)
        traveller.shift(dt.timedelta(days=2, hours=23))
        assert Client().get(path).status_code == 302
        traveller.shift(dt.timedelta(hours=2))
        assert EXACT in Client().get(path).content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/reset/MQ/bad-token/",
        "/accounts/reset/not-base64/abc-def/",
        "/accounts/set-password/MQ/abc-def/",
        "/accounts/reset/MQ/set/",  # no token in this session
    ],
)
def test_invalid_links_show_the_exact_message_and_the_form(client, path):
    UserFactory()
    page = client.get(path).content.decode()
    assert EXACT in page
    assert 'name="email"' in page


def test_a_reset_token_does_not_open_the_set_password_page(outbox, committed):
    user = UserFactory()
    path = _request_reset(Client(), user, committed, outbox)
    swapped = path.replace("/accounts/reset/", "/accounts/set-password/")
    assert EXACT in Client().get(swapped).content.decode()


def test_logging_in_invalidates_an_outstanding_reset_link(outbox, committed):
    user = UserFactory()
    path = _request_reset(Client(), user, committed, outbox)
    Client().post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert EXACT in Client().get(path).content.decode()


def test_a_reset_sends_a_confirmation_and_ends_other_sessions(outbox, committed):
    user = UserFactory()
    elsewhere = Client()
    elsewhere.force_login(user)
    assert elsewhere.get(reverse("accounts:dashboard")).status_code == 200
    client = Client()
    set_url = client.get(_request_reset(client, user, committed, outbox)).url
    with committed():
        client.post(set_url, {"new_password": "Marmalade-Harbour-Kite"})
    confirmation = outbox.to(user.email)[-1]
    assert confirmation.subject == "Your HEP password was reset"
    assert "If this wasn't you" in confirmation.body
    assert "/accounts/password-reset/" in confirmation.body
    assert elsewhere.get(reverse("accounts:dashboard")).status_code == 302  # logged out there
    assert AuditEvent.objects.filter(kind=AuditKind.PASSWORD_RESET, user=user).exists()


# --- Change (Account Details) ---------------------------------------------------------------


def test_changing_the_password_needs_the_current_one(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:details_password"),
        {"current_password": "wrong", "new_password": "Marmalade-Harbour-Kite"},
    )
    assert "Your current password is not right" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_changing_the_password_confirms_by_email_keeps_this_session_and_ends_the_others(outbox, committed):
    user = UserFactory()
    here, elsewhere = Client(), Client()
    here.force_login(user)
    elsewhere.force_login(user)
    with committed():
        response = here.post(
            reverse("accounts:details_password"),
            {"current_password": PASSWORD, "new_password": "Marmalade-Harbour-Kite"},
        )
    assert response.status_code == 302
    assert here.get(reverse("accounts:details")).status_code == 200
    assert elsewhere.get(reverse("accounts:details")).status_code == 302
    [mail] = outbox.to(user.email)
    assert mail.subject == "Your HEP password was changed"
    assert "If this wasn't you" in mail.body
    assert AuditEvent.objects.filter(kind=AuditKind.PASSWORD_CHANGED, user=user).count() == 1


def test_a_weak_new_password_is_refused_in_account_details(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:details_password"), {"current_password": PASSWORD, "new_password": WEAK}
    )
    assert "This password is weak" in response.content.decode()
