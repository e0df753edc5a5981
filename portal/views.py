from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from events.selectors import event_list_upcoming
from memberships.selectors import is_member


@require_GET
def home(request):
    events = event_list_upcoming(limit=6)
    return render(request, "portal/home.html", {"events": events})


@require_GET
def contact(request):
    return render(request, "portal/contact.html")


@require_GET
def curriculum(request):
    from accounts.policy import Action, can
    from accounts.selectors import acting_school_for

    school = acting_school_for(request)
    has_access = bool(school and can(request.user, Action.SEE_CURRICULUM, school) and is_member(school))
    return render(request, "portal/curriculum.html", {"has_access": has_access})


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database (and Redis, when configured) answer."""
    checks: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = "unavailable"
        healthy = False
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception:  # noqa: BLE001
            checks["redis"] = "unavailable"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
