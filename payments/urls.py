from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
    path("checkout/complete/", views.checkout_success, name="checkout_success"),
    path("checkout/cancelled/", views.checkout_cancel, name="checkout_cancel"),
]
