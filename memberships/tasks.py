"""Scheduled membership jobs (registered in CELERY_BEAT_SCHEDULE; management commands of the
same names run them where there is no Celery beat)."""

from celery import shared_task

from .services import membership_reminders_send, membership_statuses_refresh


@shared_task
def send_membership_reminders() -> int:
    """Daily: remind member schools that have not renewed that their membership lapses."""
    return membership_reminders_send()


@shared_task
def refresh_membership_statuses() -> dict[str, int]:
    """Daily: pending memberships whose year has started become active; past years lapse."""
    return membership_statuses_refresh()
