"""Date arithmetic of the status rules: cadences in days or calendar months."""

from __future__ import annotations

import calendar
import datetime as dt

#: Cadence lengths: days, or calendar months.
CADENCE_DAYS = {"weekly": 7, "biweekly": 14}
CADENCE_MONTHS = {"monthly": 1, "quarterly": 3}


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's end (Jan 31 + 1 month = Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def add_cadence(day: dt.date, cadence: str, grace_days: int = 0) -> dt.date:
    """``day + cadence``, then the grace days (added after the cadence)."""
    if cadence in CADENCE_DAYS:
        result = day + dt.timedelta(days=CADENCE_DAYS[cadence])
    elif cadence in CADENCE_MONTHS:
        result = add_months(day, CADENCE_MONTHS[cadence])
    else:
        raise ValueError(f"unknown cadence {cadence!r}")
    return result + dt.timedelta(days=grace_days)
