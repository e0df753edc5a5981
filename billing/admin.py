"""The finance back office: invoices (never deleted; paid, credited), credit notes, coupons,
orders awaiting invoices, and the finance list with its exports and monthly summary."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from orders.models import OrderLine, OrderStatus, PaymentMethod
from portal.admin import ReadOnlyAdmin
from portal.errors import DomainError

from . import exports, selectors, services
from .models import (
    BillingSettings,
    Coupon,
    CouponRedemption,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    InvoicingBody,
    NumberSequence,
    OrderToInvoice,
)
from .pdf import credit_note_pdf, invoice_pdf


@admin.register(InvoicingBody)
class InvoicingBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "invoice_prefix", "payment_terms_days", "is_default"]

    def save_model(self, request, obj, form, change):
        services.billing_settings_save(obj=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BillingSettings)
class BillingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "invoice_issue_mode"]

    def save_model(self, request, obj, form, change):
        services.billing_settings_save(obj=obj, actor=request.user)

    def has_add_permission(self, request):
        return not BillingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        row = BillingSettings.load()
        return HttpResponseRedirect(reverse("admin:billing_billingsettings_change", args=[row.pk]))


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["body", "kind", "financial_year", "last_number"]
    list_filter = ["body", "kind", "financial_year"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = readonly_fields = [
        "description",
        "quantity",
        "unit_price",
        "discount",
        "total",
        "amount_credited",
        "delegates",
    ]


class CreditNoteInline(ReadOnlyInline):
    model = CreditNote
    fields = readonly_fields = ["number", "issue_date", "reason", "total"]
    show_change_link = True


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label="Paid on", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label="Payment reference", max_length=100, required=False)


class CreditForm(forms.Form):
    reason = forms.CharField(label="Reason (printed on the credit note)", max_length=300)

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice_lines = list(invoice.lines.all())
        for line in self.invoice_lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=f"{line.description} (up to £{line.creditable:,.2f})",
                required=False,
                min_value=0,
                max_value=line.creditable,
                decimal_places=2,
                initial=line.creditable,
                disabled=line.creditable <= 0,
            )

    def line_fields(self):
        return [(line, self[f"line_{line.pk}"]) for line in self.invoice_lines]

    def amounts(self) -> dict:
        return {
            line.pk: self.cleaned_data[f"line_{line.pk}"]
            for line in self.invoice_lines
            if self.cleaned_data.get(f"line_{line.pk}")
        }


class FinanceFilterForm(forms.Form):
    body = forms.ChoiceField(label="Invoicing body", required=False)
    kind = forms.ChoiceField(
        label="Document",
        required=False,
        choices=[("", "Invoices and credit notes"), ("invoice", "Invoices"), ("credit_note", "Credit notes")],
    )
    status = forms.ChoiceField(
        label="Invoice status", required=False, choices=[("", "Any"), *InvoiceStatus.choices]
    )
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", "All bodies")] + [
            (b.code, b.name) for b in InvoicingBody.objects.order_by("name")
        ]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "body",
        "school",
        "issue_date",
        "due_date",
        "total",
        "amount_credited",
        "status",
    ]
    list_filter = ["body", "status", ("issue_date", admin.DateFieldListFilter), "financial_year"]
    search_fields = ["number", "school__name", "order__number", "purchase_order_number", "bill_to_name"]
    date_hierarchy = "issue_date"
    list_select_related = ["body", "school"]
    inlines = [InvoiceLineInline, CreditNoteInline]
    actions = ["mark_paid_today"]
    change_form_template = "admin/billing/invoice/change_form.html"
    change_list_template = "admin/billing/invoice/change_list.html"
    exclude = ["issued_by", "marked_paid_by"]

    def get_readonly_fields(self, request, obj=None):
        fields = [f.name for f in self.model._meta.fields if f.name not in self.exclude and f.name != "id"]
        return [*fields, "issued_by_name"]

    @admin.display(description="Issued by")
    def issued_by_name(self, obj):
        return obj.issued_by or "The portal (on placing)"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # an invoice never changes; it is paid or credited through the buttons

    def has_delete_permission(self, request, obj=None):
        return False

    def has_mark_paid_permission(self, request, obj=None):
        return request.user.has_perm("billing.change_invoice")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Mark the selected invoices paid today", permissions=["mark_paid"])
    def mark_paid_today(self, request, queryset):
        done = 0
        for invoice in queryset:
            try:
                services.invoice_mark_paid(invoice=invoice, actor=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, error.message, messages.WARNING)
        if done:
            self.message_user(
                request, f"{done} invoice{'s' if done != 1 else ''} marked paid.", messages.SUCCESS
            )

    def get_urls(self):
        own = [
            path("finance/", self.admin_site.admin_view(self.finance_view), name="billing_finance"),
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="billing_invoice_pdf"),
            path(
                "<int:pk>/credit/",
                self.admin_site.admin_view(self.credit_view),
                name="billing_invoice_credit",
            ),
            path("<int:pk>/pay/", self.admin_site.admin_view(self.pay_view), name="billing_invoice_pay"),
        ]
        return own + super().get_urls()

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice, pk=pk)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice.pdf_filename}"'
        return response

    def pay_view(self, request, pk):
        if not self.has_mark_paid_permission(request):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice, pk=pk)
        form = PaymentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.invoice_mark_paid(
                    invoice=invoice,
                    actor=request.user,
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, f"Invoice {invoice.number} marked paid.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:billing_invoice_change", args=[pk]))
        return TemplateResponse(
            request,
            "admin/billing/invoice/pay.html",
            self._context(
                request, f"Record payment of {invoice.number}", invoice=invoice, form=form, original=invoice
            ),
        )

    def credit_view(self, request, pk):
        if not request.user.has_perm("billing.add_creditnote"):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice, pk=pk)
        form = CreditForm(request.POST or None, invoice=invoice)
        if request.method == "POST" and form.is_valid():
            try:
                note = services.credit_note_issue(
                    invoice=invoice,
                    lines=form.amounts(),
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request,
                    f"Credit note {note.number} issued for £{note.total:,.2f} and emailed.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:billing_invoice_change", args=[pk]))
        return TemplateResponse(
            request,
            "admin/billing/invoice/credit.html",
            self._context(
                request, f"Credit invoice {invoice.number}", invoice=invoice, form=form, original=invoice
            ),
        )

    def finance_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = FinanceFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        rows = selectors.finance_documents(
            body=filters.get("body") or "",
            kind=filters.get("kind") or "",
            status=filters.get("status") or "",
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
        summary = selectors.finance_summary(rows)
        export = request.GET.get("export")
        stamp = timezone.localdate().isoformat()
        if export == "csv":
            response = HttpResponse(exports.finance_csv(rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="finance-{stamp}.csv"'
            return response
        if export == "xlsx":
            response = HttpResponse(
                exports.finance_xlsx(rows, summary),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="finance-{stamp}.xlsx"'
            return response
        query = request.GET.copy()
        query.pop("export", None)
        return TemplateResponse(
            request,
            "admin/billing/finance.html",
            self._context(
                request,
                "Finance: invoices and credit notes",
                form=form,
                rows=rows,
                summary=summary,
                query=query.urlencode(),
                totals=_totals(rows),
            ),
        )


def _totals(rows) -> dict:
    from pricing.money import ZERO, money

    return {
        "invoiced": money(sum((r.total for r in rows if r.kind == "Invoice"), ZERO)),
        "credited": money(-sum((r.total for r in rows if r.kind != "Invoice"), ZERO)),
        "outstanding": money(sum((r.balance for r in rows), ZERO)),
    }


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine
    fields = readonly_fields = ["description", "amount"]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):  # credit notes are issued from their invoice
    list_display = ["number", "body", "school", "invoice", "issue_date", "total"]
    list_filter = ["body", ("issue_date", admin.DateFieldListFilter)]
    search_fields = ["number", "invoice__number", "school__name"]
    list_select_related = ["body", "school", "invoice"]
    inlines = [CreditNoteLineInline]
    exclude = ["issued_by"]
    change_form_template = "admin/billing/creditnote/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude and f.name != "id"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_urls(self):
        own = [
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="billing_creditnote_pdf")
        ]
        return own + super().get_urls()

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        note = get_object_or_404(CreditNote, pk=pk)
        response = HttpResponse(credit_note_pdf(note), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{note.pdf_filename}"'
        return response


class CouponForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = [
            "code",
            "description",
            "kind",
            "value",
            "valid_from",
            "valid_until",
            "max_uses",
            "max_uses_per_school",
            "products",
            "categories",
            "minimum_spend",
            "combines_with_package_discounts",
            "is_active",
        ]

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        clash = Coupon.objects.filter(code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A coupon with this code already exists.")
        return code


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    form = CouponForm
    list_display = ["code", "kind", "value", "valid_from", "valid_until", "uses", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["code", "description"]
    filter_horizontal = ["products", "categories"]
    readonly_fields = ["times_used"]

    @admin.display(description="Used")
    def uses(self, obj):
        return f"{obj.times_used} of {obj.max_uses}" if obj.max_uses is not None else f"{obj.times_used}"

    def has_delete_permission(self, request, obj=None):
        # A coupon that was used is part of the orders' history: deactivate it instead.
        if obj is not None and obj.redemptions.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(ReadOnlyAdmin):
    list_display = ["coupon", "order", "school", "email", "amount", "created_at", "voided_at"]
    list_filter = ["coupon"]
    search_fields = ["coupon__code", "order__number", "school__name", "email"]
    list_select_related = ["coupon", "order", "school"]


@admin.register(OrderToInvoice)
class OrderToInvoiceAdmin(ReadOnlyAdmin):
    """Orders placed on account with lines not yet invoiced (e.g. when invoices are issued by
    staff rather than on placing): select them and issue their invoices."""

    list_display = [
        "number",
        "school",
        "buyer_name",
        "purchase_order_number",
        "total",
        "placed_at",
        "invoices",
    ]
    search_fields = ["number", "school__name", "purchase_order_number"]
    list_select_related = ["school"]
    actions = ["issue_invoices"]

    def get_queryset(self, request):
        uninvoiced = OrderLine.objects.filter(order=OuterRef("pk"), invoice_line__isnull=True, total__gt=0)
        return (
            super()
            .get_queryset(request)
            .filter(payment_method=PaymentMethod.ACCOUNT, status=OrderStatus.PLACED)
            .filter(Exists(uninvoiced))
            .prefetch_related("invoices")  # "Invoices so far", without a query per order
        )

    @admin.display(description="Invoices so far")
    def invoices(self, obj):
        numbers = [i.number for i in obj.invoices.all()]
        return ", ".join(numbers) or "None"

    def has_issue_permission(self, request):
        return request.user.has_perm("billing.add_invoice")

    @admin.action(description="Issue invoices for the selected orders", permissions=["issue"])
    def issue_invoices(self, request, queryset):
        issued = []
        for order in queryset:
            try:
                issued += services.invoices_issue_for_order(order=order, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{order.number}: {error.message}", messages.WARNING)
        if issued:
            numbers = ", ".join(i.number for i in issued)
            self.message_user(
                request, f"Issued and emailed {len(issued)} invoice(s): {numbers}.", messages.SUCCESS
            )
