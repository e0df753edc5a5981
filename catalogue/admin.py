from django.contrib import admin, messages
from django.shortcuts import render

from portal.errors import DomainError

from .models import Entitlement, EntitlementAwaitingApproval, EntitlementStatus, Product
from .services import entitlement_approve, entitlement_decline


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "membership_year",
        "member_price",
        "non_member_price",
        "members_only",
        "haringey_only",
        "places_limit",
        "needs_approval",
        "invoicing_body",
        "is_active",
    ]
    list_filter = [
        "kind",
        "membership_year",
        "invoicing_body",
        "needs_approval",
        "members_only",
        "haringey_only",
        "is_active",
    ]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["covers_categories"]
    fieldsets = [
        (None, {"fields": ["kind", "name", "slug", "summary", "description", "is_active", "position"]}),
        ("Price", {"fields": ["member_price", "non_member_price", "invoicing_body", "membership_year"]}),
        ("Who may buy", {"fields": ["members_only", "haringey_only", "needs_approval"]}),
        (
            "What it grants",
            {
                "fields": ["covers_categories", "places_limit"],
                "description": "Events in these categories are free for the buying school during the "
                "membership year, up to the number of delegate places (empty = unlimited).",
            },
        ),
    ]


def _approve(modeladmin, request, queryset):
    done = 0
    for entitlement in queryset:
        try:
            entitlement_approve(entitlement=entitlement, actor=request.user)
            done += 1
        except DomainError as error:
            modeladmin.message_user(request, error.message, messages.ERROR)
    if done:
        modeladmin.message_user(request, f"Approved {done}; the buyers have been emailed.", messages.SUCCESS)


_approve.short_description = "Approve selected packages (emails the buyer)"


def _decline(modeladmin, request, queryset):
    """Asks for the reason first (the buyer reads it), then declines."""
    if request.POST.get("confirm") == "yes":
        reason = (request.POST.get("reason") or "").strip()
        if reason:
            done = 0
            for entitlement in queryset:
                try:
                    entitlement_decline(entitlement=entitlement, actor=request.user, reason=reason)
                    done += 1
                except DomainError as error:
                    modeladmin.message_user(request, error.message, messages.ERROR)
            if done:
                modeladmin.message_user(
                    request, f"Declined {done}; the buyers have been emailed.", messages.SUCCESS
                )
            return None
        modeladmin.message_user(request, "Give the reason for declining.", messages.ERROR)
    return render(
        request,
        "admin/catalogue/entitlement_decline.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Decline packages",
            "entitlements": queryset.select_related("school", "product"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


_decline.short_description = "Decline selected packages (asks for a reason, emails the buyer)"


@admin.register(Entitlement)
class EntitlementAdmin(admin.ModelAdmin):
    list_display = [
        "school",
        "product",
        "membership_year",
        "status",
        "places_used",
        "places_limit",
        "created_at",
        "decided_by",
    ]
    list_filter = ["status", "membership_year", "product"]
    search_fields = ["school__name", "product__name"]
    list_select_related = ["school", "product", "decided_by"]
    readonly_fields = [
        "order_line",
        "decided_by",
        "decided_at",
        "decision_reason",
        "places_used",
        "created_at",
    ]
    raw_id_fields = ["school"]
    actions = [_approve, _decline]


@admin.register(EntitlementAwaitingApproval)
class EntitlementAwaitingApprovalAdmin(EntitlementAdmin):
    """The queue staff work through: purchases of "needs approval" packages."""

    list_filter = ["membership_year"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=EntitlementStatus.AWAITING_APPROVAL)

    def has_add_permission(self, request):
        return False
