"""Every service that changes money, places or rights leaves one audit record: its kind, who did
it (nobody for webhooks and scheduled jobs), the school and the thing it was done to. Details
never hold anything secret-looking; staff read the log in the back office, read-only."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.audit import DOMAIN_KINDS, KINDS, AuditRequestMiddleware, audit_record, looks_secret
from accounts.models import AuditEvent
from accounts.tests.factories import PASSWORD, StaffFactory, UserFactory
from basket.tests.factories import add_event, add_product, basket_for, key
from billing.models import BillingSettings, InvoicingBody
from billing.services import (
    billing_settings_save,
    coupon_redeem,
    credit_note_issue,
    invoice_mark_paid,
    invoices_issue_for_order,
)
from billing.tests.factories import CouponFactory, account_order, held_card_order, line_spec
from catalogue.models import Entitlement
from catalogue.services import entitlement_approve, entitlement_decline
from catalogue.tests.factories import EntitlementFactory, ProductFactory, make_member
from events.models import Event
from events.services import event_copy_to_date, event_save
from events.tests.factories import EventFactory
from memberships.models import Membership, MembershipStatus, PaymentDue
from memberships.services import (
    census_figure_record,
    membership_order,
    membership_record,
    membership_statuses_refresh,
)
from memberships.tests.factories import AssociatePriceSettingsFactory, MembershipFactory, PriceSettingsFactory
from orders.models import Booking, OrderStatus
from orders.services import booking_cancel, order_payment_failed, order_payment_succeeded, order_place
from payments import gateway
from payments.models import Payment, PaymentStatus
from payments.services import checkout_session_sync, refund_card_payment
from schools.tests.factories import CensusFigureFactory, SchoolFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = dt.date(2026, 12, 4)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@dataclass
class World:
    school: object
    buyer: object
    staff: object


@pytest.fixture
def world():
    for year in (2025, 2026, 2027):
        PriceSettingsFactory(year=year)
        AssociatePriceSettingsFactory(year=year)
    school = SchoolFactory(name="Noel Park Primary School", billing_email="finance@noelpark.example")
    CensusFigureFactory(school=school, census_year=2026, fte_pupils=D("420"))
    buyer = UserFactory(
        school=school, role="key_user", full_name="Bola Sanusi", email="bola@noelpark.example"
    )
    return World(school=school, buyer=buyer, staff=StaffFactory(email="finance@hep.example"))


# Each scenario calls one service and returns (actor, school, target) the record must name.


def _membership_ordered(w):
    membership = membership_order(school=w.school, year=2026, payment_due=PaymentDue.NOW, actor=w.buyer)
    return w.buyer, w.school, membership


def _membership_recorded(w):
    membership = membership_record(school=w.school, year=2027, actor=w.staff, price=D("100.00"))
    return w.staff, w.school, membership


def _census_recorded(w):
    figure = census_figure_record(school=w.school, fte_pupils="431.5", note="October census", actor=w.buyer)
    return w.buyer, w.school, figure


def _membership_status_changed(w):
    membership = MembershipFactory(school=w.school, year=2025, status=MembershipStatus.ACTIVE)
    membership_statuses_refresh(today=TODAY)
    return None, w.school, membership


def _place(w, *, event=None, product=None):
    make_member(w.school)
    basket = basket_for(w.buyer)
    if event is not None:
        add_event(basket, event, [("Ada Lovelace", "ada@noelpark.example")])
    if product is not None:
        add_product(basket, product)
    return order_place(basket=basket, actor=w.buyer, school=w.school, idempotency_key=key())


def _order_placed(w):
    return w.buyer, w.school, _place(w, event=EventFactory())


def _entitlement_created(w):
    order = _place(w, product=ProductFactory(name="Professional Learning package"))
    return w.buyer, w.school, Entitlement.objects.get(order_line__order=order)


def _entitlement_approved(w):
    entitlement = EntitlementFactory(school=w.school, status="awaiting_approval")
    entitlement_approve(entitlement=entitlement, actor=w.staff)
    return w.staff, w.school, entitlement


def _entitlement_declined(w):
    entitlement = EntitlementFactory(school=w.school, status="awaiting_approval")
    entitlement_decline(entitlement=entitlement, actor=w.staff, reason="Not in our area")
    return w.staff, w.school, entitlement


def _booking_cancelled(w):
    order = _place(w, event=EventFactory())
    booking = Booking.objects.get(order_line__order=order)
    booking_cancel(booking=booking, actor=w.buyer)
    return w.buyer, w.school, booking


def _guest_order():
    return held_card_order(event=EventFactory(), delegates=[("Gill Guest", "gill@guest.example")])


def _card_payment_succeeded(w):
    order = _guest_order()
    order_payment_succeeded(order=order)
    return None, None, order


def _card_payment_failed(w):
    order = _guest_order()
    order_payment_failed(order=order)
    return None, None, order


def _hold_released(w):
    order = _guest_order()
    order_payment_failed(order=order, status=OrderStatus.CANCELLED)
    return None, None, order


def _account_order(w):
    return account_order(school=w.school, buyer=w.buyer, lines=[line_spec("Professional Learning", "250.00")])


def _invoice_issued(w):
    [invoice] = invoices_issue_for_order(order=_account_order(w), actor=w.staff)
    return w.staff, w.school, invoice


def _invoice_marked_paid(w):
    [invoice] = invoices_issue_for_order(order=_account_order(w), actor=w.staff)
    invoice_mark_paid(invoice=invoice, actor=w.staff, reference="BACS 1234")
    return w.staff, w.school, invoice


def _credit_note_issued(w):
    [invoice] = invoices_issue_for_order(order=_account_order(w), actor=w.staff)
    note = credit_note_issue(invoice=invoice, reason="Booked twice", actor=w.staff, amount=D("50.00"))
    return w.staff, w.school, note


def _coupon_redeemed(w):
    coupon = CouponFactory(code="SPRING10")
    coupon_redeem(coupon=coupon, order=_account_order(w), school=w.school, actor=w.buyer, amount=D("25.00"))
    return w.buyer, w.school, coupon


def _billing_settings_changed(w):
    row = BillingSettings.load()
    row.invoice_issue_mode = "by_staff"
    billing_settings_save(obj=row, actor=w.staff)
    return w.staff, None, row


def _invoicing_body_changed(w):
    body = InvoicingBody.objects.get(code="hep")
    body.payment_terms_days = 14
    billing_settings_save(obj=body, actor=w.staff)
    return w.staff, None, body


def _paid_guest_order(monkeypatch):
    order = _guest_order()
    order_payment_succeeded(order=order)
    Payment.objects.create(
        order=order,
        checkout_session_id="cs_test_paid",
        return_token="return-paid",
        payment_intent_id="pi_paid",
        amount=order.total,
        amount_received=order.total,
        status=PaymentStatus.SUCCEEDED,
        succeeded_at=timezone.now(),
    )
    monkeypatch.setattr(
        gateway, "refund_create", lambda **kw: gateway.RefundResult(id="re_1", status="succeeded", amount=1)
    )
    return order


def _payment_refunded(w, monkeypatch):
    refund = refund_card_payment(
        order=_paid_guest_order(monkeypatch), amount=D("10.00"), reason="Delegate ill", actor=w.staff
    )
    return w.staff, None, refund


def _late_payment_refunded(w, monkeypatch):
    refund = refund_card_payment(
        order=_paid_guest_order(monkeypatch),
        amount=None,
        reason="The places were taken meanwhile.",
        actor=None,
        automatic=True,
    )
    return None, None, refund


def _payment_mismatch_rejected(w):
    order = _guest_order()
    payment = Payment.objects.create(
        order=order, checkout_session_id="cs_test_short", return_token="return-short", amount=order.total
    )
    session = gateway.CheckoutSession(
        id="cs_test_short", url="", status="complete", payment_status="paid", amount_total=100, currency="gbp"
    )
    assert checkout_session_sync(session) == "amount mismatch: not confirmed"
    return None, None, payment


def _event_copied(w):
    copy = event_copy_to_date(event=EventFactory(), starts_on=TODAY + dt.timedelta(days=60), actor=w.staff)
    return w.staff, None, copy


def _event_capacity_changed(w):
    event = EventFactory(capacity=20)
    event.capacity = 35
    event_save(event=event, actor=w.staff)
    return w.staff, None, event


SCENARIOS = [
    ("membership.ordered", _membership_ordered),
    ("membership.recorded", _membership_recorded),
    ("census.recorded", _census_recorded),
    ("membership.status_changed", _membership_status_changed),
    ("order.placed", _order_placed),
    ("entitlement.created", _entitlement_created),
    ("entitlement.approved", _entitlement_approved),
    ("entitlement.declined", _entitlement_declined),
    ("booking.cancelled", _booking_cancelled),
    ("order.card_payment_succeeded", _card_payment_succeeded),
    ("order.card_payment_failed", _card_payment_failed),
    ("order.hold_released", _hold_released),
    ("invoice.issued", _invoice_issued),
    ("invoice.marked_paid", _invoice_marked_paid),
    ("credit_note.issued", _credit_note_issued),
    ("coupon.redeemed", _coupon_redeemed),
    ("billing.settings_changed", _billing_settings_changed),
    ("billing.settings_changed", _invoicing_body_changed),
    ("payment.refunded", _payment_refunded),
    ("payment.late_payment_refunded", _late_payment_refunded),
    ("payment.mismatch_rejected", _payment_mismatch_rejected),
    ("event.copied", _event_copied),
    ("event.capacity_changed", _event_capacity_changed),
]


def _run(scenario, world, monkeypatch):
    if "monkeypatch" in scenario.__code__.co_varnames[: scenario.__code__.co_argcount]:
        return scenario(world, monkeypatch)
    return scenario(world)


@pytest.mark.parametrize(("kind", "scenario"), SCENARIOS, ids=[s.__name__.strip("_") for _, s in SCENARIOS])
def test_each_service_records_who_did_what_to_which_thing_for_which_school(
    kind, scenario, world, monkeypatch
):
    actor, school, target = _run(scenario, world, monkeypatch)

    [event] = AuditEvent.objects.filter(kind=kind, target_id=str(target.pk))
    target.refresh_from_db()
    assert event.target_type == target._meta.label_lower
    assert event.target_repr and event.target_repr == str(target)[:200]
    assert event.actor == actor
    assert event.school == school
    assert event.kind_label == DOMAIN_KINDS[kind]
    assert event.ip_address is None and event.user_agent == ""  # no request at hand


def test_every_domain_kind_is_recorded_by_some_service():
    assert {kind for kind, _ in SCENARIOS} == set(DOMAIN_KINDS)
    assert not set(DOMAIN_KINDS) & {k for k in KINDS if "." not in k}  # account kinds keep their names


def test_the_daily_status_job_records_only_what_changed(world):
    lapsing = MembershipFactory(school=world.school, year=2025, status=MembershipStatus.ACTIVE)
    MembershipFactory(school=world.school, year=2026, status=MembershipStatus.ACTIVE)  # stays active
    starting = MembershipFactory(
        school=SchoolFactory(), year=2026, status=MembershipStatus.PENDING, starts_on=dt.date(2026, 12, 1)
    )
    assert membership_statuses_refresh(today=TODAY) == {"activated": 1, "lapsed": 1}
    recorded = {
        (e.target_id, e.detail["from"], e.detail["to"])
        for e in AuditEvent.objects.filter(kind="membership.status_changed")
    }
    assert recorded == {(str(lapsing.pk), "active", "lapsed"), (str(starting.pk), "pending", "active")}
    assert membership_statuses_refresh(today=TODAY) == {"activated": 0, "lapsed": 0}
    assert AuditEvent.objects.filter(kind="membership.status_changed").count() == 2
    assert Membership.objects.get(pk=lapsing.pk).status == MembershipStatus.LAPSED


def test_saving_an_event_without_changing_its_capacity_records_nothing(world):
    event = EventFactory(capacity=20)
    event.title = "A new title"
    event_save(event=event, actor=world.staff)
    assert not AuditEvent.objects.filter(kind="event.capacity_changed").exists()
    event.capacity = 25
    event_save(event=event, actor=world.staff)
    [changed] = AuditEvent.objects.filter(kind="event.capacity_changed")
    assert changed.detail == {"from": 20, "to": 25, "places_taken": 0}


def test_a_refused_service_leaves_no_record(world):
    """The record is written inside the service's transaction: no change, no record."""
    event = EventFactory(capacity=1)
    Event.objects.filter(pk=event.pk).update(places_taken=1)
    with pytest.raises(Exception, match="sold out"):
        _place(world, event=event)
    assert not AuditEvent.objects.filter(kind="order.placed").exists()


def test_a_service_called_from_a_page_records_the_client_address_and_browser(world):
    event = EventFactory(capacity=20)
    booking_order = _place(world, event=event)
    booking = Booking.objects.get(order_line__order=booking_order)
    request = type("Request", (), {})()
    request.META = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "Firefox on the school PC"}
    middleware = AuditRequestMiddleware(lambda r: booking_cancel(booking=booking, actor=world.buyer))
    middleware(request)
    [cancelled] = AuditEvent.objects.filter(kind="booking.cancelled")
    assert cancelled.ip_address == "203.0.113.7" and cancelled.user_agent == "Firefox on the school PC"
    assert cancelled.actor == world.buyer  # named by the service, not taken from the request
    booking_cancel(booking=booking, actor=world.buyer)  # already cancelled: no second record
    assert AuditEvent.objects.filter(kind="booking.cancelled").count() == 1
    audit_record("event.copied", actor=world.staff, target=event)  # outside the request again
    assert AuditEvent.objects.filter(kind="event.copied").get().ip_address is None


# --- Nothing secret in the details --------------------------------------------------------------

SECRET_VALUES = [
    "sk_live_51HxYzAbCdEf0123456789",
    "whsec_abcdef0123456789",
    "pbkdf2_sha256$870000$salt$hash",
    "4242 4242 4242 4242",
    "4000056655665556",
    "q7Fh2kLm9PzX4vBn8RtY3wQs6JdE",  # a bare url-safe token
    "3f2a9c8e7b6d5f4a3c2b1a0f9e8d7c6b",  # a hex token
]
HARMLESS_VALUES = [
    "HEP-000123",
    "BACS 1234",
    "primary-maths-leads-network-20260304",
    "Delegate ill, refund agreed by phone",
    "bola@noelpark.example",
    "4242",
    "01234 567890",
]


@pytest.mark.parametrize("value", SECRET_VALUES)
def test_secret_looking_values_are_redacted(value):
    assert looks_secret(value)
    event = audit_record("payment.refunded", detail={"reason": f"see {value}", "nested": {"note": value}})
    assert value not in json.dumps(event.detail)
    assert event.detail == {"reason": "[redacted]", "nested": {"note": "[redacted]"}}


@pytest.mark.parametrize("value", HARMLESS_VALUES)
def test_ordinary_values_are_kept(value):
    assert not looks_secret(value)
    assert audit_record("invoice.marked_paid", detail={"reference": value}).detail == {"reference": value}


@pytest.mark.parametrize(
    "key", ["password", "api_token", "client_secret", "card_number", "cvc", "stripe_api_key"]
)
def test_secret_looking_keys_are_refused(key):
    with pytest.raises(ValueError, match="never stores secrets"):
        audit_record("billing.settings_changed", detail={"changes": {key: ["a", "b"]}})


def test_long_text_such_as_an_email_body_is_cut_short_and_unknown_kinds_are_refused():
    event = audit_record("credit_note.issued", detail={"reason": "word " * 500})
    assert len(event.detail["reason"]) <= 200
    with pytest.raises(ValueError, match="Unknown audit kind"):
        audit_record("order.plcaed")


@pytest.mark.parametrize(("kind", "scenario"), SCENARIOS, ids=[s.__name__.strip("_") for _, s in SCENARIOS])
def test_no_service_puts_a_secret_looking_value_in_its_details(kind, scenario, world, monkeypatch, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_NeverInTheLog123"
    _run(scenario, world, monkeypatch)
    secret_key = re.compile(r"password|token|secret|csrf|card_number|cvc|cvv|api_key", re.I)

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                assert not secret_key.search(k), k
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            assert not looks_secret(value), value
            assert PASSWORD not in value and "sk_test_NeverInTheLog123" not in value

    events = list(AuditEvent.objects.all())
    assert events
    for event in events:
        walk(event.detail)
        assert len(json.dumps(event.detail)) < 2000


# --- The back office ----------------------------------------------------------------------------


def test_staff_filter_the_log_by_kind_school_and_date_and_search_by_target(world):
    order = _place(world, event=EventFactory(title="Phonics for Reception"))
    other_school = SchoolFactory(name="Rokesly Junior School")
    audit_record("census.recorded", actor=world.staff, school=other_school, target=other_school)
    with time_machine.travel(dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        audit_record("event.copied", actor=world.staff, target=EventFactory(title="Older copy"))
    client = Client()
    client.force_login(world.staff)
    url = reverse("admin:accounts_auditevent_changelist")

    def rows(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {e.kind for e in response.context["cl"].result_list}

    assert rows() >= {"order.placed", "census.recorded", "event.copied"}
    page = client.get(url).content.decode()
    assert "Order placed" in page and "Census figure recorded" in page  # labels, not codes
    assert rows(kind="order.placed") == {"order.placed"}
    assert "census.recorded" not in rows(school__id__exact=world.school.pk)
    assert rows(school__id__exact=other_school.pk) == {"census.recorded"}
    assert rows(created_at__year=2026, created_at__month=11) == {"event.copied"}
    assert rows(q=order.number) == {"order.placed"}
    assert rows(target_type="orders.order") == {"order.placed"}
    [placed] = AuditEvent.objects.filter(kind="order.placed")
    detail = client.get(reverse("admin:accounts_auditevent_change", args=[placed.pk]))
    assert detail.status_code == 200
    assert reverse("admin:orders_order_change", args=[order.pk]) in detail.content.decode()


def test_the_log_is_read_only_even_for_a_superuser(world):
    event = audit_record("invoice.marked_paid", actor=world.staff, detail={"reference": "BACS 1"})
    client = Client()
    client.force_login(world.staff)  # StaffFactory is a superuser
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:accounts_auditevent_delete", args=[event.pk])).status_code == 403
    client.post(reverse("admin:accounts_auditevent_change", args=[event.pk]), {"kind": "order.placed"})
    changelist = client.post(
        reverse("admin:accounts_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    event.refresh_from_db()
    assert event.kind == "invoice.marked_paid" and event.detail == {"reference": "BACS 1"}


@pytest.mark.parametrize("role", ["key_user", "headteacher", "business_manager", "teacher"])
def test_school_users_cannot_reach_the_log(world, role):
    audit_record("order.placed", school=world.school)
    client = Client()
    client.force_login(world.buyer if role == "key_user" else UserFactory(school=world.school, role=role))
    for name, args in [("changelist", []), ("change", [AuditEvent.objects.get(kind="order.placed").pk])]:
        response = client.get(reverse(f"admin:accounts_auditevent_{name}", args=args))
        assert response.status_code == 302 and "/login/" in response.url


def test_staff_read_the_log_with_the_view_permission_only(world):
    from django.contrib.auth.models import Permission

    audit_record("order.placed", school=world.school)
    clerk = StaffFactory(is_superuser=False, staff_role="finance")
    client = Client()
    client.force_login(clerk)
    url = reverse("admin:accounts_auditevent_changelist")
    assert client.get(url).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    response = client.get(url)
    assert response.status_code == 200 and "Order placed" in response.content.decode()
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
