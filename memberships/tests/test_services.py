import datetime as dt
import re
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from accounts.tests.factories import StaffFactory, UserFactory
from memberships.models import Membership, MembershipStatus, PaymentDue
from memberships.selectors import is_member
from memberships.services import (
    MembershipExists,
    YearNotOrderable,
    census_figure_record,
    membership_order,
    membership_record,
    membership_statuses_refresh,
)
from orders.models import Order
from portal.errors import InvalidInput, NotAllowed
from pricing.membership import MembershipQuoteError, NoCensusFigure, NoPriceSettings
from schools.tests.factories import CensusFigureFactory, SchoolFactory, TrustFactory

from .factories import AssociatePriceSettingsFactory, MembershipFactory, PriceSettingsFactory

TODAY = dt.date(2026, 12, 4)
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


def school_with(pupils="420", **fields):
    school = SchoolFactory(**fields)
    CensusFigureFactory(school=school, census_year=2026, fte_pupils=D(pupils))
    return school


def test_renewal_creates_membership_order_and_line_in_one_go(prices, run_on_commit, outbox):
    school = school_with("420", financial_year_start=4, billing_email="finance@school.example")
    MembershipFactory(school=school, year=2026)
    buyer = UserFactory(school=school, role="business_manager", full_name="Bola Sanusi")

    membership = run_on_commit(
        membership_order, school=school, year=2027, payment_due=PaymentDue.FINANCIAL_YEAR_START, actor=buyer
    )

    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING
    assert membership.starts_on == dt.date(2027, 9, 1)
    assert membership.price == D("7980.00")
    assert membership.payment_due == PaymentDue.FINANCIAL_YEAR_START
    assert membership.payment_due_date == dt.date(2027, 4, 1)
    assert membership.ordered_by == buyer and not membership.recorded_by_staff
    order = membership.order
    assert order.status == "placed" and order.payment_method == "account"
    assert order.school == school and order.buyer == buyer and order.buyer_email == buyer.email
    assert order.total == order.subtotal == D("7980.00") and order.discount_total == 0
    assert order.billing_name == school.name and school.postcode in order.billing_address
    assert re.fullmatch(r"HEP-\d{6}", order.number)  # the same numbering as every other order
    [line] = order.lines.all()
    assert line.kind == "membership" and line.membership == membership
    assert line.unit_price == line.total == D("7980.00") and line.quantity == 1
    assert line.price_working == [
        {"code": "per_pupil", "label": "420 FTE pupils × £19.00", "amount": "7980.00"}
    ]
    assert line.price_reason == "420 FTE pupils × £19.00"
    assert line.invoicing_body.code == "hep" and line.invoicing_body.is_default
    assert "2027/28" in line.description and school.name in line.description
    [mail] = [m for m in outbox.to(buyer.email) if order.number in m.subject and not m.attachments]
    assert "1 April 2027" in mail.body and "£7,980.00" in mail.body


def test_ordering_membership_issues_its_invoice_due_when_the_school_chose(prices, run_on_commit, outbox):
    school = school_with("420", financial_year_start=4, billing_email="finance@school.example")
    buyer = UserFactory(school=school, role="business_manager")

    membership = run_on_commit(
        membership_order, school=school, year=2026, payment_due=PaymentDue.FINANCIAL_YEAR_START, actor=buyer
    )

    [invoice] = membership.order.invoices.all()
    assert invoice.body.code == "hep" and invoice.total == D("7980.00")
    assert invoice.due_date == dt.date(2027, 4, 1)
    invoice_mails = [m for m in outbox.to("finance@school.example") if invoice.number in m.subject]
    assert len(invoice_mails) == 1 and invoice_mails[0].attachments[0]["mimetype"] == "application/pdf"


def test_joining_mid_year_is_active_at_once_and_pays_the_new_joiner_minimum(prices):
    school = school_with("200")
    buyer = UserFactory(school=school, role="key_user")

    membership = membership_order(school=school, year=2026, payment_due=PaymentDue.NOW, actor=buyer)

    assert membership.status == MembershipStatus.ACTIVE
    assert membership.starts_on == TODAY
    assert membership.price == D("6000.00")
    assert [line["code"] for line in membership.quote_working] == ["per_pupil", "minimum"]
    assert membership.payment_due_date == TODAY
    assert is_member(school, on=TODAY)
    assert not is_member(school, on=TODAY - dt.timedelta(days=1))


def test_renewing_member_does_not_pay_the_minimum(prices):
    school = school_with("200")
    MembershipFactory(school=school, year=2026)
    membership = membership_order(
        school=school,
        year=2027,
        payment_due=PaymentDue.NOW,
        actor=UserFactory(school=school, role="headteacher"),
    )
    assert membership.price == D("3800.00")


def test_academy_pays_from_1_september(prices):
    school = school_with("630", financial_year_start=9)
    MembershipFactory(school=school, year=2026)
    membership = membership_order(
        school=school,
        year=2027,
        payment_due=PaymentDue.FINANCIAL_YEAR_START,
        actor=UserFactory(school=school, role="key_user"),
    )
    assert membership.payment_due_date == dt.date(2027, 9, 1)
    assert membership.price == D("11970.00")


def test_associate_school_gets_associate_membership(prices):
    school = school_with("420", local_authority="other")
    membership = membership_order(
        school=school, year=2026, payment_due=PaymentDue.NOW, actor=UserFactory(school=school)
    )
    assert membership.membership_type == "associate"
    assert membership.price == D("5040.00")


def test_mat_head_office_orders_for_a_trust_school(db):
    trust = TrustFactory()
    PriceSettingsFactory(year=2026)
    school = school_with("420", trust=trust)
    mat = UserFactory(role="mat_head_office", school=None, trust=trust)
    membership = membership_order(school=school, year=2026, payment_due=PaymentDue.NOW, actor=mat)
    assert membership.order.buyer == mat


@pytest.mark.parametrize("role", ["teacher", "governor"])
def test_roles_that_cannot_buy_cannot_order(prices, role):
    school = school_with()
    with pytest.raises(NotAllowed):
        membership_order(
            school=school, year=2026, payment_due="now", actor=UserFactory(school=school, role=role)
        )
    assert not Membership.objects.exists() and not Order.objects.exists()


def test_no_one_orders_for_another_school(prices):
    school = school_with()
    other = UserFactory(role="key_user")  # a key user of another school
    outsider_mat = UserFactory(role="mat_head_office", school=None, trust=TrustFactory())
    for actor in (other, outsider_mat):
        with pytest.raises(NotAllowed):
            membership_order(school=school, year=2026, payment_due="now", actor=actor)


def test_a_school_cannot_hold_two_memberships_for_a_year(prices):
    school = school_with()
    buyer = UserFactory(school=school)
    membership_order(school=school, year=2027, payment_due="now", actor=buyer)
    with pytest.raises(MembershipExists) as raised:
        membership_order(school=school, year=2027, payment_due="now", actor=buyer)
    assert school.name in raised.value.message and "2027/28" in raised.value.message
    assert Membership.objects.count() == 1 and Order.objects.count() == 1


def test_a_cancelled_membership_does_not_block_ordering_again(prices):
    school = school_with()
    MembershipFactory(school=school, year=2026, status=MembershipStatus.CANCELLED)
    membership = membership_order(
        school=school, year=2026, payment_due="now", actor=UserFactory(school=school)
    )
    assert membership.status == MembershipStatus.ACTIVE


@pytest.mark.parametrize("year", [2025, 2028])
def test_only_this_year_or_next_can_be_ordered(prices, year):
    school = school_with()
    with pytest.raises(YearNotOrderable) as raised:
        membership_order(school=school, year=year, payment_due="now", actor=UserFactory(school=school))
    assert "2026/27" in raised.value.message and "2027/28" in raised.value.message


def test_a_year_without_prices_gives_a_clear_error_and_no_order(db):
    PriceSettingsFactory(year=2026)
    school = school_with()
    with pytest.raises(NoPriceSettings) as raised:
        membership_order(school=school, year=2027, payment_due="now", actor=UserFactory(school=school))
    assert "2027/28" in raised.value.message
    assert not Membership.objects.exists() and not Order.objects.exists()


def test_a_school_without_a_census_figure_is_asked_for_one(prices):
    school = SchoolFactory()
    with pytest.raises(NoCensusFigure) as raised:
        membership_order(school=school, year=2026, payment_due="now", actor=UserFactory(school=school))
    assert school.name in raised.value.message


def test_payment_due_must_be_a_known_choice(prices):
    school = school_with()
    with pytest.raises(InvalidInput) as raised:
        membership_order(school=school, year=2026, payment_due="never", actor=UserFactory(school=school))
    assert raised.value.code == "payment_due_invalid"
    assert not Membership.objects.exists()


def test_order_numbers_are_unique(prices):
    numbers = set()
    for _ in range(3):
        school = school_with()
        numbers.add(
            membership_order(
                school=school, year=2026, payment_due="now", actor=UserFactory(school=school)
            ).order.number
        )
    assert len(numbers) == 3


# --- Census figures ---------------------------------------------------------------------------


def test_census_update_keeps_history_and_reprices(prices):
    school = school_with("420")
    buyer = UserFactory(school=school, role="business_manager")
    figure = census_figure_record(school=school, fte_pupils="630", note="October census return", actor=buyer)
    assert (
        figure.recorded_by == buyer and figure.census_year == 2026 and figure.note == "October census return"
    )
    assert school.census_figures.count() == 2
    membership = membership_order(school=school, year=2026, payment_due="now", actor=buyer)
    assert membership.price == D("11970.00")


@pytest.mark.parametrize(
    "pupils,note,code",
    [
        ("-5", "typo", "pupils_negative"),
        ("", "note", "pupils_missing"),
        ("lots", "note", "pupils_invalid"),
        ("420.25", "note", "pupils_invalid"),
        ("100000", "note", "pupils_too_large"),
        ("420", "   ", "note_missing"),
    ],
)
def test_census_update_rejects_bad_input(db, pupils, note, code):
    school = school_with("420")
    with pytest.raises(InvalidInput) as raised:
        census_figure_record(school=school, fte_pupils=pupils, note=note, actor=UserFactory(school=school))
    assert raised.value.code == code
    assert school.census_figures.count() == 1


def test_teacher_cannot_change_the_census(db):
    school = school_with()
    with pytest.raises(NotAllowed):
        census_figure_record(
            school=school, fte_pupils="10", note="x", actor=UserFactory(school=school, role="teacher")
        )


# --- Staff and statuses ---------------------------------------------------------------------


def test_staff_record_a_membership_by_hand(prices):
    school = school_with("420")
    staff = StaffFactory()
    membership = membership_record(school=school, year=2025, actor=staff)
    assert membership.recorded_by_staff and membership.order is None
    assert membership.price == D("7980.00") and membership.ordered_by == staff
    agreed = membership_record(
        school=school, year=2026, actor=staff, price=D("5000"), create_order=True, payment_due="now"
    )
    assert agreed.price == D("5000.00") and agreed.order.total == D("5000.00")
    assert agreed.quote_working[-1]["code"] == "staff_price"
    with pytest.raises(MembershipExists):
        membership_record(school=school, year=2026, actor=staff)
    with pytest.raises(NotAllowed):
        membership_record(school=school, year=2027, actor=UserFactory(school=school, role="key_user"))
    assert membership.starts_on == dt.date(2025, 9, 1) and membership.status == MembershipStatus.LAPSED
    assert agreed.starts_on == dt.date(2026, 9, 1) and agreed.status == MembershipStatus.ACTIVE


def test_staff_can_record_a_year_without_price_settings_when_they_give_the_price(prices):
    school = SchoolFactory(local_authority="other")  # no census figure either
    staff = StaffFactory()
    with pytest.raises(MembershipQuoteError):  # no census figure, no 2019 prices: staff must give one
        membership_record(school=school, year=2019, actor=staff)
    membership = membership_record(school=school, year=2019, actor=staff, price=D("4200"), create_order=True)
    assert membership.membership_type == "associate" and membership.price == D("4200.00")
    assert membership.order.lines.get().price_reason == "Price set by partnership staff"


def test_statuses_move_from_pending_to_active_to_lapsed(db):
    school = SchoolFactory()
    this_year = MembershipFactory(school=school, year=2026, status=MembershipStatus.ACTIVE)
    renewal = MembershipFactory(school=school, year=2027, status=MembershipStatus.PENDING)
    assert membership_statuses_refresh(today=dt.date(2027, 8, 31)) == {"activated": 0, "lapsed": 0}
    assert membership_statuses_refresh(today=dt.date(2027, 9, 1)) == {"activated": 1, "lapsed": 1}
    this_year.refresh_from_db()
    renewal.refresh_from_db()
    assert this_year.status == MembershipStatus.LAPSED and renewal.status == MembershipStatus.ACTIVE
    assert membership_statuses_refresh(today=dt.date(2027, 9, 2)) == {"activated": 0, "lapsed": 0}
    assert renewal.status_on(dt.date(2027, 8, 1)) == "pending"
    assert renewal.status_on(dt.date(2028, 9, 1)) == "lapsed"


# --- Concurrency (PostgreSQL: real row locks) --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_renewing_at_once_get_one_membership():
    PriceSettingsFactory(year=2026)
    PriceSettingsFactory(year=2027)
    school = school_with("420")
    users = [UserFactory(school=school, role="key_user"), UserFactory(school=school, role="headteacher")]
    barrier = threading.Barrier(2)
    results = []

    def order(user):
        try:
            barrier.wait()
            membership_order(school=school, year=2027, payment_due="now", actor=user)
            results.append("ok")
        except MembershipExists:
            results.append("exists")
        except Exception as error:  # any other failure shows in the assertion
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=order, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["exists", "ok"]
    assert Membership.objects.filter(school=school, year=2027).count() == 1
    assert Order.objects.count() == 1


def test_status_command_and_beat_schedule(db, settings):
    from io import StringIO

    from celery import current_app
    from django.core.management import call_command

    MembershipFactory(year=2026, status=MembershipStatus.ACTIVE)
    out = StringIO()
    call_command("refresh_membership_statuses", "--date", "2027-09-01", stdout=out)
    assert "1 lapsed" in out.getvalue()
    assert Membership.objects.get().status == MembershipStatus.LAPSED
    import memberships.tasks  # noqa: F401  (registers the tasks)

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry["task"].startswith("memberships."):
            assert entry["task"] in current_app.tasks
