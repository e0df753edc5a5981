"""Orders: what a school (on account) or a guest (by card) bought, line by line, with a
snapshot of every price; bookings are the delegates an event line places."""

from django.db import models
from django.db.models import Q


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting card payment"
    PLACED = "placed", "Placed"  # confirmed: on account, or card payment succeeded
    CANCELLED = "cancelled", "Cancelled"
    PAYMENT_FAILED = "payment_failed", "Payment failed"


class PaymentMethod(models.TextChoices):
    ACCOUNT = "account", "On account (invoice)"
    CARD = "card", "Card"


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    buyer = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    # Guests (and a snapshot of the buyer's details for account orders).
    buyer_name = models.CharField(max_length=150)
    buyer_email = models.EmailField()
    billing_name = models.CharField(max_length=200, blank=True)
    billing_address = models.TextField(blank=True)
    purchase_order_number = models.CharField(max_length=50, blank=True)
    subtotal = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    discount_total = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="GBP")
    # One order per submitted basket: a second submit finds this and places nothing new.
    idempotency_key = models.CharField(max_length=64, unique=True)
    places_held_until = models.DateTimeField(
        null=True, blank=True, help_text="For card orders: places are released after this."
    )
    placed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "-created_at"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0, subtotal__gte=0, discount_total__gte=0),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(payment_method="account") | Q(school__isnull=False),
                name="account_order_has_school",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class LineKind(models.TextChoices):
    EVENT = "event", "Event booking"
    PRODUCT = "product", "Package or service"
    MEMBERSHIP = "membership", "Membership"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=12, choices=LineKind.choices)
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="order_lines"
    )
    product = models.ForeignKey(
        "catalogue.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    membership = models.ForeignKey(
        "memberships.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    price_reason = models.CharField(max_length=200, blank=True)
    price_working = models.JSONField(default=list, blank=True)
    invoicing_body = models.ForeignKey("billing.InvoicingBody", on_delete=models.PROTECT)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0, discount__gte=0, unit_price__gte=0),
                name="order_line_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.description}"


class BookingStatus(models.TextChoices):
    HELD = "held", "Held (awaiting payment)"
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"


class Booking(models.Model):
    """One delegate's place on an event."""

    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="bookings")
    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="bookings")
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    delegate_name = models.CharField(max_length=150)
    delegate_email = models.EmailField()
    status = models.CharField(max_length=12, choices=BookingStatus.choices)
    entitlement = models.ForeignKey(
        "catalogue.Entitlement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
        help_text="The package place that made this delegate free.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["school", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.delegate_name} – {self.event}"


class OrderSequence(models.Model):
    """The last order number given for a prefix; locked while an order is placed, so numbers
    follow each other without gaps (a rolled-back order gives its number back)."""

    prefix = models.CharField(max_length=10, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last_number}"
