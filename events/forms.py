"""The calendar's filter form (GET, so a filtered view is a link to share) and the back
office's forms. Forms parse and check input; the rules live in services and selectors."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils import timezone

from catalogue.models import ProductKind

from .models import BookingRule, Category, Event, EventSession, EventStatus, Subject
from .richtext import ALLOWED_TAGS
from .selectors import CalendarFilters
from .services import capacity_problem

DATE_HELP = "For example, 27/03/2027"


class CalendarFilterForm(forms.Form):
    """?q=&category=<slug>&subject=<slug>&from=YYYY-MM-DD&to=YYYY-MM-DD (also dd/mm/yyyy).
    An invalid filter is reported and left out; the valid ones still apply."""

    q = forms.CharField(label="Search titles and summaries", required=False, max_length=100, strip=True)
    category = forms.ChoiceField(
        label="Category", required=False, error_messages={"invalid_choice": "Choose a category from the list"}
    )
    subject = forms.ChoiceField(
        label="Subject", required=False, error_messages={"invalid_choice": "Choose a subject from the list"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query each for the lists, which also serve to check what was chosen.
        self._categories = {c.slug: c for c in Category.objects.order_by("name")}
        self._subjects = {s.slug: s for s in Subject.objects.order_by("name")}
        self.fields["category"].choices = [("", "All categories")] + [
            (slug, c.name) for slug, c in self._categories.items()
        ]
        self.fields["subject"].choices = [("", "All subjects")] + [
            (slug, s.name) for slug, s in self._subjects.items()
        ]
        # "from" and "to" are the names in the URL; Python will not take them as attribute names.
        self.fields["from"] = forms.DateField(
            label="Starting from",
            required=False,
            error_messages={
                "invalid": "Enter the ‘starting from’ date as a real date, for example 27/03/2027"
            },
        )
        self.fields["to"] = forms.DateField(
            label="Starting by",
            required=False,
            error_messages={"invalid": "Enter the ‘starting by’ date as a real date, for example 27/03/2027"},
        )
        for name in ("q", "from", "to"):
            self.fields[name].widget.attrs.update({"class": "govuk-input"})
        for name in ("from", "to"):
            self.fields[name].widget.input_type = "date"
            self.fields[name].widget.format = "%Y-%m-%d"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = "govuk-input--error"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def clean_category(self) -> Category | None:
        return self._categories.get(self.cleaned_data.get("category") or "")

    def clean_subject(self) -> Subject | None:
        return self._subjects.get(self.cleaned_data.get("subject") or "")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and end < start:
            self.add_error(
                "to", "The ‘starting by’ date must be the same as or after the ‘starting from’ date"
            )
            cleaned.pop("to", None)
        return cleaned

    def filters(self) -> CalendarFilters:
        """The filters that are valid (call after is_valid())."""
        data = getattr(self, "cleaned_data", {})
        return CalendarFilters(
            text=data.get("q") or "",
            category=data.get("category"),
            subject=data.get("subject"),
            date_from=data.get("from"),
            date_to=data.get("to"),
        )


MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class MonthFilterForm(CalendarFilterForm):
    month = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_month(self) -> dt.date:
        value = (self.cleaned_data.get("month") or "").strip()
        today = timezone.localdate()
        if not value:
            return today.replace(day=1)
        match = MONTH_RE.match(value)
        if not match or not (1 <= int(match.group(2)) <= 12) or not (2000 <= int(match.group(1)) <= 2100):
            raise forms.ValidationError("Enter the month as year and month, for example 2027-01")
        return dt.date(int(match.group(1)), int(match.group(2)), 1)

    def month_shown(self) -> dt.date:
        return getattr(self, "cleaned_data", {}).get("month") or timezone.localdate().replace(day=1)


# --- Back office ------------------------------------------------------------------------------

RESERVED_SLUGS = {"month"}  # /events/month/ is the month view


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title",
            "slug",
            "summary",
            "description",
            "categories",
            "subjects",
            "capacity",
            "max_delegates_per_booking",
            "member_price",
            "non_member_price",
            "status",
            "booking_rule",
            "required_product",
            "booking_cutoff",
            "invoicing_body",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 12, "cols": 80})}
        help_texts = {
            "description": "HTML. Kept: "
            + ", ".join(sorted(ALLOWED_TAGS))
            + " (links keep only their address). Anything else, including scripts and styles, "
            "is removed when you save.",
            "capacity": "Delegate places. Cannot be lower than the places already taken.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "required_product" in self.fields:
            self.fields["required_product"].queryset = self.fields["required_product"].queryset.filter(
                kind=ProductKind.PACKAGE
            )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is reserved for a page of the calendar; choose another.")
        return slug

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            taken = Event.objects.values_list("places_taken", flat=True).get(pk=self.instance.pk)
            problem = capacity_problem(capacity=capacity, places_taken=taken)
            if problem:
                raise forms.ValidationError(problem)
        return capacity

    def clean_max_delegates_per_booking(self):
        value = self.cleaned_data.get("max_delegates_per_booking")
        if value is not None and value < 1:
            raise forms.ValidationError(
                "Leave it empty for no limit, or allow at least 1 delegate per booking."
            )
        return value

    def clean(self):
        cleaned = super().clean()
        rule, product = cleaned.get("booking_rule"), cleaned.get("required_product")
        if rule == BookingRule.PACKAGE and product is None:
            self.add_error("required_product", "Choose the package that holders must have.")
        elif rule and rule != BookingRule.PACKAGE and product is not None:
            self.add_error(
                "required_product",
                "Only events for holders of a given package name a package: clear it, "
                "or choose ‘Holders of a given package’.",
            )
        return cleaned


class EventSessionInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("starts_at")
        ]
        if getattr(self.instance, "status", None) == EventStatus.PUBLISHED and not kept:
            raise forms.ValidationError("A published event needs at least one session.")


class EventSessionAdminForm(forms.ModelForm):
    online_url = forms.URLField(
        label="Online URL",
        required=False,
        assume_scheme="https",
        help_text="Joining link for an online session: sent only to booked delegates, never shown publicly.",
    )

    class Meta:
        model = EventSession
        fields = ["starts_at", "ends_at", "venue", "online_url"]


class CopyToDateForm(forms.Form):
    starts_on = forms.DateField(
        label="New start date",
        widget=AdminDateWidget,
        help_text="The first session moves to this day; the others keep their spacing and times.",
    )
