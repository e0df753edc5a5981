import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import StaffFactory, UserFactory
from memberships.models import Membership, PriceSettings
from memberships.services import membership_order, membership_record
from schools.models import CensusFigure
from schools.tests.factories import CensusFigureFactory, SchoolFactory, TrustFactory

from .factories import AssociatePriceSettingsFactory, MembershipFactory, PriceSettingsFactory

D = Decimal


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def prices(db):
    for year in (2025, 2026, 2027):
        PriceSettingsFactory(year=year)
        AssociatePriceSettingsFactory(year=year)


@pytest.fixture
def member(prices):
    """A business manager at a maintained Haringey primary that is a member this year."""
    school = SchoolFactory(name="Noel Park Primary School", financial_year_start=4)
    CensusFigureFactory(school=school, census_year=2026, fte_pupils=D("420"))
    MembershipFactory(school=school, year=2026, price=D("7980.00"))
    return UserFactory(school=school, role="business_manager")


# --- Public pages -------------------------------------------------------------------------------


def test_info_page_explains_membership_with_this_years_settings(client, prices):
    PriceSettings.objects.filter(year=2026, membership_type="full").update(rate_per_pupil=D("21.50"))
    body = client.get(reverse("memberships:info")).content.decode()
    assert "£21.50 per FTE pupil" in body
    assert "£12,500.00" in body and "£13,000.00" in body and "£7,500.00" in body and "£6,000.00" in body
    assert "Associate membership" in body and "£12.00 per FTE pupil" in body
    assert reverse("memberships:calculator") in body
    assert "31 August" in body


def test_calculator_shows_the_quote_with_its_working(client, prices):
    response = client.get(
        reverse("memberships:calculator"),
        {
            "phase": "primary",
            "sixth_form": "no",
            "pupils": "420",
            "new_joiner": "no",
            "local_authority": "haringey",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "£7,980.00 for 2026/27" in body
    assert "420 FTE pupils × £19.00" in body
    assert "Full membership" in body
    for label in ("What phase is the school?", "Does the school have a sixth form?", "Where is the school?"):
        assert label in body
    assert '<label class="govuk-label govuk-label--s" for="id_pupils">' in body


def test_calculator_lists_the_cap_that_applied(client, prices):
    body = client.get(
        reverse("memberships:calculator"),
        {
            "phase": "secondary",
            "sixth_form": "yes",
            "pupils": "1250",
            "new_joiner": "no",
            "local_authority": "enfield",
        },
    ).content.decode()
    assert "£13,000.00 for 2026/27" in body
    assert "1,250 FTE pupils × £19.00" in body
    assert "Capped at £13,000.00 (the cap for a school with a sixth form)" in body


def test_calculator_errors_are_summarised_and_linked_to_fields(client, prices):
    response = client.get(
        reverse("memberships:calculator"), {"pupils": "-4", "sixth_form": "no", "new_joiner": "no"}
    )
    body = response.content.decode()
    assert "<title>Error: Membership fee calculator" in body
    assert "There is a problem" in body
    assert '<a href="#id_phase">Select the school&#x27;s phase.</a>' in body
    assert '<a href="#id_local_authority">Select where the school is.</a>' in body
    assert '<a href="#id_pupils">The number of FTE pupils cannot be negative.</a>' in body
    assert "£" not in body.split("There is a problem")[1].split("</form>")[1]  # no price shown

    body = client.get(
        reverse("memberships:calculator"),
        {
            "phase": "primary",
            "sixth_form": "no",
            "pupils": "-4",
            "new_joiner": "no",
            "local_authority": "haringey",
        },
    ).content.decode()
    assert '<a href="#id_pupils">The number of FTE pupils cannot be negative.</a>' in body
    assert 'id="pupils-error"' in body and "govuk-input--error" in body
    assert "for 2026/27</h2>" not in body


def test_calculator_year_without_prices_is_an_error(client, prices):
    body = client.get(
        reverse("memberships:calculator"),
        {
            "year": "2031",
            "phase": "primary",
            "sixth_form": "no",
            "pupils": "420",
            "new_joiner": "no",
            "local_authority": "haringey",
        },
    ).content.decode()
    assert "Choose a membership year from the list." in body


def test_calculator_offers_the_years_with_prices(client, prices):
    body = client.get(reverse("memberships:calculator")).content.decode()
    assert '<option value="2026" selected>2026/27</option>' in body
    assert '<option value="2027">2027/28</option>' in body
    assert '<option value="2025"' not in body  # a past year is not offered
    body = client.get(
        reverse("memberships:calculator"),
        {
            "year": "2027",
            "phase": "primary",
            "sixth_form": "no",
            "pupils": "420",
            "new_joiner": "no",
            "local_authority": "haringey",
        },
    ).content.decode()
    assert "£7,980.00 for 2027/28" in body


def test_calculator_is_prefilled_for_a_signed_in_school_user(client, member):
    client.force_login(member)
    body = client.get(reverse("memberships:calculator")).content.decode()
    assert 'value="420"' in body
    assert 'id="id_phase-2" name="phase" type="radio" value="primary" checked' in body


# --- Dashboard ----------------------------------------------------------------------------------


def test_dashboard_needs_login(client):
    response = client.get(reverse("memberships:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_dashboard_lists_years_status_price_payment_and_order(client, member):
    school = member.school
    MembershipFactory(school=school, year=2025, price=D("7800.00"), status="lapsed")
    renewal = membership_order(school=school, year=2027, payment_due="financial_year_start", actor=member)
    client.force_login(member)
    body = client.get(reverse("memberships:dashboard")).content.decode()
    assert "Memberships" in body
    for text in ("2027/28", "2026/27", "2025/26", "Pending", "Active", "Lapsed", "£7,980.00", "£7,800.00"):
        assert text in body, text
    assert "1 April 2027" in body and renewal.order.number in body
    assert "Renew for" not in body  # already renewed
    assert 'aria-current="page">Memberships<' in body


def test_dashboard_links_the_membership_invoice(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        renewal = membership_order(school=member.school, year=2027, payment_due="now", actor=member)
    [invoice] = renewal.order.invoices.all()
    client.force_login(member)
    body = client.get(reverse("memberships:dashboard")).content.decode()
    assert reverse("billing:invoice_download", args=[invoice.number]) in body
    assert f"Invoice {invoice.number}" in body


def test_dashboard_offers_renewal_to_a_buyer(client, member):
    client.force_login(member)
    body = client.get(reverse("memberships:dashboard")).content.decode()
    assert "Renew for 2027/28" in body
    assert reverse("memberships:order") + "?year=2027" in body


def test_dashboard_offers_joining_to_a_non_member(client, prices):
    user = UserFactory(role="key_user")
    client.force_login(user)
    body = client.get(reverse("memberships:dashboard")).content.decode()
    assert "Join for 2026/27" in body and "has no memberships yet" in body


def test_teacher_sees_years_but_not_prices_or_ordering(client, member):
    teacher = UserFactory(school=member.school, role="teacher")
    client.force_login(teacher)
    body = client.get(reverse("memberships:dashboard")).content.decode()
    assert "2026/27" in body and "Active" in body
    assert "£7,980.00" not in body and "Renew for" not in body and "Update the census figure" not in body
    assert client.get(reverse("memberships:order")).status_code == 403
    assert client.post(reverse("memberships:order"), {"year": 2027, "payment_due": "now"}).status_code == 403
    assert Membership.objects.filter(year=2027).count() == 0


def test_staff_without_a_school(client, db):
    client.force_login(StaffFactory())
    response = client.get(reverse("memberships:dashboard"))
    assert "not linked to a school" in response.content.decode()


def test_dashboard_queries_do_not_grow_with_years(client, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = StaffFactory()
    membership_record(school=member.school, year=2019, price=D("7000"), create_order=True, actor=staff)
    client.force_login(member)
    client.get(reverse("memberships:dashboard"))
    with CaptureQueriesContext(connection) as one_year:
        client.get(reverse("memberships:dashboard"))
    for year in (2020, 2021, 2022, 2023, 2024):  # each with its order
        membership_record(school=member.school, year=year, price=D("7000"), create_order=True, actor=staff)
    with CaptureQueriesContext(connection) as six_years:
        response = client.get(reverse("memberships:dashboard"))
    assert "2020/21" in response.content.decode()
    assert len(six_years.captured_queries) == len(one_year.captured_queries) <= 10


# --- Ordering -----------------------------------------------------------------------------------


def test_order_page_shows_the_schools_quote_and_payment_choices(client, member):
    client.force_login(member)
    body = client.get(reverse("memberships:order")).content.decode()
    assert "Renew membership for 2027/28" in body
    assert "420 FTE pupils × £19.00" in body and "£7,980.00" in body
    assert "Now: the invoice is payable straight away" in body
    assert "From 1 April 2027, the start of the school&#x27;s next financial year" in body
    assert "Place order for £7,980.00" in body


def test_ordering_creates_the_membership_and_returns_to_the_dashboard(client, member):
    client.force_login(member)
    response = client.post(
        reverse("memberships:order"), {"year": "2027", "payment_due": "financial_year_start"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("memberships:dashboard")
    membership = Membership.objects.get(school=member.school, year=2027)
    assert membership.payment_due_date == dt.date(2027, 4, 1) and membership.order.buyer == member
    body = client.get(response["Location"]).content.decode()
    assert f"order {membership.order.number}, £7,980.00, payment due 1 April 2027" in body


def test_ordering_without_a_payment_choice_shows_an_error(client, member):
    client.force_login(member)
    body = client.post(reverse("memberships:order"), {"year": "2027"}).content.decode()
    assert '<a href="#id_payment_due">Select when payment should fall due.</a>' in body
    assert not Membership.objects.filter(year=2027).exists()


def test_ordering_a_year_already_held_is_refused(client, member):
    client.force_login(member)
    response = client.post(reverse("memberships:order"), {"year": "2026", "payment_due": "now"})
    assert "That membership year cannot be ordered now." in response.content.decode()
    assert Membership.objects.filter(school=member.school).count() == 1


def test_a_school_with_both_years_ordered_is_sent_back(client, member):
    MembershipFactory(school=member.school, year=2027, status="pending")
    client.force_login(member)
    response = client.get(reverse("memberships:order"), follow=True)
    assert "already holds membership for this year and next year" in response.content.decode()


def test_a_non_member_can_choose_this_year_or_next(client, prices):
    school = SchoolFactory()
    CensusFigureFactory(school=school, fte_pupils=D("200"))
    client.force_login(UserFactory(school=school, role="headteacher"))
    body = client.get(reverse("memberships:order")).content.decode()
    assert "Join for 2026/27" in body and "Raised to £6,000.00" in body
    assert "order membership for 2027/28" in body
    body = client.get(reverse("memberships:order"), {"year": "2027"}).content.decode()
    assert "Join for 2027/28" in body


def test_order_page_without_a_census_figure_asks_for_one(client, prices):
    user = UserFactory(role="key_user")
    client.force_login(user)
    body = client.get(reverse("memberships:order")).content.decode()
    assert "We have no October census figure" in body and "Place order" not in body


def test_mat_head_office_orders_for_the_school_they_act_for(client, prices):
    trust = TrustFactory()
    schools = [SchoolFactory(name=f"{n} Academy", trust=trust) for n in ("Alpha", "Bravo")]
    for school in schools:
        CensusFigureFactory(school=school, fte_pupils=D("420"))
    mat = UserFactory(role="mat_head_office", school=None, trust=trust)
    client.force_login(mat)
    session = client.session
    session["acting_school_id"] = schools[1].pk
    session.save()
    client.post(reverse("memberships:order"), {"year": "2026", "payment_due": "now"})
    assert Membership.objects.get().school == schools[1]


# --- Census -------------------------------------------------------------------------------------


def test_census_update_with_a_note(client, member):
    client.force_login(member)
    next_url = reverse("memberships:order") + "?year=2027"
    response = client.post(
        reverse("memberships:census"),
        {"fte_pupils": "630", "note": "October census return", "next": next_url},
    )
    assert response.status_code == 302 and response["Location"] == next_url
    figure = CensusFigure.objects.filter(school=member.school).order_by("-id").first()
    assert (
        figure.fte_pupils == D("630")
        and figure.recorded_by == member
        and figure.note == "October census return"
    )
    body = client.get(next_url).content.decode()
    assert "630 FTE pupils × £19.00" in body and "£11,970.00" in body


def test_staff_see_census_changes_in_the_back_office(client, member):
    member.full_name = "Bola Sanusi"
    member.save()
    client.force_login(member)
    client.post(reverse("memberships:census"), {"fte_pupils": "431.5", "note": "Bulge class added"})
    client.force_login(StaffFactory())
    body = client.get(reverse("admin:schools_school_change", args=[member.school.pk])).content.decode()
    assert "431.5" in body and "Bulge class added" in body and "Bola Sanusi" in body


def test_census_update_errors_and_safe_redirects(client, member):
    client.force_login(member)
    body = client.post(reverse("memberships:census"), {"fte_pupils": "-3", "note": ""}).content.decode()
    assert '<a href="#id_note">Say where the figure comes from or why it changed.</a>' in body
    body = client.post(reverse("memberships:census"), {"fte_pupils": "-3", "note": "typo"}).content.decode()
    assert '<a href="#id_fte_pupils">The FTE pupil count cannot be negative.</a>' in body
    response = client.post(
        reverse("memberships:census"),
        {"fte_pupils": "430", "note": "corrected", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("memberships:dashboard")


def test_teacher_cannot_update_the_census(client, member):
    client.force_login(UserFactory(school=member.school, role="teacher"))
    assert client.get(reverse("memberships:census")).status_code == 403
    client.post(reverse("memberships:census"), {"fte_pupils": "1", "note": "x"})
    assert CensusFigure.objects.filter(school=member.school).count() == 1


# --- Back office --------------------------------------------------------------------------------


def test_staff_record_a_membership_in_the_back_office(client, prices):
    school = SchoolFactory(name="Hand Recorded Primary")
    CensusFigureFactory(school=school, fte_pupils=D("630"))
    staff = StaffFactory()
    client.force_login(staff)
    url = reverse("admin:memberships_membership_add")
    response = client.post(
        url, {"school": school.pk, "year": 2026, "payment_due": "now", "price": "", "create_order": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(school=school)
    assert membership.recorded_by_staff and membership.price == D("11970.00") and membership.order is not None
    response = client.post(url, {"school": school.pk, "year": 2026, "payment_due": "now", "price": ""})
    assert "already holds a membership for 2026/27" in response.content.decode()
    assert Membership.objects.filter(school=school).count() == 1


def test_back_office_refuses_a_minimum_above_the_cap(client, db):
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:memberships_pricesettings_add"),
        {
            "year": 2030,
            "membership_type": "full",
            "rate_per_pupil": "19",
            "cap": "5000",
            "cap_secondary_sixth_form": "13000",
            "further_education_price": "7500",
            "new_joiner_minimum": "6000",
        },
    )
    assert "The new-joiner minimum cannot be above the cap." in response.content.decode()
    assert not PriceSettings.objects.filter(year=2030).exists()


def test_back_office_pages_open(client, member):
    client.force_login(StaffFactory())
    for name in (
        "admin:memberships_membership_changelist",
        "admin:memberships_pricesettings_changelist",
        "admin:memberships_reminderschedule_changelist",
        "admin:memberships_remindersent_changelist",
        "admin:memberships_membership_add",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    membership = Membership.objects.get()
    assert client.get(reverse("admin:memberships_membership_change", args=[membership.pk])).status_code == 200
