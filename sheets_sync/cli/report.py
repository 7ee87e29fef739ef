"""``sheets-sync report``: status and findings as text, markdown, JSON or an HTML page;
with ``--all``, every configured workbook (as HTML: the portfolio page)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from sheets_sync.cli.options import Selection, as_of_option, pass_output, workbook_options
from sheets_sync.cli.output import OK, Output, worst
from sheets_sync.report import FORMATS

if TYPE_CHECKING:
    from sheets_sync.backends.base import Backend
    from sheets_sync.config import Config, WorkbookConfig
    from sheets_sync.portfolio import Entry
    from sheets_sync.sync import SyncResult


@click.command("report")
@workbook_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format (html: a self-contained page with charts).",
)
@click.option(
    "--all", "every", is_flag=True,
    help="Every workbook in the config (html: one portfolio page, worst first).",
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
    out: Output,
    selection: Selection,
    fmt: str,
    every: bool,
    as_of: dt.date | None,
    output: str | None,
) -> None:
    """Report status and findings as text, markdown, JSON or HTML.

    Reads the workbook like `check` and writes nothing to it. The HTML page needs no
    network to open: the status-over-time chart, the History heatmap, goals with their
    KPIs, who needs to act, and the Issues linked to their cells. With --all, every
    configured workbook: as HTML one portfolio page, the worst workbook first; a
    workbook that cannot be read is listed with the reason and the exit code says so.
    """
    if every and (selection.name or selection.workbook):
        raise click.UsageError("--all reports every configured workbook; not with "
                               "--name/--workbook")
    config, _ = selection.load()
    code = OK
    if every and fmt == "html":
        text, code = _portfolio(out, config, selection.workbooks(config, every=True), as_of)
        what = "the portfolio page"
    elif every:
        parts, codes = [], []
        for wb in selection.workbooks(config, every=True):
            try:
                parts.append(_one(out, config, wb, fmt, as_of)[0])
            except Exception as exc:
                codes.append(out.exit_code_for(exc, context=wb.name))
        code = worst(codes) if codes else OK
        text, what = _join(parts, fmt), f"the {fmt} reports of every workbook"
    else:
        text, name = _one(out, config, selection.workbooks(config)[0], fmt, as_of)
        what = f"the {fmt} report of {name}"
    _write(out, text, output, what)
    raise click.exceptions.Exit(code)


@contextlib.contextmanager
def _checked(
    out: Output, config: Config, wb: WorkbookConfig, as_of: dt.date | None
) -> Iterator[tuple[Backend, SyncResult]]:
    """The workbook checked (nothing written), with its backend open for links."""
    from sheets_sync import check, open_workbook

    backend = open_workbook(wb, config)
    try:
        with out.progress(f"Reading {backend.identity}..."):
            result = check(backend, config, as_of=as_of)
        yield backend, result
    finally:
        backend.close()


def _one(
    out: Output, config: Config, wb: WorkbookConfig, fmt: str, as_of: dt.date | None
) -> tuple[str, str]:
    """The report of one workbook, and the workbook's name."""
    from sheets_sync import render
    from sheets_sync.report_html import render_html
    from sheets_sync.sync import period_kind

    with _checked(out, config, wb, as_of) as (backend, result):
        if fmt != "html":
            return render(result, fmt), result.workbook
        return render_html(
            result, link=backend.cell_link, kind=period_kind(config),
            fallback=config.notify.fallback, history_tab=config.tabs.history,
        ), result.workbook


def _portfolio(
    out: Output, config: Config, workbooks: list[WorkbookConfig], as_of: dt.date | None
) -> tuple[str, int]:
    from sheets_sync.portfolio import Entry, entry, render_portfolio
    from sheets_sync.templates import load_template

    entries: list[Entry] = []
    codes: list[int] = []
    for wb in workbooks:
        try:
            with _checked(out, config, wb, as_of) as (backend, result):
                link = backend.cell_link(config.tabs.dashboard, "A1")
        except Exception as exc:
            codes.append(out.exit_code_for(exc, context=wb.name))
            entries.append(Entry(wb.name or wb.label, failure=out.with_options(str(exc))))
            continue
        entries.append(entry(wb.name or wb.label, result, link))
    colors = load_template(config.template).colors.get("status", {})
    return render_portfolio(entries, colors), worst(codes) if codes else OK


def _join(parts: list[str], fmt: str) -> str:
    if fmt == "json":
        return "[\n" + ",\n".join(p.rstrip("\n") for p in parts) + "\n]\n"
    return "\n".join(parts)


def _write(out: Output, text: str, output: str | None, what: str) -> None:
    from pathlib import Path

    if output is None:
        out.text(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        out.abort(f"cannot write {output}: {exc.strerror or exc}")
    out.info(f"Wrote {what} to {output}")
