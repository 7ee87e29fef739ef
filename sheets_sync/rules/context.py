"""What every rule reads (:class:`Context`) and writes (:class:`Outcome`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sheets_sync.config import RulesConfig
from sheets_sync.findings import Finding
from sheets_sync.tables import Table, duplicate_rows
from sheets_sync.templates import Template


@dataclass
class Context:
    """Every tab, read and typed, with the date and thresholds to judge them by."""

    template: Template
    tables: dict[str, Table]
    as_of: dt.date
    rules: RulesConfig = field(default_factory=RulesConfig)
    _usable: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _keys: dict[str, Mapping[str, int]] = field(default_factory=dict, repr=False)
    #: what rules work out once and share (the lifecycle states, say)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> Table:
        return self.tables[name]

    def usable(self, name: str) -> list[int]:
        """Record indices of a tab minus later duplicates of a key (the first row is used)."""
        if name not in self._usable:
            table = self.tables[name]
            dupes = duplicate_rows(table)
            self._usable[name] = [i for i in table if i not in dupes]
        return self._usable[name]

    def keys(self, name: str) -> Mapping[str, int]:
        """Case-folded key -> record index, for a keyed tab.

        Worked out once per tab: rules look a goal or KPI up per record, and the tables
        do not change once read.
        """
        found = self._keys.get(name)
        if found is not None:
            return found
        table = self.tables[name]
        spec_key = table.spec.key
        keys: dict[str, int] = {}
        if spec_key is not None:
            for index in self.usable(name):
                key = table.records[index].get(spec_key.header)
                if key is not None:
                    keys.setdefault(str(key).casefold(), index)
        self._keys[name] = MappingProxyType(keys)
        return self._keys[name]


@dataclass
class Outcome:
    """Computed cells per tab and record, and every finding."""

    #: tab -> record index -> header -> value
    computed: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    #: tab -> record index -> status, for the dashboard
    statuses: dict[str, dict[int, str]] = field(default_factory=dict)
    #: RACI record index -> (Accountable, Responsible): role column headers, in column order
    task_roles: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)

    def set(self, tab: str, index: int, header: str, value: Any) -> None:
        self.computed.setdefault(tab, {}).setdefault(index, {})[header] = value
