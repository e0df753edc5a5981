"""Reads about schools that views and other apps share."""

from __future__ import annotations

from .models import CensusFigure, School


def school_latest_census(school: School, *, census_year: int | None = None) -> CensusFigure | None:
    """The school's current FTE figure: the latest census year (or the given one), and within a
    year the most recently recorded correction."""
    figures = CensusFigure.objects.filter(school=school)
    if census_year is not None:
        figures = figures.filter(census_year=census_year)
    return figures.order_by("-census_year", "-recorded_at", "-id").first()


def census_history_for_school(school: School):
    return CensusFigure.objects.filter(school=school).select_related("recorded_by")
