from django.contrib import admin

from .models import Membership, PriceSettings


@admin.register(PriceSettings)
class PriceSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "membership_type",
        "rate_per_pupil",
        "cap",
        "cap_secondary_sixth_form",
        "further_education_price",
        "new_joiner_minimum",
    ]
    list_filter = ["membership_type"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["school", "year", "membership_type", "status", "price", "payment_due"]
    list_filter = ["year", "status", "membership_type"]
    search_fields = ["school__name"]
    autocomplete_fields = ["school"]
