"""Sending email: every email the portal sends goes through `email_send`, rendered from
templates (`<name>_subject.txt`, `<name>.txt`, optional `<name>.html`), after the
transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, engines
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string


def _context(context: dict) -> dict:
    return {
        "portal_name": settings.PORTAL_NAME,
        "portal_short_name": settings.PORTAL_SHORT_NAME,
        "portal_phone": settings.PORTAL_PHONE,
        "portal_email": settings.PORTAL_EMAIL,
        "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        **context,
    }


def _render_text(name: str, context: dict) -> str:
    """A plain-text part (subject or body): never HTML-escaped, so "St Mary's & All Saints" reads
    as typed, whether or not the template remembers `{% autoescape off %}`."""
    template = engines["django"].engine.get_template(name)
    return template.render(Context(context, autoescape=False))


def email_render(template: str, context: dict) -> tuple[str, str, str | None]:
    ctx = _context(context)
    subject = " ".join(_render_text(f"emails/{template}_subject.txt", ctx).split())
    body = _render_text(f"emails/{template}.txt", ctx)
    try:
        # The HTML part is autoescaped: user text can never become markup.
        html = render_to_string(f"emails/{template}.html", ctx)
    except TemplateDoesNotExist:
        html = None
    return subject, body, html


def email_send(
    *,
    template: str,
    to: Iterable[str],
    context: dict,
    attachments: Iterable[tuple[str, bytes, str]] = (),
    on_commit: bool = True,
) -> None:
    """Render and send one email. `attachments` are (filename, content, mimetype)."""
    recipients = [address for address in to if address]
    if not recipients:
        return
    subject, body, html = email_render(template, context)
    files = list(attachments)

    def send() -> None:
        message = EmailMultiAlternatives(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
        )
        if html:
            message.attach_alternative(html, "text/html")
        for filename, content, mimetype in files:
            message.attach(filename, content, mimetype)
        message.send()

    if on_commit:
        transaction.on_commit(send)
    else:
        send()
