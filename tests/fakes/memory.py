"""An in-memory Backend: the pipeline's tests run without any file or network."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence

from sheets_sync.backends.base import (
    Backend,
    CellUpdate,
    CellValue,
    Plan,
    RawTab,
    TabFormatting,
    TabLayout,
    WorkbookData,
    WriteResult,
)
from sheets_sync.errors import GuardError
from sheets_sync.layout import COMPUTED_FILL, mark_rule


def installed(layout: TabLayout) -> TabFormatting:
    """The formatting of a tab with exactly ``layout`` installed on it."""
    return TabFormatting(
        frozen_rows=1 if layout.freeze_header else 0,
        bold=frozenset(range(len(layout.headers))),
        fills={col: COMPUTED_FILL for col in layout.computed},
        notes=dict(layout.notes),
        dropdowns=layout.validations,
        rules=layout.rules,
    )


class MemoryBackend(Backend):
    """Holds tabs as grids; a tab's formatting is the layout last applied to it."""

    def __init__(self, tabs: dict[str, list[list[CellValue]]] | None = None) -> None:
        self.tabs: dict[str, RawTab] = {
            name: RawTab(name, [list(r) for r in rows]) for name, rows in (tabs or {}).items()
        }
        self.layouts: dict[str, TabLayout] = {}
        #: tab -> the layout whose marks on values to fix were last set
        self.marks: dict[str, TabLayout] = {}
        self.mark: tuple[str, str] | None = None
        self.generated: dict[str, str] = {}
        self.version = 0
        self.writes = 0
        self.cells_written = 0

    @property
    def identity(self) -> str:
        return "memory"

    def exists(self) -> bool:
        return bool(self.tabs)

    def read(self) -> WorkbookData:
        tabs = {n: copy.deepcopy(t) for n, t in self.tabs.items()}
        for tab in tabs.values():  # trailing blanks trimmed, as real backends do
            while tab.values and not any(v is not None for v in tab.values[-1]):
                tab.values.pop()
            for row in tab.values:
                while row and row[-1] is None:
                    row.pop()
        return WorkbookData("memory", tabs, version=self.version)

    def formatting_of(self, tab: str) -> TabFormatting | None:
        if tab not in self.tabs:
            return None
        layout = self.layouts.get(tab)
        facts = installed(layout) if layout is not None else TabFormatting()
        marked = self.marks.get(tab)
        rule = mark_rule(marked) if marked is not None else None
        if rule is not None:
            facts = dataclasses.replace(facts, rules=(rule, *facts.rules))
        return facts

    def marker(self) -> tuple[str, str] | None:
        return self.mark

    def generated_tabs(self) -> dict[str, str]:
        return dict(self.generated)

    def write(
        self, data: WorkbookData, updates: Sequence[CellUpdate], plan: Plan | None = None
    ) -> WriteResult:
        if data.version != self.version:
            raise GuardError("changed since read")
        if not updates and (plan is None or plan.empty):
            return WriteResult()
        if plan is not None:
            for name in plan.add_tabs:
                self.tabs[name] = RawTab(name, [])
            for layout in plan.formatting:
                self.layouts[layout.name] = layout
            for layout in plan.marks:
                self.marks[layout.name] = layout
            if plan.write_marker:
                self.mark = (plan.template, plan.version)
            self.generated.update(plan.generated)
        for u in [*(plan.header_cells if plan else []), *updates]:
            self.set(u.tab, u.row, u.col, u.value)
        self.version += 1
        self.writes += 1
        self.cells_written += len(updates)
        return WriteResult(wrote=True)

    def set(self, tab: str, row: int, col: int, value: CellValue) -> None:
        """Set a cell as a person (or the tool) would, growing the grid as needed."""
        grid = self.tabs[tab].values
        while len(grid) <= row:
            grid.append([])
        while len(grid[row]) <= col:
            grid[row].append(None)
        grid[row][col] = value
        self.version += 1

    def grid(self, tab: str) -> list[list[CellValue]]:
        return self.read().tabs[tab].values
