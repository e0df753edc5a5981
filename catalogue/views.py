from django.shortcuts import render

from .models import Product


def product_list(request):
    products = Product.objects.filter(is_active=True).select_related("invoicing_body")
    return render(request, "catalogue/list.html", {"products": products})
