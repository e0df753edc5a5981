from django.urls import path

from . import views

app_name = "memberships"

urlpatterns = [
    path("", views.info, name="info"),
    path("fee-calculator/", views.calculator, name="calculator"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("order/", views.order, name="order"),
    path("census/", views.census, name="census"),
]
