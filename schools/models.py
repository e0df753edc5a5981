"""Schools and trusts: who the partnership serves, with their census figures over the years."""

from django.db import models
from django.db.models import Q


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all-through", "All-through"
    SPECIAL = "special", "Special"
    ALTERNATIVE_PROVISION = "alternative-provision", "Alternative provision / PRU"
    FURTHER_EDUCATION = "further-education", "Further education"


class LocalAuthority(models.TextChoices):
    HARINGEY = "haringey", "Haringey"
    ENFIELD = "enfield", "Enfield"
    OTHER = "other", "Elsewhere"


class FinancialYearStart(models.IntegerChoices):
    APRIL = 4, "April (maintained schools)"
    SEPTEMBER = 9, "September (academies)"


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)
    companies_house_number = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    name = models.CharField(max_length=200, db_index=True)
    urn = models.CharField(
        "URN",
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        help_text="The DfE's unique reference number (Get Information about Schools).",
    )
    phase = models.CharField(max_length=32, choices=Phase.choices)
    has_sixth_form = models.BooleanField(default=False)
    local_authority = models.CharField(max_length=16, choices=LocalAuthority.choices)
    local_authority_name = models.CharField(
        max_length=100, blank=True, help_text="The authority's name when it is elsewhere."
    )
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="schools")
    financial_year_start = models.PositiveSmallIntegerField(
        choices=FinancialYearStart.choices, default=FinancialYearStart.APRIL
    )
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True, default="London")
    postcode = models.CharField(max_length=10, blank=True)
    billing_email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def in_partnership_area(self) -> bool:
        return self.local_authority in (LocalAuthority.HARINGEY, LocalAuthority.ENFIELD)

    @property
    def is_haringey(self) -> bool:
        return self.local_authority == LocalAuthority.HARINGEY

    @property
    def billing_address(self) -> str:
        parts = [self.name, self.address_line_1, self.address_line_2, self.town, self.postcode]
        return "\n".join(p for p in parts if p)


class CensusFigure(models.Model):
    """A school's FTE pupil count from one October census. Corrections add a row: history is kept."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="census_figures")
    census_year = models.PositiveSmallIntegerField(
        help_text="The year of the October census (2026 = October 2026)."
    )
    fte_pupils = models.DecimalField("FTE pupils", max_digits=7, decimal_places=1)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-census_year", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["school", "-census_year", "-recorded_at"])]
        constraints = [models.CheckConstraint(condition=Q(fte_pupils__gte=0), name="census_fte_not_negative")]

    def __str__(self) -> str:
        return f"{self.school}: {self.fte_pupils} FTE (October {self.census_year})"
