"""`next` parameters send the browser back to this site only (one check for every form)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.tests.factories import UserFactory
from portal.redirects import safe_next
from schools.tests.factories import SchoolFactory, TrustFactory


@pytest.mark.parametrize(
    "url, secure, expected",
    [
        ("/membership/", False, "/membership/"),
        ("https://testserver/basket/", True, "https://testserver/basket/"),
        ("http://testserver/basket/", True, ""),  # no step down from HTTPS
        ("https://evil.example/", False, ""),
        ("//evil.example/", False, ""),
        ("/\\evil.example", False, ""),
        ("javascript:alert(1)", False, ""),
        ("", False, ""),
        (None, False, ""),
    ],
)
def test_safe_next(url, secure, expected):
    request = RequestFactory().get("/", secure=secure)
    assert safe_next(request, url) == expected


@pytest.mark.django_db
def test_choosing_the_acting_school_never_redirects_off_site(client):
    trust = TrustFactory()
    school = SchoolFactory(trust=trust)
    client.force_login(UserFactory(role="mat_head_office", school=None, trust=trust))
    response = client.post(
        reverse("accounts:acting_school"), {"school": school.pk, "next": "//evil.example/"}
    )
    assert response["Location"] == reverse("accounts:dashboard")


@pytest.mark.django_db
def test_the_census_form_never_redirects_off_site(client):
    school = SchoolFactory()
    client.force_login(UserFactory(school=school, role="key_user"))
    response = client.post(
        reverse("memberships:census"),
        {"fte_pupils": "420", "note": "October census return", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("memberships:dashboard")
