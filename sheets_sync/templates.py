"""Template packs: ``templates/<pack>/*.toml`` compiled into one typed model.

A pack is data: the tabs, their columns, types, enums, computed columns and
colours. Everything else (reading, rules, provisioning) works from the
:class:`Template` this module builds, never from the TOML files directly.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from sheets_sync.errors import ConfigError
from sheets_sync.text import fold

#: Column types that are not enums.
BASE_TYPES = frozenset(
    {"id", "text", "email", "person", "goal", "kpi", "date", "number", "percent"}
)
#: Reference types and the tab whose key they must name.
REFERENCE_TABS = {"person": "People", "goal": "Goals", "kpi": "KPIs"}
#: Display formats a column may name (``format = "decimal"``): how its numbers are shown.
DISPLAY_FORMATS = frozenset({"integer", "decimal", "percent", "date"})



def normalize_header(text: object) -> str:
    """Header matching key: case-folded, invisible characters dropped, whitespace collapsed."""
    if text is None:
        return ""
    return fold(str(text))


@dataclass(frozen=True)
class EnumSpec:
    """An enum type: its canonical values."""

    name: str
    values: tuple[str, ...]

    @functools.cached_property
    def _exact(self) -> dict[str, str]:
        return {value: value for value in self.values}

    def canonical(self, text: str) -> str | None:
        """Return the canonical spelling of ``text``, or None when not allowed."""
        exact = self._exact.get(text)
        if exact is not None:
            return exact  # typed exactly as the template spells it: most cells
        wanted = fold(text)
        if self.name == "raci":
            wanted = wanted.replace(" ", "")
            if wanted == "r/a":
                wanted = "a/r"
        for value in self.values:
            if value.casefold() == wanted:
                return value
        return None


@dataclass(frozen=True)
class ColumnSpec:
    """One declared column of a tab."""

    header: str
    type: str
    required: bool = False
    required_when: tuple[str, tuple[str, ...]] | None = None
    key: bool = False
    computed: bool = False
    width: float | None = None
    note: str | None = None
    enum: EnumSpec | None = None
    #: how its numbers are shown (one of DISPLAY_FORMATS); None: as its type implies
    format: str | None = None
    #: long text: wrapped in the cells where it is read
    wrap: bool = False
    #: numbers shown centred (a count beside a list reads apart from it)
    center: bool = False

    @functools.cached_property
    def norm(self) -> str:
        return normalize_header(self.header)


@dataclass(frozen=True)
class TableSpec:
    """One tab of the template."""

    name: str
    kind: Literal["table", "generated"]
    columns: tuple[ColumnSpec, ...]
    description: str = ""
    role_columns: bool = False
    #: header rows earlier template versions generated (generated tabs only)
    earlier_headers: tuple[tuple[str, ...], ...] = ()
    #: pages tall a printout is fitted to (0: as many as its rows need; always one page wide)
    print_pages_tall: int = 0
    #: pages wide when printed (0: as many as it takes), and how many leading columns
    #: repeat on every page
    print_pages_wide: int = 1
    print_title_columns: int = 0
    #: a fixed print scale (percent) instead of fitting to pages; 0: fit
    print_scale: int = 0

    @functools.cached_property
    def key(self) -> ColumnSpec | None:
        return next((c for c in self.columns if c.key), None)

    @functools.cached_property
    def inputs(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if not c.computed)

    @functools.cached_property
    def computed(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.computed)

    def column(self, header: str) -> ColumnSpec:
        norm = normalize_header(header)
        for col in self.columns:
            if col.norm == norm:
                return col
        raise KeyError(f"{self.name} has no column {header!r}")


@dataclass(frozen=True)
class Template:
    """A compiled template pack."""

    name: str
    version: str
    description: str
    tables: tuple[TableSpec, ...]
    enums: dict[str, EnumSpec] = field(hash=False, compare=False)
    colors: dict[str, dict[str, str]] = field(hash=False, compare=False)

    def table(self, name: str) -> TableSpec:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"template {self.name} has no tab {name!r}")

    def enum(self, name: str) -> EnumSpec:
        return self.enums[name]


def templates_root() -> Path:
    """The folder holding the template packs (installed copy first, then the repo's)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("templates", "no templates folder found next to the sheets_sync package")


def available_templates() -> list[str]:
    """Names of the template packs that can be loaded."""
    return sorted(p.parent.name for p in templates_root().glob("*/pack.toml"))


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ConfigError(f"{where}.{key}", "is missing")
    return data[key]


def _column(raw: dict[str, Any], enums: dict[str, EnumSpec], where: str) -> ColumnSpec:
    header = str(_require(raw, "header", where))
    ctype = str(_require(raw, "type", where))
    if ctype not in BASE_TYPES and ctype not in enums:
        raise ConfigError(f"{where}.type", f"unknown column type {ctype!r}")
    when = raw.get("required_when")
    required_when = None
    if when is not None:
        required_when = (str(when["column"]), tuple(str(v) for v in when["in"]))
    fmt = raw.get("format")
    if fmt is not None and fmt not in DISPLAY_FORMATS:
        raise ConfigError(
            f"{where}.format",
            f"unknown format {fmt!r} (choose from {', '.join(sorted(DISPLAY_FORMATS))})",
        )
    return ColumnSpec(
        header=header,
        type=ctype,
        required=bool(raw.get("required", False)),
        required_when=required_when,
        key=bool(raw.get("key", False)),
        computed=bool(raw.get("computed", False)),
        width=raw.get("width"),
        note=raw.get("note"),
        enum=enums.get(ctype),
        format=None if fmt is None else str(fmt),
        wrap=bool(raw.get("wrap", False)),
        center=bool(raw.get("center", False)),
    )


def load_template_dir(folder: Path) -> Template:
    """Compile one pack folder (pack.toml plus one TOML file per tab)."""
    pack_file = folder / "pack.toml"
    try:
        pack = tomllib.loads(pack_file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(pack_file), str(exc)) from exc
    enums: dict[str, EnumSpec] = {}
    for name, raw in pack.get("enums", {}).items():
        enums[name] = EnumSpec(name=name, values=tuple(raw["values"]))
    tables: list[TableSpec] = []
    for stem in _require(pack, "tabs", str(pack_file)):
        tab_file = folder / f"{stem}.toml"
        try:
            raw_tab = tomllib.loads(tab_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(str(tab_file), str(exc)) from exc
        columns = tuple(
            _column(c, enums, f"{tab_file.name}.columns[{i}]")
            for i, c in enumerate(raw_tab.get("columns", []))
        )
        kind = raw_tab.get("kind", "table")
        if kind not in ("table", "generated"):
            raise ConfigError(f"{tab_file.name}.kind", f"must be table or generated, not {kind!r}")
        tables.append(
            TableSpec(
                name=str(_require(raw_tab, "name", tab_file.name)),
                kind=kind,
                columns=columns,
                description=str(raw_tab.get("description", "")),
                role_columns=bool(raw_tab.get("role_columns", False)),
                earlier_headers=tuple(
                    tuple(str(h) for h in row) for row in raw_tab.get("earlier_headers", [])
                ),
                print_pages_tall=int(raw_tab.get("print_pages_tall", 0)),
                print_pages_wide=int(raw_tab.get("print_pages_wide", 1)),
                print_title_columns=int(raw_tab.get("print_title_columns", 0)),
                print_scale=int(raw_tab.get("print_scale", 0)),
            )
        )
    return Template(
        name=str(_require(pack, "name", str(pack_file))),
        version=str(_require(pack, "version", str(pack_file))),
        description=str(pack.get("description", "")),
        tables=tuple(tables),
        enums=enums,
        colors={k: dict(v) for k, v in pack.get("colors", {}).items()},
    )


@lru_cache(maxsize=8)
def load_template(name: str = "partnership") -> Template:
    """Load a template pack by name (or by folder path)."""
    folder = Path(name)
    if not (folder / "pack.toml").is_file():
        folder = templates_root() / name
    if not (folder / "pack.toml").is_file():
        raise ConfigError(
            "template", f"unknown template {name!r} (available: {', '.join(available_templates())})"
        )
    return load_template_dir(folder)
