"""Every table of a workbook as a pandas DataFrame, computed columns as a sync would fill them.

pandas is imported by the functions, not by this module: the package imports it, and
``sheets-sync --help`` must not pay for pandas.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sheets_sync.backends.base import Backend, WorkbookData
from sheets_sync.config import Config, WorkbookConfig
from sheets_sync.sync import Analysis, analyze, today
from sheets_sync.tables import Table
from sheets_sync.templates import ColumnSpec, TableSpec, load_template

if TYPE_CHECKING:
    import pandas as pd

#: The column holding each row's rule ids, most severe first ("" when none).
FINDINGS = "Findings"
#: The name of every frame's index: the row number on the sheet (1-based, as people see it).
ROW = "Row"
#: What :func:`frames` reads: a path to an .xlsx file, a configured workbook, or a backend.
Workbook = Backend | WorkbookConfig | str | os.PathLike[str]


class DateOutOfRange(UserWarning):
    """A date the sheet holds that ``datetime64[ns]`` cannot (before 1677 or after 2262)."""


def frames(
    workbook: Workbook,
    as_of: dt.date | None = None,
    config: Config | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table of the template (People, Goals, ...) as a typed DataFrame; nothing is written.

    ``workbook`` is a path to an .xlsx file, a WorkbookConfig, or an open Backend (left
    open). Columns are the template's headers in its order, computed ones holding what a
    sync as of ``as_of`` (default: today) would write, plus ``Findings``: the row's rule
    ids, most severe first. Dates are ``datetime64[ns]``, numbers ``float64``, enum
    columns ``category`` (categories: the enum's values), text ``object``. The index is
    the row number on the sheet. Columns people added (RACI role columns too) are left out.
    """
    config = config or Config()
    template = load_template(config.template)
    data = _read(workbook, config)
    analysis = analyze(data, template, config, as_of or today(config, data))
    rules = _row_rules(analysis)
    return {
        spec.name: _frame(spec, analysis.context.tables[spec.name], analysis, rules)
        for spec in template.tables
        if spec.kind == "table"
    }


def _read(workbook: Workbook, config: Config) -> WorkbookData:
    from sheets_sync.workbook_read import read_workbook

    template = load_template(config.template)
    if isinstance(workbook, Backend):
        return read_workbook(workbook, template, config)
    from sheets_sync import open_workbook

    backend = open_workbook(workbook, config)
    try:
        return read_workbook(backend, template, config)
    finally:
        backend.close()


def _row_rules(analysis: Analysis) -> dict[tuple[str, int], list[str]]:
    """(tab, grid row) -> rule ids of the open findings on that row, most severe first
    (like a record's Issues cell, without the findings people acknowledged or snoozed)."""
    by_row: dict[tuple[str, int], list[str]] = {}
    for f in analysis.findings:  # analyze() sorts them most severe first
        if f.row and f.identity not in analysis.muted:
            rules = by_row.setdefault((f.tab, f.row), [])
            if f.rule not in rules:
                rules.append(f.rule)
    return by_row


def _frame(
    spec: TableSpec,
    table: Table,
    analysis: Analysis,
    rules: dict[tuple[str, int], list[str]],
) -> pd.DataFrame:
    import pandas as pd

    computed = analysis.outcome.computed.get(spec.name, {})
    columns: dict[str, pd.Series[Any]] = {}
    for col in spec.columns:
        if col.computed:
            values = [computed.get(index, {}).get(col.header) for index in table]
        else:
            values = [record.get(col.header) for record in table.records]
        cells = [f"{spec.name}!{table.cell(index, col.header)}" for index in table]
        columns[col.header] = _series(col, values, cells)
    findings = [", ".join(rules.get((spec.name, row), ())) for row in table.rows]
    columns[FINDINGS] = pd.Series(findings, dtype="object")
    frame = pd.DataFrame(columns)
    # Set after building: Series built on a RangeIndex would be realigned (to NaN) otherwise.
    frame.index = pd.Index([row + 1 for row in table.rows], dtype="int64", name=ROW)
    return frame


def _series(col: ColumnSpec, values: Sequence[Any], cells: Sequence[str]) -> pd.Series[Any]:
    """One column with the dtype its type calls for."""
    import pandas as pd

    if col.type == "date":
        return _dates(values, cells)
    if col.type in ("number", "percent"):
        floats = [math.nan if v is None else float(v) for v in values]
        return pd.Series(floats, dtype="float64")
    if col.enum is not None:
        dtype = pd.CategoricalDtype(list(col.enum.values))
        return pd.Series(list(values), dtype=dtype)
    return pd.Series(list(values), dtype="object")


def _dates(values: Sequence[Any], cells: Sequence[str]) -> pd.Series[Any]:
    """datetime64[ns], blanks as NaT; a date beyond its range is NaT too, with a warning."""
    import pandas as pd

    low, high = pd.Timestamp.min.date(), pd.Timestamp.max.date()
    kept: list[Any] = []
    for value, cell in zip(values, cells, strict=True):
        if value is not None and not low < value < high:
            warnings.warn(
                f"{cell}: {value.isoformat()} is outside what a pandas date holds "
                "(1677 to 2262); it is NaT in the frame",
                DateOutOfRange,
                stacklevel=4,
            )
            value = None
        kept.append(value)
    return pd.to_datetime(pd.Series(kept, dtype="object")).astype("datetime64[ns]")


__all__ = ["FINDINGS", "ROW", "DateOutOfRange", "frames"]
