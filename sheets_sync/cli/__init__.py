"""The sheets-sync command line: ``sheets-sync [--debug] [--version] COMMAND``.

Exit codes: 0 success (findings are data for ``sync``), 1 ``check`` found errors,
``--fail-on`` matched, or a run failed for a reason it explains, 2 usage or config
error, 3 unexpected error (traceback only with ``--debug``), 75 try later (another
sync holds the lock, or a person has the workbook open), 130 interrupted.

Every command is a few lines over the library. Heavy modules (pandas, openpyxl,
gspread, rich) are imported inside the commands, so ``--help`` is instant.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from sheets_sync import __version__
from sheets_sync.cli.check import check_cmd
from sheets_sync.cli.demo import demo_cmd
from sheets_sync.cli.doctor import doctor_cmd
from sheets_sync.cli.export import export_cmd
from sheets_sync.cli.history import history_cmd
from sheets_sync.cli.init import init_cmd
from sheets_sync.cli.notify import notify_cmd
from sheets_sync.cli.output import INTERRUPTED, OK, Output
from sheets_sync.cli.provision import provision_cmd
from sheets_sync.cli.report import report_cmd
from sheets_sync.cli.sync import sync_cmd
from sheets_sync.cli.templates import templates_cmd

PROG_NAME = "sheets-sync"


class SheetsSyncGroup(click.Group):
    """A group that ends every failure of a command with the exit code it stands for.

    Click's own exceptions (usage errors, ``--help``, explicit exits) pass through to
    click; anything else is reported on one line by the run's :class:`Output` and
    mapped to its exit code, so ``main()`` and click's test runner behave alike.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            out = ctx.obj if isinstance(ctx.obj, Output) else Output()
            raise click.exceptions.Exit(out.exit_code_for(exc)) from None


@click.group(
    PROG_NAME,
    cls=SheetsSyncGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error.")
@click.version_option(__version__, "--version", prog_name=PROG_NAME, message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Keep a partnership's shared spreadsheet honest.

    Provision a templated workbook (goals, KPIs, a KPI log, RACI, reviews), then
    sync it: validate what people typed, compute status columns, write back only
    what changed, and list every problem in the rows, an Issues tab and a Dashboard.

    New here? Run `sheets-sync demo`.
    """
    ctx.obj = Output(debug=debug)


for command in (
    init_cmd,
    provision_cmd,
    sync_cmd,
    check_cmd,
    notify_cmd,
    report_cmd,
    export_cmd,
    templates_cmd,
    doctor_cmd,
    history_cmd,
    demo_cmd,
):
    cli.add_command(command)


def run(args: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (never raises, never exits)."""
    try:
        rv = cli.main(args=args, prog_name=PROG_NAME, standalone_mode=False)
    except click.ClickException as exc:  # usage errors: 2
        exc.show()
        return exc.exit_code
    except click.Abort:  # Ctrl-C or end of input while click was parsing or prompting
        click.echo("Interrupted.", err=True)
        return INTERRUPTED
    except KeyboardInterrupt as exc:
        return Output().exit_code_for(exc)
    except Exception as exc:  # a failure outside any command (the group maps the rest)
        return Output(debug="--debug" in (args or sys.argv[1:])).exit_code_for(exc)
    return rv if isinstance(rv, int) else OK


def main(args: Sequence[str] | None = None) -> NoReturn:
    """Entry point of the ``sheets-sync`` script."""
    sys.exit(run(args))


__all__ = ["cli", "main", "run"]
