from django.contrib import admin

from .models import Category, Event, EventSession, Subject, Venue


class EventSessionInline(admin.TabularInline):
    model = EventSession
    extra = 1
    autocomplete_fields = ["venue"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "status", "capacity", "places_taken"]
    list_filter = ["status", "categories", "booking_rule"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["categories", "subjects"]
    inlines = [EventSessionInline]
    readonly_fields = ["places_taken", "starts_at", "ends_at", "is_online"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "is_governor_training"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    search_fields = ["name", "postcode"]
