"""Periods of the History tab: ISO weeks (``2026-W27``) or calendar months (``2026-07``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

PeriodKind = Literal["week", "month"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("week", "month")

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """One period: its first and last day, and the label that heads its History column."""

    first: dt.date
    last: dt.date
    label: str

    def next(self, kind: PeriodKind) -> Period:
        return period_of(self.last + dt.timedelta(days=1), kind)

    def previous(self, kind: PeriodKind) -> Period:
        return period_of(self.first - dt.timedelta(days=1), kind)


def period_of(day: dt.date, kind: PeriodKind) -> Period:
    """The period holding ``day``."""
    if kind == "week":
        year, week, weekday = day.isocalendar()
        first = day - dt.timedelta(days=weekday - 1)
        return Period(first, first + dt.timedelta(days=6), f"{year}-W{week:02d}")
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1), f"{day.year}-{day.month:02d}")


def parse_period(label: object, kind: PeriodKind) -> Period | None:
    """The period a History header names, or None when it names none of ``kind``."""
    text = str(label).strip() if label is not None else ""
    if kind == "week":
        match = _WEEK.match(text)
        if not match:
            return None
        try:
            monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            return None
        return period_of(monday, kind)
    match = _MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return period_of(dt.date(int(match[1]), int(match[2]), 1), kind)


def periods_between(start: dt.date, end: dt.date, kind: PeriodKind) -> list[Period]:
    """Every period from the one holding ``start`` to the one holding ``end``."""
    out: list[Period] = []
    period = period_of(start, kind)
    stop = period_of(end, kind)
    while period <= stop:
        out.append(period)
        period = period.next(kind)
    return out
