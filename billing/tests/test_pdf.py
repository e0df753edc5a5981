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


def test_text_typed_by_a_school_is_printed_as_text_never_as_markup():
    school = SchoolFactory(name="<b>St Mary's</b> & <img src='file:///etc/hostname'>")
    order = account_order(school=school, lines=[line_spec("<script>x()</script> Clerking", "10.00")])
    [invoice] = invoices_issue_for_order(order=order)
    text = pdf_text(invoice_pdf(invoice)).replace("\r\n", "")  # long lines wrap in the PDF
    assert "<b>St Mary's</b> & <img src='file:///etc/hostname'>" in text
    assert "<script>x()</script> Clerking" in text


def test_a_pdf_fetches_no_file_or_url(monkeypatch, tmp_path):
    """Even markup that reached the template could not read a local file into the document."""
    import pypdfium2.raw as pdfium_c

    from billing import pdf

    image = tmp_path / "secret.png"
    image.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
        )
    )
    monkeypatch.setattr(pdf, "render_to_string", lambda *a, **k: f'<p>Hi</p><img src="file://{image}">')
    document = pdfium.PdfDocument(pdf._pdf("ignored.html", {}))
    kinds = [obj.type for page in document for obj in page.get_objects()]
    assert pdfium_c.FPDF_PAGEOBJ_TEXT in kinds
    assert pdfium_c.FPDF_PAGEOBJ_IMAGE not in kinds
