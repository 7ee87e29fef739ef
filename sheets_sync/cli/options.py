"""Options shared by the commands, and which config and workbook a command acts on.

Config: ``--config FILE``, else ``$SHEETS_SYNC_CONFIG``, else ``./sheets-sync.toml``.
``--workbook PATH.xlsx`` acts on a local workbook and needs no config file at all
(settings still come from a config file when there is one).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sheets_sync.cli.output import FAILED, OK, USAGE, Output
from sheets_sync.config import (
    DEFAULT_CONFIG,
    ENV_CONFIG,
    Config,
    WorkbookConfig,
    load_config,
    local_workbook_config,
)
from sheets_sync.errors import SheetsSyncError
from sheets_sync.findings import Finding, Severity
from sheets_sync.shards import Shard, ShardError, parse_shard

F = TypeVar("F", bound=Callable[..., Any])

pass_output = click.make_pass_decorator(Output)

#: How many findings a terminal table shows before pointing elsewhere.
TABLE_LIMIT = 30


if TYPE_CHECKING:  # click 8.2+ types ParamType by its value; older releases do not
    _DateParam = click.ParamType[dt.date, Any]
    _ShardParam = click.ParamType[Shard, Any]
else:
    _DateParam = _ShardParam = click.ParamType


class IsoDate(_DateParam):
    """A date written ``YYYY-MM-DD``."""

    name = "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD (e.g. 2026-11-03)", param, ctx)


class ShardParam(_ShardParam):
    """``INDEX/COUNT``, or ``auto/COUNT`` (INDEX from ``$JOB_COMPLETION_INDEX``)."""

    name = "INDEX/COUNT"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Shard:
        if isinstance(value, Shard):
            return value
        try:
            return parse_shard(str(value))
        except ShardError as exc:
            self.fail(str(exc), param, ctx)


def as_of_option(f: F) -> F:
    """``--as-of DATE``: fix "today" (same sheet and date give the same result)."""
    return click.option(
        "--as-of",
        type=IsoDate(),
        default=None,
        help="Evaluate as of this date (YYYY-MM-DD) instead of today.",
    )(f)


def json_option(f: F) -> F:
    """``--json``: machine-readable output only."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print the result as JSON (and nothing else)."
    )(f)


def fail_on_option(default: str | None) -> Callable[[F], F]:
    """``--fail-on error|warning``: exit 1 when findings of that severity (or worse) exist."""
    hint = f" [default: {default}]" if default else ""

    def decorate(f: F) -> F:
        return click.option(
            "--fail-on",
            type=click.Choice(["error", "warning"]),
            default=default,
            help="Exit 1 when there are findings of this severity or worse." + hint,
        )(f)

    return decorate


def not_xlsx(path: str) -> str:
    """Why ``--workbook`` must name an .xlsx file, and what to do with another kind."""
    return (
        f"{path!r} is not an .xlsx file: sheets-sync keeps Excel Workbooks (.xlsx). "
        "Save a copy as Excel Workbook (.xlsx) (a macro-enabled workbook loses its macros "
        "there; keep them in the original) and pass that"
    )


@dataclass(frozen=True)
class Selection:
    """What the common options asked for; :meth:`load` resolves it."""

    config: str | None = None
    workbook: str | None = None
    name: str | None = None
    timezone: str | None = None
    locale: str | None = None

    def as_args(self) -> str:
        """The options that picked the config and workbook, as they would be typed."""
        given = (("--config", self.config), ("--workbook", self.workbook), ("--name", self.name))
        return " ".join(f"{flag} {shlex.quote(value)}" for flag, value in given if value)

    def source(self) -> tuple[Path | None, str]:
        """The config file to read (None: none needed) and how it was found."""
        if self.config:
            return Path(self.config), "--config"
        env = os.environ.get(ENV_CONFIG)
        if env:
            return Path(env), ENV_CONFIG
        default = Path(DEFAULT_CONFIG)
        if default.is_file():
            return default, f"./{DEFAULT_CONFIG}"
        return None, ""

    def load(self) -> tuple[Config, str]:
        """The resolved config and a description of where it came from.

        Raises ConfigError (exit 2) when the config is invalid, and NoConfig (exit 2)
        when there is neither a config file nor ``--workbook``.
        """
        path, how = self.source()
        overrides = {"timezone": self.timezone, "locale": self.locale}
        if self.workbook:
            if self.name:
                raise click.UsageError("--name picks a configured workbook; not with --workbook")
            if Path(self.workbook).suffix.lower() != ".xlsx":
                raise click.BadParameter(
                    not_xlsx(self.workbook), param_hint="'--workbook'"
                )
            base = load_config(self.config, overrides=overrides, required=False)
            where = f"{path} (from {how})" if path else "no config file (defaults)"
            return local_workbook_config(self.workbook, base), where
        if path is None:
            raise NoConfig()
        return load_config(self.config, overrides=overrides), f"{path} (from {how})"

    def workbooks(self, config: Config, *, every: bool = False) -> list[WorkbookConfig]:
        """The workbook picked by ``--name`` (default: the first), or all of them."""
        if every:
            config.workbook()  # fails clearly when none is configured
            return list(config.workbooks)
        return [config.workbook(self.name)]


class NoConfig(SheetsSyncError):
    """Neither ``--workbook`` nor a config file: say how to get one (exit 2)."""

    exit_code = USAGE

    def __init__(self) -> None:
        super().__init__(
            f"no config file: ./{DEFAULT_CONFIG} does not exist and neither --config nor "
            f"{ENV_CONFIG} names one. Pass --workbook PATH.xlsx to use a local workbook, "
            "or run `sheets-sync init` to write a config."
        )


def workbook_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add --config/--workbook/--name/--timezone/--locale; the command gets ``selection``."""

    @functools.wraps(f)
    def wrapper(
        *args: Any,
        config: str | None,
        workbook: str | None,
        name: str | None,
        timezone: str | None,
        locale: str | None,
        **kwargs: Any,
    ) -> Any:
        selection = Selection(config, workbook, name, timezone, locale)
        ctx = click.get_current_context(silent=True)
        out = ctx.find_object(Output) if ctx else None
        if out is not None:  # hints in messages then name the same config and workbook
            out.selection_args = selection.as_args()
        return f(*args, selection=selection, **kwargs)

    options = [
        click.option(
            "--config",
            metavar="FILE",
            type=click.Path(dir_okay=False),
            help=f"Config file [default: ${ENV_CONFIG}, else ./{DEFAULT_CONFIG}].",
        ),
        click.option(
            "--workbook",
            metavar="PATH.xlsx",
            type=click.Path(dir_okay=False),
            help="A local .xlsx workbook to act on (no config file needed).",
        ),
        click.option(
            "--name", metavar="NAME", help="Which configured workbook [default: the first]."
        ),
        click.option(
            "--timezone", metavar="ZONE", help="Time zone of 'today' (e.g. Europe/London)."
        ),
        click.option("--locale", metavar="LOCALE", help="How typed dates and numbers are read."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


# -- findings on screen ------------------------------------------------------------------


def where(f: Finding) -> str:
    """``Tab!A1``, or the tab alone for tab-level findings."""
    return f"{f.tab}!{f.cell}" if f.cell else f.tab


def finding_rows(findings: Sequence[Finding]) -> list[list[str]]:
    """Table rows: severity, rule, where, key, message."""
    return [[f.severity.label, f.rule, where(f), f.key, f.message] for f in findings]


FINDING_HEADERS = ("Severity", "Rule", "Where", "Key", "Message")


def show_findings(out: Output, findings: Sequence[Finding], *, more: str) -> None:
    """Findings as people see them: a rich table on a terminal (the first
    :data:`TABLE_LIMIT`), else one plain line per error or warning."""
    if out.quiet:
        return
    if out.rich:
        if findings:
            rows = [[*row[:-1], out.with_options(row[-1])] for row in finding_rows(findings)]
            out.table(rows, FINDING_HEADERS, limit=TABLE_LIMIT, more=more)
        return
    serious = [f for f in findings if f.severity <= Severity.WARNING]
    rule_width = max((len(f.rule) for f in serious), default=0)
    where_width = max((len(where(f)) for f in serious), default=0)
    for f in serious:
        out.print(
            f"{f.severity.label:<7} {f.rule:<{rule_width}} {where(f):<{where_width}} "
            f"{f.key}: {out.with_options(f.message)}"
        )


def fail_on_code(
    out: Output, findings: Sequence[Finding], fail_on: str | None, *, given: bool = True
) -> int:
    """Exit 1 (and say why on stderr) when ``--fail-on`` matched, else 0.

    ``given``: whether the person passed ``--fail-on`` (else it is the command's default,
    and the message does not mention the option).
    """
    from sheets_sync.report import plural

    if fail_on is None:
        return OK
    worst = Severity.parse(fail_on)
    errors = sum(1 for f in findings if f.severity == Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity == Severity.WARNING)
    counted = [(errors, "error")]
    if worst >= Severity.WARNING:
        counted.append((warnings, "warning"))
    if not any(n for n, _ in counted):
        return OK
    what = ", ".join(plural(n, word) for n, word in counted if n)
    out.error(f"--fail-on {fail_on}: {what}" if given else f"{what} found")
    return FAILED


__all__ = [
    "FAILED",
    "OK",
    "USAGE",
    "IsoDate",
    "NoConfig",
    "Selection",
    "ShardParam",
    "as_of_option",
    "fail_on_code",
    "fail_on_option",
    "finding_rows",
    "json_option",
    "pass_output",
    "show_findings",
    "workbook_options",
]
