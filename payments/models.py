"""Card payments through Stripe: one Payment per Checkout Session, the webhook events received
(each recorded once), and refunds."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting payment"
    SUCCEEDED = "succeeded", "Paid"
    FAILED = "failed", "Failed or cancelled"
    EXPIRED = "expired", "Expired"
    MISMATCH = "mismatch", "Paid the wrong amount: needs attention"
    REFUNDED = "refunded", "Refunded in full"
    PARTIALLY_REFUNDED = "partially_refunded", "Partly refunded"


class Payment(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    checkout_session_id = models.CharField(max_length=255, unique=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    return_token = models.CharField(
        max_length=64,
        unique=True,
        help_text="Identifies the buyer's return to the portal from the payment page.",
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="What the session asked for.")
    currency = models.CharField(max_length=3, default="GBP")
    amount_received = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    amount_refunded = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    failure_message = models.CharField(max_length=300, blank=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount_received__gte=0, amount_refunded__gte=0)
                & Q(amount_refunded__lte=F("amount_received")),
                name="payment_amounts_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} – {self.get_status_display()}"

    @property
    def refundable(self) -> Decimal:
        return self.amount_received - self.amount_refunded


class WebhookEvent(models.Model):
    """Each Stripe event is acted on once: its id is recorded under a unique constraint in the
    same transaction as what it changed."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Refunded"
    FAILED = "failed", "Failed"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    automatic = models.BooleanField(
        default=False, help_text="Refunded by the portal (e.g. places no longer free)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"Refund £{self.amount} on {self.payment.order}"
