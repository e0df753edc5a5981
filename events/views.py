from django.http import Http404
from django.shortcuts import render

from .models import Event
from .selectors import event_get_published, event_list_upcoming


def event_list(request):
    return render(request, "events/list.html", {"events": event_list_upcoming()})


def event_detail(request, slug: str):
    try:
        event = event_get_published(slug=slug)
    except Event.DoesNotExist:
        raise Http404("No such event")
    return render(request, "events/detail.html", {"event": event})
