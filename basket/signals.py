"""At login, the guest's basket joins the account's (basket.services.basket_merge)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="basket_merge_at_login")
def merge_guest_basket(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    from .models import Basket
    from .selectors import SESSION_BASKET_KEY
    from .services import basket_merge

    basket_id = request.session.pop(SESSION_BASKET_KEY, None)
    if not basket_id:
        return
    guest = Basket.objects.filter(pk=basket_id, user=None).first()
    if guest is None:
        return
    target, _ = Basket.objects.get_or_create(user=user)
    basket_merge(source=guest, target=target)
