"""``sheets-sync sync``: the cron job. Read, validate, compute, write back what changed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from sheets_sync.cli.options import (
    Selection,
    ShardParam,
    as_of_option,
    fail_on_code,
    fail_on_option,
    json_option,
    pass_output,
    show_findings,
    workbook_options,
)
from sheets_sync.cli.output import Output, worst
from sheets_sync.errors import ConfigError, SheetsSyncError

if TYPE_CHECKING:
    from sheets_sync.config import Config, WorkbookConfig
    from sheets_sync.shards import Shard
    from sheets_sync.sync import SyncResult


@click.command("sync")
@workbook_options
@click.option("--all", "every", is_flag=True, help="Sync every workbook in the config.")
@click.option(
    "--shard", type=ShardParam(), default=None,
    help="With --all, sync only this share of the workbooks, picked by a stable hash of each "
    "one's name; auto/COUNT takes INDEX from $JOB_COMPLETION_INDEX (Kubernetes Indexed Job).",
)
@click.option("--dry-run", is_flag=True, help="Compute everything, write nothing.")
@as_of_option
@json_option
@fail_on_option(None)
@click.option("-q", "--quiet", is_flag=True, help="Plain output; only the headline, on errors.")
@click.option(
    "-v", "--verbose", is_flag=True, help="In cron output, list every finding, not only new ones."
)
@click.option(
    "--notify", is_flag=True,
    help="After the sync, send each person their digest (see `sheets-sync notify`).",
)
@pass_output
def sync_cmd(
    out: Output,
    selection: Selection,
    every: bool,
    shard: Shard | None,
    dry_run: bool,
    as_of: dt.date | None,
    as_json: bool,
    fail_on: str | None,
    quiet: bool,
    verbose: bool,
    notify: bool,
) -> None:
    """Sync a workbook: validate, compute, write what changed.

    Computes the status columns, the Issues tab and the Dashboard, and writes back
    exactly the cells whose value changed.
    Findings are data, not failures: the exit code is 0 unless --fail-on matches or
    the sync could not run (75: the workbook is open in an editor or another sync
    holds its lock; try again later). Nothing is written with --dry-run, which lists
    what would change. When stdout is not a terminal (cron), each headline starts with
    the time and only findings new since the last sync are listed (all with --verbose).
    --notify then sends the digests, under the same lock (exit 1 if one fails).
    --all --shard I/N syncs the I-th of N disjoint shares of the workbooks, so N runs
    (say, the pods of a Kubernetes Indexed Job) share them.
    """
    out.quiet = out.quiet or quiet or as_json
    if every and (selection.name or selection.workbook):
        raise click.UsageError("--all syncs every configured workbook; not with --name/--workbook")
    if shard is not None and not every:
        raise click.UsageError("--shard picks a share of the configured workbooks: add --all")
    try:
        config, _ = selection.load()
        workbooks = selection.workbooks(config, every=every)
        channels = (config.notify.smtp.host, config.notify.slack_webhook_env,
                    config.notify.chat_webhook_env)
        if notify and not any(channels):
            raise ConfigError("notify.smtp.host", "is not set (nor a webhook): --notify has "
                              "nowhere to send the digests; configure [notify.smtp]")
        if not every:
            result, failed = _sync_one(out, config, workbooks[0], as_of, dry_run, notify)
    except SheetsSyncError as exc:
        if not as_json:
            raise
        code = out.exit_code_for(exc)
        out.json({"error": out.with_options(str(exc)), "exit_code": code})
        raise click.exceptions.Exit(code) from None
    if not every:
        _show(out, result, as_json, _name(selection, workbooks[0]), verbose)
        raise click.exceptions.Exit(worst([fail_on_code(out, result.active, fail_on), failed]))
    if shard is not None:
        total = len(workbooks)
        workbooks = shard.select(workbooks, lambda wb: wb.name)
        if not workbooks:  # more shards than workbooks, say: nothing to do is not a failure
            from sheets_sync.report import plural

            out.info(f"shard {shard} holds none of the {plural(total, 'configured workbook')}")
            if as_json:
                out.json([])
            raise click.exceptions.Exit(0)
    codes: list[int] = []
    results: list[dict[str, Any]] = []
    for wb in workbooks:
        try:
            result, failed = _sync_one(out, config, wb, as_of, dry_run, notify)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            code = out.exit_code_for(exc, context=wb.name)
            codes.append(code)
            results.append({"workbook": wb.label, "error": str(exc), "exit_code": code})
            continue
        if as_json:
            from sheets_sync.report import to_dict

            results.append(to_dict(result))
        else:
            _show(out, result, False, _name(selection, wb), verbose)
        codes.append(worst([fail_on_code(out, result.active, fail_on), failed]))
    if as_json:
        out.json(results)
    raise click.exceptions.Exit(worst(codes))


def _sync_one(
    out: Output,
    config: Config,
    wb: WorkbookConfig,
    as_of: dt.date | None,
    dry_run: bool,
    notify: bool = False,
) -> tuple[SyncResult, int]:
    """Sync one workbook under its lock (TryLater, exit 75, when held), then with
    ``notify`` send its digests under the same lock: (result, 1 if a delivery failed)."""
    from sheets_sync import open_workbook, sync
    from sheets_sync.sync import held_lock

    backend = open_workbook(wb, config)
    try:
        with held_lock(backend, config, not dry_run):
            with out.progress(f"Syncing {backend.identity}..."):
                result = sync(backend, config, as_of=as_of, dry_run=dry_run, lock=False)
            if not notify or dry_run:
                return result, 0
            from sheets_sync.notify import prepare, send

            prepared = prepare(backend, config, result)
            sent = send(prepared, config, result, backend.cell_link(config.tabs.issues, "A1"))
    finally:
        backend.close()
    for line in [*prepared.skipped, *(f"not delivered: {f}" for f in sent.failed)]:
        out.warn(line)
    out.info(f"Digests: {len(sent.sent)} sent, {len(sent.skipped)} already delivered this "
             f"period, {sent.retried} retried, {len(sent.failed)} failed")
    return result, 1 if sent.failed else 0


def now() -> dt.datetime:
    """This moment in local time, with its offset (the clock cron headlines show)."""
    return dt.datetime.now().astimezone()


def _name(selection: Selection, wb: WorkbookConfig) -> str | None:
    """How cron output names a workbook: its config name (None: its identity, a path)."""
    return None if selection.workbook else wb.name


def _show(
    out: Output, result: SyncResult, as_json: bool, name: str | None, verbose: bool
) -> None:
    from sheets_sync.cli.changes import change_lines
    from sheets_sync.findings import Severity
    from sheets_sync.report import headline, muted_line, render

    if as_json:
        out.json(render(result, "json"))
        return
    cron = not out.is_terminal
    line = headline(result)
    if cron:
        line = f"{now().isoformat(timespec='seconds')} {headline(result, name)}"
    if out.quiet:
        if result.count(Severity.ERROR):
            out.print(line)
        return
    out.print(line)
    if result.restored and out.rich:
        out.info(f"Restored: {'; '.join(result.restored)}", style="dim")
    if result.marked and out.rich:
        out.info(f"Cells to fix: {'; '.join(result.marked)}", style="dim")
    if result.dry_run:
        for change in change_lines(result.changes):
            out.print(change)
        more = "... {n} more (`sheets-sync report` lists them all)"
    else:
        more = "... {n} more in the Issues tab"
    findings = result.active
    if cron and not verbose:
        findings = [f for f in findings if f.identity in result.new]
    show_findings(out, findings, more=more)
    if result.muted and not cron:
        out.print(muted_line(result))
    for note in result.notes:
        out.print(f"Note: {note}")


__all__ = ["sync_cmd"]
