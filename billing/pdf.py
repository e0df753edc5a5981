"""Invoice and credit-note PDFs, rendered with WeasyPrint from HTML templates.

They are rendered from the documents' snapshots, so the same document always prints the same."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from .models import CreditNote, Invoice


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # The documents need nothing from outside their template: a PDF never reads a local file or
    # fetches a URL (no protocol is allowed), whatever reached the HTML. User text is autoescaped.
    refuse_fetch = URLFetcher(allowed_protocols=())

    html = render_to_string(template, {"portal_name": settings.PORTAL_NAME, **context})
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=refuse_fetch).write_pdf()


def invoice_pdf(invoice: Invoice) -> bytes:
    lines = list(invoice.lines.all())
    notes = list(invoice.credit_notes.order_by("issue_date", "id"))
    return _pdf("billing/pdf/invoice.html", {"invoice": invoice, "lines": lines, "credit_notes": notes})


def credit_note_pdf(note: CreditNote) -> bytes:
    lines = list(note.lines.select_related("invoice_line"))
    return _pdf("billing/pdf/credit_note.html", {"note": note, "lines": lines, "invoice": note.invoice})
