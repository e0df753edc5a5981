"""Back office for accounts: users (with lockout clearing, reset links and key-user hand-over),
the account request queue (approve / reject), and the read-only audit log."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html

from portal.admin import ReadOnlyAdmin
from portal.errors import DomainError
from schools.models import School

from . import services
from .audit import KINDS
from .forms import ApproveForm, RejectForm
from .models import AccountRequest, AccountRequestStatus, AuditEvent, Role, User
from .security import lockout_until


class StaffUserCreationForm(forms.ModelForm):
    """Staff create an account without a password: the person gets a link to set their own."""

    class Meta:
        model = User
        fields = ["email", "full_name", "phone", "role", "school", "trust", "is_staff", "staff_role"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("This email address already belongs to an account.")
        return email


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "email",
            "full_name",
            "phone",
            "role",
            "school",
            "trust",
            "is_staff",
            "staff_role",
            "is_superuser",
            "groups",
            "is_active",
        ]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This email address already belongs to another account.")
        return email

    def clean(self):
        data = super().clean()
        role, school = data.get("role"), data.get("school")
        if role == Role.KEY_USER and school is not None and data.get("is_active", True):
            current = (
                User.objects.filter(school=school, role=Role.KEY_USER, is_active=True)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if current is not None:
                raise forms.ValidationError(
                    f"{school.name} already has a key user, {current.full_name}. To hand the role over, "
                    "select this user in the list and use the action “Make key user of their school”."
                )
        self._keep_a_key_user(data)
        return data

    def _keep_a_key_user(self, data) -> None:
        """The key user stays key user until someone else takes the role over (hand-over), unless
        nobody else is left at the school."""
        before = self.instance
        if before.pk is None or before.role != Role.KEY_USER or not before.is_active or not before.school_id:
            return
        still_key_user = (
            data.get("role") == Role.KEY_USER
            and data.get("is_active", True)
            and getattr(data.get("school"), "pk", None) == before.school_id
        )
        colleagues = User.objects.filter(school_id=before.school_id, is_active=True).exclude(pk=before.pk)
        if not still_key_user and colleagues.exists():
            raise forms.ValidationError(
                f"{before.full_name} is the key user of {before.school}. First make a colleague key user "
                "(select them in the list, action “Make key user of their school”); then change this account."
            )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = StaffUserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "school", "trust", "staff_role", "is_active"]
    list_filter = ["role", "staff_role", "is_active", "is_staff"]
    search_fields = ["email", "full_name", "school__name"]
    autocomplete_fields = ["school", "trust"]
    fieldsets = (
        (None, {"fields": ("email", "login_status")}),
        ("Person", {"fields": ("full_name", "phone")}),
        ("School role", {"fields": ("role", "school", "trust")}),
        ("Partnership staff", {"fields": ("is_staff", "staff_role", "is_superuser", "groups")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "description": (
                    "The person gets an email with a link to set their own password (valid 3 days)."
                ),
                "fields": (
                    "email",
                    "full_name",
                    "phone",
                    "role",
                    "school",
                    "trust",
                    "is_staff",
                    "staff_role",
                ),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined", "login_status"]
    actions = ["clear_lockout", "send_password_reset", "make_key_user"]

    @admin.display(description="Password and lockout")
    def login_status(self, obj: User):
        if obj.pk is None:
            return "-"
        from axes.models import AccessAttempt

        password = "set" if obj.has_usable_password() else "not set yet (invitation sent)"
        locks = []
        for ip in (
            AccessAttempt.objects.filter(username=obj.email.lower())
            .values_list("ip_address", flat=True)
            .distinct()
        ):
            until = lockout_until(username=obj.email, ip_address=ip)
            if until:
                locks.append(f"locked from {ip} until {timezone.localtime(until):%H:%M %d %b}")
        lock_text = "; ".join(locks) if locks else "not locked out"
        return format_html(
            "Password {}. Login {}. <a href='{}?user__id__exact={}'>Audit log</a>",
            password,
            lock_text,
            reverse("admin:accounts_auditevent_changelist"),
            obj.pk,
        )

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        services.staff_user_created(user=obj, actor=request.user, request=request)

    @admin.action(description="Clear login lockout (every address)")
    def clear_lockout(self, request, queryset):
        cleared = 0
        for user in queryset:
            cleared += services.lockout_clear_for_user(user=user, actor=request.user, request=request)
        self.message_user(
            request,
            f"Cleared {cleared} failed-login record(s) for {queryset.count()} user(s).",
            messages.SUCCESS,
        )

    @admin.action(description="Email a password reset link")
    def send_password_reset(self, request, queryset):
        for user in queryset:
            services.password_reset_request(email=user.email, request=request)
        self.message_user(
            request, f"Sent reset links to {queryset.count()} active user(s).", messages.SUCCESS
        )

    @admin.action(description="Make key user of their school (hands the role over)")
    def make_key_user(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one user to make key user.", messages.ERROR)
            return
        user = queryset.get()
        if user.school is None:
            self.message_user(request, f"{user.full_name} is not linked to a school.", messages.ERROR)
            return
        try:
            services.key_user_hand_over(school=user.school, to_user=user, actor=request.user, request=request)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request, f"{user.full_name} is now the key user of {user.school.name}.", messages.SUCCESS
            )

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: orders, bookings and the audit log refer to people

    def user_change_password(self, request, id, form_url=""):
        # Nobody sets another person's password: staff send a reset link (the action above), so
        # the person chooses it, gets the confirmation email and the change is audited.
        self.message_user(
            request,
            "Use the action “Email a password reset link” to let the person choose a new one.",
            messages.INFO,
        )
        return redirect("admin:accounts_user_change", id)


def _own_password_change(request, extra_context=None):
    """The back office's "Change password" goes through Account Details (strength meter,
    confirmation email, audit log, other sessions ended)."""
    return redirect("accounts:details_password")


admin.site.password_change = _own_password_change


@admin.register(AccountRequest)
class AccountRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "full_name", "school_name", "email", "status", "decided_at"]
    list_display_links = ["full_name"]
    list_filter = ["status"]
    search_fields = ["full_name", "school_name", "email", "school_urn"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AccountRequest._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school", "user", "decided_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _suggested_school(self, account_request: AccountRequest) -> School | None:
        query = Q(name__iexact=account_request.school_name.strip())
        if account_request.school_urn:
            query |= Q(urn=account_request.school_urn.strip())
        return School.objects.filter(query).order_by("name").first()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        account_request = self.get_object(request, object_id)
        if account_request is None or account_request.status != AccountRequestStatus.PENDING:
            return super().change_view(request, object_id, form_url, extra_context)
        if not self.has_change_permission(request, account_request):
            return super().change_view(request, object_id, form_url, extra_context)
        suggested = self._suggested_school(account_request)
        approve_form = ApproveForm(
            initial={
                "school_choice": ApproveForm.EXISTING if suggested else ApproveForm.NEW,
                "school": suggested,
                "name": account_request.school_name,
                "urn": account_request.school_urn,
            },
            prefix="approve",
        )
        reject_form = RejectForm(prefix="reject")
        if request.method == "POST":
            try:
                if "_approve" in request.POST:
                    approve_form = ApproveForm(request.POST, prefix="approve")
                    if approve_form.is_valid():
                        data = approve_form.cleaned_data
                        existing = data["school_choice"] == ApproveForm.EXISTING
                        user = services.account_request_approve(
                            account_request=account_request,
                            actor=request.user,
                            school=data["school"] if existing else None,
                            new_school=None if existing else approve_form.new_school_fields(),
                            role=data["role"],
                            request=request,
                        )
                        self.message_user(
                            request,
                            f"Approved: {user.full_name} is {user.get_role_display()} of {user.school.name} "
                            f"and has been emailed a link to set a password.",
                            messages.SUCCESS,
                        )
                        return redirect("admin:accounts_accountrequest_changelist")
                elif "_reject" in request.POST:
                    reject_form = RejectForm(request.POST, prefix="reject")
                    if reject_form.is_valid():
                        services.account_request_reject(
                            account_request=account_request,
                            reason=reject_form.cleaned_data["reason"],
                            actor=request.user,
                            request=request,
                        )
                        self.message_user(
                            request, f"Rejected; {account_request.email} has been told why.", messages.SUCCESS
                        )
                        return redirect("admin:accounts_accountrequest_changelist")
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": account_request,
            "title": f"Account request from {account_request.full_name}",
            "approve_form": approve_form,
            "reject_form": reject_form,
            "suggested": suggested,
            "has_view_permission": True,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/accounts/accountrequest/decide.html", context)


class AuditKindFilter(admin.SimpleListFilter):
    """Kinds by their labels (account events and what the domain services record)."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(KINDS.items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log, read-only: filter by kind, school and date; search by target (its
    description or id, e.g. an order number), address or person."""

    list_display = ["created_at", "kind_display", "target_repr", "school", "actor", "email", "ip_address"]
    list_filter = [AuditKindFilter, ("school", admin.RelatedOnlyFieldListFilter), "created_at", "target_type"]
    search_fields = ["target_repr", "=target_id", "email", "ip_address", "user__email", "actor__email"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "actor", "school"]
    fields = [
        "created_at",
        "kind_display",
        "actor",
        "school",
        "target_type",
        "target_id",
        "target_link",
        "user",
        "email",
        "detail",
        "ip_address",
        "user_agent",
    ]
    readonly_fields = fields
    list_per_page = 100

    @admin.display(description="kind", ordering="kind")
    def kind_display(self, obj: AuditEvent) -> str:
        return obj.kind_label

    @admin.display(description="target")
    def target_link(self, obj: AuditEvent):
        """The target's back-office page when it has one (the text stays if the row is gone)."""
        if not obj.target_type or "." not in obj.target_type:
            return obj.target_repr or "-"
        app_label, model_name = obj.target_type.split(".", 1)
        try:
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.target_id])
        except NoReverseMatch:
            return obj.target_repr or "-"
        return format_html("<a href='{}'>{}</a>", url, obj.target_repr or obj.target_id)
