from django.contrib import admin

from .models import Booking, Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = [
        "kind",
        "description",
        "quantity",
        "unit_price",
        "discount",
        "total",
        "price_reason",
        "invoicing_body",
    ]
    fields = readonly_fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "status", "payment_method", "school", "buyer_email", "total", "created_at"]
    list_filter = ["status", "payment_method"]
    search_fields = ["number", "buyer_email", "school__name"]
    inlines = [OrderLineInline]
    readonly_fields = ["number", "subtotal", "discount_total", "total", "idempotency_key"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["delegate_name", "delegate_email", "event", "school", "status"]
    list_filter = ["status"]
    search_fields = ["delegate_name", "delegate_email", "event__title"]
