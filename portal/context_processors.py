from django.conf import settings


def portal(request):
    from accounts.dashboard import dashboard_sections
    from accounts.selectors import acting_school_for
    from basket.selectors import basket_item_count

    authenticated = request.user.is_authenticated
    return {
        "acting_school": acting_school_for(request) if authenticated else None,
        "dashboard_sections": dashboard_sections(request) if authenticated else [],
        "portal_name": settings.PORTAL_NAME,
        "portal_short_name": settings.PORTAL_SHORT_NAME,
        "portal_phone": settings.PORTAL_PHONE,
        "portal_email": settings.PORTAL_EMAIL,
        "basket_count": basket_item_count(request),
    }
