"""The professional-learning calendar: events, their sessions, categories and subjects."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Category(models.Model):
    """An audience category, e.g. Early Career Teachers / NQTs, Leaders, Governors & Clerks."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    is_governor_training = models.BooleanField(
        default=False, help_text="Governors & Clerks may book events in this category."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    name = models.CharField(max_length=200)
    address = models.TextField()
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


class BookingRule(models.TextChoices):
    ANYONE = "anyone", "Anyone"
    MEMBERS = "members", "Members only"
    HARINGEY = "haringey", "Haringey settings only"
    PACKAGE = "package", "Holders of a given package"


class Event(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True, help_text="Rich text; sanitised when saved.")
    categories = models.ManyToManyField(Category, related_name="events")
    subjects = models.ManyToManyField(Subject, related_name="events", blank=True)
    capacity = models.PositiveIntegerField()
    places_taken = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Delegates booked or held; changed only by the booking services under a lock.",
    )
    member_price = models.DecimalField(max_digits=8, decimal_places=2)
    non_member_price = models.DecimalField(max_digits=8, decimal_places=2)
    booking_rule = models.CharField(max_length=16, choices=BookingRule.choices, default=BookingRule.ANYONE)
    required_product = models.ForeignKey(
        "catalogue.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For 'holders of a given package': the package.",
    )
    booking_cutoff = models.DateTimeField(
        null=True, blank=True, help_text="No bookings after this time (default: the start)."
    )
    max_delegates_per_booking = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT)
    invoicing_body = models.ForeignKey("billing.InvoicingBody", on_delete=models.PROTECT)
    # Denormalised from the sessions (kept in step by events.services) for the calendar's filters.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_online = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(places_taken__lte=F("capacity")),
                name="event_not_oversold",
                violation_error_message="Capacity cannot be lower than the places already taken.",
            ),
            models.CheckConstraint(
                condition=Q(member_price__gte=0, non_member_price__gte=0),
                name="event_prices_not_negative",
                violation_error_message="Prices cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def who_may_book(self) -> str:
        """The booking rule in words (checked by events.eligibility.booking_refusal)."""
        if self.booking_rule == BookingRule.MEMBERS:
            return "Partnership member schools only."
        if self.booking_rule == BookingRule.HARINGEY:
            return "Haringey schools and settings only."
        if self.booking_rule == BookingRule.PACKAGE:
            name = self.required_product.name if self.required_product_id else "a given package"
            return f"Schools holding the {name} only."
        return "Anyone: partnership schools, other schools and individuals."

    @property
    def venues(self) -> list[Venue]:
        """The distinct venues of its sessions, in session order (uses prefetched sessions)."""
        seen: dict[int, Venue] = {}
        for session in self.sessions.all():
            if session.venue_id and session.venue_id not in seen:
                seen[session.venue_id] = session.venue
        return list(seen.values())

    @property
    def has_online_session(self) -> bool:
        return any(not s.venue_id for s in self.sessions.all())

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_taken >= self.capacity


class EventSession(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT)
    online_url = models.URLField(blank=True, help_text="Joining link, sent only to booked delegates.")

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message="A session must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(venue__isnull=False) | ~Q(online_url=""),
                name="session_has_venue_or_link",
                violation_error_message="Choose a venue, or give the joining link for an online session.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {timezone.localtime(self.starts_at):%d %b %Y %H:%M}"

    @property
    def is_online(self) -> bool:
        return self.venue_id is None
