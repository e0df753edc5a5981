from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns


def minimal(request):
    """The cheapest page Django can serve through the portal's whole middleware stack: the
    baseline the calendar pages are compared with."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), *portal_urlpatterns]
