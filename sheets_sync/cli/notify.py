"""``sheets-sync notify``: one digest per person with something open to act on."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from sheets_sync.cli.options import Selection, as_of_option, pass_output, workbook_options
from sheets_sync.cli.output import Output

if TYPE_CHECKING:
    from sheets_sync.config import Config
    from sheets_sync.notify import Prepared
    from sheets_sync.sync import SyncResult


@click.command("notify")
@workbook_options
@as_of_option
@click.option("--dry-run", is_flag=True, help="Print the digests instead of sending them.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, writable=True),
    metavar="DIR",
    help="Write each digest to DIR as an .eml file instead of sending it.",
)
@click.option("--resend", is_flag=True,
              help="Send again what was delivered earlier in this period.")
@pass_output
def notify_cmd(
    out: Output,
    selection: Selection,
    as_of: dt.date | None,
    dry_run: bool,
    out_dir: str | None,
    resend: bool,
) -> None:
    """Tell each person what needs them: one digest per person in People with an Email.

    Reads the workbook like `check` (writes nothing to it) and builds the digests from
    its open findings and statuses: acknowledged and snoozed findings are left out, and
    nobody with nothing to do gets a message. Email goes through [notify.smtp], at most
    once per person and period (history.period) unless --resend; a failed delivery is
    named and makes the exit code 1.
    """
    from pathlib import Path

    from sheets_sync import check, open_workbook
    from sheets_sync.notify import prepare, write_eml

    config, _ = selection.load()
    channels = config.notify.smtp.host or config.notify.slack_webhook_env or (
        config.notify.chat_webhook_env
    )
    if not dry_run and out_dir is None and not channels:
        out.abort(
            "notify.smtp.host is not set (nor a webhook): configure [notify.smtp] to send "
            "digests, or use --dry-run to print them, or --out DIR to write them as .eml files",
            code=2,
        )
    from sheets_sync.sync import held_lock

    sending = not dry_run and out_dir is None
    backend = open_workbook(selection.workbooks(config)[0], config)
    # Two runs for one workbook would both send: sending holds the workbook's lock.
    with held_lock(backend, config, sending):
        try:
            with out.progress(f"Reading {backend.identity}..."):
                result = check(backend, config, as_of=as_of)
                prepared = prepare(backend, config, result)
        finally:
            backend.close()
        if sending:
            link = backend.cell_link(config.tabs.issues, "A1")
            _send(out, prepared, config, result, link, resend)
            return
    for problem in prepared.skipped:
        out.warn(problem)
    if dry_run:
        from sheets_sync.messages import readable

        for _, message in prepared.messages:
            out.print(readable(message))
        out.info(f"{len(prepared.messages)} digest(s) of {result.workbook}: not sent (dry run)")
        return
    assert out_dir is not None
    paths = write_eml(prepared, Path(out_dir), result.as_of.isoformat())
    out.info(f"Wrote {len(paths)} digest(s) of {result.workbook} to {out_dir}")


def _send(
    out: Output, prepared: Prepared, config: Config, result: SyncResult, link: str,
    resend: bool,
) -> None:
    from sheets_sync.notify import send

    workbook = result.workbook
    sent = send(prepared, config, result, link, resend=resend)
    for address in sent.sent:
        out.print(f"sent: {address}")
    for line in sent.failed:
        out.warn(f"not delivered: {line}")
    out.print(
        f"{workbook}: {len(sent.sent)} sent, {len(sent.skipped)} already delivered this "
        f"period, {sent.retried} retried, {len(sent.failed)} failed"
    )
    if sent.failed:
        raise click.exceptions.Exit(1)


__all__ = ["notify_cmd"]
