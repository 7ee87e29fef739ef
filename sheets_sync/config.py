"""config.toml -> a frozen, typed :class:`Config`.

Precedence for every setting: command-line flag > environment variable > config
file > default. Errors name the key path that is wrong (``rules.on_track_ratio``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sheets_sync.a1 import same_tab
from sheets_sync.errors import ConfigError, ConfigErrors
from sheets_sync.periods import PERIOD_KINDS

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
#: Top-level settings, and the sections of the file.
TOP_LEVEL = ("template", "timezone", "locale", "state_dir")
SECTIONS = ("rules", "google", "tabs", "xlsx", "history", "notify", "workbooks")


@dataclass(frozen=True)
class RulesConfig:
    """Thresholds of the status and RACI rules."""

    on_track_ratio: float = 0.95
    at_risk_ratio: float = 0.75
    stale_grace_days: int = 3
    max_responsible: int = 3
    max_accountable: int = 8
    #: how far ahead a finding may be snoozed on the Issues tab (Snooze until)
    max_snooze_days: int = 90


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
    history: str = "History"

    def names(self) -> dict[str, str]:
        """Template tab name -> the name the workbook uses for it."""
        return {"Issues": self.issues, "Dashboard": self.dashboard, "History": self.history}


@dataclass(frozen=True)
class HistoryConfig:
    """The History tab: one column per period."""

    #: week (ISO weeks, ``2026-W27``) or month (``2026-07``)
    period: str = "week"


@dataclass(frozen=True)
class SmtpConfig:
    """The mail server digests go through (``[notify.smtp]``)."""

    host: str = ""  # "": no email delivery
    port: int = 587
    #: upgrade the connection with STARTTLS (port 587); ``ssl`` for implicit TLS (port 465)
    starttls: bool = True
    ssl: bool = False
    user: str = ""
    #: the password: from this environment variable, else from this file (never the config)
    password_env: str = ""
    password_file: Path | None = None
    timeout_seconds: float = 30.0
    #: tries per message, for a server that is down or answers 4xx (try later)
    attempts: int = 3


@dataclass(frozen=True)
class NotifyConfig:
    """Digests: who sends them, and who hears about a task whose goal has no Owner."""

    #: the From address of every digest
    sender: str = "sheets-sync@localhost"
    #: addresses told about a task with no Accountable whose goal has no Owner in People
    fallback: tuple[str, ...] = ()
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    #: environment variables holding incoming-webhook URLs (a per-workbook summary)
    slack_webhook_env: str = ""
    chat_webhook_env: str = ""


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
    history: HistoryConfig = field(default_factory=HistoryConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
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


def is_address(text: str) -> bool:
    """Whether ``text`` is one plain email address, safe in a message header."""
    from email.headerregistry import Address

    if any(ord(ch) < 32 or ch in "<>,;\"" for ch in text) or text.count("@") != 1:
        return False
    try:
        Address(addr_spec=text)
    except (ValueError, IndexError):
        return False
    local, _, domain = text.partition("@")
    return bool(local) and bool(domain) and not domain.startswith(".")


def _typed(value: Any, expected: type, key: str) -> Any:
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is Path and isinstance(value, str):
        return Path(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(key, f"must be {expected.__name__}, got {value!r}")
    return value


class _Problems:
    """Config errors collected in one pass, so that a run reports every one of them."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        """Run a check; a ConfigError it raises is recorded, not raised."""
        try:
            yield
        except ConfigErrors as exc:
            self.errors.extend(exc.errors)
        except ConfigError as exc:
            self.errors.append(exc)

    def raise_any(self, where: str) -> None:
        """Raise the one error, or a ConfigErrors listing them all, if there were any."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ConfigErrors(self.errors, where)


def _section(
    cls: type[Any],
    raw: Any,
    prefix: str,
    problems: _Problems,
    defaults: Mapping[str, Any] | None = None,
) -> Any:
    """A section of the file as ``cls``; a bad setting is recorded and keeps its default."""
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = dict(defaults or {})
    if not isinstance(raw, dict):
        problems.errors.append(ConfigError(prefix, "must be a table"))
        raw = {}
    for name, value in raw.items():
        with problems.check():
            if name not in known:
                raise ConfigError(
                    f"{prefix}.{name}", f"unknown setting (known: {', '.join(known)})"
                )
            values[name] = _field(str(known[name].type), value, f"{prefix}.{name}")
    return cls(**values)


def _field(annotation: str, value: Any, key: str) -> Any:
    """One setting of a section, typed by its dataclass field's annotation."""
    if "tuple" in annotation:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(key, "must be a list of strings")
        return tuple(value)
    expected: type = float if "float" in annotation else int if "int" in annotation else str
    if "bool" in annotation:
        expected = bool
    if "Path" in annotation:
        expected = Path
    return _typed(value, expected, key)


def _check_rules(rules: RulesConfig) -> None:
    if not 0 < rules.at_risk_ratio <= rules.on_track_ratio:
        raise ConfigError(
            "rules.at_risk_ratio", "must be above 0 and not above rules.on_track_ratio"
        )
    for name in ("stale_grace_days", "max_responsible", "max_accountable", "max_snooze_days"):
        if getattr(rules, name) < 0:
            raise ConfigError(f"rules.{name}", "must not be negative")


def _resolve(base: Path, path: Path | None) -> Path | None:
    if path is None:
        return None
    path = path.expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


def _setting(key: str, value: Any, base: Path | None) -> Any:
    """A top-level setting, typed and checked; ``base``: the config file's folder, if any."""
    if key == "state_dir":
        path: Path = _typed(value, Path, key)
        return check_state_dir(path if base is None else _resolve(base, path) or path, key)
    if key not in TOP_LEVEL:
        return value
    text: str = _typed(value, str, key)
    if key == "timezone":
        return check_timezone(text, key)
    if key == "locale":
        return check_locale(text, key)
    return text


def _top_level(raw: Mapping[str, Any], base: Path, problems: _Problems) -> dict[str, Any]:
    top: dict[str, Any] = {}
    for key in TOP_LEVEL:
        if key in raw:
            with problems.check():
                top[key] = _setting(key, raw[key], base)
    for key in sorted(set(raw) - {*TOP_LEVEL, *SECTIONS}):
        problems.errors.append(ConfigError(key, "unknown setting"))
    return top


def _sections(raw: Mapping[str, Any], base: Path, problems: _Problems) -> dict[str, Any]:
    """The rules, google, tabs and xlsx sections, checked."""
    rules = _section(RulesConfig, raw.get("rules", {}), "rules", problems)
    with problems.check():
        _check_rules(rules)
    google = _section(GoogleConfig, raw.get("google", {}), "google", problems)
    if google.auth not in ("service_account", "adc", "oauth"):
        problems.errors.append(ConfigError("google.auth", "must be service_account, adc or oauth"))
    google = replace(
        google,
        credentials=_resolve(base, google.credentials),
        token_cache=_resolve(base, google.token_cache),
    )
    tabs = _section(TabsConfig, raw.get("tabs", {}), "tabs", problems)
    named = (("tabs.issues", tabs.issues), ("tabs.dashboard", tabs.dashboard),
             ("tabs.history", tabs.history))
    for key, name in named:
        if not name.strip() or len(name) > 100 or any(ch in name for ch in "[]:*?/\\"):
            problems.errors.append(ConfigError(key, f"{name!r} is not a usable tab name"))
    for i, (key, name) in enumerate(named):
        for earlier_key, earlier in named[:i]:
            if same_tab(name, earlier):
                problems.errors.append(ConfigError(key, f"must differ from {earlier_key}"))
    history = _section(HistoryConfig, raw.get("history", {}), "history", problems)
    if history.period not in PERIOD_KINDS:
        problems.errors.append(ConfigError("history.period", "must be week or month"))
    xlsx = _section(XlsxConfig, raw.get("xlsx", {}), "xlsx", problems)
    if xlsx.max_file_mb <= 0:
        problems.errors.append(ConfigError("xlsx.max_file_mb", "must be above 0"))
    raw_notify = dict(raw.get("notify", {})) if isinstance(raw.get("notify", {}), dict) else {}
    smtp = _section(SmtpConfig, raw_notify.pop("smtp", {}), "notify.smtp", problems)
    smtp = replace(smtp, password_file=_resolve(base, smtp.password_file))
    if smtp.starttls and smtp.ssl:
        problems.errors.append(ConfigError("notify.smtp.ssl", "set starttls = false with ssl"))
    if smtp.attempts < 1:
        problems.errors.append(ConfigError("notify.smtp.attempts", "must be at least 1"))
    notify = replace(
        _section(NotifyConfig, raw_notify, "notify", problems), smtp=smtp
    )
    for key, address in (("notify.sender", notify.sender),
                         *(("notify.fallback", a) for a in notify.fallback)):
        if not is_address(address):
            problems.errors.append(ConfigError(key, f"{address!r} is not an email address"))
    return {"rules": rules, "google": google, "tabs": tabs, "xlsx": xlsx, "history": history,
            "notify": notify}


def _workbooks(raw: Any, base: Path, problems: _Problems) -> tuple[WorkbookConfig, ...]:
    if not isinstance(raw, list):
        problems.errors.append(
            ConfigError("workbooks", "must be an array of tables: [[workbooks]]")
        )
        return ()
    workbooks = []
    for i, entry in enumerate(raw):
        key = f"workbooks[{i}]"
        if not isinstance(entry, dict):
            problems.errors.append(ConfigError(key, "must be a table"))
            continue
        default = {"name": f"workbook{i + 1}"}
        wb: WorkbookConfig = _section(WorkbookConfig, entry, key, problems, default)
        if wb.backend not in BACKENDS:
            problems.errors.append(
                ConfigError(f"{key}.backend", f"must be one of {', '.join(BACKENDS)}")
            )
        elif wb.backend == "xlsx" and wb.path is None:
            problems.errors.append(ConfigError(f"{key}.path", "is required for an xlsx workbook"))
        elif wb.backend == "google" and not (wb.spreadsheet_id or wb.title):
            problems.errors.append(
                ConfigError(f"{key}.spreadsheet_id", "is required (or a title to create one)")
            )
        workbooks.append(replace(wb, path=_resolve(base, wb.path)))
    return tuple(workbooks)


def parse_config(raw: Mapping[str, Any], source: Path | None = None) -> Config:
    """Build a Config from parsed TOML; paths are relative to the config file's folder.

    Every error is found in one pass: one raises ConfigError, several ConfigErrors
    (one per line; its ``key`` is the first's).
    """
    base = source.parent if source else Path.cwd()
    problems = _Problems()
    top = _top_level(raw, base, problems)
    sections = _sections(raw, base, problems)
    workbooks = _workbooks(raw.get("workbooks", []), base, problems)
    problems.raise_any(str(source) if source else "the config")
    return Config(**sections, **top, workbooks=workbooks, source=source)


def check_timezone(name: str, key: str) -> str:
    """Fail with the key path when ``name`` is not an IANA time zone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(key, f"unknown time zone {name!r} (use e.g. Europe/London)") from exc
    return name


def check_locale(name: str, key: str) -> str:
    """The locale's usual spelling (``en-us`` -> ``en_US``); fails when it is not supported."""
    from sheets_sync.coerce import LOCALES, Locale

    known = Locale.canonical(name)
    if known is None:
        raise ConfigError(key, f"unknown locale {name!r} (supported: {', '.join(LOCALES)})")
    return known


def check_state_dir(path: Path, key: str) -> Path:
    """Fail with the key path when ``path`` cannot hold the lock files (creates nothing)."""
    folder = path
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    if not folder.is_dir():
        if folder == path:
            raise ConfigError(key, f"{path} is a file, not a folder")
        raise ConfigError(key, f"{path} cannot be created: {folder} is a file")
    if not os.access(folder, os.W_OK | os.X_OK):
        verb = "written to" if folder == path else "created"
        raise ConfigError(key, f"{path} cannot be {verb}: {folder} is not writable")
    return path


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
        try:
            config = parse_config(raw, path.resolve())
        except ConfigErrors as exc:  # name the file as it was given
            raise ConfigErrors(list(exc.errors), str(path)) from None
    elif explicit or required:
        how = "--config" if flag else ENV_CONFIG if explicit else f"./{DEFAULT_CONFIG}"
        raise ConfigError(
            str(path), f"config file not found (from {how}); run `sheets-sync init` to write one"
        )
    else:
        config = Config()
    env = {key: os.environ[var] for key, var in ENV_SETTINGS.items() if os.environ.get(var)}
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    problems = _Problems()
    merged: dict[str, Any] = {}
    for key, value in {**env, **flags}.items():
        with problems.check():
            merged[key] = _setting(key, value, None)
    problems.raise_any("the settings")
    return replace(config, **merged) if merged else config


def local_workbook_config(path: str | os.PathLike[str], base: Config | None = None) -> Config:
    """A config for ``--workbook PATH.xlsx`` with no config file at all."""
    config = base or Config()
    wb = WorkbookConfig(name=Path(path).stem, backend="xlsx", path=Path(path))
    return replace(config, workbooks=(wb,))
