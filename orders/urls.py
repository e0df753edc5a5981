from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.dashboard_orders, name="dashboard_orders"),
    path("bookings/", views.dashboard_bookings, name="dashboard_bookings"),
    path("<str:number>/", views.order_detail, name="detail"),
]
