"""Acknowledging and snoozing findings on the Issues tab, on a local workbook and on Google."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sheets_sync.backends.base import Link
from sheets_sync.layout import is_mark
from sheets_sync.sync import SyncResult, sync
from tests.scenarios.worlds import World, demo_in

AS_OF = dt.date(2026, 11, 27)
SNOOZE = AS_OF + dt.timedelta(days=10)


def headers(world: World, tab: str) -> list[str]:
    return [str(h).strip() if h is not None else "" for h in world.grid(tab)[0]]


def issue_rows(world: World) -> list[dict[str, Any]]:
    grid = world.grid("Issues")
    names = headers(world, "Issues")
    rows = []
    for index, row in enumerate(grid[1:], start=1):
        cells = dict(zip(names, [*row, *[None] * (len(names) - len(row))], strict=False))
        if cells.get("Rule"):
            rows.append({**cells, "_row": index})
    return rows


def row_of(world: World, rule: str, key: str | None = None) -> dict[str, Any]:
    found = [r for r in issue_rows(world) if r["Rule"] == rule and key in (None, r["Key"])]
    assert found, (rule, key, [(r["Rule"], r["Key"]) for r in issue_rows(world)])
    return found[0]


def type_beside(world: World, rule: str, key: str, header: str, value: Any) -> None:
    world.set("Issues", row_of(world, rule, key)["_row"], headers(world, "Issues").index(header),
              value)


def a_person(world: World) -> str:
    people = world.grid("People")
    return str(people[1][headers(world, "People").index("Person")])


def muted_keys(result: SyncResult) -> set[tuple[str, str]]:
    return {(f.rule, f.key) for f in result.findings if f.identity in result.muted}


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):  # a Google serial number
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    return dt.date.fromisoformat(str(value)) if value else None


def test_acknowledged_and_snoozed_findings_stay_muted_on_their_findings(world: World) -> None:
    demo_in(world, AS_OF)
    off_track = row_of(world, "KPI-OFF-TRACK")
    no_a = row_of(world, "RACI-NO-A")
    person = a_person(world)
    type_beside(world, "KPI-OFF-TRACK", off_track["Key"], "Acknowledged by", person)
    type_beside(world, "KPI-OFF-TRACK", off_track["Key"], "Comment", "Agreed at the QBR")
    type_beside(world, "RACI-NO-A", no_a["Key"], "Snooze until", SNOOZE)
    wanted = {("KPI-OFF-TRACK", off_track["Key"]), ("RACI-NO-A", no_a["Key"])}

    result = sync(world.backend(), as_of=AS_OF)
    assert muted_keys(result) == wanted
    assert not wanted & {(f.rule, f.key) for f in result.active}
    # listed last, with what people typed carried beside them
    rows = issue_rows(world)
    assert {(r["Rule"], r["Key"]) for r in rows[-2:]} == wanted
    assert row_of(world, "KPI-OFF-TRACK", off_track["Key"])["Acknowledged by"] == person
    assert row_of(world, "KPI-OFF-TRACK", off_track["Key"])["Comment"] == "Agreed at the QBR"
    assert as_date(row_of(world, "RACI-NO-A", no_a["Key"])["Snooze until"]) == SNOOZE
    # greyed by the tool's mark over exactly those rows
    facts = world.backend()
    facts.read()
    formatting = facts.formatting_of("Issues")
    assert formatting is not None
    marks = [r for r in formatting.rules if is_mark(r.formula)]
    last = len(world.grid("Issues"))
    assert [m.range_a1.replace("$", "") for m in marks] == [f"A{last - 1}:L{last}"]
    # the record's Issues cell leaves the muted rule out
    kpis = world.grid("KPIs")
    names = headers(world, "KPIs")
    record = next(r for r in kpis[1:] if r[0] == off_track["Key"])
    assert "KPI-OFF-TRACK" not in str(record[names.index("Issues")] or "")

    # people sort the Issues tab and insert rows above: the next sync keeps both
    world.sort_rows("Issues", headers(world, "Issues").index("Message"), descending=True)
    world.insert_rows("Issues", 1, 2)
    result = sync(world.backend(), as_of=AS_OF)
    assert muted_keys(result) == wanted
    assert row_of(world, "KPI-OFF-TRACK", off_track["Key"])["Acknowledged by"] == person
    assert as_date(row_of(world, "RACI-NO-A", no_a["Key"])["Snooze until"]) == SNOOZE

    # the snooze holds on its date and ends the day after (K5 may be Stale by then)
    assert ("RACI-NO-A", no_a["Key"]) in muted_keys(sync(world.backend(), as_of=SNOOZE))
    after = sync(world.backend(), as_of=SNOOZE + dt.timedelta(days=1))
    assert ("RACI-NO-A", no_a["Key"]) not in muted_keys(after)
    assert ("RACI-NO-A", no_a["Key"]) in {(f.rule, f.key) for f in after.active}


def test_the_acknowledgement_goes_with_its_finding(world: World) -> None:
    demo_in(world, AS_OF)
    no_a = row_of(world, "RACI-NO-A")
    type_beside(world, "RACI-NO-A", no_a["Key"], "Acknowledged by", a_person(world))
    type_beside(world, "RACI-NO-A", no_a["Key"], "Comment", "hiring")
    assert ("RACI-NO-A", no_a["Key"]) in muted_keys(sync(world.backend(), as_of=AS_OF))
    # someone becomes Accountable for the task: the finding, its row and its note go
    raci = world.grid("RACI")
    names = headers(world, "RACI")
    index = next(i for i, r in enumerate(raci) if r and r[0] == no_a["Key"])
    role_cols = [c for c, h in enumerate(names) if c > names.index("Goal ID") and h]
    world.set("RACI", index, role_cols[-1], "A")
    result = sync(world.backend(), as_of=AS_OF)
    assert ("RACI-NO-A", no_a["Key"]) not in {(f.rule, f.key) for f in result.findings}
    comments = [r["Comment"] for r in issue_rows(world)]
    assert "hiring" not in comments


def test_a_snooze_too_far_ahead_or_an_unknown_name_mutes_nothing(world: World) -> None:
    demo_in(world, AS_OF)
    off_track = row_of(world, "KPI-OFF-TRACK")
    no_a = row_of(world, "RACI-NO-A")
    type_beside(world, "KPI-OFF-TRACK", off_track["Key"], "Acknowledged by", "Nobody Known")
    type_beside(world, "RACI-NO-A", no_a["Key"], "Snooze until", AS_OF + dt.timedelta(days=200))
    result = sync(world.backend(), as_of=AS_OF)
    assert muted_keys(result) == set()
    problems = {(f.rule, f.column, f.key) for f in result.findings if f.tab == "Issues"}
    assert problems == {
        ("REF-UNKNOWN", "Acknowledged by", f"KPI-OFF-TRACK KPIs {off_track['Key']}"),
        ("VALUE-RANGE", "Snooze until", f"RACI-NO-A RACI {no_a['Key']}"),
    }
    # each points at the cell it is about, on the row its finding was written to
    for f in result.findings:
        if f.tab != "Issues":
            continue
        rule, _, key = f.key.partition(" ")
        row = row_of(world, rule, key.partition(" ")[2])
        col = headers(world, "Issues").index(f.column)
        assert f.cell == f"{chr(ord('A') + col)}{row['_row'] + 1}"
        link = row_of(world, f.rule, f.key)["Cell"]
        assert (link.text if isinstance(link, Link) else link) == f.cell
    # what people typed is kept, to be corrected
    assert row_of(world, "KPI-OFF-TRACK", off_track["Key"])["Acknowledged by"] == "Nobody Known"
