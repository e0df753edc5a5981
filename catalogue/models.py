"""The shop: packages (which grant entitlements) and traded services."""

from django.db import models
from django.db.models import Q


class ProductKind(models.TextChoices):
    PACKAGE = "package", "Package"
    TRADED_SERVICE = "traded_service", "Traded service"


class Product(models.Model):
    kind = models.CharField(max_length=20, choices=ProductKind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    member_price = models.DecimalField(max_digits=10, decimal_places=2)
    non_member_price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Leave empty when only members may buy it.",
    )
    members_only = models.BooleanField(default=False)
    haringey_only = models.BooleanField(default=False, help_text="Only for Haringey settings.")
    membership_year = models.PositiveSmallIntegerField(
        help_text="The membership year it covers: 2026 = 2026/27."
    )
    invoicing_body = models.ForeignKey("billing.InvoicingBody", on_delete=models.PROTECT)
    # What a package grants: free places on events in these categories during its year.
    covers_categories = models.ManyToManyField("events.Category", blank=True, related_name="packages")
    places_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Delegate places it covers; empty = unlimited."
    )
    needs_approval = models.BooleanField(
        default=False, help_text="Staff approve each purchase before it takes effect."
    )
    is_active = models.BooleanField(default=True, help_text="Shown in the shop.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_price__gte=0)
                & (Q(non_member_price__isnull=True) | Q(non_member_price__gte=0)),
                name="product_prices_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_package(self) -> bool:
        return self.kind == ProductKind.PACKAGE


class EntitlementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


class Entitlement(models.Model):
    """What a school holds by buying a product for a membership year: free places on events in
    the product's categories (optionally limited). Read with catalogue.entitlements."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="entitlements")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="entitlements")
    membership_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=EntitlementStatus.choices)
    places_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Empty = unlimited.")
    places_used = models.PositiveIntegerField(default=0)
    order_line = models.ForeignKey(
        "orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="entitlements"
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why it was approved or declined.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-membership_year", "product__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "product", "membership_year"],
                condition=~Q(status__in=["declined", "cancelled"]),
                name="one_entitlement_per_school_product_year",
            ),
            models.CheckConstraint(
                condition=Q(places_limit__isnull=True) | Q(places_used__lte=models.F("places_limit")),
                name="entitlement_places_within_limit",
            ),
        ]
        indexes = [models.Index(fields=["school", "membership_year", "status"])]

    def __str__(self) -> str:
        return f"{self.school}: {self.product} ({self.membership_year})"

    @property
    def places_left(self) -> int | None:
        if self.places_limit is None:
            return None
        return max(self.places_limit - self.places_used, 0)

    @property
    def year_label(self) -> str:
        from memberships.years import year_label

        return year_label(self.membership_year)

    @property
    def starts_on(self):
        from memberships.years import year_start

        return year_start(self.membership_year)

    @property
    def ends_on(self):
        from memberships.years import lapse_date

        return lapse_date(self.membership_year)


class EntitlementAwaitingApproval(Entitlement):
    """The back-office queue: purchases of "needs approval" products waiting for staff."""

    class Meta:
        proxy = True
        verbose_name = "package awaiting approval"
        verbose_name_plural = "packages awaiting approval"
