"""GoogleBackend: a metadata get and one values read to read, a guarded write."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

import orjson

from sheets_sync import row_shifts
from sheets_sync.a1 import column_letter, quote_tab
from sheets_sync.backends.base import (
    Backend,
    CellUpdate,
    CellValue,
    Plan,
    TabFormatting,
    TabLayout,
    WorkbookData,
    WriteResult,
)
from sheets_sync.backends.google import anchors as anchoring
from sheets_sync.backends.google import reading, replies, wire
from sheets_sync.backends.google.cells import guard_text, trim
from sheets_sync.backends.google.http import PolicyAPIError, PolicyHTTPClient, ReplyLost
from sheets_sync.backends.google.wire import DEFAULT_COLUMNS, DEFAULT_ROWS
from sheets_sync.coerce import Locale
from sheets_sync.errors import GuardError, WorkbookError
from sheets_sync.templates import normalize_header

SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE_FILES_URL = "https://www.googleapis.com/drive/v3/files"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
#: Dropdowns come back on every cell of a validated column down to the grid's last row, so
#: the sync's read leaves them out; provisioning reads them for row 2 alone (see prepare).
VALIDATION_FIELDS = "sheets(properties(title),data(rowData(values(dataValidation))))"
#: batchUpdate requests that leave the same state when Google applies them twice, so a
#: batch of only these is re-sent when its reply is lost (the sync's usual write).
REPEATABLE = frozenset(
    {
        "updateCells",
        "repeatCell",
        "updateSheetProperties",
        "setDataValidation",
        "updateDimensionProperties",
    }
)
#: batchUpdate requests that carry whole rows or add empty ones, wherever they land: a
#: batch of only these that moves Issues rows goes before the guard, which reads the
#: sheet in its reply.
MOVES = frozenset(
    {
        "moveDimension",
        "insertDimension",
        "appendDimension",
        "deleteConditionalFormatRule",
        "addConditionalFormatRule",
    }
)
#: The batchUpdate reply's part the guard reads: each range's values, where it starts.
GUARD_REPLY_FIELDS = (
    "updatedSpreadsheet.sheets(properties.title,"
    "data(startRow,startColumn,rowData.values.effectiveValue))"
)
T = TypeVar("T")


class GoogleBackend(Backend):
    """A Google spreadsheet, through gspread's HTTP client with the project's policy."""

    def __init__(
        self,
        http: PolicyHTTPClient,
        spreadsheet_id: str | None,
        *,
        title: str | None = None,
        parent_folder_id: str | None = None,
        share_with: Sequence[str] = (),
    ) -> None:
        self.http = http
        self.spreadsheet_id = spreadsheet_id
        self._gids: dict[str, int] = {}
        self.title = title or "Partnership"
        self.parent_folder_id = parent_folder_id
        self.share_with = tuple(share_with)
        self._meta: dict[str, Any] | None = None
        self.created = False
        self._validations: dict[str, list[dict[str, Any]]] = {}
        self._anchors: anchoring.Anchors = {}
        self._date_headers: dict[str, frozenset[str]] = {}
        self._expected_tabs: tuple[str, ...] = ()
        self.acting_as: Any = None

    # -- identity -------------------------------------------------------------------------
    @property
    def identity(self) -> str:
        return f"google:{self.spreadsheet_id or self.title}"

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except PolicyAPIError as exc:
            raise exc.explanation from None

    def exists(self) -> bool:
        if self.spreadsheet_id is None:
            self.spreadsheet_id = self._find_by_title()
        return self.spreadsheet_id is not None

    def _find_by_title(self) -> str | None:
        title = self.title.replace("\\", "\\\\").replace("'", "\\'")
        params = {
            "q": f"name = '{title}' and mimeType = '{SPREADSHEET_MIME}' and trashed = false",
            "fields": "files(id,name)",
            "supportsAllDrives": True,
            "includeItemsFromAllDrives": True,
        }
        reply = self._call(lambda: self.http.request("get", DRIVE_FILES_URL, params=params))
        files = reply.json().get("files", [])
        return str(files[0]["id"]) if files else None

    # -- read -----------------------------------------------------------------------------
    def expect_dates(self, columns: Mapping[str, Collection[str]]) -> None:
        """The headers of date columns, per tab: their cells read as dates whatever
        format shows them (the template's, told by the sync before it reads)."""
        self._date_headers = {
            tab: frozenset(normalize_header(h) for h in headers) for tab, headers in columns.items()
        }

    def expect_tabs(self, names: Collection[str]) -> None:
        """The template's tabs: the read asks for their header rows only (see _metadata)."""
        self._expected_tabs = tuple(names)

    def _metadata(self, url: str) -> dict[str, Any]:
        """The spreadsheet's metadata, with the cells of each tab's header row only.

        Asking for every cell's notes and formats would send a cell for every stored cell,
        even with nothing to say. So the ranges name the template's header rows, when the
        backend is told the template's tabs. Untold, or when one of them is not there (a
        tab renamed or deleted: Google refuses the whole request), every tab is read, so
        a renamed copy can be recognised.
        """
        if self._expected_tabs:
            try:
                return self._header_metadata(url, self._expected_tabs)
            except PolicyAPIError as exc:
                if exc.code != 400 or "Unable to parse range" not in str(exc):
                    raise exc.explanation from None
        return self._call(lambda: self._header_metadata(url, ()))

    def _header_metadata(self, url: str, titles: Sequence[str]) -> dict[str, Any]:
        params: dict[str, Any] = {"fields": reading.META_FIELDS}
        if titles:
            params["ranges"] = [f"{quote_tab(title)}!1:1" for title in titles]
        reply = self.http.request("get", url, params=params)
        meta: dict[str, Any] = orjson.loads(reply.content)
        return meta

    def read(self) -> WorkbookData:
        """The metadata, then every tab's values; a third look-up only for formulas'
        results and dates shown in another format (see :mod:`reading`)."""
        if not self.exists():
            raise WorkbookError(
                f"no spreadsheet titled {self.title!r} is visible to this account; run "
                "`sheets-sync provision` to create it, or set spreadsheet_id"
            )
        sid = self.spreadsheet_id
        if sid is None:
            raise WorkbookError(f"{self.identity} has no spreadsheet id; set spreadsheet_id")
        url = f"{SHEETS_URL}/{sid}"
        meta = self._metadata(url)
        self._meta = meta
        sheets = meta.get("sheets", [])
        # The tabs' ids outlive the metadata a write drops: links to cells need them.
        self._gids = {
            str(sh["properties"]["title"]): int(sh["properties"]["sheetId"]) for sh in sheets
        }
        self._validations = {}
        self._anchors = anchoring.read_anchors(sheets)
        titles = {int(s["properties"]["sheetId"]): str(s["properties"]["title"]) for s in sheets}
        names = [str(s["properties"]["title"]) for s in sheets]
        reads: list[reading.TabRead] = []
        if names:
            query = {**reading.VALUES, "ranges": [quote_tab(name) for name in names]}
            got = self._call(
                lambda: self.http.request("get", f"{url}/values:batchGet", params=query)
            )
            value_ranges = orjson.loads(got.content).get("valueRanges", [])
            locale = Locale.parse(meta.get("properties", {}).get("locale"))
            generated = set(self.generated_tabs().values())
            for index, name in enumerate(names):
                rows = value_ranges[index].get("values", []) if index < len(value_ranges) else []
                headers = self._date_headers.get(name, frozenset())
                reads.append(reading.read_tab(name, rows, titles, headers, locale,
                                              links=name in generated))
            self._look_up(sid, reads)
        props = meta.get("properties", {})
        return WorkbookData(
            identity=self.identity,
            tabs={r.tab.name: r.tab for r in reads},
            version=None,
            timezone=props.get("timeZone"),
            locale=props.get("locale"),
        )

    def _look_up(self, sid: str, reads: list[reading.TabRead]) -> None:
        """The cells the values cannot settle, as CellData, in one request (see reading)."""
        wanted = [(read, reading.lookup_runs(read.lookups)) for read in reads if read.lookups]
        if not wanted:
            return
        filters = [reading.lookup_filter(read.tab.name, run) for read, runs in wanted
                   for run in runs]
        body = {"dataFilters": filters, "includeGridData": True}
        url = f"{SHEETS_URL}/{sid}:getByDataFilter"
        params = {"fields": reading.LOOKUP_FIELDS}
        reply = self._call(lambda: self.http.request("post", url, params=params, json=body))
        grids: dict[str, list[dict[str, Any]]] = {}
        for sheet in orjson.loads(reply.content).get("sheets", []):
            title = str(sheet.get("properties", {}).get("title"))
            grids.setdefault(title, []).extend(sheet.get("data", []))
        titles = {gid: title for title, gid in self._gids.items()}
        for read, _ in wanted:
            reading.apply_lookup(read, grids.get(read.tab.name, []), titles)

    def _sheet(self, title: str) -> dict[str, Any] | None:
        for sheet in (self._meta or {}).get("sheets", []):
            if sheet["properties"]["title"] == title:
                return dict(sheet)
        return None

    def prepare_provision(self) -> None:
        """Read the dropdowns of row 2 of every tab, so provisioning can compare them."""
        if not self._meta or self.spreadsheet_id is None:
            return
        sid = self.spreadsheet_id
        ranges = []
        for sheet in self._meta.get("sheets", []):
            props = sheet["properties"]
            last = column_letter(int(props.get("gridProperties", {}).get("columnCount", 26)) - 1)
            ranges.append(f"{quote_tab(str(props['title']))}!A2:{last}2")
        params: dict[str, Any] = {
            "includeGridData": "true",
            "ranges": ranges,
            "fields": VALIDATION_FIELDS,
        }
        reply = self._call(lambda: self.http.fetch_sheet_metadata(sid, params=params))
        self._validations = {
            str(s["properties"]["title"]): (s.get("data") or [{}])[0]
            .get("rowData", [{}])[0]
            .get("values", [])
            for s in reply.get("sheets", [])
        }

    def cell_link(self, tab: str, a1: str) -> str:
        """The spreadsheet's URL opening ``tab`` at ``a1`` (gid and range)."""
        gid = self._gids.get(tab, 0)
        return (
            f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"
            f"#gid={gid}&range={a1}"
        )

    def formatting_of(self, tab: str) -> TabFormatting | None:
        """The formatting of a tab (as last read); dropdowns only after prepare_provision."""
        sheet = self._sheet(tab)
        if sheet is None:
            return None
        return wire.formatting(sheet, self._validations.get(tab))

    def marker(self) -> tuple[str, str] | None:
        return wire.read_marker(self._meta or {})

    def generated_tabs(self) -> dict[str, str]:
        """Generated tabs by the sheetId the tool marked: a rename does not lose the mark."""
        meta = self._meta or {}
        titles = {
            int(s["properties"]["sheetId"]): str(s["properties"]["title"])
            for s in meta.get("sheets", [])
        }
        return {
            spec: titles[sheet_id]
            for spec, sheet_id in wire.read_generated(meta).items()
            if sheet_id in titles
        }

    # -- write ----------------------------------------------------------------------------
    def _guard_checks(
        self, data: WorkbookData, tabs: set[str], plan: Plan | None
    ) -> tuple[list[str], dict[tuple[str, int], tuple[list[CellValue], str]]]:
        """The ranges the guard re-reads (each tab's header row, and its key column, or
        the columns it is told, from row 2), and what each must still hold: the values
        read, moved as the plan's row shifts move them when they are sent first.

        Checks are keyed (tab, -1) for the header row and (tab, column) for a column, in
        the order of the ranges."""
        moved = {shift.tab: shift.ops for shift in plan.row_shifts} if plan else {}
        ranges: list[str] = []
        checks: dict[tuple[str, int], tuple[list[CellValue], str]] = {}
        for name in sorted(tabs):
            tab = data.tabs.get(name)
            if tab is None or not tab.values:
                continue
            rows = row_shifts.apply_ops(tab.values, moved[name]) if name in moved else None
            quoted = quote_tab(name)
            ranges.append(f"{quoted}!1:1")
            checks[(name, -1)] = (tab.header, "header row")
            for col in data.guard_columns.get(name) or [data.key_columns.get(name, 0)]:
                if (name, col) in checks:
                    continue
                letter = column_letter(col)
                ranges.append(f"{quoted}!{letter}2:{letter}")
                what = "key column" if col == data.key_columns.get(name) else f"column {letter}"
                below = (
                    [row[col] if col < len(row) else None for row in rows[1:]]
                    if rows is not None
                    else [tab.get(r, col) for r in range(1, tab.height)]
                )
                checks[(name, col)] = (below, what)
        return ranges, checks

    @staticmethod
    def _compare(
        checks: Mapping[tuple[str, int], tuple[list[CellValue], str]],
        now: Mapping[tuple[str, int], list[str]],
    ) -> None:
        for (name, col), (expected, what) in checks.items():
            before = [guard_text(v) for v in expected]
            if trim(list(now.get((name, col), []))) != trim(before):
                raise GuardError(f"the {what} of {name!r} changed since it was read")

    def _guard(self, data: WorkbookData, tabs: set[str]) -> None:
        """Re-read header rows and key columns; refuse if a row or column moved since the read."""
        ranges, checks = self._guard_checks(data, tabs, None)
        if not ranges:
            return
        sid = self.spreadsheet_id
        if sid is None:
            raise WorkbookError(f"{self.identity} has no spreadsheet id; set spreadsheet_id")
        params = {
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "COLUMNS",
        }
        reply = self._call(lambda: self.http.values_batch_get(sid, ranges, params=dict(params)))
        value_ranges = reply.get("valueRanges", [])
        now: dict[tuple[str, int], list[str]] = {}
        for index, key in enumerate(checks):
            got = value_ranges[index].get("values", []) if index < len(value_ranges) else []
            now[key] = (
                [guard_text(v[0]) if v else "" for v in got]
                if key[1] < 0
                else ([guard_text(v) for v in got[0]] if got else [])
            )
        self._compare(checks, now)

    def _guarded_structure(
        self,
        data: WorkbookData,
        tabs: set[str],
        plan: Plan | None,
        body: list[dict[str, Any]],
    ) -> None:
        """Send ``body`` (moves that lose nothing wherever they land) and have its reply
        bring back what the guard re-reads, after them: one request for both."""
        sid = self.spreadsheet_id
        if sid is None:
            raise WorkbookError(f"{self.identity} has no spreadsheet id; set spreadsheet_id")
        ranges, checks = self._guard_checks(data, tabs, plan)
        payload: dict[str, Any] = {"requests": body}
        if ranges:
            payload.update(
                includeSpreadsheetInResponse=True,
                responseIncludeGridData=True,
                responseRanges=ranges,
            )
        url = f"{SHEETS_URL}/{sid}:batchUpdate"
        with self.http.not_repeatable():  # rows moved twice are not where they should be
            reply = self._call(
                lambda: self.http.request(
                    "post", url, json=payload, params={"fields": GUARD_REPLY_FIELDS}
                )
            )
        if ranges:
            self._compare(checks, replies.guard_values(orjson.loads(reply.content)))

    def write(
        self, data: WorkbookData, updates: Sequence[CellUpdate], plan: Plan | None = None
    ) -> WriteResult:
        if not updates and (plan is None or plan.empty):
            return WriteResult()
        if self.spreadsheet_id is None:
            self._create()
        if self.spreadsheet_id is None:
            raise WorkbookError(f"creating {self.identity} gave no spreadsheet id; try again")
        shifted = {shift.tab for shift in plan.row_shifts} if plan is not None else set()
        if shifted and plan is not None:
            # Rows move with what people typed in them; then the tool's cells are written.
            updates = [u for u in updates if u.tab not in shifted]
            updates += [u for shift in plan.row_shifts for u in shift.updates]
        guarded = {u.tab for u in updates if _keyed(data, u.tab) or u.tab in data.guard_columns}
        guarded |= shifted
        anchored, rest = self._split(data, updates, plan)
        body, ids = self._requests(data, updates, plan, anchored)
        sid = self.spreadsheet_id
        if shifted and all(set(request) <= MOVES for request in body):
            # Moves lose nothing if a person moved rows meanwhile: send them first, and
            # let their reply be the guard's re-read (a mismatch plans the sync again).
            self._guarded_structure(data, guarded, plan, body)
        else:
            self._guard(data, guarded)
            if body:  # structure: new tabs, grid growth, formatting, anchors, the marker
                self._send_structure(body, list(updates), ids)
        columns = {value: column for value, (_, _, column) in anchored.items()}
        ranges = anchoring.value_ranges(columns, ids) + anchoring.box_ranges(rest, ids)
        if ranges:
            # Every changed cell in one request, so a sync's values land all or nothing.
            payload = {"valueInputOption": "USER_ENTERED", "data": ranges}
            reply = self._call(
                lambda: self.http.request(
                    "post", f"{SHEETS_URL}/{sid}/values:batchUpdateByDataFilter", json=payload
                )
            )
            replies.check(ranges, orjson.loads(reply.content), _names(data, anchored, ranges))
        if self.created and self.share_with:
            self._share()
        self._meta = None
        return WriteResult(wrote=True)

    def _send_structure(
        self, body: list[dict[str, Any]], cells: list[CellUpdate], ids: dict[str, int]
    ) -> None:
        sid = self.spreadsheet_id
        if sid is None:
            raise WorkbookError(f"{self.identity} has no spreadsheet id; set spreadsheet_id")
        repeatable = all(set(request) <= REPEATABLE for request in body)
        try:
            with contextlib.nullcontext() if repeatable else self.http.not_repeatable():
                self._call(lambda: self.http.batch_update(sid, {"requests": body}))
        except ReplyLost:
            # Growing the grid is the one part not safe to send twice, and the sync's
            # usual batch holds nothing else: look whether it landed, then finish it.
            if not all(set(r) <= REPEATABLE | {"appendDimension"} for r in body):
                raise
            fields = "sheets.properties(title,gridProperties(rowCount,columnCount))"
            meta = self._call(lambda: self.http.fetch_sheet_metadata(sid, {"fields": fields}))
            sizes = {
                str(s["properties"]["title"]): dict(s["properties"].get("gridProperties", {}))
                for s in meta.get("sheets", [])
            }
            rest = [r for r in body if "appendDimension" not in r]
            rest += wire.grow_requests(cells, ids, sizes)
            if rest:
                with self.http.not_repeatable():
                    self._call(lambda: self.http.batch_update(sid, {"requests": rest}))

    def _split(
        self, data: WorkbookData, updates: Sequence[CellUpdate], plan: Plan | None
    ) -> tuple[dict[str, tuple[str, int, list[CellUpdate]]], list[CellUpdate]]:
        """Computed cells of people's tabs (written through anchors) and the rest."""
        headers: dict[tuple[str, int], CellValue] = {}
        for name, cols in data.computed_columns.items():
            tab = data.tabs.get(name)
            for col in cols if tab is not None else ():
                headers[(name, col)] = tab.get(0, col) if tab is not None else None
        for cell in plan.header_cells if plan else ():
            if cell.row == 0:  # a computed column the sync puts back
                headers[(cell.tab, cell.col)] = cell.value
        anchored: dict[str, tuple[str, int, list[CellUpdate]]] = {}
        rest: list[CellUpdate] = []
        for u in updates:
            header = headers.get((u.tab, u.col))
            if (
                u.row > 0
                and _keyed(data, u.tab)
                and isinstance(header, str)
                and header.strip()
            ):
                value = anchoring.anchor_value(u.tab, header)
                anchored.setdefault(value, (u.tab, u.col, []))[2].append(u)
            else:
                rest.append(u)
        return anchored, rest

    def _create(self) -> None:
        payload: dict[str, Any] = {"name": self.title, "mimeType": SPREADSHEET_MIME}
        if self.parent_folder_id:
            payload["parents"] = [self.parent_folder_id]
        with self.http.not_repeatable():  # a second create would make a second file
            reply = self._call(
                lambda: self.http.request(
                    "post",
                    DRIVE_FILES_URL,
                    json=payload,
                    params={"supportsAllDrives": True, "fields": "id"},
                )
            )
        self.spreadsheet_id = str(reply.json()["id"])
        self.created = True
        # A new spreadsheet has one empty "Sheet1" (sheetId 0) that provisioning replaces.
        self._meta = {
            "sheets": [
                {
                    "properties": {
                        "sheetId": 0,
                        "title": "Sheet1",
                        "index": 0,
                        "gridProperties": {
                            "rowCount": DEFAULT_ROWS,
                            "columnCount": DEFAULT_COLUMNS,
                        },
                    }
                }
            ]
        }

    def _share(self) -> None:
        sid = self.spreadsheet_id
        for email in self.share_with:
            body = {"type": "user", "role": "writer", "emailAddress": email}
            self._call(
                lambda body=body: self.http.request(  # type: ignore[misc]
                    "post",
                    f"{DRIVE_FILES_URL}/{sid}/permissions",
                    json=body,
                    params={"supportsAllDrives": True, "sendNotificationEmail": False},
                )
            )

    def _requests(
        self,
        data: WorkbookData,
        updates: Sequence[CellUpdate],
        plan: Plan | None,
        anchored: dict[str, tuple[str, int, list[CellUpdate]]],
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        meta = self._meta or {"sheets": []}
        sheets = {s["properties"]["title"]: s for s in meta.get("sheets", [])}
        ids = {t: int(s["properties"]["sheetId"]) for t, s in sheets.items()}
        sizes = {t: dict(s["properties"].get("gridProperties", {})) for t, s in sheets.items()}
        reqs: list[dict[str, Any]] = []
        new: set[str] = set()
        if plan is not None:
            order = [layout.name for layout in plan.layouts]
            used = set(ids.values())
            for name in plan.add_tabs:
                sheet_id = wire.new_sheet_id(used)
                used.add(sheet_id)
                ids[name] = sheet_id
                width = max(
                    DEFAULT_COLUMNS,
                    len(next((lay.headers for lay in plan.layouts if lay.name == name), ())),
                )
                sizes[name] = {"rowCount": DEFAULT_ROWS, "columnCount": width}
                reqs.append(
                    {
                        "addSheet": {
                            "properties": {
                                "sheetId": sheet_id,
                                "title": name,
                                "gridProperties": {"rowCount": DEFAULT_ROWS, "columnCount": width},
                            }
                        }
                    }
                )
                new.add(name)
            if self.created and "Sheet1" in ids and "Sheet1" not in order and plan.add_tabs:
                reqs.append({"deleteSheet": {"sheetId": ids.pop("Sheet1")}})
        marks_after: list[TabLayout] = []
        if plan is not None and plan.row_shifts:
            # Deleting rows can take a conditional format with them (the mark on muted
            # rows): the tab's marks go first, by the indexes read, and come back after.
            for shift in plan.row_shifts:
                sheet = sheets.get(shift.tab)
                if sheet is None:
                    continue
                kept, removed = wire.without_marks(sheet, ids[shift.tab])
                reqs += removed
                sheets[shift.tab] = kept
                marks_after += [lay for lay in plan.layouts if lay.name == shift.tab][:1]
            reqs += wire.row_requests(plan.row_shifts, ids, sizes)
        cells = list(plan.header_cells if plan else []) + list(updates)
        reqs += wire.grow_requests(cells, ids, sizes)
        if plan is not None:
            reqs += wire.cell_requests(plan.header_cells, ids)
            for layout in plan.formatting:
                sheet = sheets.get(layout.name, {})
                columns = int(sizes.get(layout.name, {}).get("columnCount", DEFAULT_COLUMNS))
                reqs += wire.install(
                    sheet, layout, ids[layout.name], new_tab=layout.name in new, columns=columns
                )
                for col in sorted(layout.computed):
                    value = anchoring.anchor_value(layout.name, layout.headers[col])
                    reqs += anchoring.fix_anchor(value, ids[layout.name], col, self._anchors)
            installed = {layout.name for layout in plan.formatting}
            for layout in [*plan.marks, *marks_after]:  # installed above: marks set already
                if layout.name not in installed and layout.name in ids:
                    installed.add(layout.name)
                    sheet = sheets.get(layout.name, {})
                    reqs += wire.mark_requests(sheet, layout, ids[layout.name])
            if plan.write_marker:
                reqs += wire.marker_requests(meta, plan.template, plan.version)
            if plan.generated:
                marks = wire.read_generated(meta)
                marks.update({spec: ids[tab] for spec, tab in plan.generated.items() if tab in ids})
                reqs += wire.generated_requests(meta, marks)
        for value, (tab, col, _) in sorted(anchored.items()):
            reqs += anchoring.fix_anchor(value, ids[tab], col, self._anchors)
        return reqs, ids


def _names(
    data: WorkbookData,
    anchored: dict[str, tuple[str, int, list[CellUpdate]]],
    ranges: list[dict[str, Any]],
) -> dict[str, str]:
    """What people call the cells each data filter writes: ``'Goals' column Status``."""
    names: dict[str, str] = {}
    for value, (tab, col, _) in anchored.items():
        raw = data.tabs.get(tab)
        header = raw.get(0, col) if raw is not None else None
        lookup = {"developerMetadataLookup": {"metadataKey": anchoring.ANCHOR_KEY,
                                              "metadataValue": value}}
        names[replies.filter_key(lookup)] = f"{tab!r} column {header or column_letter(col)}"
    for item in ranges:
        data_filter = item["dataFilter"]
        if "a1Range" in data_filter:
            names[replies.filter_key(data_filter)] = f"the cells {data_filter['a1Range']}"
    return names


def _keyed(data: WorkbookData, tab: str) -> bool:
    """Tabs with a key column people own (generated tabs are the tool's, no guard needed)."""
    return tab in data.tabs and tab not in ("Issues", "Dashboard")
