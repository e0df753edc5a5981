"""Annual memberships of the partnership, and each year's price settings."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from .years import lapse_date, year_label, year_start


class MembershipType(models.TextChoices):
    FULL = "full", "Full membership"
    ASSOCIATE = "associate", "Associate membership"


class PriceSettings(models.Model):
    """What membership costs in one membership year, for one type. Staff edit these."""

    year = models.PositiveSmallIntegerField(help_text="The year it starts: 2026 = 2026/27.")
    membership_type = models.CharField(
        max_length=16,
        choices=MembershipType.choices,
        help_text="Full membership is for schools in Haringey and Enfield; associate for schools elsewhere.",
    )
    rate_per_pupil = models.DecimalField(
        "rate per FTE pupil (£)",
        max_digits=8,
        decimal_places=2,
        help_text="Charged per FTE pupil on the school's October census figure.",
    )
    cap = models.DecimalField(
        "cap (£)",
        max_digits=10,
        decimal_places=2,
        help_text="The most a school pays (nursery, primary, secondary, all-through, special, "
        "alternative provision).",
    )
    cap_secondary_sixth_form = models.DecimalField(
        "cap with a sixth form (£)",
        max_digits=10,
        decimal_places=2,
        help_text="The most a secondary or all-through school with a sixth form pays.",
    )
    further_education_price = models.DecimalField(
        "further-education price (£)",
        max_digits=10,
        decimal_places=2,
        help_text="The fixed price for a further-education provider, whatever its size.",
    )
    new_joiner_minimum = models.DecimalField(
        "new-joiner minimum (£)",
        max_digits=10,
        decimal_places=2,
        help_text="The least a school newly joining pays (one that was not a member the year before). "
        "Must not be above either cap.",
    )

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
            models.CheckConstraint(
                condition=Q(new_joiner_minimum__lte=F("cap"))
                & Q(new_joiner_minimum__lte=F("cap_secondary_sixth_form")),
                name="price_settings_minimum_not_above_caps",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_membership_type_display()} {year_label(self.year)}"

    def clean(self) -> None:
        errors = {}
        if None not in (self.new_joiner_minimum, self.cap) and self.new_joiner_minimum > self.cap:
            errors["new_joiner_minimum"] = "The new-joiner minimum cannot be above the cap."
        if (
            None not in (self.new_joiner_minimum, self.cap_secondary_sixth_form)
            and self.new_joiner_minimum > self.cap_secondary_sixth_form
        ):
            errors["new_joiner_minimum"] = "The new-joiner minimum cannot be above the sixth-form cap."
        if errors:
            raise ValidationError(errors)

    @property
    def year_label(self) -> str:
        return year_label(self.year)


class MembershipStatus(models.TextChoices):
    """Pending until its year starts (or the day it is ordered, mid-year), then active until
    the lapse date (31 August), then lapsed. The stored value is brought up to date daily by
    `memberships.tasks.refresh_membership_statuses`; `Membership.status_on(day)` is always right."""

    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"
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

    def status_on(self, day: dt.date) -> str:
        """The status on `day`, from the dates alone (cancelled stays cancelled)."""
        if self.status == MembershipStatus.CANCELLED:
            return MembershipStatus.CANCELLED
        if day < self.starts_on:
            return MembershipStatus.PENDING
        if day > lapse_date(self.year):
            return MembershipStatus.LAPSED
        return MembershipStatus.ACTIVE


class ReminderSchedule(models.Model):
    """When member schools are reminded that their membership lapses: one row per reminder,
    e.g. 60, 30 and 7 days before 31 August. Staff add, change or switch them off."""

    days_before = models.PositiveSmallIntegerField(
        "days before the lapse date",
        unique=True,
        help_text="Send this reminder this many days before 31 August (the lapse date).",
    )
    is_active = models.BooleanField("send this reminder", default=True)

    class Meta:
        ordering = ["-days_before"]
        verbose_name = "membership reminder"
        verbose_name_plural = "membership reminder schedule"
        constraints = [
            models.CheckConstraint(
                condition=Q(days_before__gte=1, days_before__lte=365), name="reminder_days_in_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.days_before} days before the lapse date"


class ReminderSent(models.Model):
    """A reminder that went to a school: recorded once, so it is never sent twice."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="reminders_sent")
    days_before = models.PositiveSmallIntegerField()
    lapse_date = models.DateField()
    recipients = models.TextField(help_text="One address per line.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "membership reminder sent"
        verbose_name_plural = "membership reminders sent"
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "days_before"], name="one_reminder_per_membership_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership}: {self.days_before} days before {self.lapse_date:%-d %B %Y}"
