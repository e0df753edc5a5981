"""Input of the Get Ticket and checkout pages. The rules themselves are in basket.services and
orders.services; these forms give each field its own error message."""

from __future__ import annotations

from django import forms
from django.forms import BaseFormSet, formset_factory


class DelegateForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter the delegate's full name."},
        widget=forms.TextInput(attrs={"class": "govuk-input", "autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the delegate's email address.",
            "invalid": "Enter an email address in the correct format, like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"class": "govuk-input", "autocomplete": "off", "spellcheck": "false"}),
    )


class BaseDelegateFormSet(BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen: dict[str, int] = {}
        for number, form in enumerate(self.forms, start=1):
            email = (form.cleaned_data.get("email") or "").strip().lower()
            if email in seen:
                form.add_error(
                    "email",
                    f"Delegate {seen[email]} has this email address too: each delegate needs their own.",
                )
            else:
                seen[email] = number


def delegate_formset(*, max_num: int):
    return formset_factory(
        DelegateForm,
        formset=BaseDelegateFormSet,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=max_num,
        validate_max=True,
        absolute_max=max(max_num, 1),
    )


class AccountCheckoutForm(forms.Form):
    purchase_order_number = forms.CharField(
        label="Purchase order number (optional)",
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)


class GuestCheckoutForm(forms.Form):
    buyer_name = forms.CharField(
        label="Your full name",
        max_length=150,
        error_messages={"required": "Enter your full name."},
        widget=forms.TextInput(attrs={"class": "govuk-input", "autocomplete": "name"}),
    )
    buyer_email = forms.EmailField(
        label="Your email address",
        help_text="We send your receipt and booking confirmation here.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address in the correct format, like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"class": "govuk-input", "autocomplete": "email"}),
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
