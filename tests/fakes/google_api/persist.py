"""The fake's state as JSON (for `--state FILE` of the HTTP server, and for tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fakes.google_api.fields import jcopy
from tests.fakes.google_api.state import Json, Sheet, Spreadsheet

if TYPE_CHECKING:
    from tests.fakes.google_api.core import FakeGoogle

VERSION = 1


def _sheet(sheet: Sheet) -> Json:
    return {
        "props": sheet.props,
        "cells": [[r, c, cell] for (r, c), cell in sorted(sheet.cells.items())],
        "row_meta": {str(k): v for k, v in sheet.row_meta.items()},
        "col_meta": {str(k): v for k, v in sheet.col_meta.items()},
        "merges": sheet.merges,
        "cond_formats": sheet.cond_formats,
        "protected": sheet.protected,
        "basic_filter": sheet.basic_filter,
        "charts": sheet.charts,
    }


def spreadsheet(ss: Spreadsheet) -> Json:
    """One spreadsheet's state (not copied: the caller copies or compares it)."""
    return {
        "props": ss.props,
        "sheets": [_sheet(s) for s in ss.sheets],
        "named_ranges": ss.named_ranges,
        "dev_meta": ss.dev_meta,
    }


def dump(fake: FakeGoogle) -> Json:
    return jcopy(
        {
            "version": VERSION,
            "user_email": fake.user_email,
            "user_permission_id": fake.user_permission_id,
            "files": fake.files,
            "permissions": fake.permissions,
            "spreadsheets": {sid: spreadsheet(ss) for sid, ss in fake.spreadsheets.items()},
        }
    )


def load(fake: FakeGoogle, data: Json) -> None:
    if data.get("version") != VERSION:
        raise ValueError(f"unsupported fake state version {data.get('version')!r}")
    fake.user_email = data.get("user_email", fake.user_email)
    fake.user_name = fake.user_email.split("@")[0]
    fake.user_permission_id = data.get("user_permission_id", fake.user_permission_id)
    fake.files = jcopy(data.get("files", {}))
    fake.permissions = jcopy(data.get("permissions", {}))
    fake.spreadsheets.clear()
    for sid, raw in data.get("spreadsheets", {}).items():
        ss = fake.new_spreadsheet("", spreadsheet_id=sid)
        ss.props = jcopy(raw["props"])
        ss.named_ranges = jcopy(raw.get("named_ranges", []))
        ss.dev_meta = jcopy(raw.get("dev_meta", []))
        for rs in raw.get("sheets", []):
            sheet = Sheet(jcopy(rs["props"]))
            sheet.cells = {(int(r), int(c)): cell for r, c, cell in jcopy(rs["cells"])}
            sheet.row_meta = {int(k): v for k, v in rs.get("row_meta", {}).items()}
            sheet.col_meta = {int(k): v for k, v in rs.get("col_meta", {}).items()}
            sheet.merges = jcopy(rs.get("merges", []))
            sheet.cond_formats = jcopy(rs.get("cond_formats", []))
            sheet.protected = jcopy(rs.get("protected", []))
            sheet.basic_filter = jcopy(rs.get("basic_filter"))
            sheet.charts = jcopy(rs.get("charts", []))
            ss.sheets.append(sheet)
        ss.reindex()
