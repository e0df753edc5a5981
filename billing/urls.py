from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("invoices/", views.dashboard_invoices, name="dashboard_invoices"),
    path("invoices/<str:number>.pdf", views.invoice_download, name="invoice_download"),
    path("credit-notes/<str:number>.pdf", views.credit_note_download, name="credit_note_download"),
    path("coupon/apply/", views.coupon_apply, name="coupon_apply"),
    path("coupon/remove/", views.coupon_remove, name="coupon_remove"),
]
