"""Which tabs the tool generates, and how it tells its own from a person's of the same name.

The Issues and Dashboard tabs are rewritten whole at every sync. A person's tab
that happens to be called "Issues" (a bug tracker, say) must never be. So the
tool marks the tabs it creates (a document property in xlsx, developer metadata
on Google) and writes only into a tab that carries its mark. A workbook
provisioned before marks existed is recognised once by the tool's marker plus the
tab's generated header row, and marked then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sheets_sync.a1 import same_tab
from sheets_sync.backends.base import Backend, RawTab, WorkbookData
from sheets_sync.templates import TableSpec, Template, normalize_header


@dataclass
class GeneratedTabs:
    """Where each generated tab lives, what to mark, and the person's tabs in the way."""

    names: dict[str, str] = field(default_factory=dict)  # template tab -> workbook tab
    to_mark: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, str] = field(default_factory=dict)  # template tab -> person's tab

    def usable(self, spec_name: str) -> bool:
        """Whether the tool may write the generated tab ``spec_name``."""
        return spec_name not in self.conflicts


def _blank(raw: RawTab) -> bool:
    return not any(v is not None and str(v).strip() for row in raw.values for v in row)


def _has_generated_header(spec: TableSpec, raw: RawTab) -> bool:
    """Whether row 1 is the header this template version, or an earlier one, generated."""
    for headers in (tuple(c.header for c in spec.columns), *spec.earlier_headers):
        wanted = [normalize_header(h) for h in headers]
        have = [normalize_header("" if v is None else str(v)) for v in raw.header[: len(wanted)]]
        if have == wanted:
            return True
    return False


def generated_tabs(
    template: Template,
    data: WorkbookData,
    backend: Backend,
    names: Mapping[str, str] | None = None,
) -> GeneratedTabs:
    """Decide, for every generated tab of the template, whether the tool may write it."""
    marks = backend.generated_tabs()
    provisioned = backend.marker() is not None
    out = GeneratedTabs()
    for spec in template.tables:
        if spec.kind != "generated":
            continue
        name = (names or {}).get(spec.name, spec.name)
        out.names[spec.name] = name
        raw = data.tab(name)
        if raw is None:
            out.to_mark[spec.name] = name  # created by the write that marks it
            continue
        marked = marks.get(spec.name)
        # A person may delete the tool's tab and make their own of that name, which a
        # mark by name (xlsx) cannot tell: the tool's tab also still has its header row.
        looks_generated = _blank(raw) or _has_generated_header(spec, raw)
        if marked is not None and same_tab(marked, raw.name) and looks_generated:
            out.names[spec.name] = raw.name
            continue
        legacy = provisioned and marked is None and looks_generated
        if _blank(raw) or legacy:
            out.names[spec.name] = raw.name
            out.to_mark[spec.name] = raw.name
            continue
        out.conflicts[spec.name] = raw.name
    return out


def conflict_message(spec_name: str, tab: str, config_key: str) -> str:
    """What to do when a person's tab has the name of a tab the tool generates."""
    return (
        f"Tab {tab!r} was not made by sheets-sync (it holds a person's data), so sheets-sync "
        f"will not write its {spec_name} there. Rename that tab, or give the generated tab "
        f'another name in the config: {config_key} = "Sync {spec_name.lower()}".'
    )


__all__ = ["GeneratedTabs", "conflict_message", "generated_tabs"]
