from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import acting_school_for
from basket.models import BasketLine
from basket.selectors import basket_for_request
from memberships.years import lapse_date, year_label, year_start
from pricing.buyers import buyer_for
from pricing.catalogue import product_quote

from .models import Product, ProductKind
from .rules import purchase_refusal
from .selectors import KIND_HEADINGS, product_get_for_shop, product_list_for_shop


def _buyer(request):
    return buyer_for(acting_school_for(request))


@require_GET
def product_list(request):
    buyer = _buyer(request)
    groups = []
    products = list(product_list_for_shop())
    for kind in (ProductKind.PACKAGE, ProductKind.TRADED_SERVICE):
        items = [
            {
                "product": p,
                "quote": product_quote(p, buyer),
                "held": (p.pk, p.membership_year) in buyer.held_products,
            }
            for p in products
            if p.kind == kind
        ]
        if items:
            heading, intro = KIND_HEADINGS[kind]
            groups.append({"kind": kind, "heading": heading, "intro": intro, "items": items})
    return render(request, "catalogue/list.html", {"groups": groups, "buyer": buyer})


@require_GET
def product_detail(request, slug: str):
    try:
        product = product_get_for_shop(slug=slug)
    except Product.DoesNotExist:
        raise Http404("No such product")
    buyer = _buyer(request)
    basket = basket_for_request(request)
    in_basket = bool(basket) and BasketLine.objects.filter(basket=basket, product=product).exists()
    context = {
        "product": product,
        "quote": product_quote(product, buyer),
        "refusal": purchase_refusal(product, user=request.user, buyer=buyer),
        "in_basket": in_basket,
        "buyer": buyer,
        "year_label": year_label(product.membership_year),
        "year_start": year_start(product.membership_year),
        "year_end": lapse_date(product.membership_year),
        "categories": list(product.covers_categories.all()),
    }
    return render(request, "catalogue/detail.html", context)


@login_required
@require_GET
def packages_dashboard(request):
    """The school's packages on a dashboard page of their own (the same panel the
    Memberships page shows)."""
    return render(request, "catalogue/dashboard.html")
