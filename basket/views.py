from django.shortcuts import render

from .selectors import basket_for_request


def basket_detail(request):
    return render(request, "basket/detail.html", {"basket": basket_for_request(request)})
