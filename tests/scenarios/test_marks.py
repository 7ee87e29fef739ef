"""A bad value is marked in the cell where it was typed, on every tab, on both backends."""

from __future__ import annotations

from typing import Any

from sheets_sync.a1 import a1, parse_range
from sheets_sync.backends.google.cells import grid_a1
from sheets_sync.layout import MARK_FORMULA, is_mark
from sheets_sync.sync import SyncResult, sync
from tests.scenarios.test_both_backends import AS_OF, demo
from tests.scenarios.worlds import GoogleWorld, World, XlsxWorld

PERSONS_FORMULA = 'LEN("mine")>100'


def col_of(world: World, tab: str, header: str) -> int:
    return [str(h) for h in world.grid(tab)[0]].index(header)


def rules_of(world: World, tab: str) -> list[tuple[str, str, int]]:
    """(formula, ranges, rank) of every formula rule on ``tab``: rank 0 shows first."""
    if isinstance(world, XlsxWorld):
        import openpyxl

        ws = openpyxl.load_workbook(world.path)[tab]
        found = [
            (str(r.formula[0]), str(cf.sqref), r.priority)
            for cf in ws.conditional_formatting
            for r in cf.rules
            if r.formula
        ]
        order = sorted(p for _, _, p in found)
        return [(f, s, order.index(p)) for f, s, p in found]
    assert isinstance(world, GoogleWorld)
    out = []
    for index, rule in enumerate(world._ss().sheet(tab).cond_formats):
        values = rule.get("booleanRule", {}).get("condition", {}).get("values", [])
        formula = str(values[0].get("userEnteredValue", "")).removeprefix("=") if values else ""
        out.append((formula, " ".join(grid_a1(g) for g in rule["ranges"]), index))
    return out


def mark_of(world: World, tab: str) -> tuple[str, int] | None:
    """The ranges of the tool's mark on ``tab`` and its rank; None when it has none."""
    marks = [(s, rank) for f, s, rank in rules_of(world, tab) if is_mark(f)]
    assert len(marks) <= 1, marks
    return marks[0] if marks else None


def covers(ranges: str, cell: str) -> bool:
    """Whether A1 ranges (``C5:C7 E9``) hold ``cell``."""
    at = parse_range(cell)
    assert at is not None
    for part in ranges.replace("$", "").split():
        box = parse_range(part)
        assert box is not None and box.bottom is not None and box.right is not None
        if box.top <= at.top <= box.bottom and box.left <= at.left <= box.right:
            return True
    return False


def add_persons_rule(world: World, tab: str) -> None:
    """A person's own conditional format: must survive every sync."""
    if isinstance(world, XlsxWorld):
        from openpyxl.formatting.rule import FormulaRule
        from openpyxl.styles import PatternFill

        def edit(ws: Any) -> None:
            fill = PatternFill(fill_type="solid", start_color="CCE5FF", end_color="CCE5FF")
            ws.conditional_formatting.add("B2:B50", FormulaRule(formula=[PERSONS_FORMULA],
                                                                fill=fill))

        world._edit(tab, edit)
        return
    assert isinstance(world, GoogleWorld)
    sheet = world._ss().sheet(tab)
    sheet.cond_formats.append({
        "ranges": [{"sheetId": sheet.sheet_id, "startRowIndex": 1, "endRowIndex": 50,
                    "startColumnIndex": 1, "endColumnIndex": 2}],
        "booleanRule": {
            "condition": {"type": "CUSTOM_FORMULA",
                          "values": [{"userEnteredValue": "=" + PERSONS_FORMULA}]},
            "format": {"backgroundColor": {"red": 0.8, "green": 0.9, "blue": 1.0}},
        },
    })
    world._ss()._touch()


def has_persons_rule(world: World, tab: str) -> bool:
    return any(f.replace(" ", "") == PERSONS_FORMULA.replace(" ", "")
               for f, _, _ in rules_of(world, tab))


def cell_of(result: SyncResult, rule: str, tab: str) -> str:
    return next(f.cell for f in result.findings if f.rule == rule and f.tab == tab)


def quiet_sync(world: World) -> SyncResult:
    """A sync with nothing new: writes nothing (xlsx bytes, Google write requests)."""
    before = world.path.read_bytes() if isinstance(world, XlsxWorld) else None
    if isinstance(world, GoogleWorld):
        world.fake.reset_stats()
    result = sync(world.backend(), as_of=AS_OF)
    assert not result.wrote and result.marked == [] and result.restored == []
    if isinstance(world, XlsxWorld):
        assert world.path.read_bytes() == before
    else:
        writes = {e: n for e, n in world.fake.stats.by_endpoint.items()
                  if "batchUpdate" in e or "update" in e.lower()}
        assert writes == {}, writes
    return result


def test_bad_values_are_marked_where_typed_and_cleared_when_fixed(world: World) -> None:
    demo(world)
    sync(world.backend(), as_of=AS_OF)
    add_persons_rule(world, "KPI Log")
    add_persons_rule(world, "People")
    date_col = col_of(world, "KPI Log", "Date")
    email_col = col_of(world, "People", "Email")
    good_date = world.grid("KPI Log")[1][date_col]
    good_email = world.grid("People")[1][email_col]
    world.set("KPI Log", 1, date_col, "31/02/2026")
    world.set("People", 1, email_col, "not an email")

    result = sync(world.backend(), as_of=AS_OF)
    bad_date = cell_of(result, "VALUE-TYPE", "KPI Log")
    assert bad_date == a1(1, date_col)
    kpi_mark = mark_of(world, "KPI Log")
    assert kpi_mark is not None and covers(kpi_mark[0], bad_date)
    assert kpi_mark[1] == 0  # first: above the row colours
    people_mark = mark_of(world, "People")  # People has no Issues column
    assert people_mark is not None and covers(people_mark[0], a1(1, email_col))
    assert any("mark" in step and "'KPI Log'" in step for step in result.marked)
    assert not any("mark" in step for step in result.restored)
    assert has_persons_rule(world, "KPI Log") and has_persons_rule(world, "People")
    assert world.grid("KPI Log")[1][date_col] == "31/02/2026"  # the value is never rewritten

    quiet_sync(world)

    # a row inserted above: the next sync marks the cell where the value now is
    world.insert_rows("KPI Log", 1)
    moved = sync(world.backend(), as_of=AS_OF)
    assert cell_of(moved, "VALUE-TYPE", "KPI Log") == a1(2, date_col)
    kpi_mark = mark_of(world, "KPI Log")
    assert kpi_mark is not None and covers(kpi_mark[0], a1(2, date_col))
    assert not covers(kpi_mark[0], a1(1, date_col))  # the new row holds nothing to fix
    quiet_sync(world)

    # fixed: the mark goes, and with nothing left to mark, its rule
    world.set("KPI Log", 2, date_col, good_date)
    world.set("People", 1, email_col, good_email)
    fixed = sync(world.backend(), as_of=AS_OF)
    assert not any(f.tab == "KPI Log" and f.cell == a1(2, date_col) for f in fixed.findings)
    kpi_mark = mark_of(world, "KPI Log")
    assert kpi_mark is None or not covers(kpi_mark[0], a1(2, date_col))
    people_mark = mark_of(world, "People")
    assert people_mark is None or not covers(people_mark[0], a1(1, email_col))
    assert has_persons_rule(world, "KPI Log") and has_persons_rule(world, "People")
    quiet_sync(world)


def test_mark_outranks_the_row_highlight(world: World) -> None:
    demo(world)
    sync(world.backend(), as_of=AS_OF)
    target = col_of(world, "KPIs", "Target")
    world.set("KPIs", 1, target, "lots")  # VALUE-TYPE: the row turns yellow too
    sync(world.backend(), as_of=AS_OF)
    rules = rules_of(world, "KPIs")
    mark = mark_of(world, "KPIs")
    assert mark is not None and covers(mark[0], a1(1, target))
    assert mark[1] == min(rank for _, _, rank in rules)
    assert any(rank > mark[1] and '<>""' in f for f, _, rank in rules)  # the row highlight
    quiet_sync(world)


def test_mark_formula_is_always_true_and_distinct() -> None:
    assert is_mark(MARK_FORMULA) and is_mark("=len(\"sheets-sync: value to fix\") > 0")
    assert not is_mark('$M2<>""')


def test_the_mark_goes_when_nothing_is_left_to_mark(world: World) -> None:
    demo(world)
    sync(world.backend(), as_of=AS_OF)
    add_persons_rule(world, "People")
    email_col = col_of(world, "People", "Email")
    good_email = world.grid("People")[1][email_col]
    assert mark_of(world, "People") is None  # the demo's People hold nothing to fix
    world.set("People", 1, email_col, "not an email")
    sync(world.backend(), as_of=AS_OF)
    mark = mark_of(world, "People")
    assert mark is not None and covers(mark[0], a1(1, email_col))
    world.set("People", 1, email_col, good_email)
    fixed = sync(world.backend(), as_of=AS_OF)
    assert mark_of(world, "People") is None
    assert fixed.marked == ["'People': clear the marks of fixed cells"]
    assert has_persons_rule(world, "People")
    quiet_sync(world)
