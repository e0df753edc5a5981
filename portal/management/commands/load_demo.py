from django.core.management.base import BaseCommand

from portal.demo import load_demo


class Command(BaseCommand):
    help = "Load the deterministic demo data (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        ctx = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(ctx['schools'])} schools, {len(ctx['events'])} events."
            )
        )
