"""The one place domain errors become API responses: 400 with {"error": {"code", "message"}}."""

from __future__ import annotations

import functools

from django.http import JsonResponse

from portal.errors import DomainError, NotAllowed


def api_error(code: str, message: str, *, status: int = 400, **details) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, **details}}, status=status)


def json_api(*, methods: tuple[str, ...] = ("GET",)):
    """Wrap a JSON view: only `methods` (405 otherwise), DomainErrors as 400 (403 for NotAllowed)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = api_error("method_not_allowed", f"Use {' or '.join(methods)} here.", status=405)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, **kwargs)
            except DomainError as error:
                status = 403 if isinstance(error, NotAllowed) else 400
                return JsonResponse({"error": error.as_dict()}, status=status)

        return wrapper

    return decorator
