"""Gap-free document numbers: one sequence per invoicing body, kind of document and financial year.

A number is taken inside the transaction that creates the document, with the sequence row
locked (`select_for_update`) until that transaction ends: concurrent orders queue for the row,
and a transaction that rolls back gives its number back, so the issued numbers never have gaps.
See docs/0008-invoices-and-numbering.md."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import DocumentKind, InvoicingBody, NumberSequence


def financial_year_for(day: dt.date) -> int:
    """The financial year a date falls in, named by the year it starts (April by default)."""
    start_month = getattr(settings, "INVOICE_FINANCIAL_YEAR_START_MONTH", 4)
    return day.year if day.month >= start_month else day.year - 1


def financial_year_label(year: int) -> str:
    return f"{year % 100:02d}{(year + 1) % 100:02d}"


def document_number(body: InvoicingBody, kind: str, financial_year: int, sequence_number: int) -> str:
    """E.g. HEP-2627-00042 for an invoice, HEP-CN-2627-00003 for a credit note."""
    middle = "-CN" if kind == DocumentKind.CREDIT_NOTE else ""
    return f"{body.invoice_prefix}{middle}-{financial_year_label(financial_year)}-{sequence_number:05d}"


def number_next(*, body: InvoicingBody, kind: str, financial_year: int) -> int:
    """Take the next number of a sequence. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside the transaction that creates the document.")
    for _ in range(3):
        sequence = (
            NumberSequence.objects.select_for_update()
            .filter(body=body, kind=kind, financial_year=financial_year)
            .first()
        )
        if sequence is None:
            # The first document of a year: create the row; if another transaction won the race,
            # lock theirs on the next pass.
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(body=body, kind=kind, financial_year=financial_year)
            except IntegrityError:
                pass
            continue
        sequence.last_number += 1
        sequence.save(update_fields=["last_number"])
        return sequence.last_number
    raise RuntimeError("Could not lock the number sequence.")  # pragma: no cover
