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
