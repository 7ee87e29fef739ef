"""Computed columns anchored by developer metadata, and written through those anchors.

An ``updateCells`` request names its column by index. A person who inserts a
column between the sync's guard re-read and its write moves every column to the
right of it, and an index-addressed write would then land on a column people own.
Column-located developer metadata moves with its column (Google keeps it on the
column through inserts, deletes and moves), so the sync writes computed values with
``values:batchUpdateByDataFilter`` naming the anchor, never an index. A row that
moves in that window can still misplace a computed value inside its own column;
the next sync repairs it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sheets_sync.a1 import column_letter, quote_tab
from sheets_sync.backends.base import CellError, CellUpdate, CellValue, Link
from sheets_sync.templates import normalize_header

Json = dict[str, Any]
#: The developer-metadata key every anchor carries; the value names tab and header.
ANCHOR_KEY = "sheets-sync.column"
#: (sheetId, column index, metadataId) of each anchor the read found, by anchor value.
Anchors = dict[str, list[tuple[int, int, int]]]


def anchor_value(tab: str, header: str) -> str:
    """The metadata value naming one computed column: its tab and normalized header."""
    return json.dumps([tab, normalize_header(header)], ensure_ascii=False)


def read_anchors(sheets: Iterable[Json]) -> Anchors:
    """Anchors in a spreadsheets.get reply that asked for columnMetadata.developerMetadata."""
    out: Anchors = {}
    for sheet in sheets:
        sheet_id = int(sheet.get("properties", {}).get("sheetId", 0))
        data = (sheet.get("data") or [{}])[0]
        for col, meta in enumerate(data.get("columnMetadata", [])):
            for dm in meta.get("developerMetadata", []):
                if dm.get("metadataKey") == ANCHOR_KEY:
                    value = str(dm.get("metadataValue", ""))
                    out.setdefault(value, []).append((sheet_id, col, int(dm["metadataId"])))
    return out


def fix_anchor(value: str, sheet_id: int, col: int, anchors: Anchors) -> list[Json]:
    """Requests that leave exactly one anchor ``value``, on column ``col``; [] if it has one."""
    found = anchors.get(value, [])
    if [(s, c) for s, c, _ in found] == [(sheet_id, col)]:
        return []
    reqs: list[Json] = [
        {
            "deleteDeveloperMetadata": {
                "dataFilter": {"developerMetadataLookup": {"metadataId": metadata_id}}
            }
        }
        for _, _, metadata_id in found
    ]
    reqs.append(
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": ANCHOR_KEY,
                    "metadataValue": value,
                    "location": {
                        "dimensionRange": {
                            "sheetId": sheet_id,
                            "dimension": "COLUMNS",
                            "startIndex": col,
                            "endIndex": col + 1,
                        }
                    },
                    "visibility": "DOCUMENT",
                }
            }
        }
    )
    anchors[value] = [(sheet_id, col, -1)]
    return reqs


def entered(value: CellValue, sheet_ids: dict[str, int]) -> Any:
    """A value for USER_ENTERED input that Google stores as the tool means it.

    Text is quote-prefixed, so it is stored as text and never parsed (no formula, no
    date, no number: the same promise as updateCells' stringValue). Dates go as ISO
    text, which Google stores as a date and formats as one; "" clears a cell. A link to
    a cell is the one formula the tool writes: HYPERLINK of a sheetId
    and an A1 address, its text quoted so nothing in it is evaluated.
    """
    if value is None or value == "":
        return ""  # blank: cleared, never an empty text (which a later read tells apart)
    if isinstance(value, Link):
        target = f"#gid={sheet_ids.get(value.tab, 0)}&range={value.a1}"
        text = value.text.replace('"', '""')
        return f'=HYPERLINK("{target}","{text}")'
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.date):
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return value.isoformat()
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return "'" + str(value)
        return value
    if isinstance(value, CellError):
        return "'" + value.code
    return "'" + str(value)


def value_ranges(
    columns: Mapping[str, Sequence[CellUpdate]], sheet_ids: dict[str, int]
) -> list[Json]:
    """DataFilterValueRanges: each anchored column from row 1 down, null where unchanged."""
    out: list[Json] = []
    for value, updates in sorted(columns.items()):
        height = max(u.row for u in updates) + 1
        cells: list[Any] = [None] * height  # null leaves a cell as it is
        for u in updates:
            cells[u.row] = entered(u.value, sheet_ids)
        out.append(
            {
                "dataFilter": {
                    "developerMetadataLookup": {"metadataKey": ANCHOR_KEY, "metadataValue": value}
                },
                "majorDimension": "COLUMNS",
                "values": [cells],
            }
        )
    return out


def box_ranges(updates: Sequence[CellUpdate], sheet_ids: dict[str, int]) -> list[Json]:
    """DataFilterValueRanges by A1 box, one per tab, null where unchanged.

    For the tool's own tabs (Issues, Dashboard) and cells no anchor names, where a
    position is the identity.
    """
    out: list[Json] = []
    for tab in sorted({u.tab for u in updates}):
        cells = [u for u in updates if u.tab == tab]
        r0, r1 = min(u.row for u in cells), max(u.row for u in cells)
        c0, c1 = min(u.col for u in cells), max(u.col for u in cells)
        grid: list[list[Any]] = [[None] * (c1 - c0 + 1) for _ in range(r1 - r0 + 1)]
        for u in cells:
            grid[u.row - r0][u.col - c0] = entered(u.value, sheet_ids)
        a1 = f"{quote_tab(tab)}!{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
        out.append({"dataFilter": {"a1Range": a1}, "majorDimension": "ROWS", "values": grid})
    return out
