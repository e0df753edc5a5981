from django.urls import path

from . import apis

app_name = "api"

urlpatterns = [
    path("membership/quote", apis.membership_quote, name="membership_quote"),
]
