import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db.models import ProtectedError

from billing.models import CreditNote, InvoiceStatus
from billing.services import credit_note_issue, invoice_mark_paid, invoices_issue_for_order
from billing.tests.factories import account_order, line_spec
from portal.errors import Conflict, InvalidInput
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def invoice():
    school = SchoolFactory(billing_email="money@school.example")
    order = account_order(
        school=school,
        lines=[
            line_spec("Leading safeguarding", "45.00", quantity=3),
            line_spec("Clerking service", "2200.00"),
            line_spec("Governor training", "450.00", discount="45.00"),
        ],
    )
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC)):
        return invoices_issue_for_order(order=order)[0]


def amounts(note):
    return {line.invoice_line.description: line.amount for line in note.lines.select_related("invoice_line")}


def test_a_credit_note_reverses_exactly_the_lines_it_credits(
    invoice, django_capture_on_commit_callbacks, outbox
):
    safeguarding, clerking, governors = invoice.lines.all()
    with django_capture_on_commit_callbacks(execute=True):
        note = credit_note_issue(
            invoice=invoice,
            lines={safeguarding: D("45.00"), clerking: None},
            reason="One delegate cancelled; clerking not needed",
            actor=None,
        )
    assert amounts(note) == {"Leading safeguarding": D("45.00"), "Clerking service": D("2200.00")}
    assert note.total == D("2245.00")
    assert note.invoice == invoice and note.school == invoice.school and note.body == invoice.body
    invoice.refresh_from_db()
    safeguarding.refresh_from_db()
    clerking.refresh_from_db()
    governors.refresh_from_db()
    assert invoice.amount_credited == D("2245.00")
    assert invoice.balance == invoice.total - D("2245.00") == D("495.00")
    assert (safeguarding.creditable, clerking.creditable, governors.creditable) == (
        D("90.00"),
        D("0.00"),
        D("405.00"),
    )
    assert invoice.status == InvoiceStatus.ISSUED
    assert note.number.startswith("HEP-CN-") and note.number.endswith("-00001")
    [mail] = outbox.to("money@school.example")
    assert note.number in mail.subject and mail.attachments[0]["filename"] == f"{note.number}.pdf"


def test_crediting_more_than_is_left_is_refused_and_changes_nothing(invoice):
    safeguarding = invoice.lines.first()
    with pytest.raises(InvalidInput, match="At most £135.00 is left"):
        credit_note_issue(invoice=invoice, lines={safeguarding.pk: D("135.01")}, reason="x", actor=None)
    credit_note_issue(invoice=invoice, lines={safeguarding.pk: D("100.00")}, reason="x", actor=None)
    with pytest.raises(InvalidInput, match="At most £35.00"):
        credit_note_issue(invoice=invoice, lines={safeguarding.pk: D("40.00")}, reason="x", actor=None)
    assert CreditNote.objects.count() == 1
    with pytest.raises(InvalidInput, match="Give a reason"):
        credit_note_issue(invoice=invoice, amount=D("1.00"), reason=" ", actor=None)


def test_an_amount_is_credited_across_lines_in_order(invoice):
    note = credit_note_issue(invoice=invoice, amount=D("200.00"), reason="Goodwill", actor=None)
    assert amounts(note) == {"Leading safeguarding": D("135.00"), "Clerking service": D("65.00")}
    with pytest.raises(InvalidInput, match="At most £2,540.00 is left"):
        credit_note_issue(invoice=invoice, amount=D("2540.01"), reason="Too much", actor=None)


def test_crediting_everything_marks_the_invoice_credited_and_then_nothing_is_left(invoice):
    note = credit_note_issue(invoice=invoice, reason="Order cancelled", actor=None)
    assert note.total == invoice.total == D("2740.00")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CREDITED and invoice.balance == 0
    with pytest.raises(InvalidInput, match="Nothing is left to credit"):
        credit_note_issue(invoice=invoice, reason="Again", actor=None)
    with pytest.raises(Conflict, match="credited in full"):
        invoice_mark_paid(invoice=invoice, actor=None)


def test_credit_notes_have_their_own_sequence_and_are_never_deleted(invoice):
    first = credit_note_issue(invoice=invoice, amount=D("1.00"), reason="a", actor=None)
    second = credit_note_issue(invoice=invoice, amount=D("1.00"), reason="b", actor=None)
    assert (first.sequence_number, second.sequence_number) == (1, 2)
    assert invoice.sequence_number == 1  # invoices count separately
    with pytest.raises(ProtectedError):
        first.delete()
    with pytest.raises(ProtectedError):
        CreditNote.objects.all().delete()


def test_a_paid_invoice_can_still_be_credited(invoice):
    invoice_mark_paid(invoice=invoice, actor=None)
    credit_note_issue(invoice=invoice, amount=D("45.00"), reason="Delegate cancelled in time", actor=None)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.amount_credited == D("45.00")


def test_lines_of_another_invoice_are_refused(invoice):
    other = invoices_issue_for_order(
        order=account_order(school=invoice.school, lines=[line_spec("X", "5.00")])
    )[0]
    with pytest.raises(InvalidInput, match="not on invoice"):
        credit_note_issue(invoice=invoice, lines={other.lines.get().pk: None}, reason="x", actor=None)
