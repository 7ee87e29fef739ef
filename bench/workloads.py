"""Deterministic benchmark workloads: S, M and L partnership workbooks.

M = 100,000 KPI Log rows, 2,000 KPIs, 500 goals, 2,000 RACI tasks x 30 people;
S = M / 10 and L = 10 x M (the people stay 30: a partnership does not grow its staff tenfold).
Every value comes from a fixed seed, so two runs, two machines and all three approaches
(sheets-sync, gspread-dataframe, naive gspread) see the same cells.

``changes`` is the edit the "with changes" runs apply before syncing: a new KPI reading for
1% of the KPIs (their Latest value, Latest date, Expected, Progress and maybe Status change)
and the Accountable of 1% of the tasks handed to someone else.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sheets_sync.templates import load_template

AS_OF = dt.date(2026, 11, 27)
SEED = 5_2026
ORGS = ("Northwind Health", "Contoso Labs")
CADENCES = ("weekly", "biweekly", "monthly", "quarterly")
DIRECTIONS = ("increase", "increase", "increase", "decrease", "maintain above", "maintain below")

Grid = list[list[Any]]


@dataclass(frozen=True)
class Size:
    name: str
    log_rows: int
    kpis: int
    goals: int
    tasks: int
    people: int = 30

    @property
    def reviews(self) -> int:
        return self.goals * 2


SIZES = {
    "S": Size("S", 10_000, 200, 50, 200),
    "M": Size("M", 100_000, 2_000, 500, 2_000),
    "L": Size("L", 1_000_000, 20_000, 5_000, 20_000),
}


def _headers(tab: str) -> list[str]:
    return [c.header for c in load_template().table(tab).columns]


def people(size: Size) -> list[tuple[str, str, str]]:
    """(name, email, organization) of each person, half on each side."""
    out = []
    for i in range(size.people):
        org = ORGS[i % 2]
        name = f"Person {i + 1:02d}"
        domain = "northwind.example" if org == ORGS[0] else "contoso.example"
        out.append((name, f"person{i + 1:02d}@{domain}", org))
    return out


def workbook(size: Size) -> dict[str, Grid]:
    """Every input tab as a grid (row 0 = the template's headers, computed columns blank)."""
    rng = random.Random(f"{SEED}-{size.name}")
    staff = people(size)
    names = [p[0] for p in staff]
    grids: dict[str, Grid] = {}

    grids["People"] = [_headers("People")] + [[n, e, o, "Staff"] for n, e, o in staff]

    goal_rows: Grid = [_headers("Goals")]
    goal_info = []
    for g in range(size.goals):
        start = AS_OF - dt.timedelta(days=rng.randrange(200, 700))
        due = AS_OF + dt.timedelta(days=rng.randrange(-30, 400))
        owner = names[(2 * g) % size.people]
        partner = names[(2 * g + 1) % size.people]
        goal_info.append((f"G{g + 1}", start, due))
        width = len(goal_rows[0])
        row: list[Any] = [None] * width
        row[:7] = [f"G{g + 1}", f"Goal number {g + 1}", owner, partner, start, due,
                   rng.choice(CADENCES)]
        goal_rows.append(row)
    grids["Goals"] = goal_rows

    kpi_rows: Grid = [_headers("KPIs")]
    kpi_info = []
    for k in range(size.kpis):
        gid, start, due = goal_info[k % size.goals]
        direction = rng.choice(DIRECTIONS)
        baseline = float(rng.randrange(0, 100))
        span = float(rng.randrange(10, 200))
        target = baseline - span if direction == "decrease" else baseline + span
        if direction.startswith("maintain"):
            target = baseline
        pace = rng.choice((1.05, 1.0, 0.9, 0.8, 0.6))  # some on track, some behind
        kpi_info.append((f"K{k + 1}", direction, baseline, target, start, due, pace))
        row = [None] * len(kpi_rows[0])
        row[:11] = [f"K{k + 1}", gid, f"KPI number {k + 1}", "units", direction, baseline,
                    target, start, due, rng.choice(CADENCES), names[k % size.people]]
        kpi_rows.append(row)
    grids["KPIs"] = kpi_rows

    log: Grid = [_headers("KPI Log")]
    per_kpi = size.log_rows // size.kpis
    for i in range(per_kpi):
        for kid, direction, baseline, target, start, due, pace in kpi_info:
            span_days = max(1, (AS_OF - start).days - 5)
            day = start + dt.timedelta(days=(i + 1) * span_days // per_kpi)
            f = min(1.0, max(0.0, (day - start).days / max(1, (due - start).days)))
            value = baseline + (target - baseline) * f * pace
            if direction.startswith("maintain"):
                value = baseline + rng.uniform(-5, 5)
            log.append([day, kid, round(value + rng.uniform(-1, 1), 2),
                        names[i % size.people], None])
    grids["KPI Log"] = log

    raci_header = _headers("RACI") + names
    raci: Grid = [raci_header]
    base = len(_headers("RACI"))
    for t in range(size.tasks):
        gid, start, due = goal_info[t % size.goals]
        row = [None] * len(raci_header)
        row[:4] = [f"T{t + 1}", f"Task number {t + 1}", gid, due]
        cols = rng.sample(range(size.people), 5)
        row[base + cols[0]] = "A"
        row[base + cols[1]] = "R"
        row[base + cols[2]] = rng.choice(("R", "C"))
        row[base + cols[3]] = "C"
        row[base + cols[4]] = "I"
        raci.append(row)
    grids["RACI"] = raci

    reviews: Grid = [_headers("Reviews")]
    for r in range(size.reviews):
        gid, start, _ = goal_info[r % size.goals]
        day = AS_OF - dt.timedelta(days=rng.randrange(1, 120))
        attendees = f"{names[r % size.people]}, {names[(r + 1) % size.people]}"
        reviews.append([day, gid, attendees, "Keep pace", "Meet again"])
    grids["Reviews"] = reviews
    return grids


@dataclass(frozen=True)
class Changes:
    """The edit of a "with changes" run.

    ``readings``: KPI Log rows appended at the bottom. ``handovers``: (row, person index):
    that task's Accountable becomes that person (the old A cell becomes I).
    """

    readings: list[list[Any]]
    handovers: list[tuple[int, int]]


def changes(size: Size, round_no: int = 1) -> Changes:
    """A new reading for 1% of the KPIs and a new Accountable on 1% of the tasks.

    ``round_no`` varies the values, so repeating the edit keeps changing computed cells.
    """
    rng = random.Random(f"{SEED}-{size.name}-changes-{round_no}")
    readings = [
        [AS_OF, f"K{k + 1}", float(rng.randrange(0, 400)), "Person 01", None]
        for k in sorted(rng.sample(range(size.kpis), max(1, size.kpis // 100)))
    ]
    handovers = [
        (t + 1, rng.randrange(size.people))
        for t in sorted(rng.sample(range(size.tasks), max(1, size.tasks // 100)))
    ]
    return Changes(readings, handovers)


def handover(row: list[Any], person: int) -> dict[int, Any]:
    """The cells of one RACI row that change when ``person`` becomes its Accountable."""
    base = len(_headers("RACI"))
    out: dict[int, Any] = {c: "I" for c, v in enumerate(row) if c >= base and v == "A"}
    out[base + person] = "A"
    return out
