"""``sheets-sync history rebuild``: fill the History tab's earlier periods."""

from __future__ import annotations

import datetime as dt

import click

from sheets_sync.cli.options import IsoDate, Selection, as_of_option, pass_output, workbook_options
from sheets_sync.cli.output import Output


@click.group("history")
def history_cmd() -> None:
    """The History tab: each goal's and KPI's status, one column per period."""


@history_cmd.command("rebuild")
@workbook_options
@click.option(
    "--from",
    "start",
    type=IsoDate(),
    default=None,
    help="First day to fill from (default: the earliest Start date or reading).",
)
@as_of_option
@click.option("--dry-run", is_flag=True, help="Say what would be filled; write nothing.")
@pass_output
def rebuild_cmd(
    out: Output,
    selection: Selection,
    start: dt.date | None,
    as_of: dt.date | None,
    dry_run: bool,
) -> None:
    """Fill every period from --from to today with the statuses as of its last day.

    Each period's column is judged from the data as it is now, as a sync on that
    period's last day would have judged it (readings, reviews and due dates after that
    day are ignored). Earlier columns a sync wrote are rewritten; then the workbook is
    synced, so the Dashboard's trend shows the history. Exit 75 when another sync holds
    the workbook's lock.
    """
    from sheets_sync import open_workbook
    from sheets_sync.rebuild import rebuild_history
    from sheets_sync.report import plural

    config, _ = selection.load()
    backend = open_workbook(selection.workbooks(config)[0], config)
    try:
        with out.progress(f"Rebuilding the history of {backend.identity}..."):
            result = rebuild_history(
                backend, config, start=start, as_of=as_of, dry_run=dry_run
            )
    finally:
        backend.close()
    span = (
        f"{result.periods[0].label} to {result.periods[-1].label}" if result.periods else "nothing"
    )
    verb = "would change" if dry_run else "changed"
    out.print(
        f"{backend.identity} history as of {result.as_of.isoformat()}: "
        f"{plural(len(result.periods), 'period')} ({span}); "
        f"{plural(len(result.updates), 'cell')} {verb}"
        + (" (dry run, nothing written)" if dry_run else "; synced")
    )
