from django.contrib import admin

from .models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "membership_year",
        "member_price",
        "non_member_price",
        "invoicing_body",
        "needs_approval",
        "is_active",
    ]
    list_filter = ["kind", "membership_year", "invoicing_body", "is_active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["covers_categories"]
