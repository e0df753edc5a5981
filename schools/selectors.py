"""Reads about schools that views and other apps share."""

from __future__ import annotations

from .models import CensusFigure, School


def _census_figures(school: School):
    """A school's census figures, newest first: the latest census year, and within a year the most
    recently recorded correction."""
    return (
        CensusFigure.objects.filter(school=school)
        .select_related("recorded_by")
        .order_by("-census_year", "-recorded_at", "-id")
    )


def school_latest_census(school: School, *, census_year: int | None = None) -> CensusFigure | None:
    """The school's current FTE figure (the one that prices membership): the latest census year
    (or the given one), and within a year the most recently recorded correction."""
    figures = _census_figures(school)
    if census_year is not None:
        figures = figures.filter(census_year=census_year)
    return figures.first()


def census_history_for_school(school: School, *, limit: int = 10) -> list[CensusFigure]:
    """The school's recorded figures, newest first, with who recorded them."""
    return list(_census_figures(school)[:limit])
