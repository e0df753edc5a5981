"""Staff decisions on packages that need approval."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.audit import audit_record
from notifications.services import email_send
from portal.errors import Conflict, InvalidInput, NotAllowed

from .models import Entitlement, EntitlementStatus

logger = logging.getLogger(__name__)


def packages_dashboard_url() -> str:
    """Where a school sees its packages: the Memberships dashboard page (our own page until
    that exists)."""
    try:
        path = reverse("memberships:dashboard")
    except NoReverseMatch:
        path = reverse("catalogue:dashboard")
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def entitlement_approve(*, entitlement: Entitlement, actor, reason: str = "") -> Entitlement:
    """Staff approve a purchase of a "needs approval" package: it takes effect now."""
    return _decide(entitlement=entitlement, actor=actor, reason=reason, approve=True)


def entitlement_decline(*, entitlement: Entitlement, actor, reason: str) -> Entitlement:
    """Staff decline it: it never takes effect, and the buyer is told why."""
    if not (reason or "").strip():
        raise InvalidInput("Give the reason for declining: the buyer will read it.", code="reason_required")
    return _decide(entitlement=entitlement, actor=actor, reason=reason, approve=False)


def _decide(*, entitlement: Entitlement, actor, reason: str, approve: bool) -> Entitlement:
    if actor is None or not actor.is_authenticated or not actor.is_staff:
        raise NotAllowed("Only partnership staff approve packages.")
    with transaction.atomic():
        entitlement = (
            Entitlement.objects.select_for_update(of=("self",))
            .select_related("product", "school", "order_line__order")
            .get(pk=entitlement.pk)
        )
        if entitlement.status != EntitlementStatus.AWAITING_APPROVAL:
            raise Conflict(
                f"{entitlement.product.name} for {entitlement.school.name} is "
                f"{entitlement.get_status_display().lower()}, not awaiting approval.",
                code="not_awaiting",
            )
        entitlement.status = EntitlementStatus.ACTIVE if approve else EntitlementStatus.DECLINED
        entitlement.decided_by = actor
        entitlement.decided_at = timezone.now()
        entitlement.decision_reason = (reason or "").strip()
        entitlement.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit_record(
            "entitlement.approved" if approve else "entitlement.declined",
            actor=actor,
            school=entitlement.school,
            target=entitlement,
            detail={"reason": entitlement.decision_reason},
        )
        logger.info(
            "Entitlement %s %s by %s", entitlement.pk, "approved" if approve else "declined", actor.pk
        )
        order = entitlement.order_line.order if entitlement.order_line_id else None
        recipients = [order.buyer_email] if order else []
        if not recipients:
            recipients = list(
                entitlement.school.users.filter(role="key_user", is_active=True).values_list(
                    "email", flat=True
                )
            )
        email_send(
            template="entitlement_decided",
            to=recipients,
            context={
                "entitlement": entitlement,
                "approved": approve,
                "reason": entitlement.decision_reason,
                "buyer_name": order.buyer_name if order else entitlement.school.name,
                "dashboard_url": packages_dashboard_url(),
            },
        )
    return entitlement
