"""Finance staff change the billing settings or an invoicing body (payment terms, bank details
printed on invoices): saved with an audit record of what changed, from what to what."""

from __future__ import annotations

from django.db import models, transaction

from accounts.audit import audit_record

from ..models import BillingSettings, InvoicingBody


def billing_settings_save(*, obj: BillingSettings | InvoicingBody, actor) -> BillingSettings | InvoicingBody:
    with transaction.atomic():
        before = type(obj).objects.select_for_update().filter(pk=obj.pk).first() if obj.pk else None
        obj.save()
        fields = [f for f in type(obj)._meta.concrete_fields if not isinstance(f, models.AutoField)]
        changes = {
            f.name: [getattr(before, f.attname) if before else None, getattr(obj, f.attname)]
            for f in fields
            if before is None or getattr(before, f.attname) != getattr(obj, f.attname)
        }
        if changes:
            audit_record(
                "billing.settings_changed",
                actor=actor,
                target=obj,
                detail={"created": before is None, "changes": changes},
            )
    return obj
