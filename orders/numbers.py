"""Order numbers people can read out on the phone: HEP-000123, one sequence per prefix."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .models import OrderSequence


def order_number_next() -> str:
    """The next order number. Call inside the order-placing transaction, after every other
    lock it takes (the sequence row is the last lock, so it is held briefly and in one order)."""
    assert transaction.get_connection().in_atomic_block, "take order numbers inside a transaction"
    prefix = getattr(settings, "ORDER_NUMBER_PREFIX", "HEP")
    OrderSequence.objects.get_or_create(prefix=prefix)
    sequence = OrderSequence.objects.select_for_update().get(prefix=prefix)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}-{sequence.last_number:06d}"
