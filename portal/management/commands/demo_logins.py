from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **options):
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
        for email, who in demo_logins():
            self.stdout.write(f"  {email:<40} {who}")
        self.stdout.write("\nEmails go to the outbox: Back office > Outbox emails, and var/outbox/*.eml\n")
