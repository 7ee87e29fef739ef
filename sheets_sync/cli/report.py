"""``sheets-sync report``: the findings and status counts as text, markdown or JSON."""

from __future__ import annotations

import datetime as dt

import click

from sheets_sync.cli.options import Selection, as_of_option, pass_output, workbook_options
from sheets_sync.cli.output import Output
from sheets_sync.report import FORMATS


@click.command("report")
@workbook_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@as_of_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Write the report to FILE instead of stdout.",
)
@pass_output
def report_cmd(
    out: Output, selection: Selection, fmt: str, as_of: dt.date | None, output: str | None
) -> None:
    """Report status and findings as text, markdown or JSON.

    Reads the workbook like `check` and writes nothing to it.
    """
    from pathlib import Path

    from sheets_sync import check, open_workbook, render

    config, _ = selection.load()
    backend = open_workbook(selection.workbooks(config)[0], config)
    try:
        with out.progress(f"Reading {backend.identity}..."):
            result = check(backend, config, as_of=as_of)
    finally:
        backend.close()
    text = render(result, fmt)
    if output is None:
        out.text(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        out.abort(f"cannot write {output}: {exc.strerror or exc}")
    out.info(f"Wrote the {fmt} report of {result.workbook} to {output}")
