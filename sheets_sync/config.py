"""config.toml -> a frozen, typed :class:`Config`.

Precedence for every setting: command-line flag > environment variable > config
file > default. Errors name the key path that is wrong (``rules.on_track_ratio``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sheets_sync.a1 import same_tab
from sheets_sync.errors import ConfigError

ENV_CONFIG = "SHEETS_SYNC_CONFIG"
DEFAULT_CONFIG = "sheets-sync.toml"
#: Environment variables that override top-level settings.
ENV_SETTINGS = {
    "timezone": "SHEETS_SYNC_TIMEZONE",
    "locale": "SHEETS_SYNC_LOCALE",
    "template": "SHEETS_SYNC_TEMPLATE",
    "state_dir": "SHEETS_SYNC_STATE_DIR",
}
BACKENDS = ("xlsx", "google")


@dataclass(frozen=True)
class RulesConfig:
    """Thresholds of the status and RACI rules."""

    on_track_ratio: float = 0.95
    at_risk_ratio: float = 0.75
    stale_grace_days: int = 3
    max_responsible: int = 3
    max_accountable: int = 8


@dataclass(frozen=True)
class WorkbookConfig:
    """One workbook the tool keeps: a local .xlsx file or a Google spreadsheet."""

    name: str
    backend: str = "xlsx"
    path: Path | None = None
    spreadsheet_id: str | None = None
    title: str | None = None
    parent_folder_id: str | None = None
    share_with: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.backend == "xlsx":
            return str(self.path)
        return self.spreadsheet_id or self.title or self.name


@dataclass(frozen=True)
class GoogleConfig:
    """How to reach Google."""

    auth: str = "service_account"  # service_account | adc | oauth
    credentials: Path | None = None
    token_cache: Path | None = None
    timeout_seconds: float = 30.0
    max_attempts: int = 5
    max_retry_seconds: float = 60.0
    #: client-side pacing per kind (read, write), Google's default per-user quota; 0: off
    requests_per_minute: int = 60


@dataclass(frozen=True)
class TabsConfig:
    """Names of the tabs the tool generates, when a person's tab already has the default."""

    issues: str = "Issues"
    dashboard: str = "Dashboard"

    def names(self) -> dict[str, str]:
        """Template tab name -> the name the workbook uses for it."""
        return {"Issues": self.issues, "Dashboard": self.dashboard}


@dataclass(frozen=True)
class XlsxConfig:
    """Limits of the local workbook backend."""

    #: a save that would write a larger file is refused before anything is written
    max_file_mb: int = 256


@dataclass(frozen=True)
class Config:
    """The whole configuration, resolved."""

    template: str = "partnership"
    timezone: str | None = None  # None: the machine's local zone (xlsx) or the sheet's (google)
    locale: str | None = None  # None: the spreadsheet's own (google), else en_US
    state_dir: Path | None = None  # where cron locks live; None: the system temp folder
    rules: RulesConfig = field(default_factory=RulesConfig)
    google: GoogleConfig = field(default_factory=GoogleConfig)
    tabs: TabsConfig = field(default_factory=TabsConfig)
    xlsx: XlsxConfig = field(default_factory=XlsxConfig)
    workbooks: tuple[WorkbookConfig, ...] = ()
    source: Path | None = None

    def workbook(self, name: str | None = None) -> WorkbookConfig:
        """The named workbook, or the only/first one."""
        if not self.workbooks:
            raise ConfigError("workbooks", "no workbook configured: add a [[workbooks]] entry")
        if name is None:
            return self.workbooks[0]
        for wb in self.workbooks:
            if wb.name == name:
                return wb
        names = ", ".join(w.name for w in self.workbooks)
        raise ConfigError("workbooks", f"no workbook named {name!r} (configured: {names})")


def _typed(value: Any, expected: type, key: str) -> Any:
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is Path and isinstance(value, str):
        return Path(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(key, f"must be {expected.__name__}, got {value!r}")
    return value


def _section(cls: type[Any], raw: Mapping[str, Any], prefix: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in known:
            raise ConfigError(f"{prefix}.{name}", f"unknown setting (known: {', '.join(known)})")
        annotation = str(known[name].type)
        expected: type = float if "float" in annotation else int if "int" in annotation else str
        if "Path" in annotation:
            expected = Path
        if "tuple" in annotation:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{prefix}.{name}", "must be a list of strings")
            values[name] = tuple(value)
            continue
        values[name] = _typed(value, expected, f"{prefix}.{name}")
    return cls(**values)


def _check_rules(rules: RulesConfig) -> None:
    if not 0 < rules.at_risk_ratio <= rules.on_track_ratio:
        raise ConfigError(
            "rules.at_risk_ratio", "must be above 0 and not above rules.on_track_ratio"
        )
    for name in ("stale_grace_days", "max_responsible", "max_accountable"):
        if getattr(rules, name) < 0:
            raise ConfigError(f"rules.{name}", "must not be negative")


def _resolve(base: Path, path: Path | None) -> Path | None:
    if path is None:
        return None
    path = path.expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


def parse_config(raw: Mapping[str, Any], source: Path | None = None) -> Config:
    """Build a Config from parsed TOML; paths are relative to the config file's folder."""
    base = source.parent if source else Path.cwd()
    top: dict[str, Any] = {}
    for key in ("template", "timezone", "locale", "state_dir"):
        if key in raw:
            top[key] = _typed(raw[key], Path if key == "state_dir" else str, key)
    unknown = set(raw) - {
        "template",
        "timezone",
        "locale",
        "state_dir",
        "rules",
        "google",
        "tabs",
        "xlsx",
        "workbooks",
    }
    if unknown:
        raise ConfigError(sorted(unknown)[0], "unknown setting")
    rules = _section(RulesConfig, raw.get("rules", {}), "rules")
    _check_rules(rules)
    google = _section(GoogleConfig, raw.get("google", {}), "google")
    if google.auth not in ("service_account", "adc", "oauth"):
        raise ConfigError("google.auth", "must be service_account, adc or oauth")
    google = replace(
        google,
        credentials=_resolve(base, google.credentials),
        token_cache=_resolve(base, google.token_cache),
    )
    tabs = _section(TabsConfig, raw.get("tabs", {}), "tabs")
    for key, name in (("tabs.issues", tabs.issues), ("tabs.dashboard", tabs.dashboard)):
        if not name.strip() or len(name) > 100 or any(ch in name for ch in "[]:*?/\\"):
            raise ConfigError(key, f"{name!r} is not a usable tab name")
    if same_tab(tabs.issues, tabs.dashboard):
        raise ConfigError("tabs.dashboard", "must differ from tabs.issues")
    xlsx = _section(XlsxConfig, raw.get("xlsx", {}), "xlsx")
    if xlsx.max_file_mb <= 0:
        raise ConfigError("xlsx.max_file_mb", "must be above 0")
    workbooks = []
    raw_workbooks = raw.get("workbooks", [])
    if not isinstance(raw_workbooks, list):
        raise ConfigError("workbooks", "must be an array of tables: [[workbooks]]")
    for i, entry in enumerate(raw_workbooks):
        key = f"workbooks[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(key, "must be a table")
        wb: WorkbookConfig = _section(WorkbookConfig, {"name": f"workbook{i + 1}", **entry}, key)
        if wb.backend not in BACKENDS:
            raise ConfigError(f"{key}.backend", f"must be one of {', '.join(BACKENDS)}")
        if wb.backend == "xlsx" and wb.path is None:
            raise ConfigError(f"{key}.path", "is required for an xlsx workbook")
        if wb.backend == "google" and not (wb.spreadsheet_id or wb.title):
            raise ConfigError(f"{key}.spreadsheet_id", "is required (or a title to create one)")
        workbooks.append(replace(wb, path=_resolve(base, wb.path)))
    if "timezone" in top:
        check_timezone(top["timezone"], "timezone")
    if "state_dir" in top:
        top["state_dir"] = _resolve(base, top["state_dir"])
    config = Config(
        rules=rules,
        google=google,
        tabs=tabs,
        xlsx=xlsx,
        workbooks=tuple(workbooks),
        source=source,
    )
    return replace(config, **top)


def check_timezone(name: str, key: str) -> str:
    """Fail with the key path when ``name`` is not an IANA time zone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(key, f"unknown time zone {name!r} (use e.g. Europe/London)") from exc
    return name


def config_path(flag: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """Where the config is: --config, else $SHEETS_SYNC_CONFIG, else ./sheets-sync.toml.

    The boolean says whether it was asked for explicitly (and so must exist).
    """
    if flag:
        return Path(flag), True
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env), True
    return Path(DEFAULT_CONFIG), False


def load_config(
    flag: str | os.PathLike[str] | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    required: bool = True,
) -> Config:
    """Load and resolve the configuration (flag > env > file > default)."""
    path, explicit = config_path(flag)
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(path), f"is not valid TOML: {exc}") from exc
        config = parse_config(raw, path.resolve())
    elif explicit or required:
        how = "--config" if flag else ENV_CONFIG if explicit else f"./{DEFAULT_CONFIG}"
        raise ConfigError(
            str(path), f"config file not found (from {how}); run `sheets-sync init` to write one"
        )
    else:
        config = Config()
    env: dict[str, Any] = {}
    for key, var in ENV_SETTINGS.items():
        if os.environ.get(var):
            env[key] = Path(os.environ[var]) if key == "state_dir" else os.environ[var]
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    merged = {**env, **flags}
    if "timezone" in merged:
        check_timezone(merged["timezone"], "timezone")
    return replace(config, **merged) if merged else config


def local_workbook_config(path: str | os.PathLike[str], base: Config | None = None) -> Config:
    """A config for ``--workbook PATH.xlsx`` with no config file at all."""
    config = base or Config()
    wb = WorkbookConfig(name=Path(path).stem, backend="xlsx", path=Path(path))
    return replace(config, workbooks=(wb,))
