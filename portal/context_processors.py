from django.conf import settings


def portal(request):
    from basket.selectors import basket_item_count

    return {
        "portal_name": settings.PORTAL_NAME,
        "portal_short_name": settings.PORTAL_SHORT_NAME,
        "portal_phone": settings.PORTAL_PHONE,
        "portal_email": settings.PORTAL_EMAIL,
        "basket_count": basket_item_count(request),
    }
