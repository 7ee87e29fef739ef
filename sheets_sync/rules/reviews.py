"""Goal review columns: Last review, Next review, Review status.

A Closed or Dropped goal has a blank Review status and raises no REVIEW-* finding; an
On hold one keeps its Review status but raises none either.
"""

from __future__ import annotations

import datetime as dt

from sheets_sync.findings import finding
from sheets_sync.rules.cadence import add_cadence
from sheets_sync.rules.context import Context, Outcome
from sheets_sync.rules.lifecycle import ENDED, mutes, states

TAB = "Goals"
REVIEWS = "Reviews"


def last_reviews(ctx: Context) -> dict[str, dt.date]:
    """Case-folded Goal ID -> greatest valid review Date up to as_of."""
    last: dict[str, dt.date] = {}
    table = ctx.tables.get(REVIEWS)
    if table is None or not table.present:
        return last
    for index in table:
        rec = table.records[index]
        goal, date = rec.get("Goal ID"), rec.get("Date")
        if goal is None or date is None or date > ctx.as_of:
            continue
        key = str(goal).casefold()
        if key not in last or date > last[key]:
            last[key] = date
    return last


def review_status(
    last: dt.date | None, cadence: str, as_of: dt.date, grace_days: int
) -> tuple[dt.date | None, str]:
    """(Next review, Review status) for a goal whose last review was ``last``."""
    if last is None:
        return None, "Never reviewed"
    next_review = add_cadence(last, cadence)
    overdue = as_of > next_review + dt.timedelta(days=grace_days)
    return next_review, "Overdue" if overdue else "OK"


def compute(ctx: Context, outcome: Outcome) -> None:
    """Fill the review columns of Goals; report REVIEW-OVERDUE and REVIEW-NEVER."""
    table = ctx.tables.get(TAB)
    if table is None or not table.present:
        return
    last = last_reviews(ctx)
    grace = ctx.rules.stale_grace_days
    lifecycle = states(ctx)
    for index in ctx.usable(TAB):
        rec = table.records[index]
        goal = rec.get("Goal ID")
        if goal is None:
            continue
        last_review = last.get(str(goal).casefold())
        outcome.set(TAB, index, "Last review", last_review)
        cadence = rec.get("Review cadence")
        if cadence is None:
            continue
        next_review, status = review_status(last_review, cadence, ctx.as_of, grace)
        state = lifecycle.goal(goal)
        outcome.set(TAB, index, "Next review", next_review)
        outcome.set(TAB, index, "Review status", None if state in ENDED else status)
        key, row = table.key(index), table.rows[index]
        cell = table.cell(index, "Review status")
        if (
            status == "Overdue"
            and last_review is not None
            and next_review is not None
            and not mutes(state, "REVIEW-OVERDUE")
        ):
            outcome.findings.append(
                finding(
                    "REVIEW-OVERDUE",
                    TAB,
                    key,
                    f"Last reviewed {last_review.isoformat()}; the {cadence} review was due "
                    f"{next_review.isoformat()}. Hold it and log it in Reviews.",
                    cell=cell,
                    column="Review status",
                    row=row,
                )
            )
        elif status == "Never reviewed" and not mutes(state, "REVIEW-NEVER"):
            start = rec.get("Start date")
            if start is None or ctx.as_of > add_cadence(start, cadence, grace):
                since = f" since it started on {start.isoformat()}" if start else ""
                outcome.findings.append(
                    finding(
                        "REVIEW-NEVER",
                        TAB,
                        key,
                        f"Never reviewed{since}; hold a {cadence} review and log it in Reviews.",
                        cell=cell,
                        column="Review status",
                        row=row,
                    )
                )
