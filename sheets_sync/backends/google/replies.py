"""What Google says it wrote, against what the sync sent.

A values write by data filter lands wherever the filter matches when Google applies
it. An anchored column deleted after the guard's re-read matches nothing, and the
cells meant for it are silently dropped; a column whose anchor was copied matches twice.
Google's reply says, per filter, how many cells it updated: a sync that reads it can
fail clearly, and the next sync, reading the sheet as it now is, repairs it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sheets_sync.backends.google.cells import ERROR_CODES, guard_text
from sheets_sync.errors import WorkbookError

Json = dict[str, Any]


class WriteMismatch(WorkbookError):
    """Google updated other cells than the sync sent (exit 1; the next sync repairs)."""


def sent_cells(item: Json) -> int:
    """The cells one DataFilterValueRange writes (a null leaves its cell alone)."""
    return sum(1 for row in item.get("values", []) for value in row if value is not None)


def filter_key(data_filter: Json) -> str:
    """A data filter as a key: the names given to :func:`mismatches` are keyed so."""
    return json.dumps(data_filter, sort_keys=True)


def mismatches(sent: Sequence[Json], reply: Json, names: Mapping[str, str]) -> list[str]:
    """One phrase per data filter whose updated cells differ from the cells sent.

    ``names`` maps a filter (as :func:`filter_key` gives it) to what people call the cells,
    e.g. ``'Goals' column Status``.
    """
    updated: dict[str, int] = {}
    for response in reply.get("responses", []):
        key = filter_key(response.get("dataFilter") or {})
        updated[key] = updated.get(key, 0) + int(response.get("updatedCells", 0))
    out: list[str] = []
    for item in sent:
        key = filter_key(item.get("dataFilter") or {})
        want, got = sent_cells(item), updated.get(key, 0)
        if want == got:
            continue
        where = names.get(key, "a range")
        if got == 0:
            why = "it is not in the sheet any more"
        elif got > want:
            why = "it is in the sheet more than once"
        else:
            why = "part of it is not in the sheet any more"
        out.append(f"{where}: {got} of {want} cells written, {why}")
    return out


def check(sent: Sequence[Json], reply: Json, names: Mapping[str, str]) -> None:
    """Raise WriteMismatch when Google's reply does not account for every cell sent."""
    problems = mismatches(sent, reply, names)
    if problems:
        raise WriteMismatch(
            "Google did not write what the sync sent: " + "; ".join(problems)
            + ". Nothing else was lost; the next sync writes these cells where they are now."
        )


def _effective(cell: Json) -> object:
    """A cell of a batchUpdate's reply as the guard's values re-read would give it
    (unformatted: a date as its serial number, an error as its text)."""
    value = cell.get("effectiveValue") or {}
    if "errorValue" in value:
        return ERROR_CODES.get(value["errorValue"].get("type", ""), "#ERROR!")
    for kind in ("stringValue", "numberValue", "boolValue"):
        if kind in value:
            return value[kind]
    return None


def guard_values(reply: Json) -> dict[tuple[str, int], list[str]]:
    """The guard's ranges in a batchUpdate's reply, by (tab, -1) for a header row and
    (tab, column) for a column from row 2, each cell as the guard compares it."""
    out: dict[tuple[str, int], list[str]] = {}
    for sheet in (reply.get("updatedSpreadsheet") or {}).get("sheets", []):
        title = str(sheet.get("properties", {}).get("title"))
        for grid in sheet.get("data", []):
            rows = [row.get("values", []) for row in grid.get("rowData", [])]
            if int(grid.get("startRow", 0)) == 0:
                out[(title, -1)] = [guard_text(_effective(c)) for c in (rows[0] if rows else [])]
            else:
                column = int(grid.get("startColumn", 0))
                out[(title, column)] = [guard_text(_effective(r[0])) if r else "" for r in rows]
    return out


__all__ = ["WriteMismatch", "check", "filter_key", "guard_values", "mismatches", "sent_cells"]
