from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("contact/", views.contact, name="contact"),
    path("curriculum/", views.curriculum, name="curriculum"),
    path("healthz", views.healthz, name="healthz"),
]
