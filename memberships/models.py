"""Annual memberships of the partnership, and each year's price settings."""

from django.db import models
from django.db.models import Q

from .years import lapse_date, year_label, year_start


class MembershipType(models.TextChoices):
    FULL = "full", "Full membership"
    ASSOCIATE = "associate", "Associate membership"


class PriceSettings(models.Model):
    """What membership costs in one membership year, for one type. Staff edit these."""

    year = models.PositiveSmallIntegerField(help_text="The year it starts: 2026 = 2026/27.")
    membership_type = models.CharField(max_length=16, choices=MembershipType.choices)
    rate_per_pupil = models.DecimalField(max_digits=8, decimal_places=2)
    cap = models.DecimalField(max_digits=10, decimal_places=2)
    cap_secondary_sixth_form = models.DecimalField(max_digits=10, decimal_places=2)
    further_education_price = models.DecimalField(max_digits=10, decimal_places=2)
    new_joiner_minimum = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["-year", "membership_type"]
        verbose_name = "membership price settings"
        verbose_name_plural = "membership price settings"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "membership_type"], name="one_price_settings_per_year_and_type"
            ),
            models.CheckConstraint(
                condition=Q(
                    rate_per_pupil__gte=0,
                    cap__gte=0,
                    cap_secondary_sixth_form__gte=0,
                    further_education_price__gte=0,
                    new_joiner_minimum__gte=0,
                ),
                name="price_settings_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_membership_type_display()} {year_label(self.year)}"


class MembershipStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"


class PaymentDue(models.TextChoices):
    NOW = "now", "Now"
    FINANCIAL_YEAR_START = "financial_year_start", "At the start of the school's next financial year"


class Membership(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="memberships")
    year = models.PositiveSmallIntegerField(help_text="The year it starts: 2026 = 2026/27.")
    membership_type = models.CharField(max_length=16, choices=MembershipType.choices)
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    price = models.DecimalField(max_digits=10, decimal_places=2)
    quote_working = models.JSONField(default=list, blank=True)
    payment_due = models.CharField(max_length=32, choices=PaymentDue.choices, default=PaymentDue.NOW)
    payment_due_date = models.DateField(null=True, blank=True)
    starts_on = models.DateField()
    ordered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    recorded_by_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year"],
                condition=~Q(status="cancelled"),
                name="one_membership_per_school_and_year",
            )
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.school} {year_label(self.year)}"

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    @property
    def year_start(self):
        return year_start(self.year)

    @property
    def lapse_date(self):
        return lapse_date(self.year)
