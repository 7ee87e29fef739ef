"""The demo's sample rows: its partnership (:mod:`sheets_sync.demo.data`) laid out as tabs.

Everything is generated relative to ``as_of`` from a fixed seed, so the demo shows the
same mix of statuses and the same deliberate problems whichever day it runs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Callable

from sheets_sync.backends.base import CellValue
from sheets_sync.demo.data import (
    CONFIDENCE_DROP,
    DEMO_SEED,
    GOALS,
    KPIS,
    NOTES,
    ORG,
    PEOPLE,
    TASKS,
    Kpi,
)

Grid = list[list[CellValue]]
Row = dict[str, CellValue]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _step_back(last: dt.date, cadence: str, k: int) -> dt.date:
    """The k-th date before ``last`` on a cadence (counted from ``last`` so none drifts)."""
    if cadence == "weekly":
        return last - dt.timedelta(days=7 * k)
    if cadence == "biweekly":
        return last - dt.timedelta(days=14 * k)
    return add_months(last, -(3 if cadence == "quarterly" else 1) * k)


def _text_date(day: dt.date) -> str:
    """A date the way people type it (``3 Nov 2025``), independent of the process locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _rng(*parts: object) -> random.Random:
    # One stream per entity: the latest reading always draws first, so its noise
    # (and hence its status) does not depend on how many readings precede it.
    return random.Random("-".join(str(p) for p in (DEMO_SEED, *parts)))


def _colleague(rng: random.Random, person: str) -> str:
    same = [p[0] for p in PEOPLE if p[2] == ORG[person] and p[0] != person]
    return rng.choice(same)


def _grid(tab: str, rows: list[Row], extra: tuple[str, ...] = ()) -> Grid:
    """Lay rows out under every template column of ``tab`` (then ``extra`` columns)."""
    from sheets_sync.templates import load_template

    headers = [c.header for c in load_template("partnership").table(tab).columns]
    headers.extend(extra)
    grid: Grid = [list(headers)]
    grid.extend([row.get(h) for h in headers] for row in rows)
    return grid


def _people() -> list[Row]:
    return [
        {"Person": name, "Email": email, "Organization": org, "Role": role}
        for name, email, org, role in PEOPLE
    ]


def _goals(as_of: dt.date) -> list[Row]:
    return [
        {
            "Goal ID": g.gid,
            "Goal": g.text,
            "Owner": g.owner,
            "Partner owner": g.partner,
            "Start date": as_of + dt.timedelta(days=g.start),
            "Due date": as_of + dt.timedelta(days=g.due),
            "Review cadence": g.cadence,
            "State": g.state,
            "Outcome": g.outcome,
        }
        for g in GOALS
    ]


def _kpis(as_of: dt.date) -> list[Row]:
    return [
        {
            "KPI ID": k.kid,
            "Goal ID": k.gid,
            "KPI": k.text,
            "Unit": k.unit,
            "Direction": k.direction,
            "Baseline": k.baseline,
            "Target": k.target,
            "Start date": as_of + dt.timedelta(days=k.start),
            "Due date": as_of + dt.timedelta(days=k.due),
            "Cadence": k.cadence,
            "Owner": k.owner,
        }
        for k in KPIS
    ]


def _readings(kpi: Kpi, as_of: dt.date) -> list[tuple[dt.date, float | int, str, str | None]]:
    """(date, value, entered by, note) from the KPI's start to its latest reading, oldest first."""
    rng = _rng("kpi", kpi.kid)
    start = as_of + dt.timedelta(days=kpi.start)
    span = max(kpi.due - kpi.start, 1)
    last = as_of - dt.timedelta(days=kpi.lag)
    dates: list[dt.date] = []
    k = 0
    while (day := _step_back(last, kpi.cadence, k)) >= start:
        dates.append(day)
        k += 1
    first = dates[-1]
    whole = max((last - first).days, 1)
    out: list[tuple[dt.date, float | int, str, str | None]] = []
    for day in dates:  # newest first: see _rng
        p = (day - first).days / whole
        f = min(max((day - start).days / span, 0.0), 1.0)
        value = kpi.level(p, f) + rng.uniform(-kpi.noise, kpi.noise)
        value = max(value, 0.0)
        if kpi.ceiling is not None:
            value = min(value, kpi.ceiling)
        who = kpi.owner if rng.random() < 0.8 else _colleague(rng, kpi.owner)
        note = rng.choice(NOTES) if rng.random() < 0.08 else None
        rounded: float | int = round(value) if kpi.decimals == 0 else round(value, kpi.decimals)
        out.append((day, rounded, who, note))
    out.reverse()
    if kpi.cumulative:
        # Running totals never fall, whatever the noise.
        peak: float | int = 0
        for i, (day, value, who, note) in enumerate(out):
            peak = max(peak, value)
            out[i] = (day, peak, who, note)
    return out


def _kpi_log(as_of: dt.date) -> list[Row]:
    order = {k.kid: i for i, k in enumerate(KPIS)}
    series = {k.kid: _readings(k, as_of) for k in KPIS}
    rows: list[tuple[dt.date, int, Row]] = []
    for kid, readings in series.items():
        for day, value, who, note in readings:
            row: Row = {"Date": day, "KPI ID": kid, "Value": value, "Entered by": who, "Note": note}
            rows.append((day, order[kid], row))
    # Realistic variety that must still parse (never the latest reading of a KPI).
    _retype(series, rows, "K2", 4, "Date", lambda r: _text_date(_as_date(r["Date"])))
    _retype(series, rows, "K8", 10, "Date", lambda r: _text_date(_as_date(r["Date"])))
    _retype(series, rows, "K3", 3, "Value", lambda r: f"{r['Value']:,}")
    rows.sort(key=lambda item: (item[0], item[1]))
    # The deliberate VALUE-TYPE: an extra K1 row with an impossible date, typed in
    # among the readings of about six weeks ago.
    near = as_of - dt.timedelta(days=40)
    k1 = [r for r in series["K1"] if r[0] <= near][-1]
    bad: Row = {
        "Date": f"31/02/{as_of.year}",
        "KPI ID": "K1",
        "Value": k1[1],
        "Entered by": "Ben Okafor",
        "Note": None,
    }
    at = max(i for i, (day, _, _) in enumerate(rows) if day <= near) + 1
    kid, levels = CONFIDENCE_DROP
    latest = [row for _, _, row in rows if row["KPI ID"] == kid][-len(levels):]
    for row, level in zip(latest, levels, strict=True):
        row["Confidence"] = level
    out = [row for _, _, row in rows]
    out.insert(at, bad)
    return out


def _as_date(value: CellValue) -> dt.date:
    if not isinstance(value, dt.date):
        raise TypeError(f"expected a date, got {value!r}")
    return value


def _retype(
    series: dict[str, list[tuple[dt.date, float | int, str, str | None]]],
    rows: list[tuple[dt.date, int, Row]],
    kid: str,
    back: int,
    column: str,
    typed: Callable[[Row], CellValue],
) -> None:
    """Rewrite one cell of ``kid``'s ``back``-th newest reading as a person might type it."""
    day = series[kid][-1 - back][0]
    for row_day, _, row in rows:
        if row_day == day and row["KPI ID"] == kid:
            row[column] = typed(row)
            return


def _raci(as_of: dt.date) -> list[Row]:
    rows: list[Row] = []
    for tid, task, gid, due, roles in TASKS:
        row: Row = {
            "Task ID": tid,
            "Task": task,
            "Goal ID": gid,
            "Due date": as_of + dt.timedelta(days=due),
        }
        row.update(roles)
        rows.append(row)
    return rows


def _reviews(as_of: dt.date) -> list[Row]:
    names = [p[0] for p in PEOPLE]
    rows: list[tuple[dt.date, str, Row]] = []
    for goal in GOALS:
        rng = _rng("reviews", goal.gid)
        start = as_of + dt.timedelta(days=goal.start)
        last = as_of - dt.timedelta(days=goal.review_lag)
        k = 0
        # The first review comes a week or more after the goal starts.
        while (day := _step_back(last, goal.cadence, k)) >= start + dt.timedelta(days=7):
            k += 1
            # Meetings fall on weekdays: a weekend slot moves back to Friday, which only
            # makes a review earlier, never later than its cadence allows.
            day -= dt.timedelta(days=max(day.weekday() - 4, 0))
            attendees = [goal.owner] + ([goal.partner] if goal.partner else [])
            extra = [n for n in names if n not in attendees]
            attendees += rng.sample(extra, rng.randint(0, 2))
            decision = rng.choice(goal.decisions) if rng.random() < 0.8 else None
            rows.append(
                (
                    day,
                    goal.gid,
                    {
                        "Date": day,
                        "Goal ID": goal.gid,
                        "Attendees": ", ".join(attendees),
                        "Decisions": decision,
                        "Next steps": rng.choice(goal.next_steps),
                    },
                )
            )
    rows.sort(key=lambda item: (item[0], int(item[1][1:])))
    return [row for _, _, row in rows]


def demo_rows(as_of: dt.date) -> dict[str, list[list[CellValue]]]:
    """Sample input tabs as raw grids (row 0 = every template header), relative to ``as_of``."""
    role_columns = tuple(p[0] for p in PEOPLE)
    return {
        "People": _grid("People", _people()),
        "Goals": _grid("Goals", _goals(as_of)),
        "KPIs": _grid("KPIs", _kpis(as_of)),
        "KPI Log": _grid("KPI Log", _kpi_log(as_of)),
        "RACI": _grid("RACI", _raci(as_of), role_columns),
        "Reviews": _grid("Reviews", _reviews(as_of)),
    }
