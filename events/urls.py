from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("month/", views.event_month, name="month"),
    path("calendar.ics", views.event_ical, name="ical"),
    path("<slug:slug>/", views.event_detail, name="detail"),
]
