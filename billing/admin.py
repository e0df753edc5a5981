from django.contrib import admin

from .models import InvoicingBody


@admin.register(InvoicingBody)
class InvoicingBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "invoice_prefix", "is_default"]
