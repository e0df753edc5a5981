import pytest
import time_machine
from django.urls import reverse

from memberships.tests.factories import AssociatePriceSettingsFactory, PriceSettingsFactory

URL = "/api/membership/quote"


@pytest.fixture(autouse=True)
def prices(db):
    PriceSettingsFactory(year=2026)
    AssociatePriceSettingsFactory(year=2026)
    with time_machine.travel("2026-12-04 10:00 +0000", tick=False):
        yield


def get(client, **params):
    query = {"sixth_form": "false", "new_joiner": "false", "local_authority": "haringey", **params}
    return client.get(URL, {k: v for k, v in query.items() if v is not None})


def test_url_is_named_and_public(client):
    assert reverse("api:membership_quote") == URL


@pytest.mark.parametrize(
    "pupils,total",
    [("420", "7980.00"), ("630", "11970.00")],
)
def test_seed_examples(client, pupils, total):
    response = get(client, phase="primary", pupils=pupils)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["membership"] == "full" and body["total"] == total
    assert body["year"] == 2026 and body["year_label"] == "2026/27"
    assert body["lines"] == [{"code": "per_pupil", "label": f"{pupils} FTE pupils × £19.00", "amount": total}]


def test_cap_minimum_fe_and_associate(client):
    capped = get(client, phase="secondary", pupils="1250", sixth_form="true").json()
    assert capped["total"] == "13000.00" and [line["code"] for line in capped["lines"]] == [
        "per_pupil",
        "cap",
    ]
    new = get(client, phase="nursery", pupils="96", new_joiner="true", local_authority="enfield").json()
    assert new["total"] == "6000.00" and new["rule"] == "minimum"
    fe = get(client, phase="further-education").json()
    assert fe["total"] == "7500.00" and fe["rule"] == "fixed"
    associate = get(client, phase="primary", pupils="420", local_authority="other").json()
    assert associate["membership"] == "associate" and associate["total"] == "5040.00"


@pytest.mark.parametrize(
    "params,code",
    [
        ({"phase": "primary", "pupils": "-1"}, "pupils_negative"),
        ({"phase": "primary"}, "pupils_missing"),
        ({"phase": "primary", "pupils": "many"}, "pupils_invalid"),
        ({"phase": "college", "pupils": "420"}, "unknown_phase"),
        ({"pupils": "420"}, "phase_missing"),
        ({"phase": "primary", "pupils": "420", "local_authority": "barnet"}, "unknown_local_authority"),
        ({"phase": "primary", "pupils": "420", "local_authority": ""}, "local_authority_missing"),
        ({"phase": "primary", "pupils": "420", "sixth_form": "maybe"}, "sixth_form_invalid"),
        ({"phase": "primary", "pupils": "420", "new_joiner": "perhaps"}, "new_joiner_invalid"),
        ({"phase": "primary", "pupils": "420", "year": "2031"}, "no_price_settings"),
        ({"phase": "primary", "pupils": "420", "year": "next"}, "year_invalid"),
    ],
)
def test_bad_input_is_a_400_with_code_and_message(client, params, code):
    response = get(client, **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and "total" not in response.json()


def test_other_methods_are_refused(client):
    response = client.post(URL, {"phase": "primary"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


def test_one_query_per_quote(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert get(client, phase="primary", pupils="420").status_code == 200
