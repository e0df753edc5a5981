"""Where a form may send the browser back to: a `next` URL on this site only."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, url: str | None) -> str:
    """`url` when it is a path or URL on this site (and not a step down from HTTPS), else ""."""
    url = (url or "").strip()
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""
