"""Realistic sample data for ``sheets-sync demo``.

Everything is generated relative to ``as_of`` from a fixed seed, so the demo shows the
same mix of statuses and the same deliberate problems whichever day it runs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_sync.backends.base import Backend, CellFormat, CellUpdate, CellValue

if TYPE_CHECKING:
    from sheets_sync.config import Config
    from sheets_sync.sync import SyncResult

#: Seed of every random stream used here (one stream per KPI / goal, derived from it).
DEMO_SEED = 20240611

#: Rule id -> where the demo data deliberately triggers it.
DEMO_PROBLEMS: dict[str, str] = {
    "RACI-NO-A": "T7 (Pilot automated triage rules) has Responsible people but no Accountable",
    "RACI-MULTI-A": (
        "T13 (Recruit pilot patients) has two Accountable: Chloe Martin and Hugo Laurent"
    ),
    "REVIEW-OVERDUE": "G3 (monthly reviews) was last reviewed about 75 days before the as-of date",
    "KPI-OFF-TRACK": (
        "K5 is well below pace (pace ratio ~0.48); K10 response time is above its ceiling"
    ),
    "KPI-STALE": "K7 (weekly) has had no reading for about two months",
    "KPI-OVERDUE": "K13 (G6) passed its due date 14 days ago short of its target",
    "GOAL-ONE-SIDED": "G6 has no Partner owner",
    "VALUE-TYPE": "a KPI Log row for K1 has the impossible date '31/02/<year>' in Date",
}

NORTHWIND = "Northwind Health"
CONTOSO = "Contoso Labs"

Grid = list[list[CellValue]]
Row = dict[str, CellValue]

#: (Person, Email, Organization, Role)
PEOPLE: tuple[tuple[str, str, str, str], ...] = (
    ("Ana Ruiz", "ana.ruiz@northwindhealth.org", NORTHWIND, "Partnership lead"),
    ("Ben Okafor", "ben.okafor@northwindhealth.org", NORTHWIND, "Programme manager"),
    ("Chloe Martin", "chloe.martin@northwindhealth.org", NORTHWIND, "Clinical lead"),
    ("David Chen", "david.chen@northwindhealth.org", NORTHWIND, "Data analyst"),
    ("Priya Shah", "priya.shah@northwindhealth.org", NORTHWIND, "Operations manager"),
    ("Elena Petrova", "elena.petrova@contosolabs.com", CONTOSO, "Partnership lead"),
    ("Farid Haddad", "farid.haddad@contosolabs.com", CONTOSO, "Product manager"),
    ("Grace Kim", "grace.kim@contosolabs.com", CONTOSO, "Data scientist"),
    ("Hugo Laurent", "hugo.laurent@contosolabs.com", CONTOSO, "Engineering lead"),
    ("Isabel Moreau", "isabel.moreau@contosolabs.com", CONTOSO, "Customer success manager"),
)
_ORG = {p[0]: p[2] for p in PEOPLE}


@dataclass(frozen=True)
class _Goal:
    gid: str
    text: str
    owner: str
    partner: str | None
    start: int  # days relative to as_of
    due: int
    cadence: str
    review_lag: int  # days between the last review and as_of
    decisions: tuple[str, ...]
    next_steps: tuple[str, ...]


# fmt: off
GOALS: tuple[_Goal, ...] = (
    _Goal(
        "G1", "Launch joint onboarding programme", "Ana Ruiz", "Elena Petrova",
        -330, 90, "monthly", 3,
        ("Agreed cohort size of 10 organisations", "Moved webinar to Thursdays",
         "Approved revised welcome pack", "Keep current pace"),
        ("Ben to chase late sign-ups", "Isabel to send the feedback survey",
         "Update the onboarding handbook", "Book next cohort kick-off"),
    ),
    _Goal(
        "G2", "Reduce referral waiting times", "Chloe Martin", "Farid Haddad",
        -300, 120, "biweekly", 2,
        ("Extend triage pilot to two more clinics", "Escalate backlog to operations board",
         "Prioritise urgent referrals first", "No change this cycle"),
        ("Farid to fix the duplicate-referral bug", "Chloe to review triage rules",
         "Share weekly backlog numbers", "Agree staffing for evening triage"),
    ),
    _Goal(
        "G3", "Share anonymised outcomes data monthly", "David Chen", "Grace Kim",
        -320, 60, "monthly", 75,
        ("Adopt the shared data dictionary", "Drop free-text fields from extract",
         "Accept the audit findings"),
        ("Grace to rerun the completeness check", "David to automate the extract",
         "Confirm retention period with IG"),
    ),
    _Goal(
        "G4", "Co-develop remote monitoring pilot", "Hugo Laurent", "Chloe Martin",
        -280, 150, "quarterly", 20,
        ("Go with the wrist-worn device", "Pause recruitment at the second site",
         "Lower the alert threshold for heart rate"),
        ("Hugo to ship the alert integration", "Chloe to brief ward nurses",
         "Grace to report false-positive trend"),
    ),
    _Goal(
        "G5", "Improve patient satisfaction with digital services", "Isabel Moreau", "Ben Okafor",
        -310, 100, "monthly", 6,
        ("Publish the new help centre", "Add live chat during clinic hours",
         "Keep the survey at quarter end"),
        ("Isabel to analyse survey comments", "Ben to update the FAQ",
         "Review ticket categories"),
    ),
    _Goal(
        # One-sided on purpose: nobody from Contoso Labs co-owns it (GOAL-ONE-SIDED).
        "G6", "Train clinical staff on the shared platform", "Priya Shah", None,
        -270, -14, "biweekly", 4,
        ("Add two extra training sessions", "Make the e-learning module mandatory",
         "Accept a short extension"),
        ("Priya to chase ward managers", "Publish attendance by ward",
         "Record the session for night staff"),
    ),
    _Goal(
        "G7", "Secure joint funding for phase two", "Ben Okafor", "Elena Petrova",
        -360, 200, "quarterly", 40,
        ("Target the regional innovation fund", "Share bid-writing costs 50/50"),
        ("Elena to draft the budget section", "Ben to collect letters of support"),
    ),
)
# fmt: on

#: (p, f) -> noise-free value, where p runs 0..1 over the KPI's readings and f is the
#: pacing fraction of the status rules at the reading's date.
Level = Callable[[float, float], float]


def _pace(baseline: float, target: float, m_start: float, m_end: float) -> Level:
    """Track the pace line scaled by a factor drifting from ``m_start`` to ``m_end``."""

    def level(p: float, f: float) -> float:
        return baseline + (target - baseline) * f * (m_start + (m_end - m_start) * p)

    return level


def _ahead(baseline: float, target: float, speed: float, cap: float) -> Level:
    """Run ahead of the pace line and level off past the target (an Achieved KPI)."""

    def level(p: float, f: float) -> float:
        return baseline + (target - baseline) * min(cap, f * speed)

    return level


def _drift(start: float, end: float, power: float = 1.0) -> Level:
    """Move from ``start`` to ``end`` over the readings (maintain-above/below KPIs)."""

    def level(p: float, f: float) -> float:
        return start + (end - start) * math.pow(p, power)

    return level


@dataclass(frozen=True)
class _Kpi:
    kid: str
    gid: str
    text: str
    unit: str
    direction: str
    baseline: float | None
    target: float
    start: int
    due: int
    cadence: str  # weekly or monthly
    owner: str
    level: Level
    noise: float  # half-width of the uniform noise added to each reading
    decimals: int
    lag: int  # days between the latest reading and as_of
    cumulative: bool = False  # counts never go down
    ceiling: float | None = None


# fmt: off
# Trajectories are chosen so the latest reading lands well inside its status band
# (the status rules: on track >= 0.95, at risk >= 0.75) whatever the noise.
KPIS: tuple[_Kpi, ...] = (
    _Kpi("K1", "G1", "Organisations enrolled in joint onboarding", "organisations", "increase",
         0, 40, -330, 90, "weekly", "Ana Ruiz", _pace(0, 40, 1.1, 1.07), 0.6, 0, 2,
         cumulative=True),
    _Kpi("K2", "G1", "Onboarding completion rate", "%", "increase",
         55, 85, -330, 90, "monthly", "Isabel Moreau", _pace(55, 85, 0.9, 1.07), 0.8, 1, 5,
         ceiling=100),
    _Kpi("K3", "G1", "Cost per onboarded organisation", "£", "decrease",
         1800, 1200, -300, 90, "monthly", "Priya Shah", _pace(1800, 1200, 1.0, 1.05), 12, 0, 8),
    _Kpi("K4", "G2", "Median referral wait", "days", "decrease",
         42, 21, -300, 120, "weekly", "Chloe Martin", _pace(42, 21, 1.0, 0.85), 0.35, 1, 1),
    _Kpi("K5", "G2", "Referrals triaged within 14 days", "%", "increase",
         38, 75, -300, 120, "weekly", "Farid Haddad", _pace(38, 75, 1.05, 0.45), 0.9, 1, 3),
    _Kpi("K6", "G3", "Data requests answered within SLA", "%", "maintain above",
         None, 95, -320, 60, "monthly", "David Chen", _drift(94.0, 98.0), 1.5, 1, 4,
         ceiling=100),
    # Stale on purpose: readings stop about two months before as_of.
    _Kpi("K7", "G3", "Records with complete outcome fields", "%", "increase",
         62, 90, -320, 60, "weekly", "Grace Kim", _pace(62, 90, 1.0, 1.02), 0.7, 1, 61),
    _Kpi("K8", "G4", "Patients enrolled in remote monitoring", "patients", "increase",
         0, 250, -280, 150, "weekly", "Hugo Laurent", _pace(0, 250, 0.8, 1.04), 2.5, 0, 0,
         cumulative=True),
    _Kpi("K9", "G4", "False-positive device alerts", "%", "decrease",
         18, 8, -280, 150, "monthly", "Grace Kim", _pace(18, 8, 0.9, 1.09), 0.25, 1, 10),
    _Kpi("K10", "G4", "Average platform response time", "ms", "maintain below",
         None, 400, -280, 150, "weekly", "Hugo Laurent", _drift(330, 470, 2.0), 10, 0, 4),
    # Achieved on purpose: ran ahead of plan and passed its target.
    _Kpi("K11", "G5", "Patient satisfaction with digital services", "score /10", "increase",
         6.8, 8.0, -310, 100, "monthly", "Isabel Moreau", _ahead(6.8, 8.0, 1.6, 1.1), 0.04, 1, 2),
    _Kpi("K12", "G5", "Support tickets per 1,000 users", "tickets", "maintain below",
         None, 12, -310, 100, "weekly", "Ben Okafor", _drift(11.0, 8.5), 0.6, 1, 6),
    # Overdue on purpose: its goal's due date passed short of the target.
    _Kpi("K13", "G6", "Clinical staff trained on the platform", "staff", "increase",
         0, 120, -270, -14, "weekly", "Priya Shah", _pace(0, 120, 1.0, 0.88), 2, 0, 5,
         cumulative=True),
    _Kpi("K14", "G7", "Funding secured", "£k", "increase",
         0, 500, -360, 200, "monthly", "Ben Okafor", _pace(0, 500, 0.9, 1.03), 6, 0, 12,
         cumulative=True),
    _Kpi("K15", "G2", "Referrals waiting more than six weeks", "referrals", "maintain below",
         None, 25, -300, 120, "weekly", "Priya Shah", _drift(41, 17, 0.7), 1.2, 0, 2),
)
# fmt: on

_NOTES = (
    "Holiday week, low activity",
    "Includes late submissions",
    "Revised after data cleanse",
    "Estimate, confirm next time",
    "Source system outage on Monday",
    "Figures checked with partner",
)

# fmt: off
#: (Task ID, Task, Goal ID, due offset, {person: role}). T7 and T13 are wrong on purpose.
TASKS: tuple[tuple[str, str, str, int, dict[str, str]], ...] = (
    ("T1", "Agree onboarding programme scope", "G1", -250,
     {"Ana Ruiz": "A", "Elena Petrova": "R", "Ben Okafor": "C", "Isabel Moreau": "I"}),
    ("T2", "Design onboarding curriculum", "G1", -180,
     {"Ben Okafor": "A/R", "Isabel Moreau": "R", "Elena Petrova": "C", "Ana Ruiz": "I"}),
    ("T3", "Recruit first cohort of organisations", "G1", -90,
     {"Isabel Moreau": "A", "Ben Okafor": "R", "Priya Shah": "R", "Ana Ruiz": "I"}),
    ("T4", "Publish onboarding handbook", "G1", 30,
     {"Elena Petrova": "A", "Isabel Moreau": "R", "Ben Okafor": "C"}),
    ("T5", "Map current referral pathway", "G2", -200,
     {"Chloe Martin": "A", "Farid Haddad": "R", "Priya Shah": "R", "Ana Ruiz": "I"}),
    ("T6", "Build referral triage dashboard", "G2", -60,
     {"Farid Haddad": "A/R", "Grace Kim": "R", "Chloe Martin": "C", "David Chen": "C"}),
    ("T7", "Pilot automated triage rules", "G2", 20,
     {"Farid Haddad": "R", "Grace Kim": "R", "Chloe Martin": "C", "Elena Petrova": "I"}),
    ("T8", "Evaluate triage pilot outcomes", "G2", 100,
     {"Chloe Martin": "A", "David Chen": "R", "Farid Haddad": "C"}),
    ("T9", "Sign data-sharing agreement", "G3", -280,
     {"Ana Ruiz": "R/A", "Elena Petrova": "C", "David Chen": "I", "Grace Kim": "I"}),
    ("T10", "Automate monthly outcomes extract", "G3", -120,
     {"David Chen": "A", "Grace Kim": "R", "Hugo Laurent": "C"}),
    ("T11", "Audit completeness of outcome fields", "G3", 15,
     {"Grace Kim": "A", "David Chen": "R", "Chloe Martin": "I"}),
    ("T12", "Select remote monitoring devices", "G4", -150,
     {"Hugo Laurent": "A", "Grace Kim": "R", "Chloe Martin": "C", "Priya Shah": "I"}),
    ("T13", "Recruit pilot patients", "G4", -30,
     {"Chloe Martin": "A", "Hugo Laurent": "A", "Priya Shah": "R", "Isabel Moreau": "I"}),
    ("T14", "Integrate device alerts with clinical system", "G4", 45,
     {"Hugo Laurent": "A/R", "Grace Kim": "R", "David Chen": "C"}),
    ("T15", "Write interim pilot evaluation report", "G4", 120,
     {"Grace Kim": "A", "Chloe Martin": "R", "Hugo Laurent": "C", "Ana Ruiz": "I"}),
    ("T16", "Run digital services satisfaction survey", "G5", -45,
     {"Isabel Moreau": "A", "Ben Okafor": "R", "Chloe Martin": "I"}),
    ("T17", "Redesign patient help centre", "G5", 60,
     {"Isabel Moreau": "A", "Hugo Laurent": "R", "Ben Okafor": "C"}),
    ("T18", "Deliver platform training sessions", "G6", -21,
     {"Priya Shah": "A/R", "Isabel Moreau": "R", "Chloe Martin": "C"}),
    ("T19", "Publish training materials in the LMS", "G6", -10,
     {"Priya Shah": "A", "Ben Okafor": "R", "Isabel Moreau": "C"}),
    ("T20", "Submit joint funding bid", "G7", 75,
     {"Ben Okafor": "A", "Elena Petrova": "R", "Ana Ruiz": "C", "Farid Haddad": "C"}),
)
# fmt: on

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
    same = [p[0] for p in PEOPLE if p[2] == _ORG[person] and p[0] != person]
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


def _readings(kpi: _Kpi, as_of: dt.date) -> list[tuple[dt.date, float | int, str, str | None]]:
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
        note = rng.choice(_NOTES) if rng.random() < 0.08 else None
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
    out = [row for _, _, row in rows]
    out.insert(at, bad)
    return out


def _as_date(value: CellValue) -> dt.date:
    assert isinstance(value, dt.date)
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


def _demo_format(value: CellValue) -> CellFormat:
    """How a demo cell is written: dates as dates, numbers as numbers, the rest as text."""
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "number"
    return "text"


def fill_demo(
    backend: Backend,
    as_of: dt.date,
    config: Config | None = None,
    rows: dict[str, list[list[CellValue]]] | None = None,
) -> SyncResult:
    """Provision ``backend`` (any backend), fill it with :func:`demo_rows`, and sync it."""
    from sheets_sync.sync import provision, sync

    provision(backend, config)
    data = backend.read()
    updates = [
        CellUpdate(tab.name if (tab := data.tab(name)) else name, r, c, value, _demo_format(value))
        for name, grid in (rows or demo_rows(as_of)).items()
        for r, row in enumerate(grid)
        for c, value in enumerate(row)
        if value is not None
    ]
    backend.write(data, updates)
    # The role columns exist now: give them their dropdowns and header style, so
    # the sync below reports the data's problems rather than formatting it restored.
    provision(backend, config)
    return sync(backend, config, as_of=as_of)


def build_demo(path: Path, as_of: dt.date, config: Config | None = None) -> SyncResult:
    """Provision a fresh demo workbook at ``path``, fill it with :func:`demo_rows`, sync it.

    An existing file at ``path`` is replaced (unless a person has it open in an
    editor: :class:`~sheets_sync.errors.TryLater`); the parent folder is created.
    """
    from sheets_sync.backends.xlsx import XlsxBackend, editor_lock
    from sheets_sync.errors import TryLater

    path = Path(path)
    holder = editor_lock(path)
    if holder is not None:
        raise TryLater(f"{holder}; not replacing it now. Close it there, or try again later.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    backend = XlsxBackend(path)
    try:
        return fill_demo(backend, as_of, config)
    finally:
        backend.close()
