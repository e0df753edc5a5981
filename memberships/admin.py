from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from portal.errors import DomainError
from pricing.membership import membership_quote_for_school

from .models import Membership, PriceSettings, ReminderSchedule, ReminderSent
from .selectors import membership_get
from .services import membership_record
from .years import membership_year_for, year_label


@admin.register(PriceSettings)
class PriceSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "year_label",
        "membership_type",
        "rate_per_pupil",
        "cap",
        "cap_secondary_sixth_form",
        "further_education_price",
        "new_joiner_minimum",
    ]
    list_filter = ["membership_type", "year"]
    actions = ["copy_to_next_year"]

    @admin.display(description="Year", ordering="year")
    def year_label(self, obj):
        return obj.year_label

    @admin.action(description="Copy the selected settings to the following year (where not set yet)")
    def copy_to_next_year(self, request, queryset):
        copied = 0
        with transaction.atomic():
            for settings in queryset:
                _, created = PriceSettings.objects.get_or_create(
                    year=settings.year + 1,
                    membership_type=settings.membership_type,
                    defaults={
                        field: getattr(settings, field)
                        for field in (
                            "rate_per_pupil",
                            "cap",
                            "cap_secondary_sixth_form",
                            "further_education_price",
                            "new_joiner_minimum",
                        )
                    },
                )
                copied += created
        self.message_user(
            request, f"Copied {copied} price setting(s) to the following year.", messages.SUCCESS
        )


class MembershipRecordForm(forms.ModelForm):
    """Staff record a membership by hand: the price is the school's quote unless given."""

    price = forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        help_text="Leave empty to charge the school's quote for the year (from its latest census figure).",
    )
    create_order = forms.BooleanField(
        required=False,
        initial=True,
        label="Place an order to be invoiced",
        help_text="Untick when the school has paid outside the portal.",
    )

    class Meta:
        model = Membership
        fields = ["school", "year", "payment_due"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = membership_year_for(timezone.localdate())

    def clean(self):
        data = super().clean()
        school, year = data.get("school"), data.get("year")
        if school and year:
            if membership_get(school, year=year):
                raise forms.ValidationError(f"{school} already holds a membership for {year_label(year)}.")
            if data.get("price") is None:
                try:
                    membership_quote_for_school(school, year=year)
                except DomainError as error:
                    raise forms.ValidationError(f"{error.message} Or give the price yourself.")
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "school",
        "year_label",
        "membership_type",
        "status",
        "price",
        "payment_due_date",
        "order",
        "recorded_by_staff",
    ]
    list_filter = ["year", "status", "membership_type", "payment_due", "recorded_by_staff"]
    search_fields = ["school__name", "school__urn", "order__number"]
    autocomplete_fields = ["school"]
    list_select_related = ["school", "order"]
    readonly_fields = [
        "school",
        "year",
        "membership_type",
        "starts_on",
        "quote_working",
        "order",
        "ordered_by",
        "recorded_by_staff",
        "created_at",
    ]
    fields = [
        "school",
        "year",
        "membership_type",
        "status",
        "price",
        "quote_working",
        "payment_due",
        "payment_due_date",
        "starts_on",
        "order",
        "ordered_by",
        "recorded_by_staff",
        "created_at",
    ]

    @admin.display(description="Year", ordering="year")
    def year_label(self, obj):
        return obj.year_label

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["school", "year", "payment_due", "price", "create_order"]
        return self.fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipRecordForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        membership = membership_record(
            school=form.cleaned_data["school"],
            year=form.cleaned_data["year"],
            payment_due=form.cleaned_data["payment_due"],
            price=form.cleaned_data.get("price"),
            create_order=form.cleaned_data.get("create_order", False),
            actor=request.user,
        )
        # The admin logs and redirects with `obj`: make it the membership the service saved.
        for field in Membership._meta.concrete_fields:
            setattr(obj, field.attname, getattr(membership, field.attname))
        obj._state.adding = False
        obj._state.db = membership._state.db

    def has_delete_permission(self, request, obj=None):
        # A membership with an order is cancelled (status), never deleted.
        return False


@admin.register(ReminderSchedule)
class ReminderScheduleAdmin(admin.ModelAdmin):
    list_display = ["days_before", "is_active"]
    list_editable = ["is_active"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["membership", "days_before", "lapse_date", "sent_at"]
    list_filter = ["days_before", "lapse_date"]
    search_fields = ["membership__school__name", "recipients"]
    list_select_related = ["membership__school"]
    readonly_fields = ["membership", "days_before", "lapse_date", "recipients", "sent_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
