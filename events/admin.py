from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from portal.errors import DomainError

from .forms import CopyToDateForm, EventAdminForm, EventSessionAdminForm, EventSessionInlineFormSet
from .models import Category, Event, EventSession, Subject, Venue
from .services import event_copy_to_date, event_save, event_sync_schedule


class EventSessionInline(admin.TabularInline):
    model = EventSession
    form = EventSessionAdminForm
    formset = EventSessionInlineFormSet
    extra = 1
    autocomplete_fields = ["venue"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ["title", "starts_at", "status", "booking_rule", "capacity", "places_taken", "is_online"]
    list_filter = ["status", "booking_rule", "is_online", "categories", "subjects"]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["categories", "subjects"]
    inlines = [EventSessionInline]
    readonly_fields = ["places_taken", "starts_at", "ends_at", "is_online"]
    actions = ["copy_to_new_date"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "categories", "subjects"]}),
        (
            "Places and prices",
            {
                "fields": [
                    "capacity",
                    "places_taken",
                    "max_delegates_per_booking",
                    "member_price",
                    "non_member_price",
                ]
            },
        ),
        (
            "Booking",
            {"fields": ["status", "booking_rule", "required_product", "booking_cutoff", "invoicing_body"]},
        ),
        (
            "Schedule",
            {
                "fields": ["starts_at", "ends_at", "is_online"],
                "description": "Worked out from the sessions below when you save.",
            },
        ),
    ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            # A booking changed the event between the form's checks and the save (rolled back).
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        event_save(event=obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        event_sync_schedule(form.instance)

    @admin.action(description="Copy to a new date", permissions=["add"])
    def copy_to_new_date(self, request, queryset):
        events = list(queryset[:2])
        if len(events) != 1:
            self.message_user(request, "Choose one event to copy to a new date.", messages.WARNING)
            return None
        event = events[0]
        form = CopyToDateForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                copy = event_copy_to_date(
                    event=event, starts_on=form.cleaned_data["starts_on"], actor=request.user
                )
            except DomainError as error:
                form.add_error("starts_on", error.message)
            else:
                self.log_addition(request, copy, f"Copied from “{event}” (id {event.pk}) to a new date.")
                url = reverse("admin:events_event_change", args=[copy.pk])
                self.message_user(
                    request,
                    format_html(
                        "Copied as a draft: <a href='{}'>{}</a>. Check it and publish it when ready.",
                        url,
                        copy,
                    ),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Copy “{event}” to a new date",
            "event": event,
            "sessions": list(event.sessions.select_related("venue")),
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/events/event/copy_to_date.html", context)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "is_governor_training"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "postcode"]
    search_fields = ["name", "postcode"]
