"""The demo data: deterministic, template-shaped, and showing the same problems on any day.

Statuses are checked with a small reference implementation of the status rules written here,
independent of the library's rules.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.backends.base import CellValue
from sheets_sync.demo import DEMO_PROBLEMS, demo_rows

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "partnership"
INPUT_TABS = {
    "People": "people",
    "Goals": "goals",
    "KPIs": "kpis",
    "KPI Log": "kpi_log",
    "RACI": "raci",
    "Reviews": "reviews",
}
ON_TRACK, AT_RISK, GRACE = 0.95, 0.75, 3
RACI_VALUES = {"R", "A", "C", "I", "A/R", "R/A"}

AS_OF_DATES = [
    dt.date(2026, 11, 27),
    dt.date(2025, 3, 15),
    dt.date(2030, 1, 1),
    dt.date(2024, 2, 29),
    dt.date(2026, 3, 31),
    dt.date(2027, 8, 31),
]


def _sweep() -> Iterator[dt.date]:
    """Many as-of dates over several years, to catch month-end and weekday edge cases."""
    day = dt.date(2024, 1, 1)
    while day < dt.date(2029, 1, 1):
        yield day
        day += dt.timedelta(days=11)


# --- a small reference implementation of the status rules ---------------------------------


def add_cadence(day: dt.date, cadence: str) -> dt.date:
    if cadence in ("weekly", "biweekly"):
        return day + dt.timedelta(days=7 if cadence == "weekly" else 14)
    months = 1 if cadence == "monthly" else 3
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def parse_date(value: CellValue) -> dt.date | None:
    """Real dates, ISO text and ``3 Nov 2025`` text; None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d %b %Y"):
            try:
                return dt.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                pass
    return None


def parse_number(value: CellValue) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    return None


def records(grid: list[list[CellValue]]) -> list[dict[str, CellValue]]:
    header = [str(h) for h in grid[0]]
    return [dict(zip(header, row, strict=True)) for row in grid[1:]]


def kpi_status(kpi: dict[str, CellValue], log: list[dict[str, CellValue]], as_of: dt.date) -> str:
    direction = str(kpi["Direction"])
    target = float(kpi["Target"])  # type: ignore[arg-type]
    readings: list[tuple[dt.date, float]] = []
    for row in log:
        day, value = parse_date(row["Date"]), parse_number(row["Value"])
        if (
            row["KPI ID"] == kpi["KPI ID"]
            and day is not None
            and day <= as_of
            and value is not None
        ):
            readings.append((day, value))
    paced = direction in ("increase", "decrease")
    latest_date, latest = max(readings, key=lambda r: r[0]) if readings else (None, None)
    reached = latest is not None and (
        (direction == "increase" and latest >= target)
        or (direction == "decrease" and latest <= target)
    )
    if reached:
        return "Achieved"
    due = parse_date(kpi["Due date"])
    if paced and due is not None and as_of > due:
        return "Overdue"
    if latest is None or latest_date is None:
        return "No data"
    stale_after = add_cadence(latest_date, str(kpi["Cadence"])) + dt.timedelta(days=GRACE)
    if as_of > stale_after:
        return "Stale"
    if direction == "maintain above":
        return "On track" if latest >= target else "Off track"
    if direction == "maintain below":
        return "On track" if latest <= target else "Off track"
    baseline = float(kpi["Baseline"])  # type: ignore[arg-type]
    start = parse_date(kpi["Start date"])
    assert start is not None and due is not None
    if due <= start:
        f = 1.0 if latest_date >= due else 0.0
    else:
        f = min(max((latest_date - start).days / (due - start).days, 0.0), 1.0)
    expected = baseline + (target - baseline) * f
    ratio = 1.0 if expected == baseline else (latest - baseline) / (expected - baseline)
    if ratio >= ON_TRACK - 1e-9:
        return "On track"
    if ratio >= AT_RISK - 1e-9:
        return "At risk"
    return "Off track"


def pace_ratio(kpi: dict[str, CellValue], log: list[dict[str, CellValue]], as_of: dt.date) -> float:
    readings = [
        (d, v)
        for row in log
        if row["KPI ID"] == kpi["KPI ID"]
        and (d := parse_date(row["Date"])) is not None
        and d <= as_of
        and (v := parse_number(row["Value"])) is not None
    ]
    day, latest = max(readings, key=lambda r: r[0])
    start, due = parse_date(kpi["Start date"]), parse_date(kpi["Due date"])
    assert start is not None and due is not None
    baseline, target = float(kpi["Baseline"]), float(kpi["Target"])  # type: ignore[arg-type]
    f = min(max((day - start).days / (due - start).days, 0.0), 1.0)
    expected = baseline + (target - baseline) * f
    return (latest - baseline) / (expected - baseline)


def review_status(
    goal: dict[str, CellValue], reviews: list[dict[str, CellValue]], as_of: dt.date
) -> str:
    days = [
        d
        for r in reviews
        if r["Goal ID"] == goal["Goal ID"]
        and (d := parse_date(r["Date"])) is not None
        and d <= as_of
    ]
    if not days:
        return "Never reviewed"
    next_review = add_cadence(max(days), str(goal["Review cadence"]))
    return "Overdue" if as_of > next_review + dt.timedelta(days=GRACE) else "OK"


def raci_roles(row: dict[str, CellValue], people: set[str]) -> tuple[list[str], list[str]]:
    """(accountable, responsible) of one RACI row, as the RACI rules define them."""
    accountable, responsible = [], []
    for person in people:
        cell = row.get(person)
        value = str(cell).replace(" ", "").upper() if cell is not None else ""
        if value == "R/A":
            value = "A/R"
        if value in ("A", "A/R"):
            accountable.append(person)
        if value in ("R", "A/R"):
            responsible.append(person)
    return accountable, responsible


# --- tests ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def templates() -> dict[str, Any]:
    return {
        tab: tomllib.loads((TEMPLATE_DIR / f"{stem}.toml").read_text(encoding="utf-8"))
        for tab, stem in INPUT_TABS.items()
    }


def test_same_as_of_gives_identical_output() -> None:
    as_of = dt.date(2026, 11, 27)
    assert demo_rows(as_of) == demo_rows(as_of)
    assert demo_rows(as_of) != demo_rows(as_of + dt.timedelta(days=1))


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_headers_follow_the_template(as_of: dt.date, templates: dict[str, Any]) -> None:
    tabs = demo_rows(as_of)
    assert set(tabs) == set(INPUT_TABS)
    people = [row[0] for row in tabs["People"][1:]]
    for tab, grid in tabs.items():
        declared = [c["header"] for c in templates[tab]["columns"]]
        expected = declared + (people if tab == "RACI" else [])
        assert grid[0] == expected, tab
        computed = [i for i, c in enumerate(templates[tab]["columns"]) if c.get("computed")]
        for row in grid[1:]:
            assert len(row) == len(expected), tab
            assert all(row[i] is None for i in computed), tab


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_sizes_and_shape(as_of: dt.date) -> None:
    tabs = demo_rows(as_of)
    people = records(tabs["People"])
    assert 8 <= len(people) <= 12
    assert {str(p["Organization"]) for p in people} == {"Northwind Health", "Contoso Labs"}
    assert len(tabs["Goals"]) - 1 >= 6
    assert len(tabs["KPIs"]) - 1 >= 12
    assert 400 <= len(tabs["KPI Log"]) - 1 <= 700
    assert len(tabs["RACI"]) - 1 == 20
    kpis = records(tabs["KPIs"])
    assert {k["Direction"] for k in kpis} == {
        "increase",
        "decrease",
        "maintain above",
        "maintain below",
    }
    assert {k["Cadence"] for k in kpis} <= {"weekly", "monthly"}
    goals = records(tabs["Goals"])
    assert {g["Review cadence"] for g in goals} == {"monthly", "biweekly", "quarterly"}


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_references_exist(as_of: dt.date) -> None:
    tabs = demo_rows(as_of)
    people = {str(p["Person"]) for p in records(tabs["People"])}
    goals = records(tabs["Goals"])
    goal_ids = {str(g["Goal ID"]) for g in goals}
    kpis = records(tabs["KPIs"])
    kpi_ids = {str(k["KPI ID"]) for k in kpis}
    assert len(goal_ids) == len(goals) and len(kpi_ids) == len(kpis)
    orgs = {str(p["Person"]): p["Organization"] for p in records(tabs["People"])}
    one_sided = []
    for goal in goals:
        assert goal["Owner"] in people
        if goal["Partner owner"] is None:
            one_sided.append(goal["Goal ID"])
        else:
            assert goal["Partner owner"] in people
            assert orgs[str(goal["Owner"])] != orgs[str(goal["Partner owner"])]
    assert one_sided == ["G6"]
    for kpi in kpis:
        assert kpi["Goal ID"] in goal_ids and kpi["Owner"] in people
    # every goal still pursued is measured; the one Closed goal is done with
    closed = {str(g["Goal ID"]) for g in goals if g["State"] == "Closed"}
    assert closed == {"G8"} and all(g["Outcome"] for g in goals if g["State"] == "Closed")
    assert goal_ids - closed == {str(k["Goal ID"]) for k in kpis}
    for row in records(tabs["KPI Log"]):
        assert row["KPI ID"] in kpi_ids and row["Entered by"] in people
    for row in records(tabs["RACI"]):
        assert row["Goal ID"] in goal_ids
    for row in records(tabs["Reviews"]):
        assert row["Goal ID"] in goal_ids
        for name in str(row["Attendees"]).split(", "):
            assert name in people


def _check_problems(as_of: dt.date) -> None:
    tabs = demo_rows(as_of)
    log = records(tabs["KPI Log"])
    kpis = records(tabs["KPIs"])
    statuses = {str(k["KPI ID"]): kpi_status(k, log, as_of) for k in kpis}
    assert statuses == {
        "K1": "On track",
        "K2": "On track",
        "K3": "On track",
        "K4": "At risk",
        "K5": "Off track",
        "K6": "On track",
        "K7": "Stale",
        "K8": "On track",
        "K9": "On track",
        "K10": "Off track",
        "K11": "Achieved",
        "K12": "On track",
        "K13": "Overdue",
        "K14": "On track",
        "K15": "On track",
    }, as_of
    # "Clearly" off track: well below the at-risk line, not a borderline case.
    assert pace_ratio(next(k for k in kpis if k["KPI ID"] == "K5"), log, as_of) < 0.6

    goals = [g for g in records(tabs["Goals"]) if g["State"] not in ("Closed", "Dropped")]
    reviews = records(tabs["Reviews"])
    review = {str(g["Goal ID"]): review_status(g, reviews, as_of) for g in goals}
    assert [g for g, s in review.items() if s != "OK"] == ["G3"], as_of
    assert review["G3"] == "Overdue"

    people = {str(p["Person"]) for p in records(tabs["People"])}
    no_a, multi_a = [], []
    for row in records(tabs["RACI"]):
        for person in people:
            assert row[person] is None or row[person] in RACI_VALUES
        accountable, responsible = raci_roles(row, people)
        assert 1 <= len(responsible) <= 3, row["Task ID"]
        if not accountable:
            no_a.append(row["Task ID"])
        elif len(accountable) > 1:
            multi_a.append(row["Task ID"])
    assert no_a == ["T7"] and multi_a == ["T13"]

    # K5's last three check-ins lose confidence (KPI-CONFIDENCE-DROP); no other has any
    confidence = [(r["KPI ID"], r["Confidence"]) for r in log if r.get("Confidence")]
    assert confidence == [("K5", "High"), ("K5", "Medium"), ("K5", "Low")]

    bad_dates = [r["Date"] for r in log if parse_date(r["Date"]) is None]
    assert len(bad_dates) == 1 and isinstance(bad_dates[0], str)
    for row in log:
        day = parse_date(row["Date"])
        assert day is None or day <= as_of
        assert parse_number(row["Value"]) is not None
    for row in reviews:
        day = parse_date(row["Date"])
        assert day is not None and day <= as_of


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_deliberate_problems_hold(as_of: dt.date) -> None:
    _check_problems(as_of)


def test_deliberate_problems_hold_on_any_day() -> None:
    for as_of in _sweep():
        _check_problems(as_of)


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_typed_as_text_cells_are_few_and_parse(as_of: dt.date) -> None:
    tabs = demo_rows(as_of)
    log = tabs["KPI Log"][1:]
    text_dates = [r[0] for r in log if isinstance(r[0], str)]
    text_values = [r[2] for r in log if isinstance(r[2], str)]
    bad = [d for d in text_dates if parse_date(d) is None]
    assert bad == [f"31/02/{as_of.year}"]
    # Two dates typed as text and one number with a thousands separator: no more than 3.
    assert len(text_dates) - 1 == 2 and len(text_values) == 1
    assert all(parse_number(v) is not None and "," in str(v) for v in text_values)
    for table in tabs.values():
        for row in table[1:]:
            for cell in row:
                assert not isinstance(cell, str) or not cell.startswith("=")


def test_kpi_log_is_about_a_year_of_readings() -> None:
    as_of = dt.date(2026, 11, 27)
    log = records(demo_rows(as_of)["KPI Log"])
    days = [d for r in log if (d := parse_date(r["Date"])) is not None]
    assert (as_of - min(days)).days >= 300
    weekly = sorted(d for r in log if r["KPI ID"] == "K1" and (d := parse_date(r["Date"])))
    assert {(b - a).days for a, b in itertools.pairwise(weekly)} == {7}


def test_problem_catalogue_names_known_rules() -> None:
    from sheets_sync.findings import RULES

    required = {
        "RACI-NO-A",
        "RACI-MULTI-A",
        "REVIEW-OVERDUE",
        "KPI-OFF-TRACK",
        "KPI-STALE",
        "VALUE-TYPE",
    }
    assert required <= set(DEMO_PROBLEMS)
    assert set(DEMO_PROBLEMS) <= set(RULES)
    assert all(text and "\n" not in text for text in DEMO_PROBLEMS.values())
