"""Issuing invoices for orders placed on account, and recording that they were paid."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from memberships.models import PaymentDue
from notifications.services import email_send
from orders.models import BookingStatus, Order, OrderStatus, PaymentMethod
from portal.errors import Conflict, InvalidInput
from pricing.money import ZERO, money
from pricing.quotes import line_subtotal

from ..models import BillingSettings, DocumentKind, Invoice, InvoiceIssueMode, InvoiceLine, InvoiceStatus
from ..numbering import document_number, financial_year_for, number_next

logger = logging.getLogger(__name__)


def _due_date(line, *, issued: dt.date, terms_days: int) -> dt.date:
    """Payment terms from the issue date; a membership the school chose to pay at the start of
    its next financial year falls due on that date instead."""
    membership = line.membership
    if (
        membership is not None
        and membership.payment_due == PaymentDue.FINANCIAL_YEAR_START
        and membership.payment_due_date
    ):
        return membership.payment_due_date
    return issued + dt.timedelta(days=terms_days)


def invoices_issue_for_order(*, order: Order, actor=None) -> list[Invoice]:
    """Issue one invoice per invoicing body for the order's lines not yet invoiced.

    Lines of one body that fall due on different dates (a membership paid at the start of the
    school's next financial year) get an invoice each. A body whose lines come to nothing (all
    covered by packages) gets no invoice. Calling it again issues nothing new."""
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("school").get(pk=order.pk)
        if order.payment_method != PaymentMethod.ACCOUNT or order.school is None:
            raise InvalidInput("Only orders placed on account are invoiced; card payments get a receipt.")
        if order.status != OrderStatus.PLACED:
            raise Conflict(
                f"Order {order.number} is {order.get_status_display().lower()}: it cannot be invoiced."
            )
        lines = list(
            order.lines.filter(invoice_line__isnull=True)
            .select_related("invoicing_body", "membership")
            .prefetch_related("bookings")
            .order_by("id")
        )
        today = timezone.localdate()
        groups: dict[tuple, list] = defaultdict(list)
        for line in lines:
            body = line.invoicing_body
            due = _due_date(line, issued=today, terms_days=body.payment_terms_days)
            groups[(body.pk, due)].append(line)
        invoices = []
        # A fixed order (body, then due date) so concurrent orders lock sequences in the same order.
        for (_body_id, due), group in sorted(groups.items(), key=lambda item: item[0]):
            if money(sum((line.total for line in group), ZERO)) == ZERO:
                continue
            invoices.append(_invoice_create(order=order, lines=group, issued=today, due=due, actor=actor))
        for invoice in invoices:
            transaction.on_commit(lambda pk=invoice.pk: invoice_email_send(pk), robust=True)
    return invoices


def _invoice_create(*, order: Order, lines: list, issued: dt.date, due: dt.date, actor) -> Invoice:
    body = lines[0].invoicing_body
    school = order.school
    year = financial_year_for(issued)
    sequence = number_next(body=body, kind=DocumentKind.INVOICE, financial_year=year)
    subtotal = money(sum((line_subtotal(line.unit_price, line.quantity) for line in lines), ZERO))
    discount = money(sum((line.discount for line in lines), ZERO))
    total = money(sum((line.total for line in lines), ZERO))
    bill_to = order.billing_name or school.name
    invoice = Invoice.objects.create(
        number=document_number(body, DocumentKind.INVOICE, year, sequence),
        body=body,
        financial_year=year,
        sequence_number=sequence,
        order=order,
        school=school,
        issue_date=issued,
        due_date=due,
        bill_to_name=bill_to,
        bill_to_address=_address_without_name(order.billing_address or school.billing_address, bill_to),
        bill_to_email=school.billing_email,
        buyer_name=order.buyer_name,
        buyer_email=order.buyer_email,
        purchase_order_number=order.purchase_order_number,
        body_name=body.name,
        body_address=body.address,
        body_payment_details=body.payment_details,
        body_email=body.email,
        body_vat_number=body.vat_number,
        subtotal=subtotal,
        discount_total=discount,
        total=total,
        currency=order.currency,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            order_line=line,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
            total=line.total,
            price_reason=line.price_reason,
            delegates=[b.delegate_name for b in line.bookings.all() if b.status != BookingStatus.CANCELLED],
        )
        for line in lines
    )
    audit_record(
        "invoice.issued",
        actor=actor,
        school=school,
        target=invoice,
        detail={"order": order.number, "total": total, "due_date": due, "body": body.code},
    )
    return invoice


def _address_without_name(address: str, name: str) -> str:
    """The address lines, without the school's name when the address starts with it."""
    lines = [line for line in address.splitlines() if line.strip()]
    if lines and lines[0].strip() == name.strip():
        lines = lines[1:]
    return "\n".join(lines)


def order_placed(order: Order) -> list[Invoice]:
    """The checkout's hook, called once an order placed on account has committed: issues its
    invoices now, unless finance staff issue them from the back office."""
    if order.payment_method != PaymentMethod.ACCOUNT:
        return []
    if BillingSettings.load().invoice_issue_mode != InvoiceIssueMode.ON_PLACING:
        return []
    return invoices_issue_for_order(order=order, actor=order.buyer)


def invoice_email_send(invoice_pk: int) -> None:
    """Email an invoice's PDF to the buyer and the school's billing address."""
    from ..pdf import invoice_pdf

    invoice = Invoice.objects.select_related("school", "body", "order").get(pk=invoice_pk)
    recipients = list(dict.fromkeys(a for a in (invoice.buyer_email, invoice.bill_to_email) if a))
    email_send(
        template="invoice_issued",
        to=recipients,
        context={"invoice": invoice},
        attachments=[(invoice.pdf_filename, invoice_pdf(invoice), "application/pdf")],
        on_commit=False,
    )


def invoice_mark_paid(
    *, invoice: Invoice, actor, paid_on: dt.date | None = None, reference: str = ""
) -> Invoice:
    """Finance records that the school paid the invoice."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status == InvoiceStatus.PAID:
            raise Conflict(f"Invoice {invoice.number} is already marked paid.")
        if invoice.status == InvoiceStatus.CREDITED:
            raise Conflict(f"Invoice {invoice.number} was credited in full: there is nothing to pay.")
        invoice.status = InvoiceStatus.PAID
        invoice.paid_on = paid_on or timezone.localdate()
        invoice.payment_reference = reference.strip()[:100]
        invoice.marked_paid_by = actor
        invoice.save(update_fields=["status", "paid_on", "payment_reference", "marked_paid_by"])
        audit_record(
            "invoice.marked_paid",
            actor=actor,
            school=invoice.school,
            target=invoice,
            detail={
                "paid_on": invoice.paid_on,
                "reference": invoice.payment_reference,
                "total": invoice.total,
            },
        )
    logger.info("Invoice %s marked paid by %s", invoice.number, actor)
    return invoice
