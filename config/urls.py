from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("portal.urls")),
    path("accounts/", include("accounts.urls")),
    path("events/", include("events.urls")),
    path("packages/", include("catalogue.urls")),
    path("membership/", include("memberships.urls")),
    path("basket/", include("basket.urls")),
    path("api/", include("api.urls")),
    path("billing/", include("billing.urls")),
    path("payments/", include("payments.urls")),
    path("orders/", include("orders.urls")),
    path("back-office/", admin.site.urls),
]
