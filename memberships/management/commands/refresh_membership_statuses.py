import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from memberships.services import membership_statuses_refresh


class Command(BaseCommand):
    help = "Pending memberships whose year has started become active; past years' become lapsed. Run daily."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Give --date as YYYY-MM-DD.")
        result = membership_statuses_refresh(today=today)
        self.stdout.write(f"{result['activated']} membership(s) became active, {result['lapsed']} lapsed.")
