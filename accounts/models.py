"""People: users log in with their email; school users hold one role at one school
(MAT Head Office users at a trust, acting for any of its schools)."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    KEY_USER = "key_user", "Key user"
    MAT_HEAD_OFFICE = "mat_head_office", "MAT Head Office"
    HEADTEACHER = "headteacher", "Headteacher / senior leader"
    BUSINESS_MANAGER = "business_manager", "School business manager / bookings"
    TEACHER = "teacher", "Teacher"
    GOVERNOR = "governor", "Governors & Clerks"


class StaffRole(models.TextChoices):
    SITE_ADMIN = "site_admin", "Site administrator"
    FINANCE = "finance", "Accounts / finance"
    EVENT_ORGANISER = "event_organiser", "Event organiser"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("staff_role", StaffRole.SITE_ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=30, blank=True)
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    trust = models.ForeignKey(
        "schools.Trust",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="For MAT Head Office users: the trust whose schools they act for.",
    )
    staff_role = models.CharField(max_length=32, choices=StaffRole.choices, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Partnership staff: may use the back office.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            # Exactly one key user per school: at most one here, and the services hand the
            # role over in one transaction so a school is never left without one.
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(role="key_user", is_active=True),
                name="one_active_key_user_per_school",
            ),
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique"),
            models.CheckConstraint(
                condition=~Q(role="mat_head_office") | Q(trust__isnull=False),
                name="mat_head_office_has_trust",
            ),
            models.CheckConstraint(
                condition=Q(role="") | Q(role="mat_head_office") | Q(school__isnull=False),
                name="school_role_has_school",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_school_user(self) -> bool:
        return bool(self.role)


class AccountRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class AccountRequest(models.Model):
    """A visitor's request for a school account; partnership staff approve or reject it."""

    full_name = models.CharField("name", max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    school_name = models.CharField(max_length=200)
    school_urn = models.CharField("school URN", max_length=10, blank=True)
    email = models.EmailField("email address")
    phone = models.CharField(max_length=30)
    status = models.CharField(
        max_length=16, choices=AccountRequestStatus.choices, default=AccountRequestStatus.PENDING
    )
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_requests",
        help_text="The school the requester was linked to on approval.",
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="account_requests"
    )
    rejection_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="account_requests_decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField("from address", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open request per address: a second one gets a clear answer, not a second row.
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(status="pending"),
                name="one_pending_account_request_per_email",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="decided_account_request_has_decision_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.school_name} <{self.email}>"


class AuditKind(models.TextChoices):
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOCKOUT = "lockout", "Locked out"
    LOCKOUT_CLEARED = "lockout_cleared", "Lockout cleared"
    LOGOUT = "logout", "Logged out"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
    PASSWORD_RESET = "password_reset", "Password reset"
    PASSWORD_SET = "password_set", "Password set (new account)"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    NAME_CHANGED = "name_changed", "Name changed"
    EMAIL_CHANGE_REQUESTED = "email_change_requested", "Email change requested"
    EMAIL_CHANGED = "email_changed", "Email changed"
    ROLE_CHANGED = "role_changed", "Role changed"
    KEY_USER_HANDED_OVER = "key_user_handed_over", "Key user role handed over"
    USER_INVITED = "user_invited", "User invited"
    USER_DEACTIVATED = "user_deactivated", "User deactivated"
    USER_REACTIVATED = "user_reactivated", "User reactivated"
    ACCOUNT_REQUESTED = "account_requested", "Account requested"
    ACCOUNT_REQUEST_APPROVED = "account_request_approved", "Account request approved"
    ACCOUNT_REQUEST_REJECTED = "account_request_rejected", "Account request rejected"


class AuditEvent(models.Model):
    """Who did what to which thing, when and from where: account events (`AuditKind`) and what
    the domain services do (orders, bookings, invoices, refunds...; kinds like `order.placed`,
    listed in `accounts.audit.KINDS`). Append-only; written only by `accounts.audit.audit_record`,
    which refuses secret-looking detail keys and redacts secret-looking values."""

    kind = models.CharField(max_length=60, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events_done",
        help_text="Who did it (empty for a visitor, a failed login, a webhook or a scheduled job).",
    )
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        help_text="The account it concerns.",
    )
    email = models.CharField(
        "email address", max_length=254, blank=True, help_text="The address used or concerned."
    )
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What it was done to, kept as text so the record outlives the row (and a renamed model).
    target_type = models.CharField(
        max_length=100, blank=True, help_text="The kind of thing: app label and model, e.g. orders.order."
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField("target", max_length=200, blank=True)
    ip_address = models.GenericIPAddressField("from address", null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["email"]),
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["school", "-created_at"]),
        ]
        verbose_name = "audit event"

    def __str__(self) -> str:
        about = self.target_repr or self.email or self.user_id
        return f"{self.kind_label}: {about} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def kind_label(self) -> str:
        from .audit import kind_label

        return kind_label(self.kind)
