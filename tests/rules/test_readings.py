"""KPI Log readings that look wrong, the Pace column, and DDE formulas."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.findings import RULES, Severity
from sheets_sync.formulas import is_dde_formula, is_external_formula
from sheets_sync.rules.readings import is_implausible
from tests.helpers import base_tabs, run

D = dt.date


def _kpi(tabs: dict[str, list[list[object]]], **values: object) -> None:
    header = tabs["KPIs"][0]
    row = tabs["KPIs"][1]
    for name, value in values.items():
        row[header.index(name)] = value


def _log(tabs: dict[str, list[list[object]]], *rows: tuple[dt.date, str, object]) -> None:
    tabs["KPI Log"][1:] = [[day, kpi, value, "Ana", None] for day, kpi, value in rows]


# -- KPI-READING-IMPLAUSIBLE ----------------------------------------------------------------


def test_both_rules_are_warnings() -> None:
    assert RULES["KPI-READING-IMPLAUSIBLE"] is Severity.WARNING
    assert RULES["KPI-DUPLICATE-READING"] is Severity.WARNING


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "value", "implausible"),
    [
        ("increase", 0, 12_500, 12_500_000, True),
        ("increase", 0, 12_500, 125_000, False),  # exactly 10 times: still plausible
        ("increase", 0, 12_500, 125_001, True),
        ("increase", 100, 200, -901, True),  # far below the Baseline counts too
        ("increase", 100, 200, -900, False),
        ("decrease", 50, 40, 151, True),
        ("decrease", 50, 40, 150, False),
        ("increase", 5, 5, 56, True),  # Baseline == Target: 10 * max(|Target|, 1) = 50
        ("increase", 5, 5, 55, False),
        ("increase", 0, 0, 11, True),  # ... and at least 10
        ("increase", 0, 12_500, 1e300, True),
        ("maintain above", None, 95, 951, True),
        ("maintain above", None, 95, 950, False),
        ("maintain below", None, 0.5, 10.5, True),  # 10 * max(0.5, 1) = 10
        ("maintain below", None, 0.5, -10, False),
        ("maintain below", None, -30, -301, True),
    ],
)
def test_implausible_limit(
    direction: str, baseline: float | None, target: float, value: float, implausible: bool
) -> None:
    assert is_implausible(direction, target, baseline, value) is implausible


def test_an_implausible_reading_is_reported_on_its_value_cell_and_still_counts() -> None:
    tabs = base_tabs()
    _kpi(tabs, Target=12_500)
    _log(tabs, (D(2026, 11, 20), "K1", 12_500_000))
    analysis = run(tabs)
    found = [f for f in analysis.findings if f.rule == "KPI-READING-IMPLAUSIBLE"]
    assert len(found) == 1
    f = found[0]
    assert (f.tab, f.key, f.cell, f.column) == ("KPI Log", "K1 @ 2026-11-20", "C2", "Value")
    assert f.severity is Severity.WARNING
    assert f.message.startswith(
        "Value 12,500,000 is implausible for K1 (Baseline 0, Target 12,500): it is more than "
        "10 times the Baseline-to-Target distance away from the Baseline."
    )
    assert "correct it" in f.message
    computed = analysis.outcome.computed["KPIs"][0]
    assert computed["Latest value"] == 12_500_000
    assert computed["Status"] == "Achieved"  # the reading is not dropped


def test_an_implausibly_low_reading_still_decides_the_status() -> None:
    tabs = base_tabs()
    _log(tabs, (D(2026, 11, 1), "K1", 80), (D(2026, 11, 20), "K1", -5000))
    analysis = run(tabs)
    assert [f.key for f in analysis.findings if f.rule == "KPI-READING-IMPLAUSIBLE"] == [
        "K1 @ 2026-11-20"
    ]
    computed = analysis.outcome.computed["KPIs"][0]
    assert computed["Latest value"] == -5000 and computed["Status"] == "Off track"


def test_maintain_kpis_are_judged_against_their_target() -> None:
    tabs = base_tabs()
    _kpi(tabs, Direction="maintain above", Baseline=None, **{"Start date": None,
                                                             "Due date": None}, Target=4.5)
    _log(tabs, (D(2026, 11, 20), "K1", 45), (D(2026, 11, 21), "K1", 46))
    analysis = run(tabs)
    found = [f for f in analysis.findings if f.rule == "KPI-READING-IMPLAUSIBLE"]
    assert [(f.key, f.cell) for f in found] == [("K1 @ 2026-11-21", "C3")]
    assert "maintain above 4.5" in found[0].message
    assert analysis.outcome.computed["KPIs"][0]["Status"] == "On track"


def test_plausible_readings_and_unknown_kpis_are_not_reported() -> None:
    tabs = base_tabs()
    _log(tabs, (D(2026, 11, 20), "K1", 95), (D(2026, 11, 20), "K9", 1e9))
    rules = {f.rule for f in run(tabs).findings}
    assert "KPI-READING-IMPLAUSIBLE" not in rules
    assert "REF-UNKNOWN" in rules


# -- KPI-DUPLICATE-READING -----------------------------------------------------------------


def test_two_readings_on_one_date_the_lower_row_counts_and_is_reported() -> None:
    tabs = base_tabs()
    _log(tabs, (D(2026, 11, 20), "K1", 90), (D(2026, 11, 1), "K1", 70),
         (D(2026, 11, 20), "k1", 80))
    analysis = run(tabs)
    found = [f for f in analysis.findings if f.rule == "KPI-DUPLICATE-READING"]
    assert len(found) == 1
    f = found[0]
    assert (f.tab, f.key, f.cell, f.column) == ("KPI Log", "k1 @ 2026-11-20", "A4", "Date")
    assert f.severity is Severity.WARNING
    assert "row 2 (90)" in f.message and "(this one)" in f.message
    computed = analysis.outcome.computed["KPIs"][0]
    assert computed["Latest value"] == 80  # the lowest row of the latest date, as before


def test_three_readings_on_one_date_each_later_row_names_the_others() -> None:
    tabs = base_tabs()
    _log(tabs, (D(2026, 11, 20), "K1", 90), (D(2026, 11, 20), "K1", 91),
         (D(2026, 11, 20), "K1", 92))
    analysis = run(tabs)
    found = sorted(
        (f for f in analysis.findings if f.rule == "KPI-DUPLICATE-READING"), key=lambda f: f.row
    )
    assert [f.cell for f in found] == ["A3", "A4"]
    assert "row 2 (90), row 4 (92)" in found[0].message and "(row 4)" in found[0].message
    assert "row 2 (90), row 3 (91)" in found[1].message and "(this one)" in found[1].message
    assert analysis.outcome.computed["KPIs"][0]["Latest value"] == 92


def test_readings_on_different_dates_or_after_as_of_are_not_duplicates() -> None:
    tabs = base_tabs()
    _log(tabs, (D(2026, 11, 20), "K1", 90), (D(2026, 11, 21), "K1", 91),
         (D(2026, 12, 20), "K1", 92), (D(2026, 12, 20), "K1", 93))
    assert "KPI-DUPLICATE-READING" not in {f.rule for f in run(tabs).findings}


# -- Pace ----------------------------------------------------------------------------------


def test_pace_column_is_the_pace_ratio() -> None:
    tabs = base_tabs()
    _kpi(tabs, Baseline=0, Target=300, **{"Start date": D(2026, 1, 1), "Due date": D(2026, 12, 31)})
    # 2026-11-20 is day 323 of 364: expected 266.2...; 200 / 266.2 = 0.751...
    _log(tabs, (D(2026, 11, 20), "K1", 200))
    computed = run(tabs).outcome.computed["KPIs"][0]
    expected = 300 * 323 / 364
    assert computed["Pace"] == pytest.approx(round(200 / expected, 6))
    assert computed["Status"] == "At risk"


def test_pace_is_one_on_the_start_date_and_blank_without_a_reading() -> None:
    tabs = base_tabs()
    _log(tabs, (D(2026, 1, 1), "K1", 0))
    assert run(tabs, as_of=D(2026, 1, 2)).outcome.computed["KPIs"][0]["Pace"] == 1.0
    _log(tabs)
    assert run(tabs).outcome.computed["KPIs"][0]["Pace"] is None


def test_pace_is_blank_for_maintain_kpis() -> None:
    tabs = base_tabs()
    _kpi(tabs, Direction="maintain below", Target=100)
    computed = run(tabs).outcome.computed["KPIs"][0]
    assert computed["Pace"] is None and computed["Status"] == "On track"


def test_stale_message_quotes_the_last_known_pace() -> None:
    tabs = base_tabs()
    _log(tabs, (D(2026, 5, 1), "K1", 19))  # day 120 of 364: expected 32.97; pace 58%
    analysis = run(tabs)
    assert analysis.outcome.computed["KPIs"][0]["Status"] == "Stale"
    [stale] = [f for f in analysis.findings if f.rule == "KPI-STALE"]
    assert stale.message.startswith(
        "No reading since 2026-05-01, the last one at 58% of the expected pace; its weekly "
        "reading is overdue."
    )


# -- DDE formulas --------------------------------------------------------------------------

DDE = [
    "=cmd|' /C calc'!A0",
    "=CMD|' /C calc'!'A0'",
    "=@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "=msexcel|'\\..\\..\\windows\\system32\\cmd.exe /c calc'!''",
    "=|' /C calc'!A0",
    "=cmd|calc!A0",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "=ddeauto(a, b, c)",
    '=IFERROR(DDE("cmd","/c calc","x"),"")',
]
NOT_DDE = ["=SUM(A1:A3)", "='My Sheet'!A1", "=Sheet1!A1", '="a|b!"', '=IF(A1="x|y!",1,2)',
           "=ADDRESS(1,1)", '=DDEX("x")']


@pytest.mark.parametrize("formula", DDE)
def test_dde_payloads_are_external(formula: str) -> None:
    assert is_dde_formula(formula) and is_external_formula(formula)


@pytest.mark.parametrize("formula", NOT_DDE)
def test_ordinary_formulas_are_not_dde(formula: str) -> None:
    assert not is_dde_formula(formula) and not is_external_formula(formula)


def test_a_dde_formula_gets_the_security_finding_and_never_the_open_and_save_advice() -> None:
    tabs = base_tabs()
    _log(tabs, (D(2026, 11, 20), "K1", None), (D(2026, 11, 21), "K1", None))
    formulas = {("KPI Log", 1, 2): "=cmd|' /C calc'!A0", ("KPI Log", 2, 2): "=1/0+A1"}
    analysis = run(tabs, formulas=formulas)
    security = [f for f in analysis.findings if f.rule == "SECURITY-EXTERNAL-FORMULA"]
    assert [(f.tab, f.cell) for f in security] == [("KPI Log", "C2")]
    assert "delete the formula and type the value" in security[0].message
    uncalculated = [f for f in analysis.findings if f.rule == "VALUE-UNCALCULATED"]
    assert [f.cell for f in uncalculated] == ["C3"]  # the ordinary formula keeps its advice
    for f in analysis.findings:
        if f.cell == "C2":
            assert "open and save" not in f.message
