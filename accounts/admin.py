from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "school", "trust", "staff_role", "is_active"]
    list_filter = ["role", "staff_role", "is_active", "is_staff"]
    search_fields = ["email", "full_name", "school__name"]
    autocomplete_fields = ["school", "trust"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "phone")}),
        ("School role", {"fields": ("role", "school", "trust")}),
        ("Partnership staff", {"fields": ("is_staff", "staff_role", "is_superuser", "groups")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]
