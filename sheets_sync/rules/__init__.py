"""Rules: what sync computes and the findings it reports (§5).

One module per concern. Each takes the :class:`Context` (every tab read and
typed, plus as_of and thresholds) and adds computed cells and findings to an
:class:`Outcome`. Rules never touch a backend.
"""

from __future__ import annotations

from sheets_sync.rules.context import Context, Outcome


def run_rules(ctx: Context) -> Outcome:
    """Run every rule over the tables; return computed cells and findings."""
    from sheets_sync.rules import (
        confidence,
        goals,
        kpis,
        raci,
        readings,
        references,
        reviews,
    )

    outcome = Outcome()
    for table in ctx.tables.values():
        outcome.findings.extend(table.findings)
    references.check(ctx, outcome)
    kpis.compute(ctx, outcome)
    readings.check(ctx, outcome)
    confidence.compute(ctx, outcome)
    reviews.compute(ctx, outcome)
    goals.compute(ctx, outcome)
    raci.compute(ctx, outcome)
    return outcome


__all__ = ["Context", "Outcome", "run_rules"]
