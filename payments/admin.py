"""Card payments in the back office: look them up, refund in full or in part."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from portal.admin import ReadOnlyAdmin
from portal.errors import DomainError

from . import services
from .models import Payment, Refund, WebhookEvent


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "created_at",
        "amount",
        "reason",
        "status",
        "automatic",
        "created_by",
        "stripe_refund_id",
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RefundForm(forms.Form):
    amount = forms.DecimalField(label="Amount to refund (£)", min_value=0.01, decimal_places=2)
    reason = forms.CharField(label="Reason (sent to the buyer)", max_length=300)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["order", "status", "amount", "amount_received", "amount_refunded", "created_at"]
    list_filter = ["status"]
    search_fields = ["order__number", "order__buyer_email", "checkout_session_id", "payment_intent_id"]
    list_select_related = ["order"]
    readonly_fields = [
        "order",
        "status",
        "amount",
        "currency",
        "amount_received",
        "amount_refunded",
        "failure_message",
        "checkout_session_id",
        "payment_intent_id",
        "created_at",
        "succeeded_at",
    ]
    exclude = ["return_token", "checkout_url"]
    inlines = [RefundInline]
    change_form_template = "admin/payments/payment/change_form.html"

    def get_urls(self):
        own = [
            path(
                "<int:pk>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="payments_payment_refund",
            )
        ]
        return own + super().get_urls()

    def refund_view(self, request, pk):
        if not request.user.has_perm("payments.add_refund"):
            raise PermissionDenied
        payment = get_object_or_404(Payment.objects.select_related("order"), pk=pk)
        form = RefundForm(request.POST or None, initial={"amount": payment.refundable})
        if request.method == "POST" and form.is_valid():
            try:
                refund = services.refund_card_payment(
                    order=payment.order,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request, f"Refunded £{refund.amount:,.2f} on {payment.order.number}.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:payments_payment_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Refund order {payment.order.number}",
            "payment": payment,
            "original": payment,
            "form": form,
        }
        return TemplateResponse(request, "admin/payments/payment/refund.html", context)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount", "status", "automatic", "reason", "created_by", "created_at"]
    list_filter = ["status", "automatic"]
    search_fields = ["payment__order__number", "stripe_refund_id"]
    list_select_related = ["payment__order", "created_by"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "type", "event_id", "object_id", "outcome"]
    list_filter = ["type"]
    search_fields = ["event_id", "object_id"]
