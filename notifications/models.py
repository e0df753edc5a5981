from django.db import models


class OutboxEmail(models.Model):
    """An email the portal sent through the local outbox (embedded defaults and tests)."""

    subject = models.CharField(max_length=300)
    from_email = models.CharField(max_length=300)
    to = models.TextField(help_text="Recipients, one per line.")
    body = models.TextField()
    html_body = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True, help_text="Names and types.")
    eml_path = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "outbox email"

    def __str__(self) -> str:
        return self.subject

    @property
    def recipients(self) -> list[str]:
        return [r for r in self.to.splitlines() if r]
