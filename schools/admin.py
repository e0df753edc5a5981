from django.contrib import admin

from .models import CensusFigure, School, Trust


class CensusFigureInline(admin.TabularInline):
    model = CensusFigure
    extra = 0
    fields = ["census_year", "fte_pupils", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "phase", "local_authority", "trust"]
    list_filter = ["phase", "local_authority", "has_sixth_form", "financial_year_start"]
    search_fields = ["name", "urn", "postcode"]
    autocomplete_fields = ["trust"]
    inlines = [CensusFigureInline]


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    list_display = ["name", "companies_house_number"]
