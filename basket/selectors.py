from __future__ import annotations

from django.db.models import Sum

from .models import Basket


def basket_for_request(request, *, create: bool = False) -> Basket | None:
    """The account user's basket (kept across logins), or the guest's for this session."""
    if request.user.is_authenticated:
        if create:
            basket, _ = Basket.objects.get_or_create(user=request.user)
            return basket
        return Basket.objects.filter(user=request.user).first()
    key = request.session.session_key
    if key is None:
        if not create:
            return None
        request.session.save()
        key = request.session.session_key
    if create:
        basket, _ = Basket.objects.get_or_create(session_key=key, user=None)
        return basket
    return Basket.objects.filter(session_key=key, user=None).first()


def basket_item_count(request) -> int:
    """Places and products in the basket (event lines count their delegates)."""
    if request.user.is_authenticated:
        filters = {"basket__user": request.user}
    else:
        key = getattr(request, "session", None) and request.session.session_key
        if not key:
            return 0
        filters = {"basket__session_key": key, "basket__user": None}
    from .models import BasketLine

    return BasketLine.objects.filter(**filters).aggregate(n=Sum("quantity"))["n"] or 0
