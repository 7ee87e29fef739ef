"""Reading a workbook for the pipeline: the backend is told which columns hold dates."""

from __future__ import annotations

from sheets_sync.backends.base import Backend, WorkbookData
from sheets_sync.config import Config
from sheets_sync.templates import Template


def tab_names(template: Template, config: Config) -> dict[str, str]:
    """Template tab name -> the name the workbook uses for it (generated tabs can be renamed)."""
    names = config.tabs.names()
    return {spec.name: names.get(spec.name, spec.name) for spec in template.tables}


def date_headers(template: Template, config: Config) -> dict[str, list[str]]:
    """The headers of the template's date columns, per tab name as the workbook uses it."""
    names = tab_names(template, config)
    out: dict[str, list[str]] = {}
    for spec in template.tables:
        headers = [c.header for c in spec.columns if c.type == "date"]
        if headers:
            out[names[spec.name]] = headers
    return out


def read_workbook(backend: Backend, template: Template, config: Config) -> WorkbookData:
    """``backend.read()``, with the hints a backend needs to read dates whatever their
    format, and to read only the tabs the template names."""
    backend.expect_tabs(list(tab_names(template, config).values()))
    backend.expect_dates(date_headers(template, config))
    return backend.read()


__all__ = ["date_headers", "read_workbook", "tab_names"]
