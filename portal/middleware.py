"""The client address, trustworthy behind a known number of reverse proxies.

With TRUSTED_PROXY_COUNT = N (> 0), the address is the N-th entry from the right of
X-Forwarded-For (what the nearest trusted proxy saw), never a value the client chose.
Lockouts and the audit log read REMOTE_ADDR after this middleware."""

from django.conf import settings


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
        if count > 0:
            forwarded = [
                part.strip()
                for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            if len(forwarded) >= count:
                request.META["REMOTE_ADDR"] = forwarded[-count]
        return self.get_response(request)
