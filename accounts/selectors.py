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
