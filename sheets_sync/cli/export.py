"""``sheets-sync export DIR``: every table as a CSV file, computed columns filled."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sheets_sync.cli.options import Selection, as_of_option, pass_output, workbook_options
from sheets_sync.cli.output import Output

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv",)


def file_name(tab: str, fmt: str = "csv") -> str:
    """``KPI Log`` -> ``kpi-log.csv``."""
    return "-".join(tab.casefold().split()) + f".{fmt}"


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8, dates as ISO, no index; replaced whole, so a reader never sees half a file."""
    part = path.with_name(f".{path.name}.part")
    try:
        frame.to_csv(part, index=False, encoding="utf-8", date_format="%Y-%m-%d",
                     lineterminator="\n")
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


@click.command("export")
@workbook_options
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="csv",
    show_default=True,
    help="File format.",
)
@as_of_option
@pass_output
def export_cmd(
    out: Output, selection: Selection, folder: Path, fmt: str, as_of: dt.date | None
) -> None:
    """Export every table to DIR as CSV, computed columns filled.

    One file per tab (people.csv, goals.csv, kpis.csv, kpi-log.csv, raci.csv,
    reviews.csv), UTF-8, dates as YYYY-MM-DD, computed columns as a sync as of
    --as-of would fill them, plus a Findings column (the row's rule ids). Files
    of those names in DIR are replaced; the workbook is not written.
    """
    from sheets_sync import frames, open_workbook
    from sheets_sync.report import plural

    config, _ = selection.load()
    backend = open_workbook(selection.workbooks(config)[0], config)
    try:
        with out.progress(f"Reading {backend.identity}..."):
            tables = frames(backend, as_of=as_of, config=config)
    finally:
        backend.close()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for tab, frame in tables.items():
            path = folder / file_name(tab, fmt)
            write_csv(frame, path)
            out.print(f"Wrote {path} ({plural(len(frame), 'row')} of {tab})")
    except OSError as exc:
        out.abort(f"cannot write to {folder}: {exc.strerror or exc}")


__all__ = ["export_cmd", "file_name", "write_csv"]
