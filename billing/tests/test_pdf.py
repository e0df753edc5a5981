import datetime as dt
import os
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
import time_machine

from billing.pdf import credit_note_pdf, invoice_pdf
from billing.services import credit_note_issue, invoices_issue_for_order
from billing.tests.factories import account_order, line_spec
from events.tests.factories import EventFactory
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


@pytest.fixture
def invoice():
    school = SchoolFactory(
        name="Bruce Grove Primary School", address_line_1="Sperling Road", postcode="N17 6UH"
    )
    event = EventFactory(title="Early Years network: phonics")
    order = account_order(
        school=school,
        purchase_order_number="PO-2026-118",
        lines=[
            line_spec("Haringey Early Years package", "1200.00", body_code="lbh"),
            line_spec(
                "Early Years network: phonics",
                "45.00",
                quantity=2,
                body_code="lbh",
                kind="event",
                event=event,
                delegates=[("Mary Seacole", "m@bg.example"), ("Grace Hopper", "g@bg.example")],
                discount="9.00",
            ),
        ],
    )
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC)):
        return invoices_issue_for_order(order=order)[0]


def test_the_invoice_pdf_shows_body_number_school_lines_and_totals(invoice, tmp_path):
    data = invoice_pdf(invoice)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in [
        "INVOICE",
        "LBH-2627-00001",
        "London Borough of Haringey",  # the body
        "George Meehan House",
        "Bruce Grove Primary School",  # the school billed
        "Sperling Road",
        "PO-2026-118",
        "Haringey Early Years package",
        "Early Years network: phonics",
        "Mary Seacole, Grace Hopper",
        "£1,200.00",
        "£81.00",  # 2 × £45 less £9
        "£1,281.00",  # total
        "4 November 2026",  # due
        "How to pay",
    ]:
        assert expected in text, f"{expected!r} not in the PDF text:\n{text}"
    # Rendered to an image, the page is not blank (set KEEP_PDF_PNG=dir to look at it).
    page = pdfium.PdfDocument(data)[0]
    image = page.render(scale=1.5).to_pil()
    assert image.size[0] > 800 and image.convert("L").getextrema()[0] < 50
    keep = os.environ.get("KEEP_PDF_PNG")
    if keep:
        image.save(os.path.join(keep, "invoice.png"))


def test_the_credit_note_pdf_names_the_invoice_and_the_amounts(invoice):
    note = credit_note_issue(
        invoice=invoice, amount=Decimal("81.00"), reason="Event cancelled by the council", actor=None
    )
    text = pdf_text(credit_note_pdf(note))
    for expected in [
        "CREDIT NOTE",
        note.number,
        invoice.number,
        "Event cancelled by the council",
        "−£81.00",
        "London Borough of Haringey",
    ]:
        assert expected in text, f"{expected!r} not in:\n{text}"
