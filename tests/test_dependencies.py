"""Held back: what is computed from a tab that cannot be read is left as it is."""

from __future__ import annotations

from sheets_sync.backends.base import Plan
from sheets_sync.dependencies import held_columns, look_alike, unusable
from sheets_sync.sync import computed_updates
from tests.helpers import base_tabs, data_of, run


def test_a_missing_tab_with_no_look_alike_still_says_provision() -> None:
    tabs = base_tabs()
    del tabs["KPI Log"]
    analysis = run(tabs)
    (missing,) = [f for f in analysis.findings if f.rule == "TABLE-MISSING-TAB"]
    assert missing.message.startswith(
        "Tab 'KPI Log' is missing; run `sheets-sync provision` to add it. Until it is back, "
        "KPIs' Latest value, Latest date, Expected, Progress, Pace, Status, Issues;"
    )
    assert "KPI-NO-DATA" not in {f.rule for f in analysis.findings}
    written = {(u.tab, u.col) for u in computed_updates(analysis, Plan("p", "1"))}
    assert not {c for c in written if c[0] == "KPIs"}


def test_a_tab_without_a_required_column_is_read_as_before() -> None:
    tabs = base_tabs()
    for row in tabs["KPI Log"]:
        del row[2]  # Value: the KPIs have no readings, and say so
    analysis = run(tabs)
    assert unusable(analysis.context.tables) == {}
    assert analysis.held == {}
    assert "KPI-NO-DATA" in {f.rule for f in analysis.findings}


def test_a_missing_reviews_tab_holds_review_columns_and_findings() -> None:
    tabs = base_tabs()
    del tabs["Reviews"]
    analysis = run(tabs)
    assert set(held_columns({"Reviews": "is missing"})) == set(analysis.held)
    assert not {"REVIEW-NEVER", "REVIEW-OVERDUE"} & {f.rule for f in analysis.findings}
    # What does not depend on Reviews is still computed.
    assert analysis.outcome.computed["KPIs"][0]["Status"] == "On track"


def test_the_look_alike_must_hold_the_required_headers() -> None:
    tabs = base_tabs()
    log = tabs.pop("KPI Log")
    tabs["Notes"] = [["Date", "Note"], ["x", "y"]]  # two headers, but no KPI ID or Value
    spec = run(tabs).context.tables["KPI Log"].spec
    assert look_alike(spec, data_of(tabs), ["People", "Goals", "KPIs", "RACI", "Reviews"]) is None
    tabs["Log (old)"] = log
    assert look_alike(spec, data_of(tabs), ["People"]) == "Log (old)"
    assert look_alike(spec, data_of(tabs), ["log (OLD)"]) is None
