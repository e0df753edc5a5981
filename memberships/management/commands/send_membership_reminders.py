import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from memberships.services import membership_reminders_send, membership_statuses_refresh


class Command(BaseCommand):
    help = (
        "Email member schools that have not renewed on the scheduled days before their lapse date "
        "(and bring membership statuses up to date). Run daily from cron where there is no Celery beat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Give --date as YYYY-MM-DD.")
        statuses = membership_statuses_refresh(today=today)
        sent = membership_reminders_send(today=today)
        self.stdout.write(
            f"Reminded {sent} school{'s' if sent != 1 else ''}; "
            f"{statuses['activated']} membership(s) became active, {statuses['lapsed']} lapsed."
        )
