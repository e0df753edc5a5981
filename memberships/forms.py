"""Input parsing for the membership pages. The rules (what a pupil count may be, which cap
applies) live in pricing and the services; these forms only turn text into values and say
which fields were left empty."""

from __future__ import annotations

from django import forms

from portal.errors import DomainError
from pricing.membership import SchoolFacts, pupils_checked
from schools.models import LocalAuthority, Phase

from .years import year_label

YES_NO = [("yes", "Yes"), ("no", "No")]
LOCAL_AUTHORITY_CHOICES = [
    (LocalAuthority.HARINGEY.value, "Haringey"),
    (LocalAuthority.ENFIELD.value, "Enfield"),
    (LocalAuthority.OTHER.value, "Elsewhere (associate membership)"),
]


class FeeCalculatorForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Membership year",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choose a membership year from the list."},
    )
    phase = forms.ChoiceField(
        label="What phase is the school?",
        choices=Phase.choices,
        error_messages={
            "required": "Select the school's phase.",
            "invalid_choice": "Select the school's phase.",
        },
    )
    sixth_form = forms.ChoiceField(
        label="Does the school have a sixth form?",
        choices=YES_NO,
        error_messages={
            "required": "Select whether the school has a sixth form.",
            "invalid_choice": "Select whether the school has a sixth form.",
        },
    )
    pupils = forms.CharField(
        label="How many FTE pupils are on the school's October census?",
        required=False,
        max_length=20,
        strip=True,
    )
    new_joiner = forms.ChoiceField(
        label="Is the school newly joining?",
        choices=YES_NO,
        error_messages={
            "required": "Select whether the school is newly joining.",
            "invalid_choice": "Select whether the school is newly joining.",
        },
    )
    local_authority = forms.ChoiceField(
        label="Where is the school?",
        choices=LOCAL_AUTHORITY_CHOICES,
        error_messages={
            "required": "Select where the school is.",
            "invalid_choice": "Select where the school is.",
        },
    )

    def __init__(self, *args, years: list[int], default_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_year = default_year
        self.fields["year"].choices = [(y, year_label(y)) for y in years]

    def clean_pupils(self) -> str:
        """Report a bad pupil count alongside the other fields (the rule is pricing's)."""
        value = self.cleaned_data.get("pupils", "")
        try:
            pupils_checked(value, required=False)
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code)
        return value

    def clean_year(self) -> int:
        return self.cleaned_data.get("year") or self.default_year

    def facts(self) -> SchoolFacts:
        data = self.cleaned_data
        return SchoolFacts(
            phase=data["phase"],
            pupils=data.get("pupils") or None,
            local_authority=data["local_authority"],
            has_sixth_form=data["sixth_form"] == "yes",
            new_joiner=data["new_joiner"] == "yes",
        )


class MembershipOrderForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput)
    payment_due = forms.ChoiceField(
        label="When should payment fall due?",
        error_messages={
            "required": "Select when payment should fall due.",
            "invalid_choice": "Select when payment should fall due.",
        },
    )

    def __init__(self, *args, years: list[int], payment_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, year_label(y)) for y in years]
        self.fields["year"].error_messages["invalid_choice"] = "That membership year cannot be ordered now."
        self.fields["payment_due"].choices = payment_choices


class CensusFigureForm(forms.Form):
    fte_pupils = forms.CharField(
        label="FTE pupils",
        max_length=20,
        error_messages={"required": "Enter the FTE pupil count from the October census."},
    )
    note = forms.CharField(
        label="Note",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say where the figure comes from or why it changed.",
            "max_length": "Keep the note to 300 characters or fewer.",
        },
    )
