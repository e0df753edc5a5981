"""The local outbox: every email is stored for staff to read in the back office and written
as an .eml file under var/outbox/. Used when no SMTP server is configured."""

from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from .models import OutboxEmail

        outbox = Path(settings.OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            attachments = []
            for attachment in message.attachments:
                if isinstance(attachment, tuple):
                    attachments.append({"filename": attachment[0], "mimetype": attachment[2]})
                else:
                    attachments.append(
                        {"filename": attachment.get_filename(), "mimetype": attachment.get_content_type()}
                    )
            record = OutboxEmail.objects.create(
                subject=message.subject,
                from_email=message.from_email,
                to="\n".join(list(message.to) + list(message.cc) + list(message.bcc)),
                body=message.body,
                html_body=html,
                attachments=attachments,
            )
            path = outbox / f"{timezone.now():%Y%m%d-%H%M%S}-{record.pk:06d}.eml"
            path.write_bytes(message.message().as_bytes())
            OutboxEmail.objects.filter(pk=record.pk).update(eml_path=str(path))
            sent += 1
        return sent
