"""Credit notes: the only way to correct or cancel an invoice. Each reverses exactly the amounts
it lists, line by line, and never more than what is left of a line."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from notifications.services import email_send
from portal.errors import InvalidInput
from pricing.money import ZERO, format_gbp, money

from ..models import CreditNote, CreditNoteLine, DocumentKind, Invoice, InvoiceLine, InvoiceStatus
from ..numbering import document_number, financial_year_for, number_next

logger = logging.getLogger(__name__)


def credit_note_issue(
    *,
    invoice: Invoice,
    reason: str,
    actor,
    lines: Mapping | None = None,
    amount: Decimal | None = None,
) -> CreditNote:
    """Credit all or part of an invoice.

    `lines` maps invoice lines (or their ids) to the amount to credit on each (None = all that is
    left of it); or `amount` is credited across the lines in order; with neither, everything
    left on the invoice is credited."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for the credit note; it is printed on it.")
    if lines is not None and amount is not None:
        raise InvalidInput("Credit either chosen lines or an amount, not both.")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).select_related("body").get(pk=invoice.pk)
        invoice_lines = list(InvoiceLine.objects.select_for_update().filter(invoice=invoice).order_by("id"))
        wanted = _amounts(invoice, invoice_lines, lines=lines, amount=amount)
        total = money(sum(wanted.values(), ZERO))
        if total <= ZERO:
            raise InvalidInput(f"Nothing is left to credit on invoice {invoice.number}.")
        today = timezone.localdate()
        year = financial_year_for(today)
        sequence = number_next(body=invoice.body, kind=DocumentKind.CREDIT_NOTE, financial_year=year)
        note = CreditNote.objects.create(
            number=document_number(invoice.body, DocumentKind.CREDIT_NOTE, year, sequence),
            body=invoice.body,
            financial_year=year,
            sequence_number=sequence,
            invoice=invoice,
            school_id=invoice.school_id,
            issue_date=today,
            reason=reason[:300],
            total=total,
            bill_to_name=invoice.bill_to_name,
            bill_to_address=invoice.bill_to_address,
            bill_to_email=invoice.bill_to_email,
            body_name=invoice.body_name,
            body_address=invoice.body_address,
            body_email=invoice.body_email,
            body_vat_number=invoice.body_vat_number,
            currency=invoice.currency,
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        by_id = {line.pk: line for line in invoice_lines}
        credit_lines = []
        for line_id, value in wanted.items():
            line = by_id[line_id]
            credit_lines.append(
                CreditNoteLine(
                    credit_note=note, invoice_line=line, description=line.description, amount=value
                )
            )
            line.amount_credited = money(line.amount_credited + value)
            line.save(update_fields=["amount_credited"])
        CreditNoteLine.objects.bulk_create(credit_lines)
        invoice.amount_credited = money(invoice.amount_credited + total)
        fields = ["amount_credited"]
        if invoice.amount_credited == invoice.total and invoice.status == InvoiceStatus.ISSUED:
            invoice.status = InvoiceStatus.CREDITED
            fields.append("status")
        invoice.save(update_fields=fields)
        audit_record(
            "credit_note.issued",
            actor=actor,
            school=invoice.school,
            target=note,
            detail={"invoice": invoice.number, "total": total, "reason": note.reason},
        )
        transaction.on_commit(lambda: credit_note_email_send(note.pk), robust=True)
    logger.info("Credit note %s (%s) for invoice %s by %s", note.number, total, invoice.number, actor)
    return note


def _amounts(invoice: Invoice, invoice_lines: list, *, lines: Mapping | None, amount: Decimal | None) -> dict:
    """{invoice line id: amount to credit}, in line order, each checked against what is left."""
    by_id = {line.pk: line for line in invoice_lines}
    wanted: dict[int, Decimal] = {}
    if lines is not None:
        for key, value in lines.items():
            line_id = getattr(key, "pk", key)
            line = by_id.get(int(line_id)) if str(line_id).isdigit() else None
            if line is None:
                raise InvalidInput(f"That line is not on invoice {invoice.number}.")
            value = line.creditable if value is None else _amount(value)
            if value == ZERO:
                continue
            if value < ZERO:
                raise InvalidInput("Credit amounts must be positive.")
            if value > line.creditable:
                raise InvalidInput(
                    f"At most {format_gbp(line.creditable)} is left to credit on “{line.description}”."
                )
            wanted[line.pk] = value
        return dict(sorted(wanted.items()))
    if amount is None:
        return {line.pk: line.creditable for line in invoice_lines if line.creditable > ZERO}
    left = _amount(amount)
    if left <= ZERO:
        raise InvalidInput("Credit amounts must be positive.")
    creditable = money(sum((line.creditable for line in invoice_lines), ZERO))
    if left > creditable:
        raise InvalidInput(f"At most {format_gbp(creditable)} is left to credit on invoice {invoice.number}.")
    for line in invoice_lines:
        take = min(left, line.creditable)
        if take > ZERO:
            wanted[line.pk] = take
            left -= take
    return wanted


def _amount(value) -> Decimal:
    try:
        return money(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not an amount of money.")


def credit_note_email_send(credit_note_pk: int) -> None:
    from ..pdf import credit_note_pdf

    note = CreditNote.objects.select_related("invoice").get(pk=credit_note_pk)
    invoice = note.invoice
    recipients = list(dict.fromkeys(a for a in (invoice.buyer_email, note.bill_to_email) if a))
    email_send(
        template="credit_note_issued",
        to=recipients,
        context={"credit_note": note, "invoice": invoice},
        attachments=[(note.pdf_filename, credit_note_pdf(note), "application/pdf")],
        on_commit=False,
    )
