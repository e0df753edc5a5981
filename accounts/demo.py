"""Demo data for accounts: account requests in the back office queue (one waiting, one decided)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def load_account_requests(ctx: dict) -> None:
    from accounts.models import AccountRequest, AccountRequestStatus, User

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    AccountRequest.objects.get_or_create(
        email="sbm@tiverton.sch.example",
        status=AccountRequestStatus.PENDING,
        defaults={
            "full_name": "Priya Shah",
            "job_title": "School business manager",
            "school_name": "Tiverton Primary School",
            "phone": "020 8800 1234",
            "created_at": now - dt.timedelta(hours=3),
        },
    )
    staff = User.objects.filter(email="staff@demo.test").first()
    AccountRequest.objects.get_or_create(
        email="someone@example.com",
        status=AccountRequestStatus.REJECTED,
        defaults={
            "full_name": "Alex Example",
            "school_name": "A tutoring company",
            "phone": "07700 900123",
            "rejection_reason": "Accounts are for schools and trusts; tutoring companies can book as guests.",
            "decided_by": staff,
            "decided_at": now - dt.timedelta(days=2),
            "created_at": now - dt.timedelta(days=3),
        },
    )
