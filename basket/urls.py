from django.urls import path

from . import views

app_name = "basket"

urlpatterns = [
    path("", views.basket_detail, name="detail"),
    path("get-ticket/<slug:slug>/", views.get_ticket, name="get_ticket"),
    path("add/<slug:slug>/", views.product_add, name="add_product"),
    path("lines/<int:line_id>/remove/", views.line_remove, name="remove_line"),
    path("checkout/", views.checkout, name="checkout"),
]
