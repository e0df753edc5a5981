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


def next_financial_year_start(start_month: int, *, after: dt.date) -> dt.date:
    """The first day of the school's next financial year after `after`: 1 April (maintained
    schools) or 1 September (academies), strictly later than `after`."""
    if start_month not in (4, 9):
        raise ValueError(f"A financial year starts in April (4) or September (9), not {start_month!r}.")
    candidate = dt.date(after.year, start_month, 1)
    return candidate if candidate > after else dt.date(after.year + 1, start_month, 1)


def census_year_for(day: dt.date) -> int:
    """The latest October census by `day`: October's figure counts from 1 October."""
    return day.year if day.month >= 10 else day.year - 1
