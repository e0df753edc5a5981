"""Everything specific to HEP is a setting: another partnership's name shows on its public pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["portal:home", "portal:curriculum", "memberships:info"])
def test_public_pages_use_the_partnerships_own_name(client, settings, url_name):
    settings.PORTAL_NAME = "Wessex Schools Partnership"
    settings.PORTAL_SHORT_NAME = "WSP"
    page = client.get(reverse(url_name)).content.decode()
    assert "WSP curriculum" in page
    assert "HEP" not in page
