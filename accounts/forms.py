"""Forms for logging in, requesting an account, passwords, account details and a school's users.

Forms parse and check input; the rules live in accounts.services. `GovukFormMixin` gives each
widget the GOV.UK Frontend classes and links it to its hint and error message."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from schools.models import FinancialYearStart, LocalAuthority, Phase, School

from .models import Role
from .services import INVITABLE_ROLES


class GovukFormMixin:
    """GOV.UK classes on every widget, `--error` variants and aria-describedby for hints/errors."""

    def _decorate(self) -> None:
        errors = self._errors or {}
        for name, field in self.fields.items():
            widget = field.widget
            kind = type(widget).__name__
            has_error = name in errors
            if isinstance(widget, forms.RadioSelect):
                widget.attrs["class"] = "govuk-radios__input"
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "govuk-checkboxes__input"
                continue
            if isinstance(widget, forms.Select):
                base = "govuk-select"
            elif isinstance(widget, forms.Textarea):
                base = "govuk-textarea"
            else:
                base = "govuk-input"
            if "data-extra-class" in widget.attrs:
                widget.extra_class = widget.attrs.pop("data-extra-class")
            extra = getattr(widget, "extra_class", "")
            classes = [base, extra] if extra else [base]
            if kind == "PasswordInput":
                classes += ["govuk-password-input__input", "govuk-js-password-input-input"]
            if has_error:
                classes.append(f"{base}--error")
            widget.attrs["class"] = " ".join(classes)
            described = []
            if field.help_text:
                described.append(f"id_{self.add_prefix(name)}-hint")
            if has_error:
                described.append(f"id_{self.add_prefix(name)}-error")
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)
            else:
                widget.attrs.pop("aria-describedby", None)

    def full_clean(self):
        super().full_clean()
        self._decorate()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._decorate()


def _radio_field(label: str, choices, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, **kwargs)


def email_field(
    *, label: str = "Email address", help_text: str = "", required_message: str = "Enter your email address."
) -> forms.EmailField:
    """An email address field as every accounts form asks for it (labels and messages people act on)."""
    return forms.EmailField(
        label=label,
        max_length=254,
        help_text=help_text,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": required_message,
            "invalid": "Enter an email address in the right format, like name@school.sch.uk.",
        },
    )


# --- Logging in ---------------------------------------------------------------------------


class LoginForm(GovukFormMixin, AuthenticationForm):
    username = email_field()
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password.",
        "inactive": "This account has been deactivated. Contact your school's key user.",
    }


# --- Requesting an account ------------------------------------------------------------------


class AccountRequestForm(GovukFormMixin, forms.Form):
    full_name = forms.CharField(
        label="Your full name",
        max_length=150,
        help_text="The school business manager or the main person who buys for the school.",
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Enter your full name."},
    )
    job_title = forms.CharField(
        label="Your job title (optional)",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    school_name = forms.CharField(
        label="School name",
        max_length=200,
        help_text="Start typing to choose from the schools we know.",
        widget=forms.TextInput(attrs={"list": "school-names", "autocomplete": "off"}),
        error_messages={"required": "Enter the name of your school."},
    )
    school_urn = forms.RegexField(
        label="School URN (optional)",
        regex=r"^\d{5,8}$",
        required=False,
        help_text="The 6-digit unique reference number on Get Information about Schools, if you know it.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "data-extra-class": "govuk-input--width-10"}),
        error_messages={"invalid": "A URN is a number of 5 to 8 digits, like 102345."},
    )
    email = email_field(help_text="Your work email address. We send the link to set your password here.")
    phone = forms.RegexField(
        label="Phone number",
        regex=r"^[0-9+()\-\s]{7,30}$",
        max_length=30,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "data-extra-class": "govuk-input--width-20"}
        ),
        error_messages={
            "required": "Enter a phone number we can call you on.",
            "invalid": "Enter a phone number, like 020 7946 0000.",
        },
    )


# --- Passwords ----------------------------------------------------------------------------


class PasswordResetRequestForm(GovukFormMixin, forms.Form):
    email = email_field()


NEW_PASSWORD_HELP = (
    "Use at least a medium-strength password. Three or four unrelated words make a good one; "
    "avoid your name, your school and common words or dates."
)


def _new_password_field(label: str = "New password") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=4096,
        help_text=NEW_PASSWORD_HELP,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages={"required": "Enter a new password."},
    )


class NewPasswordForm(GovukFormMixin, forms.Form):
    """A new password for `user`, checked by every validator (zxcvbn with the user's own words)."""

    new_password = _new_password_field()

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_password(self):
        password = self.cleaned_data["new_password"]
        password_validation.validate_password(password, self.user)
        return password


class PasswordChangeForm(NewPasswordForm):
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your current password."},
    )
    field_order = ["current_password", "new_password"]

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Your current password is not right. Enter it again.")
        return password


# --- Account details ------------------------------------------------------------------------


class NameForm(GovukFormMixin, forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Enter your full name."},
    )


class EmailChangeForm(GovukFormMixin, forms.Form):
    new_email = email_field(
        label="New email address",
        help_text="We send a link to this address; the change happens when you follow it.",
        required_message="Enter your new email address.",
    )
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        help_text="To keep your account safe, confirm it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your current password."},
    )


# --- A school's users --------------------------------------------------------------------

ROLE_CHOICES = [(role.value, role.label) for role in INVITABLE_ROLES]


class InviteForm(GovukFormMixin, forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"required": "Enter your colleague's full name."},
    )
    email = email_field(required_message="Enter your colleague's email address.")
    role = _radio_field("Role", ROLE_CHOICES, error_messages={"required": "Choose a role."})


class RoleForm(GovukFormMixin, forms.Form):
    role = _radio_field("Role", ROLE_CHOICES, error_messages={"required": "Choose a role."})


class HandOverForm(GovukFormMixin, forms.Form):
    previous_key_user_role = _radio_field(
        "Your role after the hand-over",
        ROLE_CHOICES,
        initial=Role.BUSINESS_MANAGER,
        error_messages={"required": "Choose your role after the hand-over."},
    )
    confirm = forms.BooleanField(
        label="I understand I will no longer manage this school's users",
        error_messages={"required": "Confirm that you want to hand over the key user role."},
    )


class ActingSchoolForm(GovukFormMixin, forms.Form):
    school = forms.ModelChoiceField(
        label="School you are acting for",
        queryset=School.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your trust's schools."},
    )

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else School.objects.none()


# --- Back office: deciding an account request -----------------------------------------------


class ApproveForm(forms.Form):
    EXISTING, NEW = "existing", "new"
    school_choice = forms.ChoiceField(
        label="School",
        choices=[(EXISTING, "Link to an existing school"), (NEW, "Create a new school")],
        widget=forms.RadioSelect,
        initial=EXISTING,
    )
    school = forms.ModelChoiceField(
        label="Existing school", queryset=School.objects.order_by("name"), required=False
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[(Role.KEY_USER.value, Role.KEY_USER.label)] + ROLE_CHOICES,
        initial=Role.KEY_USER,
    )
    name = forms.CharField(label="New school's name", max_length=200, required=False)
    urn = forms.RegexField(label="URN", regex=r"^\d{5,8}$", required=False)
    phase = forms.ChoiceField(label="Phase", choices=[("", "—")] + Phase.choices, required=False)
    has_sixth_form = forms.BooleanField(label="Has a sixth form", required=False)
    local_authority = forms.ChoiceField(
        label="Local authority", choices=[("", "—")] + LocalAuthority.choices, required=False
    )
    local_authority_name = forms.CharField(label="Authority's name (if elsewhere)", required=False)
    financial_year_start = forms.TypedChoiceField(
        label="Financial year starts",
        choices=FinancialYearStart.choices,
        coerce=int,
        initial=FinancialYearStart.APRIL,
    )
    address_line_1 = forms.CharField(label="Address line 1", required=False)
    address_line_2 = forms.CharField(label="Address line 2", required=False)
    town = forms.CharField(label="Town", required=False, initial="London")
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    fte_pupils = forms.DecimalField(
        label="FTE pupils (October census)", required=False, min_value=0, decimal_places=1
    )
    census_year = forms.IntegerField(label="Census year", required=False, min_value=2000, max_value=2100)

    NEW_SCHOOL_FIELDS = [
        "name",
        "urn",
        "phase",
        "has_sixth_form",
        "local_authority",
        "local_authority_name",
        "financial_year_start",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
        "fte_pupils",
        "census_year",
    ]

    def clean(self):
        data = super().clean()
        if data.get("school_choice") == self.EXISTING and not data.get("school"):
            self.add_error("school", "Choose the school to link the requester to.")
        if data.get("school_choice") == self.NEW:
            for name, message in (
                ("name", "Enter the new school's name."),
                ("phase", "Choose the new school's phase."),
                ("local_authority", "Choose the new school's local authority."),
            ):
                if not data.get(name):
                    self.add_error(name, message)
        return data

    def new_school_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.NEW_SCHOOL_FIELDS} | {
            "urn": self.cleaned_data.get("urn") or "",
            "local_authority_name": self.cleaned_data.get("local_authority_name") or "",
            "address_line_1": self.cleaned_data.get("address_line_1") or "",
            "address_line_2": self.cleaned_data.get("address_line_2") or "",
            "town": self.cleaned_data.get("town") or "",
            "postcode": self.cleaned_data.get("postcode") or "",
        }


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the requester)",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason: the requester reads it in the email we send."},
    )


__all__ = [
    "AccountRequestForm",
    "ActingSchoolForm",
    "ApproveForm",
    "EmailChangeForm",
    "HandOverForm",
    "InviteForm",
    "LoginForm",
    "NameForm",
    "NewPasswordForm",
    "PasswordChangeForm",
    "PasswordResetRequestForm",
    "RejectForm",
    "RoleForm",
]
