"""Who may book an event, and if not, why: the one answer the event page shows and the
checkout enforces (on the server, whatever the form posts)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from accounts.policy import Action, can
from pricing.buyers import Buyer

from .models import BookingRule, EventStatus


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def booking_refusal(event, *, user, buyer: Buyer, now=None) -> Refusal | None:
    """None when `user` (acting for `buyer.school`, or as a guest) may book `event`; otherwise
    why not. `buyer` comes from pricing.buyers.buyer_for (membership and entitlements loaded)."""
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return Refusal("cancelled", "This event has been cancelled.")
    if event.status != EventStatus.PUBLISHED:
        return Refusal("not_published", "This event is not open for booking.")
    closes = event.booking_cutoff or event.starts_at
    if closes is not None and now >= closes:
        return Refusal("closed", "Booking has closed for this event.")

    school = buyer.school
    is_school_user = bool(user is not None and user.is_authenticated and user.role and school)
    if is_school_user:
        if not can(user, Action.BOOK_GOVERNOR_TRAINING, school) and not can(
            user, Action.BOOK_TRAINING, school
        ):
            return Refusal(
                "role_cannot_book",
                "Your role cannot book training. Ask your school's key user or bookings contact.",
            )
        if not can(user, Action.BOOK_TRAINING, school):
            governor_event = any(c.is_governor_training for c in event.categories.all())
            if not governor_event:
                return Refusal("governor_only", "Governor training only for your role.")

    if event.booking_rule == BookingRule.MEMBERS and not buyer.is_member:
        if not is_school_user:
            return Refusal("members_only", "Members only: log in with your member school's account to book.")
        return Refusal("members_only", "Members only: this event is for partnership member schools.")
    if event.booking_rule == BookingRule.HARINGEY and not buyer.is_haringey:
        return Refusal("haringey_only", "Haringey settings only.")
    if event.booking_rule == BookingRule.PACKAGE:
        from catalogue.entitlements import school_holds

        if event.required_product_id is None or not school_holds(
            list(buyer.entitlements), event.required_product_id
        ):
            name = event.required_product.name if event.required_product_id else "a package"
            return Refusal("package_only", f"Only for schools holding the {name}.")
    return None
