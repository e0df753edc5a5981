import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.db.models import ProtectedError
from django.test import RequestFactory

from accounts.tests.factories import UserFactory
from billing.models import (
    BillingSettings,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
)
from billing.services import invoice_mark_paid, invoices_issue_for_order, order_placed
from billing.tests.factories import account_order, line_spec
from events.tests.factories import EventFactory
from memberships.models import Membership
from portal.errors import Conflict, InvalidInput
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def school():
    return SchoolFactory(name="Noel Park Primary School", billing_email="finance@noelpark.example")


@pytest.fixture
def buyer(school):
    return UserFactory(school=school, email="sbm@noelpark.example", full_name="Sam Business")


def mixed_order(school, buyer, **kw):
    event = EventFactory(title="Phonics for Early Years")
    return account_order(
        school=school,
        buyer=buyer,
        purchase_order_number="PO-7781",
        lines=[
            line_spec("Haringey Early Years package", "1200.00", body_code="lbh"),
            line_spec("Haringey SEND package", "1200.00", body_code="lbh", discount="120.00"),
            line_spec("Professional Learning package", "2500.00", body_code="hep"),
            line_spec(
                "Middle leaders: developing maths",
                "45.00",
                quantity=2,
                kind="event",
                event=event,
                delegates=[
                    ("Ada Lovelace", "ada@noelpark.example"),
                    ("Alan Turing", "alan@noelpark.example"),
                ],
            ),
        ],
        **kw,
    )


@time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC))
def test_an_order_is_invoiced_by_each_body_and_the_invoices_add_up(
    school, buyer, django_capture_on_commit_callbacks, outbox
):
    order = mixed_order(school, buyer)
    with django_capture_on_commit_callbacks(execute=True):
        invoices = invoices_issue_for_order(order=order, actor=buyer)

    by_body = {i.body.code: i for i in invoices}
    assert set(by_body) == {"hep", "lbh"}
    lbh, hep = by_body["lbh"], by_body["hep"]
    assert [line.description for line in lbh.lines.all()] == [
        "Haringey Early Years package",
        "Haringey SEND package",
    ]
    assert [line.description for line in hep.lines.all()] == [
        "Professional Learning package",
        "Middle leaders: developing maths",
    ]
    assert lbh.total == D("2280.00") and lbh.subtotal == D("2400.00") and lbh.discount_total == D("120.00")
    assert hep.total == D("2590.00")
    assert lbh.total + hep.total == order.total == D("4870.00")
    # Numbers: each body's own sequence, financial year 2026/27.
    assert lbh.number == "LBH-2627-00001"
    assert hep.number == "HEP-2627-00001"
    # Snapshots of the school, the buyer's PO and the body.
    assert hep.bill_to_name == "Noel Park Primary School"
    assert "1 High Road" in hep.bill_to_address
    assert hep.purchase_order_number == "PO-7781"
    assert lbh.body_name == "London Borough of Haringey"
    assert "sort code" in lbh.body_payment_details
    assert hep.due_date == dt.date(2026, 11, 4)  # 30 days' terms
    event_line = hep.lines.get(description__startswith="Middle")
    assert event_line.delegates == ["Ada Lovelace", "Alan Turing"]
    # Each invoice emailed, with its PDF, to the buyer and the school's billing address.
    mails = outbox.to("sbm@noelpark.example")
    assert sorted(m.subject.split()[1] for m in mails) == ["HEP-2627-00001", "LBH-2627-00001"]
    assert all("finance@noelpark.example" in m.to for m in mails)
    assert {a["filename"] for m in mails for a in m.attachments} == {
        "HEP-2627-00001.pdf",
        "LBH-2627-00001.pdf",
    }


def test_issuing_again_issues_nothing_new(school, buyer):
    order = mixed_order(school, buyer)
    first = invoices_issue_for_order(order=order, actor=buyer)
    assert invoices_issue_for_order(order=order, actor=buyer) == []
    assert Invoice.objects.filter(order=order).count() == len(first) == 2


def test_numbers_follow_on_and_restart_each_financial_year(school, buyer):
    with time_machine.travel(dt.datetime(2027, 3, 31, 12, 0, tzinfo=dt.UTC)):
        a = invoices_issue_for_order(order=account_order(school=school, lines=[line_spec("A", "10.00")]))[0]
        b = invoices_issue_for_order(order=account_order(school=school, lines=[line_spec("B", "10.00")]))[0]
    with time_machine.travel(dt.datetime(2027, 4, 1, 12, 0, tzinfo=dt.UTC)):
        c = invoices_issue_for_order(order=account_order(school=school, lines=[line_spec("C", "10.00")]))[0]
    assert [a.number, b.number, c.number] == ["HEP-2627-00001", "HEP-2627-00002", "HEP-2728-00001"]
    assert NumberSequence.objects.get(body__code="hep", kind="invoice", financial_year=2026).last_number == 2


def test_a_failed_issue_gives_its_number_back(school, buyer, monkeypatch):
    import billing.services.invoices as invoices

    real = InvoiceLine.objects.bulk_create

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(InvoiceLine.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        invoices.invoices_issue_for_order(order=account_order(school=school, lines=[line_spec("A", "10.00")]))
    monkeypatch.setattr(InvoiceLine.objects, "bulk_create", real)
    invoice = invoices_issue_for_order(order=account_order(school=school, lines=[line_spec("B", "10.00")]))[0]
    assert invoice.sequence_number == 1


def test_a_membership_paid_at_the_next_financial_year_is_due_then(school, buyer):
    membership = Membership.objects.create(
        school=school,
        year=2026,
        membership_type="full",
        price=D("7980.00"),
        payment_due="financial_year_start",
        payment_due_date=dt.date(2027, 4, 1),
        starts_on=dt.date(2026, 9, 1),
    )
    order = account_order(
        school=school,
        buyer=buyer,
        lines=[
            line_spec("Membership 2026/27", "7980.00", kind="membership", membership=membership),
            line_spec("Clerking service", "2200.00"),
        ],
    )
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC)):
        invoices = invoices_issue_for_order(order=order, actor=buyer)
    due = {i.lines.get().description: i.due_date for i in invoices}
    assert due == {"Membership 2026/27": dt.date(2027, 4, 1), "Clerking service": dt.date(2026, 11, 4)}
    assert sum(i.total for i in invoices) == order.total


def test_payment_terms_are_the_bodys(school):
    from billing.models import InvoicingBody

    InvoicingBody.objects.filter(code="lbh").update(payment_terms_days=14)
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC)):
        invoice = invoices_issue_for_order(
            order=account_order(school=school, lines=[line_spec("EY", "10", body_code="lbh")])
        )[0]
    assert invoice.due_date == dt.date(2026, 10, 19)


def test_lines_covered_by_packages_raise_no_invoice_of_nothing(school):
    order = account_order(
        school=school,
        lines=[
            line_spec("EY network", "50.00", body_code="lbh", discount="50.00"),
            line_spec("Clerking", "100.00"),
        ],
    )
    invoices = invoices_issue_for_order(order=order)
    assert [i.body.code for i in invoices] == ["hep"]


def test_card_orders_and_unplaced_orders_are_not_invoiced(school):
    from billing.tests.factories import held_card_order

    with pytest.raises(InvalidInput):
        invoices_issue_for_order(
            order=held_card_order(event=EventFactory(), delegates=[("G", "g@x.example")])
        )
    order = account_order(school=school, lines=[line_spec("A", "10.00")])
    order.status = "cancelled"
    order.save()
    with pytest.raises(Conflict):
        invoices_issue_for_order(order=order)


def test_an_invoice_is_never_deleted(school):
    invoice = invoices_issue_for_order(order=account_order(school=school, lines=[line_spec("A", "10.00")]))[0]
    with pytest.raises(ProtectedError):
        invoice.delete()
    with pytest.raises(ProtectedError):
        Invoice.objects.filter(pk=invoice.pk).delete()
    with pytest.raises(ProtectedError):
        invoice.lines.first().delete()
    with pytest.raises(ProtectedError):
        invoice.order.delete()  # the order is protected by its invoice
    admin = site._registry[Invoice]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True, role="", school=None)
    assert not admin.has_delete_permission(request, invoice)
    assert "delete_selected" not in admin.get_actions(request)
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_order_placed_issues_invoices_only_in_on_placing_mode(school, buyer):
    order = account_order(school=school, buyer=buyer, lines=[line_spec("A", "10.00")])
    settings_row = BillingSettings.load()
    settings_row.invoice_issue_mode = "by_staff"
    settings_row.save()
    assert order_placed(order) == []
    assert not Invoice.objects.exists()
    settings_row.invoice_issue_mode = "on_placing"
    settings_row.save()
    [invoice] = order_placed(order)
    assert invoice.issued_by == buyer


def test_billing_settings_default_from_the_setting(settings):
    settings.INVOICE_ISSUE_MODE = "by_staff"
    BillingSettings.objects.all().delete()
    assert BillingSettings.load().invoice_issue_mode == "by_staff"


def test_marking_paid(school):
    staff = UserFactory(is_staff=True, role="", school=None)
    invoice = invoices_issue_for_order(order=account_order(school=school, lines=[line_spec("A", "10.00")]))[0]
    invoice_mark_paid(invoice=invoice, actor=staff, paid_on=dt.date(2026, 11, 1), reference="BACS 123")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on, invoice.payment_reference) == (
        InvoiceStatus.PAID,
        dt.date(2026, 11, 1),
        "BACS 123",
    )
    assert invoice.marked_paid_by == staff and invoice.balance == 0
    with pytest.raises(Conflict, match="already marked paid"):
        invoice_mark_paid(invoice=invoice, actor=staff)
