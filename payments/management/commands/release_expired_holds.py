"""Release the places held for card orders that were not paid in time (cron or Celery beat)."""

from django.core.management.base import BaseCommand

from payments.services import holds_release_expired


class Command(BaseCommand):
    help = "Release places held for unpaid card orders whose hold has lapsed."

    def handle(self, *args, **options):
        released = holds_release_expired()
        self.stdout.write(f"Released {released} order(s).")
