"""Reads shared by billing's views, the basket, the checkout and the back office."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from portal.errors import Conflict
from pricing.coupons import CouponLine, CouponResult, CouponTerms, coupon_apply
from pricing.money import ZERO, money

from .models import BasketCoupon, Coupon, CouponRedemption, CreditNote, Invoice, InvoicingBody

# --- Invoices for a school's dashboard --------------------------------------------------------


def invoice_list_for_school(school) -> list[Invoice]:
    return list(
        Invoice.objects.filter(school=school)
        .select_related("body", "order")
        .prefetch_related("credit_notes")
        .order_by("-issue_date", "-id")
    )


def invoice_get_for_school(*, school, number: str) -> Invoice | None:
    return Invoice.objects.filter(school=school, number=number).select_related("body").first()


def credit_note_get_for_school(*, school, number: str) -> CreditNote | None:
    return CreditNote.objects.filter(school=school, number=number).select_related("invoice").first()


# --- Coupons ----------------------------------------------------------------------------------


def coupon_get_by_code(code: str) -> Coupon | None:
    code = (code or "").strip()
    if not code:
        return None
    return Coupon.objects.filter(code=code.upper()).prefetch_related("products", "categories").first()


def coupon_for_basket(basket) -> Coupon | None:
    """The coupon applied to a basket, if any (the checkout checks it again when placing)."""
    if basket is None or basket.pk is None:
        return None
    row = BasketCoupon.objects.filter(basket=basket).select_related("coupon").first()
    return row.coupon if row else None


def _uses_by(coupon: Coupon, *, school=None, email: str = "") -> int:
    uses = CouponRedemption.objects.filter(coupon=coupon, voided_at__isnull=True)
    if school is not None:
        return uses.filter(school=school).count()
    if email:
        return uses.filter(school__isnull=True, email__iexact=email).count()
    return 0


def coupon_terms_for(coupon: Coupon | None, *, school=None, email: str = "") -> CouponTerms | None:
    """The coupon's rules and what is left of it for this school (or guest email)."""
    if coupon is None:
        return None
    uses_left = None if coupon.max_uses is None else max(coupon.max_uses - coupon.times_used, 0)
    buyer_left = None
    if coupon.max_uses_per_school is not None and (school is not None or email):
        buyer_left = max(coupon.max_uses_per_school - _uses_by(coupon, school=school, email=email), 0)
    return CouponTerms(
        code=coupon.code,
        kind=coupon.kind,
        value=coupon.value,
        valid_from=coupon.valid_from,
        valid_until=coupon.valid_until,
        uses_left=uses_left,
        uses_left_for_buyer=buyer_left,
        product_ids=frozenset(p.pk for p in coupon.products.all()),
        category_ids=frozenset(c.pk for c in coupon.categories.all()),
        minimum_spend=coupon.minimum_spend,
        combines_with_package_discounts=coupon.combines_with_package_discounts,
        is_active=coupon.is_active,
    )


def coupon_evaluate(
    *, coupon: Coupon | None, lines: list[CouponLine], school=None, email: str = "", entered: str = ""
) -> CouponResult:
    """Apply `coupon` to priced lines for this buyer (see pricing.coupons.coupon_apply)."""
    terms = coupon_terms_for(coupon, school=school, email=email)
    return coupon_apply(terms, lines, now=timezone.now(), entered=entered)


@dataclass
class BasketCouponState:
    coupon: Coupon | None
    result: CouponResult | None

    @property
    def discount(self) -> Decimal:
        return self.result.discount if self.result and self.result.ok else ZERO


def basket_coupon_state(basket, *, school=None, email: str = "") -> BasketCouponState:
    """The applied coupon and what it does to the basket now (it may have stopped applying)."""
    from basket.selectors import basket_coupon_lines
    from pricing.buyers import buyer_for

    coupon = coupon_for_basket(basket)
    if coupon is None:
        return BasketCouponState(coupon=None, result=None)
    lines = basket_coupon_lines(basket, buyer_for(school))
    return BasketCouponState(
        coupon=coupon, result=coupon_evaluate(coupon=coupon, lines=lines, school=school, email=email)
    )


# --- Finance ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinanceRow:
    kind: str  # "Invoice" | "Credit note"
    number: str
    body_code: str
    body_name: str
    issue_date: dt.date
    due_date: dt.date | None
    school: str
    order_number: str
    purchase_order_number: str
    status: str
    total: Decimal  # credit notes are negative
    balance: Decimal
    reference: str  # the invoice a credit note reverses; a paid invoice's payment reference


def finance_documents(
    *,
    body: str = "",
    kind: str = "",
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[FinanceRow]:
    """Invoices and credit notes, newest first, filtered as the finance page asks."""
    rows: list[FinanceRow] = []
    date_q = Q()
    if date_from:
        date_q &= Q(issue_date__gte=date_from)
    if date_to:
        date_q &= Q(issue_date__lte=date_to)
    body_q = Q(body__code=body) if body else Q()
    if kind in ("", "invoice"):
        invoices = Invoice.objects.filter(date_q, body_q).select_related("body", "school", "order")
        if status:
            invoices = invoices.filter(status=status)
        for i in invoices:
            rows.append(
                FinanceRow(
                    kind="Invoice",
                    number=i.number,
                    body_code=i.body.code,
                    body_name=i.body_name,
                    issue_date=i.issue_date,
                    due_date=i.due_date,
                    school=i.bill_to_name,
                    order_number=i.order.number,
                    purchase_order_number=i.purchase_order_number,
                    status=i.get_status_display(),
                    total=i.total,
                    balance=i.balance,
                    reference=i.payment_reference,
                )
            )
    if kind in ("", "credit_note") and not status:  # the status filter is the invoices' status
        notes = CreditNote.objects.filter(date_q, body_q).select_related("body", "invoice__order")
        for n in notes:
            rows.append(
                FinanceRow(
                    kind="Credit note",
                    number=n.number,
                    body_code=n.body.code,
                    body_name=n.body_name,
                    issue_date=n.issue_date,
                    due_date=None,
                    school=n.bill_to_name,
                    order_number=n.invoice.order.number,
                    purchase_order_number=n.invoice.purchase_order_number,
                    status="Credit note",
                    total=-n.total,
                    balance=ZERO,
                    reference=n.invoice.number,
                )
            )
    rows.sort(key=lambda r: (r.issue_date, r.number), reverse=True)
    return rows


@dataclass(frozen=True)
class SummaryRow:
    body_name: str
    month: dt.date  # the first of the month
    invoiced: Decimal
    credited: Decimal
    invoice_count: int
    credit_note_count: int

    @property
    def net(self) -> Decimal:
        return money(self.invoiced - self.credited)


def finance_summary(rows: list[FinanceRow]) -> list[SummaryRow]:
    """Totals per invoicing body and month of issue."""
    buckets: dict[tuple, dict] = defaultdict(lambda: {"inv": ZERO, "cn": ZERO, "ni": 0, "nc": 0})
    for row in rows:
        bucket = buckets[(row.body_name, row.issue_date.replace(day=1))]
        if row.kind == "Invoice":
            bucket["inv"] += row.total
            bucket["ni"] += 1
        else:
            bucket["cn"] += -row.total
            bucket["nc"] += 1
    return [
        SummaryRow(
            body_name=body,
            month=month,
            invoiced=money(b["inv"]),
            credited=money(b["cn"]),
            invoice_count=b["ni"],
            credit_note_count=b["nc"],
        )
        for (body, month), b in sorted(buckets.items(), key=lambda item: (item[0][0], item[0][1]))
    ]


def invoicing_body_default() -> InvoicingBody:
    """The body that invoices everything not assigned to another (HEP in the default set-up)."""
    body = InvoicingBody.objects.filter(is_default=True).first()
    if body is None:
        raise Conflict("No default invoicing body is set up. Ask the site administrator to mark one.")
    return body
