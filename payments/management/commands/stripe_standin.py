"""Run the local Stripe stand-in (started in the background by `make run`)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from payments.standin.server import StripeStandin, serve


class Command(BaseCommand):
    help = "Serve the local Stripe stand-in: the portal's API calls, a test payment page, signed webhooks."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.STRIPE_STANDIN_PORT)
        parser.add_argument(
            "--webhook-url",
            default=settings.PORTAL_BASE_URL.rstrip("/") + "/payments/webhook/",
            help="Where to send the signed webhooks (the portal's payments:webhook).",
        )

    def handle(self, *args, host, port, webhook_url, **options):
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            self.stderr.write("STRIPE_WEBHOOK_SECRET is empty: the portal would reject every webhook.")
        app = StripeStandin(
            webhook_url=webhook_url, webhook_secret=secret, public_url=f"http://{host}:{port}"
        )
        server = serve(app, host=host, port=port)
        self.stdout.write(f"Stripe stand-in on http://{host}:{port}/ (webhooks to {webhook_url})")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
