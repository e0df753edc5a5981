from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Role
from .policy import schools_for

if TYPE_CHECKING:
    from django.http import HttpRequest

    from schools.models import School

ACTING_SCHOOL_SESSION_KEY = "acting_school_id"


def acting_school_for(request: HttpRequest) -> School | None:
    """The school this request acts for: the user's own, or for a MAT Head Office user the
    trust school chosen in this session (the first of the trust until they choose)."""
    user = request.user
    if not user.is_authenticated or not user.role:
        return None
    if hasattr(request, "_acting_school"):
        return request._acting_school
    school = None
    if user.role == Role.MAT_HEAD_OFFICE:
        schools = schools_for(user)
        chosen = request.session.get(ACTING_SCHOOL_SESSION_KEY)
        if chosen:
            school = schools.filter(pk=chosen).first()
        if school is None:
            school = schools.order_by("name").first()
    else:
        school = user.school
    request._acting_school = school
    return school


def user_list_for_school(school: School):
    """Everyone at the school, active first, with what the Users page shows."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import User

    return (
        User.objects.filter(school=school)
        .exclude(role="")
        .annotate(
            key_first=Case(
                When(role=Role.KEY_USER, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("-is_active", "key_first", "full_name", "pk")
    )


def user_get_for_school(school: School | None, pk: int):
    """One of the school's users, or 404: another school's users do not exist for this caller."""
    from django.shortcuts import get_object_or_404

    if school is None:
        from django.http import Http404

        raise Http404("No such user.")
    return get_object_or_404(user_list_for_school(school), pk=pk)


def account_request_list_pending():
    from .models import AccountRequest, AccountRequestStatus

    return AccountRequest.objects.filter(status=AccountRequestStatus.PENDING).order_by("created_at")
