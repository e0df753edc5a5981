from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("yours/", views.packages_dashboard, name="dashboard"),
    path("<slug:slug>/", views.product_detail, name="detail"),
]
