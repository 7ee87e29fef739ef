"""``sheets-sync doctor``: is everything in place for a sync to work?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from sheets_sync.cli.options import Selection, pass_output, workbook_options
from sheets_sync.cli.output import Level, Output
from sheets_sync.errors import SheetsSyncError

if TYPE_CHECKING:
    from sheets_sync.config import Config, WorkbookConfig
    from sheets_sync.templates import Template


class Checks:
    """The check lines printed so far, and whether any failed."""

    def __init__(self, out: Output) -> None:
        self.out = out
        self.failed = False

    def __call__(self, level: Level, text: str) -> None:
        self.failed = self.failed or level == "fail"
        self.out.status(level, text)


def _problem(exc: Exception) -> str:
    return str(exc) if isinstance(exc, SheetsSyncError) else f"{type(exc).__name__}: {exc}"


@click.command("doctor")
@workbook_options
@pass_output
def doctor_cmd(out: Output, selection: Selection) -> None:
    """Check config, template, access, locks and drift.

    Checks the config (and where it was found), the template, and for every
    configured workbook (or the one --name or --workbook picks): its backend, that
    it exists and reads, editor lock files, template drift and the sync lock.

    Prints one line per check (ok, warn or fail); exits 1 when any check failed.
    """
    from sheets_sync.templates import load_template

    check = Checks(out)
    try:
        config, source = selection.load()
    except SheetsSyncError as exc:  # no config file (NoConfig), or an invalid one
        check("fail", f"config: {exc}")
        raise click.exceptions.Exit(1) from None
    check("ok", f"config: {source}")
    try:
        template = load_template(config.template)
    except SheetsSyncError as exc:
        check("fail", f"template: {exc}")
        raise click.exceptions.Exit(1) from None
    check("ok", f"template: {template.name} {template.version}")
    try:
        every = not (selection.name or selection.workbook)
        workbooks = selection.workbooks(config, every=every)
    except SheetsSyncError as exc:
        check("fail", f"workbooks: {exc}")
        raise click.exceptions.Exit(1) from None
    for wb in workbooks:
        _workbook(check, config, template, wb)
    raise click.exceptions.Exit(1 if check.failed else 0)


def _workbook(check: Checks, config: Config, template: Template, wb: WorkbookConfig) -> None:
    """The checks of one workbook; each that fails is reported and the rest go on."""
    from sheets_sync import open_workbook, provision
    from sheets_sync.report import plural

    label = f"{wb.name}"
    check("ok", f"{label}: {wb.backend} backend ({wb.label})")
    try:
        backend = open_workbook(wb, config)
    except Exception as exc:
        check("fail", f"{label}: cannot open: {_problem(exc)}")
        return
    identity = getattr(backend, "acting_as", None)
    if identity is not None:
        _google_identity(check, label, identity)
    try:
        if not backend.exists():
            check("fail", f"{label}: {backend.identity} does not exist; run sheets-sync provision")
            return
        try:
            data = backend.read()
        except Exception as exc:
            check("fail", f"{label}: cannot read: {_problem(exc)}")
            return
        check("ok", f"{label}: readable ({plural(len(data.tabs), 'tab')})")
        if wb.backend == "xlsx" and wb.path is not None:
            from sheets_sync.backends.xlsx import editor_lock

            holder = editor_lock(wb.path)
            if holder:
                check("warn", f"{label}: {holder}; syncs will wait (exit 75) until it is closed")
            else:
                check("ok", f"{label}: no editor lock file")
        try:
            steps = provision(backend, config, template=template, dry_run=True).steps
        except Exception as exc:
            check("fail", f"{label}: cannot compare with the template: {_problem(exc)}")
        else:
            if steps:
                check(
                    "warn",
                    f"{label}: template drift: {plural(len(steps), 'thing')} missing; "
                    "run sheets-sync provision",
                )
            else:
                check("ok", f"{label}: up to date with template {template.name} {template.version}")
    finally:
        backend.close()
        _sync_lock(check, config, label, backend.lock_key)


def _google_identity(check: Checks, label: str, identity: Any) -> None:
    """Whom the tool acts as, and what a service account needs (never a secret)."""
    check("ok", f"{label}: acts as {identity.who} ({identity.kind})")
    for warning in identity.warnings:
        check("warn", f"{label}: {warning}")
    if identity.is_service_account:
        check(
            "ok",
            f"{label}: share the spreadsheet with {identity.who} (Editor); a service "
            "account cannot own files, so creating one needs parent_folder_id (a "
            'shared-drive folder) or google.auth = "oauth"',
        )


def _sync_lock(check: Checks, config: Config, label: str, identity: str) -> None:
    from sheets_sync.lock import workbook_lock

    try:
        with workbook_lock(identity, config.state_dir):
            pass
    except SheetsSyncError:
        check("warn", f"{label}: sync lock: held by a sync running now")
    else:
        check("ok", f"{label}: sync lock: free")
