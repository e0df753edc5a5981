import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import StaffFactory
from billing.exports import neutralise
from billing.models import BillingSettings, Coupon, CreditNote, Invoice, InvoiceStatus
from billing.services import credit_note_issue, invoices_issue_for_order
from billing.tests.factories import account_order, line_spec
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def staff(client):
    user = StaffFactory()
    client.force_login(user)
    return user


@pytest.fixture
def documents():
    """Invoices in two months for both bodies, one credited, one from a school with a nasty name."""
    nasty = SchoolFactory(name='=HYPERLINK("http://evil.example")')
    plain = SchoolFactory(name="Ferry Lane Primary School")
    with time_machine.travel(dt.datetime(2026, 9, 15, 10, 0, tzinfo=dt.UTC)):
        a = invoices_issue_for_order(
            order=account_order(
                school=plain, lines=[line_spec("PL", "2500.00"), line_spec("EY", "1200.00", body_code="lbh")]
            )
        )
    with time_machine.travel(dt.datetime(2026, 10, 2, 10, 0, tzinfo=dt.UTC)):
        b = invoices_issue_for_order(
            order=account_order(
                school=nasty, lines=[line_spec("Clerking", "2200.00")], purchase_order_number="+SUM(A1)"
            )
        )
        note = credit_note_issue(invoice=b[0], amount=D("200.00"), reason="Fewer meetings", actor=None)
    return {"september": a, "october": b, "note": note}


def test_the_finance_page_lists_documents_with_a_summary_per_body_and_month(client, staff, documents):
    response = client.get(reverse("admin:billing_finance"))
    assert response.status_code == 200
    page = response.content.decode()
    for document in [*documents["september"], *documents["october"], documents["note"]]:
        assert document.number in page
    summary = {(s.body_name, s.month): s for s in response.context["summary"]}
    hep_sept = summary[("Haringey Education Partnership", dt.date(2026, 9, 1))]
    hep_oct = summary[("Haringey Education Partnership", dt.date(2026, 10, 1))]
    lbh_sept = summary[("London Borough of Haringey", dt.date(2026, 9, 1))]
    assert (hep_sept.invoiced, hep_sept.credited, hep_sept.net) == (D("2500.00"), D("0.00"), D("2500.00"))
    assert (hep_oct.invoiced, hep_oct.credited, hep_oct.net, hep_oct.credit_note_count) == (
        D("2200.00"),
        D("200.00"),
        D("2000.00"),
        1,
    )
    assert lbh_sept.invoiced == D("1200.00")
    assert response.context["totals"] == {
        "invoiced": D("5900.00"),
        "credited": D("200.00"),
        "outstanding": D("5700.00"),
    }


def test_the_finance_list_filters_by_body_status_and_date(client, staff, documents):
    url = reverse("admin:billing_finance")
    numbers = lambda r: {row.number for row in r.context["rows"]}  # noqa: E731
    lbh = client.get(url, {"body": "lbh"})
    assert numbers(lbh) == {i.number for i in documents["september"] if i.body.code == "lbh"}
    october = client.get(url, {"date_from": "2026-10-01", "date_to": "2026-10-31"})
    assert numbers(october) == {documents["october"][0].number, documents["note"].number}
    notes = client.get(url, {"kind": "credit_note"})
    assert numbers(notes) == {documents["note"].number}
    Invoice.objects.filter(pk=documents["september"][0].pk).update(status=InvoiceStatus.PAID)
    paid = client.get(url, {"status": "paid"})
    assert numbers(paid) == {documents["september"][0].number}


def test_the_csv_export_neutralises_formulas(client, staff, documents):
    response = client.get(reverse("admin:billing_finance"), {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Type", "Number", "Invoicing body"]
    clerking = next(r for r in rows if r[1] == documents["october"][0].number)
    assert clerking[5] == '\'=HYPERLINK("http://evil.example")'
    assert clerking[7] == "'+SUM(A1)"
    note = next(r for r in rows if r[1] == documents["note"].number)
    assert note[9] == "-200.00"  # amounts are the portal's own numbers, kept numeric
    assert len(rows) == 1 + 4


def test_the_excel_export_has_documents_and_summary_with_formulas_neutralised(client, staff, documents):
    response = client.get(reverse("admin:billing_finance"), {"export": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Documents"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    clerking = next(r for r in values if r[1] == documents["october"][0].number)
    assert clerking[5] == '\'=HYPERLINK("http://evil.example")'
    assert clerking[7] == "'+SUM(A1)"
    assert clerking[9] == 2200.0  # numbers stay numbers
    assert all(not (isinstance(v, str) and v[:1] in "=+-@") for row in values for v in row)
    note = next(r for r in values if r[1] == documents["note"].number)
    assert note[9] == -200.0
    summary = [[c.value for c in row] for row in book["Summary"].iter_rows()]
    assert ["London Borough of Haringey", "2026-09", 1, 1200.0, 0, 0.0, 1200.0] in summary


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-5", "'-5"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("Plain", "Plain"),
        (5, 5),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_the_finance_page_is_for_staff_only(client, documents):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("admin:billing_finance"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_credit_an_invoice_from_the_back_office(client, staff, documents):
    invoice = documents["september"][0]
    line = invoice.lines.get()
    url = reverse("admin:billing_invoice_credit", args=[invoice.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Package not taken up", f"line_{line.pk}": "9999.00"})
    assert response.status_code == 200 and not CreditNote.objects.filter(invoice=invoice).exists()
    response = client.post(url, {"reason": "Package not taken up", f"line_{line.pk}": "500.00"})
    assert response.status_code == 302
    note = CreditNote.objects.get(invoice=invoice)
    assert note.total == D("500.00") and note.issued_by == staff


def test_staff_record_a_payment(client, staff, documents):
    invoice = documents["september"][0]
    url = reverse("admin:billing_invoice_pay", args=[invoice.pk])
    response = client.post(url, {"paid_on": "2026-10-20", "reference": "BACS 4471"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (
        invoice.status == "paid"
        and invoice.paid_on == dt.date(2026, 10, 20)
        and invoice.marked_paid_by == staff
    )


def test_the_invoice_admin_has_no_add_or_delete(client, staff, documents):
    invoice = documents["september"][0]
    assert client.get(reverse("admin:billing_invoice_add")).status_code == 403
    assert client.get(reverse("admin:billing_invoice_delete", args=[invoice.pk])).status_code == 403
    page = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).content.decode()
    assert "Issue a credit note" in page and "Download PDF" in page and "Record payment" in page
    pdf = client.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_staff_issue_invoices_for_orders_when_invoicing_is_by_staff(client, staff):
    row = BillingSettings.load()
    row.invoice_issue_mode = "by_staff"
    row.save()
    school = SchoolFactory()
    waiting = account_order(
        school=school, lines=[line_spec("PL", "100.00"), line_spec("EY", "50.00", body_code="lbh")]
    )
    done = account_order(school=school, lines=[line_spec("PL", "10.00")])
    invoices_issue_for_order(order=done)
    url = reverse("admin:billing_ordertoinvoice_changelist")
    page = client.get(url).content.decode()
    assert waiting.number in page and done.number not in page
    response = client.post(url, {"action": "issue_invoices", "_selected_action": [waiting.pk]})
    assert response.status_code == 302
    assert sorted(i.body.code for i in Invoice.objects.filter(order=waiting)) == ["hep", "lbh"]
    assert waiting.number not in client.get(url).content.decode()


def test_coupon_codes_are_unique_whatever_their_case(client, staff):
    Coupon.objects.create(code="WELCOME10", kind="percentage", value=D("10"))
    response = client.post(
        reverse("admin:billing_coupon_add"),
        {
            "code": "welcome10",
            "kind": "fixed",
            "value": "5",
            "combines_with_package_discounts": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "A coupon with this code already exists." in response.content.decode()
    response = client.post(
        reverse("admin:billing_coupon_add"),
        {"code": "summer", "kind": "fixed", "value": "5", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Coupon.objects.filter(code="SUMMER").exists()


def test_orders_awaiting_invoices_list_in_a_fixed_number_of_queries(client, staff):
    """Each row shows its invoices so far: prefetched, not one query per order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.models import InvoiceLine

    row = BillingSettings.load()
    row.invoice_issue_mode = "by_staff"
    row.save()
    school = SchoolFactory()

    def partly_invoiced():
        order = account_order(school=school, lines=[line_spec("PL", "100.00")])
        [hep] = invoices_issue_for_order(order=order)
        later = order.lines.get()  # a line added after invoicing, still to invoice
        later.pk = None
        later.description = "Added later"
        later.save()
        return hep

    url = reverse("admin:billing_ordertoinvoice_changelist")
    first = partly_invoiced()
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert first.number in page
    for _ in range(4):
        partly_invoiced()
    with CaptureQueriesContext(connection) as five:
        page = client.get(url).content.decode()
    assert page.count("HEP-") >= 5 and InvoiceLine.objects.count() == 5
    assert len(five) == len(one)


@pytest.mark.parametrize(
    "model_path",
    [
        "billing.NumberSequence",
        "billing.CreditNote",
        "billing.CouponRedemption",
        "billing.OrderToInvoice",
        "accounts.AuditEvent",
        "payments.Payment",
        "payments.Refund",
        "payments.WebhookEvent",
    ],
)
def test_records_and_logs_are_read_only_in_the_back_office(rf, staff, model_path):
    from django.apps import apps
    from django.contrib import admin

    model_admin = admin.site._registry[apps.get_model(model_path)]
    request = rf.get("/back-office/")
    request.user = staff  # a superuser: the refusal is the admin's, not a missing permission
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
