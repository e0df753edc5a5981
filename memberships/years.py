"""Membership years run 1 September to 31 August; a year is named by the year it starts."""

import datetime as dt


def membership_year_for(day: dt.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def year_start(year: int) -> dt.date:
    return dt.date(year, 9, 1)


def lapse_date(year: int) -> dt.date:
    """The last day of the membership year."""
    return dt.date(year + 1, 8, 31)


def year_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"
