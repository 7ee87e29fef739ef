"""KPI columns: Latest value, Latest date, Expected, Progress, Pace, Status.

A Closed or Dropped KPI (its own State, else its goal's) shows that state as its Status
and raises no KPI-* finding; an On hold one raises no KPI-STALE or KPI-NO-DATA.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sheets_sync.config import RulesConfig
from sheets_sync.findings import finding
from sheets_sync.rules.cadence import add_cadence
from sheets_sync.rules.context import Context, Outcome
from sheets_sync.rules.lifecycle import ENDED, mutes, states

TOLERANCE = 1e-9
PACED = ("increase", "decrease")
TAB = "KPIs"
LOG = "KPI Log"


@dataclass(frozen=True)
class KpiInputs:
    """A KPI's own inputs, already typed and valid."""

    direction: str
    target: float
    cadence: str
    baseline: float | None = None
    start: dt.date | None = None
    due: dt.date | None = None


@dataclass(frozen=True)
class KpiResult:
    """The computed columns of one KPI."""

    status: str
    latest_value: float | None = None
    latest_date: dt.date | None = None
    expected: float | None = None
    progress: float | None = None
    pace: float | None = None


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def expected_at(k: KpiInputs, when: dt.date) -> float:
    """Pacing from Baseline at Start date to Target at Due date, at ``when``."""
    if k.baseline is None or k.start is None or k.due is None:
        raise ValueError(f"a paced ({k.direction}) KPI needs Baseline, Start date and Due date")
    if k.due <= k.start:
        f = 1.0 if when >= k.due else 0.0
    else:
        f = _clamp((when - k.start).days / (k.due - k.start).days)
    return k.baseline + (k.target - k.baseline) * f


def evaluate(
    k: KpiInputs,
    latest: tuple[dt.date, float] | None,
    as_of: dt.date,
    rules: RulesConfig | None = None,
) -> KpiResult:
    """Apply the status rules, first rule that applies."""
    rules = rules or RulesConfig()
    paced = k.direction in PACED
    value = latest[1] if latest else None
    when = latest[0] if latest else None
    expected = progress = pace = None
    achieved = False
    if paced:
        if k.baseline is None:
            raise ValueError(f"a paced ({k.direction}) KPI needs a Baseline")
        if latest is not None:
            when, value = latest
            expected = expected_at(k, when)
            achieved = value >= k.target if k.direction == "increase" else value <= k.target
            if k.baseline == k.target:
                progress = 1.0 if achieved else 0.0
            else:
                progress = _clamp((value - k.baseline) / (k.target - k.baseline))
            pace = 1.0 if expected == k.baseline else (value - k.baseline) / (expected - k.baseline)

    def result(status: str) -> KpiResult:
        return KpiResult(status, value, when, expected, progress, pace)

    if achieved:
        return result("Achieved")
    if paced and k.due is not None and as_of > k.due:
        return result("Overdue")
    if latest is None:
        return result("No data")
    when, value = latest
    if as_of > add_cadence(when, k.cadence, rules.stale_grace_days):
        return result("Stale")
    if k.direction == "maintain above":
        return result("On track" if value >= k.target else "Off track")
    if k.direction == "maintain below":
        return result("On track" if value <= k.target else "Off track")
    if pace is None:
        raise ValueError(f"unknown KPI direction {k.direction!r}")
    if pace >= rules.on_track_ratio - TOLERANCE:
        return result("On track")
    if pace >= rules.at_risk_ratio - TOLERANCE:
        return result("At risk")
    return result("Off track")


def latest_readings(ctx: Context) -> dict[str, tuple[dt.date, float]]:
    """Case-folded KPI ID -> (date, value) of its latest reading up to as_of.

    The greatest date wins; on a tie, the lowest row on the sheet (the one entered last).
    """
    if LOG not in ctx.tables:
        return {}
    log = ctx.tables[LOG]
    if not log.present or not log.records:
        return {}
    frame = log.frame()
    needed = ["Date", "KPI ID", "Value"]
    if any(log.col(h) is None for h in needed):
        return {}
    import pandas as pd

    frame = frame.dropna(subset=needed)
    frame = frame[frame["Date"] <= pd.Timestamp(ctx.as_of)]
    if frame.empty:
        return {}
    frame = frame.assign(_kpi=frame["KPI ID"].astype(str).str.casefold())
    frame = frame.sort_values(["_kpi", "Date", "_row"], kind="mergesort")
    last = frame.groupby("_kpi", sort=False).tail(1)
    return {
        str(kpi): (ts.date(), float(value))
        for kpi, ts, value in zip(last["_kpi"], last["Date"], last["Value"], strict=True)
    }


def _inputs(ctx: Context, outcome: Outcome, index: int) -> KpiInputs | None:
    """The KPI's inputs when all it needs are present and valid; VALUE-RANGE otherwise."""
    table = ctx.tables[TAB]
    rec = table.records[index]
    direction = rec.get("Direction")
    target = rec.get("Target")
    cadence = rec.get("Cadence")
    if direction is None or target is None or cadence is None:
        return None
    if direction in PACED:
        baseline, start, due = rec.get("Baseline"), rec.get("Start date"), rec.get("Due date")
        if baseline is None or start is None or due is None:
            return None
        wrong = target < baseline if direction == "increase" else target > baseline
        if wrong:
            side = "above" if direction == "increase" else "below"
            outcome.findings.append(
                finding(
                    "VALUE-RANGE",
                    TAB,
                    table.key(index),
                    f"Target {target:g} should be {side} Baseline {baseline:g} for an {direction} "
                    "KPI; fix the Target, the Baseline or the Direction.",
                    cell=table.cell(index, "Target"),
                    column="Target",
                    row=table.rows[index],
                )
            )
            return None
        return KpiInputs(direction, float(target), cadence, float(baseline), start, due)
    return KpiInputs(direction, float(target), cadence)


def _rounded(pace: float | None) -> float | None:
    """The Pace column: blank when the pace cannot be computed (or is not finite)."""
    return None if pace is None or not math.isfinite(pace) else round(pace, 6)


def _pace_text(status: str, pace: float | None) -> str:
    """The pace, as the KPI-OFF-TRACK and KPI-STALE messages quote it."""
    if pace is None or not math.isfinite(pace):
        return ""
    if status == "Stale":
        return f", the last one at {pace:.0%} of the expected pace"
    return f", {pace:.0%} of the expected pace"


MESSAGES = {
    "Stale": (
        "KPI-STALE",
        "No reading since {date}{pace}; its {cadence} reading is overdue. Log one in "
        "KPI Log.",
    ),
    "No data": ("KPI-NO-DATA", "No reading yet; log the first one in KPI Log."),
    "Off track": (
        "KPI-OFF-TRACK",
        "Off track: latest {value} on {date}{pace}; agree a recovery plan.",
    ),
    "Overdue": (
        "KPI-OVERDUE",
        "Due {due} and not achieved (latest {value}); achieve it or agree a new Due date.",
    ),
}


def compute(ctx: Context, outcome: Outcome) -> None:
    """Fill the KPI computed columns and report KPI-* findings."""
    if TAB not in ctx.tables or not ctx.tables[TAB].present:
        return
    table = ctx.tables[TAB]
    readings = latest_readings(ctx)
    lifecycle = states(ctx)
    for index in ctx.usable(TAB):
        state = lifecycle.kpi(index)
        inputs = _inputs(ctx, outcome, index)
        if inputs is None:
            if state in ENDED:
                outcome.set(TAB, index, "Status", state)
                outcome.statuses.setdefault(TAB, {})[index] = state
            continue
        kpi_id = table.records[index].get("KPI ID")
        latest = readings.get(str(kpi_id).casefold()) if kpi_id is not None else None
        res = evaluate(inputs, latest, ctx.as_of, ctx.rules)
        values: dict[str, Any] = {
            "Latest value": res.latest_value,
            "Latest date": res.latest_date,
            "Expected": None if res.expected is None else round(res.expected, 6),
            "Progress": None if res.progress is None else round(res.progress, 6),
            "Pace": _rounded(res.pace),
            "Status": state if state in ENDED else res.status,
        }
        for header, value in values.items():
            outcome.set(TAB, index, header, value)
        outcome.statuses.setdefault(TAB, {})[index] = values["Status"]
        if res.status in MESSAGES and not mutes(state, MESSAGES[res.status][0]):
            rule, template = MESSAGES[res.status]
            pace = _pace_text(res.status, res.pace)
            message = template.format(
                date=res.latest_date.isoformat() if res.latest_date else "-",
                value="-" if res.latest_value is None else f"{res.latest_value:g}",
                cadence=inputs.cadence,
                due=inputs.due.isoformat() if inputs.due else "-",
                pace=pace,
            )
            outcome.findings.append(
                finding(
                    rule,
                    TAB,
                    table.key(index),
                    message,
                    cell=table.cell(index, "Status"),
                    column="Status",
                    row=table.rows[index],
                )
            )
