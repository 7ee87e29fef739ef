"""``sheets-sync provision``: create the workbook, or add what it lacks of the template."""

from __future__ import annotations

import click

from sheets_sync.cli.options import Selection, pass_output, workbook_options
from sheets_sync.cli.output import Output


@click.command("provision")
@workbook_options
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@pass_output
def provision_cmd(out: Output, selection: Selection, dry_run: bool) -> None:
    """Create a workbook, or add what it lacks of its template.

    Adds missing tabs, columns, dropdowns and highlighting.
    Never touches data people typed. Prints the plan first; --dry-run stops there.
    """
    from sheets_sync import open_workbook, provision
    from sheets_sync.report import plural
    from sheets_sync.templates import load_template

    config, _ = selection.load()
    template = load_template(config.template)
    backend = open_workbook(selection.workbooks(config)[0], config)
    try:
        plan = provision(backend, config, template=template, dry_run=True)
        # Steps without actions say what a person must do (a tab the tool will not touch).
        if plan.empty and not plan.steps:
            out.print(
                f"Nothing to do: {backend.identity} is up to date with template "
                f"{template.name} {template.version}"
            )
            return
        verb = "would" if dry_run else "will"
        out.print(
            f"Plan for {backend.identity} (template {template.name} {template.version}); "
            f"provisioning {verb}:"
        )
        for step in plan.steps:
            out.print(f"  - {step}")
        if dry_run:
            out.info("Dry run: nothing changed.")
            return
        if plan.empty and not plan.conflicts:
            return
        # provision() takes the workbook's lock itself (TryLater, exit 75, when it is held).
        with out.progress("Provisioning..."):
            applied = provision(backend, config, template=template)
    finally:
        backend.close()
    out.print(f"Provisioned {backend.identity}: {plural(len(applied.steps), 'step')}")
    if getattr(backend, "created", False):
        # A new Google spreadsheet: cron should find it by id, not by title.
        out.print(
            f"Created spreadsheet {getattr(backend, 'spreadsheet_id', '')}: set "
            "spreadsheet_id to it in the config's [[workbooks]] entry."
        )
