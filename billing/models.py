"""Billing: the bodies that invoice schools, their invoices and credit notes (numbered gap-free
per body and financial year), and coupons.

Invoices and credit notes are financial records: every field a reader relies on is a snapshot
taken when the document was issued, and neither is ever deleted. Corrections are credit notes."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from orders.models import Order


class InvoicingBody(models.Model):
    """Who invoices a line: HEP, or the London Borough of Haringey for Early Years and SEND."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    address = models.TextField()
    payment_details = models.TextField(help_text="Bank details and how to pay, printed on invoices.")
    invoice_prefix = models.CharField(max_length=10, unique=True)
    email = models.EmailField(blank=True)
    vat_number = models.CharField(max_length=30, blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Invoices everything not assigned to another body."
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30, help_text="Invoices fall due this many days after they are issued."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "invoicing bodies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_invoicing_body",
            )
        ]

    def __str__(self) -> str:
        return self.name


class InvoiceIssueMode(models.TextChoices):
    ON_PLACING = "on_placing", "When the order is placed"
    BY_STAFF = "by_staff", "When finance staff issue them from the back office"


class BillingSettings(models.Model):
    """One row of settings finance staff edit in the back office."""

    invoice_issue_mode = models.CharField(
        max_length=16,
        choices=InvoiceIssueMode.choices,
        default=InvoiceIssueMode.ON_PLACING,
        help_text="When invoices for orders placed on account are issued.",
    )

    class Meta:
        verbose_name = "billing settings"
        verbose_name_plural = "billing settings"

    def __str__(self) -> str:
        return "Billing settings"

    @classmethod
    def load(cls) -> BillingSettings:
        row = cls.objects.filter(pk=1).first()
        if row is None:
            default = getattr(settings, "INVOICE_ISSUE_MODE", InvoiceIssueMode.ON_PLACING)
            row, _ = cls.objects.get_or_create(pk=1, defaults={"invoice_issue_mode": default})
        return row


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class NumberSequence(models.Model):
    """The last number used for one kind of document of one body in one financial year.

    Numbers are taken only by `billing.numbering.number_next`, which locks this row inside the
    transaction that creates the document: a rolled-back document gives its number back."""

    body = models.ForeignKey(InvoicingBody, on_delete=models.PROTECT, related_name="sequences")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    financial_year = models.PositiveSmallIntegerField(help_text="The year it starts: 2026 = 2026/27.")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["body", "kind", "financial_year"], name="one_sequence_per_body_kind_year"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.body.invoice_prefix} {self.get_kind_display()} {self.financial_year}: {self.last_number}"
        )


class UndeletableQuerySet(models.QuerySet):
    def delete(self):
        raise models.ProtectedError(
            f"{self.model._meta.verbose_name_plural.capitalize()} are never deleted: issue a credit note.",
            set(self),
        )


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    CREDITED = "credited", "Credited in full"


class Invoice(models.Model):
    number = models.CharField(max_length=30, unique=True)
    body = models.ForeignKey(InvoicingBody, on_delete=models.PROTECT, related_name="invoices")
    financial_year = models.PositiveSmallIntegerField()
    sequence_number = models.PositiveIntegerField()
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="invoices")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="invoices")
    status = models.CharField(max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    issue_date = models.DateField()
    due_date = models.DateField()
    # Snapshots: who is billed, and who bills them, as printed.
    bill_to_name = models.CharField(max_length=200)
    bill_to_address = models.TextField()
    bill_to_email = models.EmailField(blank=True)
    buyer_name = models.CharField(max_length=150, blank=True)
    buyer_email = models.EmailField(blank=True)
    purchase_order_number = models.CharField(max_length=50, blank=True)
    body_name = models.CharField(max_length=200)
    body_address = models.TextField()
    body_payment_details = models.TextField()
    body_email = models.EmailField(blank=True)
    body_vat_number = models.CharField(max_length=30, blank=True)
    subtotal = models.DecimalField(max_digits=10, decimal_places=2)
    discount_total = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    amount_credited = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default="GBP")
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    marked_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["school", "-issue_date"]),
            models.Index(fields=["body", "issue_date"]),
            models.Index(fields=["status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "financial_year", "sequence_number"],
                name="invoice_number_unique_per_body_year",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0, subtotal__gte=0, discount_total__gte=0, amount_credited__gte=0)
                & Q(amount_credited__lte=F("total")),
                name="invoice_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def delete(self, *args, **kwargs):
        raise models.ProtectedError("Invoices are never deleted: issue a credit note.", {self})

    @property
    def balance(self) -> Decimal:
        """What the school still owes (nothing once paid or credited in full)."""
        if self.status == InvoiceStatus.PAID:
            return Decimal("0.00")
        return self.total - self.amount_credited

    @property
    def pdf_filename(self) -> str:
        return f"{self.number}.pdf"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    # One order line is invoiced once, ever.
    order_line = models.OneToOneField(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="invoice_line"
    )
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    price_reason = models.CharField(max_length=200, blank=True)
    delegates = models.JSONField(default=list, blank=True, help_text="Delegate names, as booked.")
    amount_credited = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0, amount_credited__gte=0) & Q(amount_credited__lte=F("total")),
                name="invoice_line_amounts_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.description}"

    def delete(self, *args, **kwargs):
        raise models.ProtectedError("Invoice lines are never deleted.", {self})

    @property
    def creditable(self) -> Decimal:
        return self.total - self.amount_credited


class CreditNote(models.Model):
    """Reverses all or part of one invoice; numbered in its body's own credit-note sequence."""

    number = models.CharField(max_length=30, unique=True)
    body = models.ForeignKey(InvoicingBody, on_delete=models.PROTECT, related_name="credit_notes")
    financial_year = models.PositiveSmallIntegerField()
    sequence_number = models.PositiveIntegerField()
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="credit_notes")
    issue_date = models.DateField()
    reason = models.CharField(max_length=300)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    bill_to_name = models.CharField(max_length=200)
    bill_to_address = models.TextField()
    bill_to_email = models.EmailField(blank=True)
    body_name = models.CharField(max_length=200)
    body_address = models.TextField()
    body_email = models.EmailField(blank=True)
    body_vat_number = models.CharField(max_length=30, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["school", "-issue_date"]),
            models.Index(fields=["body", "issue_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "financial_year", "sequence_number"],
                name="credit_note_number_unique_per_body_year",
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="credit_note_total_positive"),
        ]

    def __str__(self) -> str:
        return self.number

    def delete(self, *args, **kwargs):
        raise models.ProtectedError("Credit notes are never deleted.", {self})

    @property
    def pdf_filename(self) -> str:
        return f"{self.number}.pdf"


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="lines")
    invoice_line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, related_name="credit_lines")
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_line_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.credit_note}: {self.description}"

    def delete(self, *args, **kwargs):
        raise models.ProtectedError("Credit note lines are never deleted.", {self})


# --- Coupons ---------------------------------------------------------------------------------


class CouponKind(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage off"
    FIXED = "fixed", "Fixed amount off"


class Coupon(models.Model):
    """A promotional code. Codes are matched case-insensitively and stored in capitals."""

    code = models.CharField(max_length=40, unique=True)
    description = models.CharField(max_length=200, blank=True, help_text="For staff; not shown to buyers.")
    kind = models.CharField(max_length=12, choices=CouponKind.choices)
    value = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="A percentage (e.g. 10 = 10% off) or an amount in pounds."
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty = unlimited.")
    max_uses_per_school = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty = unlimited. Guests count per email address."
    )
    times_used = models.PositiveIntegerField(default=0, editable=False)
    products = models.ManyToManyField(
        "catalogue.Product", blank=True, related_name="coupons", help_text="Only these products (or none)."
    )
    categories = models.ManyToManyField(
        "events.Category", blank=True, related_name="coupons", help_text="Only events in these categories."
    )
    minimum_spend = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    combines_with_package_discounts = models.BooleanField(
        default=False,
        help_text="If unticked, lines already discounted by a package are left out.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="coupon_code_case_insensitive_unique"),
            models.CheckConstraint(condition=Q(value__gt=0), name="coupon_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(value__lte=100), name="coupon_percentage_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(times_used__lte=F("max_uses")),
                name="coupon_not_overused",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=F("valid_from")),
                name="coupon_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        from pricing.money import format_gbp

        if self.kind == CouponKind.PERCENTAGE:
            return f"{self.value.normalize():f}% off"
        return f"{format_gbp(self.value)} off"


class CouponRedemption(models.Model):
    """One use of a coupon by one order. A voided use (an unpaid card order released) no longer counts."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="coupon_redemption")
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="coupon_redemptions"
    )
    email = models.EmailField(blank=True, help_text="The buyer's email (counts a guest's uses).")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["coupon", "school"]), models.Index(fields=["coupon", "email"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="coupon_redemption_amount_ok")]

    def __str__(self) -> str:
        return f"{self.coupon} on {self.order}"


class BasketCoupon(models.Model):
    """The promotional code a buyer applied to their basket (checked again at checkout)."""

    basket = models.OneToOneField("basket.Basket", on_delete=models.CASCADE, related_name="coupon")
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="+")
    applied_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.coupon} on basket {self.basket_id}"


class OrderToInvoice(Order):
    """Back-office view of orders placed on account whose invoices staff still have to issue."""

    class Meta:
        proxy = True
        verbose_name = "order to invoice"
        verbose_name_plural = "orders to invoice"
