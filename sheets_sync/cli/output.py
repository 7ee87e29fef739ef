"""All command-line output goes through one :class:`Output`.

Humans on a terminal get rich tables and colour; cron (stdout is not a terminal) and
``--quiet`` get plain, terse lines; ``--json`` gets JSON only. Errors go to stderr as
``Error: ...``. rich is imported lazily, on the first output that needs it, so
``sheets-sync --help`` stays instant.
"""

from __future__ import annotations

import contextlib
import json as jsonlib
import os
import re
import sys
import traceback
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import click

from sheets_sync.errors import SheetsSyncError

if TYPE_CHECKING:
    from rich.console import Console

#: The exit codes the README lists.
OK, FAILED, USAGE, UNEXPECTED, TRY_LATER, INTERRUPTED = 0, 1, 2, 3, 75, 130

#: When several runs end differently (``sync --all``), the code of the worst one wins.
#: "Try later" is transient, so any real failure outranks it.
_RANK = {OK: 0, TRY_LATER: 1, FAILED: 2, USAGE: 3, UNEXPECTED: 4, INTERRUPTED: 5}

Level = Literal["ok", "warn", "fail"]
#: A hint to run provision that does not say which config or workbook yet.
_PROVISION_HINT = re.compile(r"\bsheets-sync provision\b(?! -)")
_LEVEL_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def worst(codes: Sequence[int]) -> int:
    """The exit code of the worst outcome among ``codes`` (0 when empty)."""
    return max(codes, key=lambda code: _RANK.get(code, _RANK[UNEXPECTED]), default=OK)


class Output:
    """Owns stdout and stderr for one command-line run, and how it ends.

    ``rich`` (tables, colour) is used only when stdout is a terminal and the run is
    not ``--quiet``; everything else is plain text through click.
    """

    def __init__(self, *, debug: bool = False, quiet: bool = False) -> None:
        self.debug = debug
        self.quiet = quiet
        #: The options that picked this run's config and workbook (``--workbook x.xlsx``).
        self.selection_args = ""
        self._console: Console | None = None

    # -- how to write ------------------------------------------------------------------

    @property
    def console(self) -> Console:
        """The rich console on stdout (created, and rich imported, on first use)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(highlight=False, soft_wrap=False)
        return self._console

    @property
    def is_terminal(self) -> bool:
        """Whether stdout is a terminal a person is looking at."""
        return self.console.is_terminal

    @property
    def rich(self) -> bool:
        """Whether to use rich tables and colour: on a terminal, and not quiet."""
        return not self.quiet and self.is_terminal

    # -- messages ----------------------------------------------------------------------

    def with_options(self, text: str) -> str:
        """A message's ``sheets-sync provision`` hint, with the options this run was given,
        so that it works when typed."""
        if not self.selection_args:
            return text
        command = f"sheets-sync provision {self.selection_args}"
        return _PROVISION_HINT.sub(lambda _: command, text)

    def print(self, text: str = "") -> None:
        """A line of the command's main output: always printed, as plain text."""
        click.echo(text)

    def text(self, block: str) -> None:
        """A block of text printed as is (a rendered report)."""
        click.echo(block, nl=not block.endswith("\n"))

    def info(self, text: str, *, style: str | None = None) -> None:
        """A line for people (progress, hints); nothing when quiet."""
        if self.quiet:
            return
        if style and self.rich:
            self.console.print(text, style=style, markup=False)
        else:
            click.echo(text)

    def heading(self, text: str) -> None:
        """A section heading: bold on a terminal."""
        self.info(text, style="bold")

    def warn(self, text: str) -> None:
        """A warning, on stderr."""
        click.echo(f"{click.style('Warning:', fg='yellow', bold=True)} {text}", err=True)

    def error(self, text: str) -> None:
        """An error, on stderr: ``Error: text``."""
        text = self.with_options(text)
        click.echo(f"{click.style('Error:', fg='red', bold=True)} {text}", err=True)

    def status(self, level: Level, text: str) -> None:
        """One line of a check list: ``ok``, ``warn`` or ``fail`` then what was checked."""
        text = self.with_options(text)
        if self.rich:
            self.console.print(f"{level:<4}", style=_LEVEL_STYLE[level], end=" ", markup=False)
            self.console.print(text, markup=False)
        else:
            click.echo(f"{level:<4} {text}")

    def json(self, data: Any) -> None:
        """JSON on stdout: a string already rendered as JSON, or any JSON-ready object."""
        text = data if isinstance(data, str) else jsonlib.dumps(data, indent=2, ensure_ascii=False)
        click.echo(text, nl=not text.endswith("\n"))

    def table(
        self,
        rows: Sequence[Sequence[str]],
        headers: Sequence[str],
        *,
        title: str | None = None,
        limit: int | None = None,
        more: str = "... {n} more",
        plain_header: bool = True,
    ) -> None:
        """A table: rich on a terminal, aligned plain columns otherwise.

        At most ``limit`` rows are shown, then ``more`` (``{n}`` is how many were left out).
        """
        shown = rows if limit is None else rows[:limit]
        left = len(rows) - len(shown)
        if self.rich:
            from rich.table import Table

            table = Table(title=title, title_justify="left", header_style="bold")
            for header in headers:
                table.add_column(header, overflow="fold")
            for row in shown:
                table.add_row(*row)
            self.console.print(table)
        else:
            if title:
                click.echo(title)
            lines = [list(headers)] if plain_header else []
            lines.extend(list(row) for row in shown)
            widths = [max((len(line[i]) for line in lines), default=0) for i in range(len(headers))]
            for line in lines:
                cells = [cell.ljust(widths[i]) for i, cell in enumerate(line[:-1])]
                click.echo("  ".join([*cells, line[-1]]).rstrip())
        if left > 0:
            click.echo(more.format(n=left))

    @contextlib.contextmanager
    def progress(self, text: str) -> Iterator[None]:
        """A spinner while long work runs, on a terminal only."""
        if not self.rich:
            yield
            return
        with self.console.status(text):
            yield

    # -- how a run ends ----------------------------------------------------------------

    def abort(self, message: str, code: int = FAILED) -> NoReturn:
        """Print ``Error: message`` on stderr and end the run with ``code``."""
        self.error(message)
        raise click.exceptions.Exit(code)

    def exit_code_for(self, exc: BaseException, *, context: str | None = None) -> int:
        """Report ``exc`` (one line; a traceback only with --debug) and return its exit code.

        ``context`` (say, which workbook) prefixes the message.
        """
        prefix = f"{context}: " if context else ""
        if isinstance(exc, KeyboardInterrupt):
            click.echo("Interrupted.", err=True)
            return INTERRUPTED
        if isinstance(exc, BrokenPipeError):
            # The reader went away (``sheets-sync report | head``): nothing left to say.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            return FAILED
        if isinstance(exc, SheetsSyncError):
            if self.debug:
                click.echo("".join(traceback.format_exception(exc)), err=True, nl=False)
            self.error(f"{prefix}{exc}")
            return exc.exit_code
        if self.debug:
            click.echo("".join(traceback.format_exception(exc)), err=True, nl=False)
            self.error(f"{prefix}unexpected {type(exc).__name__}: {exc}")
        else:
            self.error(
                f"{prefix}unexpected {type(exc).__name__}: {exc} "
                "(run with --debug for the traceback)"
            )
        return UNEXPECTED
