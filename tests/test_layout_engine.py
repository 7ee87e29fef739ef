"""One layout engine: the same drift in a workbook gives the same plan on xlsx and on Google.

Each backend only reports the facts of a tab's formatting; :mod:`sheets_sync.layout`
decides what is missing. So a person who drops a dropdown, ungreys a computed header,
deletes an optional column and loses a conditional format sees the same
``provision --dry-run`` lines whichever backend holds the workbook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.a1 import column_letter
from sheets_sync.backends.base import (
    ConditionalRule,
    TabFormatting,
    TabLayout,
    Validation,
)
from sheets_sync.demo import fill_demo
from sheets_sync.layout import missing, same_ranges
from sheets_sync.sync import provision
from sheets_sync.templates import load_template
from tests.fakes.memory import installed
from tests.scenarios.worlds import GoogleWorld, World, XlsxWorld

AS_OF = dt.date(2026, 11, 27)
TEMPLATE = load_template("partnership")


def col(tab: str, header: str) -> int:
    """The column provisioning gives ``header`` in ``tab`` (the template's order)."""
    return [c.header for c in TEMPLATE.table(tab).columns].index(header)


CADENCE = col("Goals", "Review cadence")
GOAL_STATUS = col("Goals", "Status")
NOTE = col("KPI Log", "Note")
KPI_STATUS = col("KPIs", "Status")
OFF_TRACK = f'${column_letter(KPI_STATUS)}2="Off track"'


def demo(world: World) -> None:
    backend = world.backend()
    fill_demo(backend, AS_OF)
    if isinstance(world, GoogleWorld):
        world.remember(backend)


def drift_xlsx(world: XlsxWorld) -> None:
    """The drift, as a person makes it in Excel or LibreOffice."""
    import openpyxl
    from openpyxl.styles import PatternFill

    wb = openpyxl.load_workbook(world.path)
    goals = wb["Goals"]
    letter = column_letter(CADENCE)
    goals.data_validations.dataValidation = [
        dv for dv in goals.data_validations.dataValidation if letter not in str(dv.sqref)
    ]
    goals.cell(1, GOAL_STATUS + 1).fill = PatternFill(fill_type=None)
    wb["KPI Log"].delete_cols(NOTE + 1)
    kpis = wb["KPIs"]
    for key in [str(cf.sqref) for cf in kpis.conditional_formatting]:
        rules = kpis.conditional_formatting[key]
        rules[:] = [r for r in rules if str(r.formula[0]) != OFF_TRACK]
        if not rules:
            del kpis.conditional_formatting[key]
    wb.save(world.path)


def drift_google(world: GoogleWorld) -> None:
    """The same drift, as a person makes it in the Google Sheets UI."""
    assert world.spreadsheet_id is not None
    ss = world.fake.spreadsheet(world.spreadsheet_id)
    goals = ss.sheet("Goals")
    for (row, c), cell in list(goals.cells.items()):
        if c == CADENCE and cell.pop("dataValidation", None) is not None:
            goals.prune(row, c)
    header: dict[str, Any] = dict(goals.cell(0, GOAL_STATUS).get("userEnteredFormat", {}))
    header.pop("backgroundColor", None)
    ss.set_format("Goals", 0, GOAL_STATUS, header)
    ss.delete_columns("KPI Log", NOTE)
    kpis = ss.sheet("KPIs")
    kpis.cond_formats = [
        rule
        for rule in kpis.cond_formats
        if rule["booleanRule"]["condition"]["values"][0]["userEnteredValue"] != "=" + OFF_TRACK
    ]


def test_the_same_drift_gives_the_same_plan_on_both_backends(tmp_path: Path) -> None:
    xlsx, google = XlsxWorld(tmp_path), GoogleWorld()
    for world in (xlsx, google):
        demo(world)
        assert provision(world.backend(), dry_run=True).steps == [], world.name
    drift_xlsx(xlsx)
    drift_google(google)
    steps = {world.name: provision(world.backend(), dry_run=True).steps for world in (xlsx, google)}
    assert steps["xlsx"] == steps["google"]
    cadences = ", ".join(TEMPLATE.enum("cadence").values)
    fill = TEMPLATE.colors["status"]["Off track"]
    status = column_letter(KPI_STATUS)
    assert steps["xlsx"] == [
        "'Goals': restore grey header on Status",
        f"'Goals': restore dropdown on Review cadence ({cadences})",
        f"'KPIs': restore conditional format {OFF_TRACK} on {status}2:{status}10000 (fill {fill})",
        "add column 'Note' to 'KPI Log'",
    ]
    # Provisioning puts it all back, on both.
    for world in (xlsx, google):
        provision(world.backend())
        assert provision(world.backend(), dry_run=True).steps == [], world.name


LAYOUT = TabLayout(
    name="Goals",
    headers=("Goal ID", "", "Review cadence", "Status"),
    computed=frozenset({3}),
    validations=(Validation(2, ("weekly", "monthly")),),
    rules=(ConditionalRule("D2:D10000", '$D2="Off track"', "F4CCCC"),),
    notes=((3, "Computed by sheets-sync."),),
)


def test_a_tab_with_its_layout_lacks_nothing() -> None:
    assert missing(LAYOUT, installed(LAYOUT)) == []
    assert missing(LAYOUT, None) == ["the tab"]


def test_missing_words_each_piece() -> None:
    assert missing(LAYOUT, TabFormatting()) == [
        "frozen header row",
        "bold header on Goal ID, Review cadence, Status",
        "grey header on Status",
        "dropdown on Review cadence (weekly, monthly)",
        '''conditional format $D2="Off track" on D2:D10000 (fill F4CCCC)''',
        "note on Status",
    ]


def test_what_a_backend_did_not_read_is_not_compared() -> None:
    facts = installed(LAYOUT)
    unread = TabFormatting(**{**facts.__dict__, "dropdowns": None})
    assert missing(LAYOUT, unread) == []
    warned = TabFormatting(**{**facts.__dict__, "protected": frozenset()})
    assert missing(LAYOUT, warned) == ["edit warning on Status"]


@pytest.mark.parametrize(
    ("found", "wanted", "columns", "same"),
    [
        ("D2:D10000", "$D$2:$D$10000", None, True),
        ("D2:D", "D2:D10000", None, True),  # to the last row, however many
        ("D2:D5000", "D2:D10000", None, False),
        ("A2:Z", "A2:AB10000", 26, True),  # cut at the grid's last column
        ("A2:Z", "A2:AB10000", None, False),
        ("B2:B9 D2:D9", "D2:D9 B2:B9", None, True),
        ("D2:D9", "D2:D9 B2:B9", None, False),
    ],
)
def test_ranges_compare_loosely(found: str, wanted: str, columns: int | None, same: bool) -> None:
    assert same_ranges(found, wanted, columns) is same


def test_colours_and_formulas_compare_loosely() -> None:
    facts = TabFormatting(
        fills={3: "#FFD8D8D8"},  # one step from D9D9D9: the API's rounding
        rules=(ConditionalRule("D2:D", '= $d2 = "Off track"', "F5CCCC"),),
    )
    layout = TabLayout(name="Goals", headers=("", "", "", ""), computed=frozenset({3}),
                       rules=LAYOUT.rules, freeze_header=False)
    assert missing(layout, facts) == []
