from django.contrib import admin

from .models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "sent_at"]
    search_fields = ["subject", "to"]
    readonly_fields = ["subject", "from_email", "to", "body", "attachments", "eml_path", "sent_at"]
    exclude = ["html_body"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
