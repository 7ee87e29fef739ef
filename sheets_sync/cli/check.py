"""``sheets-sync check``: validate only; exit 1 when there are errors."""

from __future__ import annotations

import datetime as dt

import click

from sheets_sync.cli.options import (
    Selection,
    as_of_option,
    fail_on_code,
    fail_on_option,
    json_option,
    pass_output,
    show_findings,
    workbook_options,
)
from sheets_sync.cli.output import Output


@click.command("check")
@workbook_options
@as_of_option
@json_option
@fail_on_option("error")
@click.option("-q", "--quiet", is_flag=True, help="Plain output; only the headline, on errors.")
@pass_output
def check_cmd(
    out: Output,
    selection: Selection,
    as_of: dt.date | None,
    as_json: bool,
    fail_on: str,
    quiet: bool,
) -> None:
    """Validate a workbook; exit 1 on errors.

    Prints the findings a sync would report, and writes nothing.
    --fail-on warning also fails on warnings.
    """
    from sheets_sync import check, open_workbook
    from sheets_sync.findings import Severity
    from sheets_sync.report import headline, muted_line, render

    out.quiet = out.quiet or quiet or as_json
    config, _ = selection.load()
    backend = open_workbook(selection.workbooks(config)[0], config)
    try:
        with out.progress(f"Checking {backend.identity}..."):
            result = check(backend, config, as_of=as_of)
    finally:
        backend.close()
    if as_json:
        out.json(render(result, "json"))
    elif not out.quiet or result.count(Severity.ERROR):
        out.print(headline(result))
        more = "... {n} more (`sheets-sync report` lists them all)"
        show_findings(out, result.active, more=more)
        if result.muted and not out.quiet:
            out.print(muted_line(result))
    if not as_json:
        for note in result.notes:
            out.print(f"Note: {note}")
    source = click.get_current_context().get_parameter_source("fail_on")
    given = source is not click.core.ParameterSource.DEFAULT
    raise click.exceptions.Exit(fail_on_code(out, result.active, fail_on, given=given))
