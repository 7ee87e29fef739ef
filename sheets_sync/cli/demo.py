"""``sheets-sync demo``: a local workbook full of realistic sample data, synced and reported."""

from __future__ import annotations

import datetime as dt
import shlex

import click

from sheets_sync.cli.options import as_of_option, pass_output
from sheets_sync.cli.output import Output

DEFAULT_PATH = "demo/partnership.xlsx"


@click.command("demo")
@as_of_option
@click.option(
    "--path",
    type=click.Path(dir_okay=False),
    default=DEFAULT_PATH,
    show_default=True,
    help="Where to write the demo workbook (replaced if it exists).",
)
@pass_output
def demo_cmd(out: Output, as_of: dt.date | None, path: str) -> None:
    """Build a sample workbook, sync it, print the report and write it as HTML.

    The workbook (default demo/partnership.xlsx) is replaced if it exists, and so is
    report.html beside it.
    The data is generated relative to the as-of date, so the same problems show
    whichever day it runs: a task with no Accountable, an overdue review, KPIs off
    track and stale, a mistyped date.
    """
    from pathlib import Path

    from sheets_sync.backends.xlsx import XlsxBackend
    from sheets_sync.config import Config
    from sheets_sync.demo import build_demo
    from sheets_sync.report import render
    from sheets_sync.report_html import render_html
    from sheets_sync.sync import today

    config = Config()
    day = as_of or today(config)
    with out.progress(f"Building {path}..."):
        result = build_demo(Path(path), day, config)
    page = Path(path).with_name("report.html")
    with out.progress(f"Writing {page}..."):
        page.write_text(render_html(result, link=XlsxBackend(Path(path)).cell_link),
                        encoding="utf-8")
    out.text(render(result, "text"))
    out.print()
    out.print(f"The demo workbook is {path}: open it to see the highlighting, the Issues,")
    out.print(f"History and Dashboard tabs. Its HTML report is {page}.")
    out.print(f"Next, try: sheets-sync sync --workbook {shlex.quote(path)}")
