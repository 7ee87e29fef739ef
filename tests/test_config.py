"""Configuration: the example loads, precedence, errors that name the key path."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from sheets_sync.config import (
    Config,
    GoogleConfig,
    RulesConfig,
    load_config,
    local_workbook_config,
    parse_config,
)
from sheets_sync.errors import ConfigError, ConfigErrors

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"
ENV = ("SHEETS_SYNC_CONFIG", "SHEETS_SYNC_TIMEZONE", "SHEETS_SYNC_LOCALE",
       "SHEETS_SYNC_TEMPLATE", "SHEETS_SYNC_STATE_DIR")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_the_example_loads_as_is() -> None:
    config = load_config(EXAMPLE)
    assert config.source == EXAMPLE.resolve()
    assert config.template == "partnership"
    assert config.rules == RulesConfig()  # it documents the defaults
    assert config.google == GoogleConfig()
    assert config.timezone is None and config.locale is None and config.state_dir is None
    [wb] = config.workbooks
    assert (wb.name, wb.backend, wb.path) == ("partnership", "xlsx", ROOT / "partnership.xlsx")


def test_the_example_mentions_every_setting() -> None:
    text = EXAMPLE.read_text()
    settings = ["template", "timezone", "locale", "state_dir"]
    settings += [f.name for f in RulesConfig.__dataclass_fields__.values()]
    settings += [f.name for f in GoogleConfig.__dataclass_fields__.values()]
    settings += ["name", "backend", "path", "spreadsheet_id", "title", "parent_folder_id",
                 "share_with"]
    for key in settings:
        assert f"\n{key} = " in text or f"\n# {key} = " in text, key


def test_the_commented_google_example_loads_when_uncommented() -> None:
    text = re.sub(r"(?m)^# ([a-z_]+ = |\[\[workbooks\]\]$)", r"\1", EXAMPLE.read_text())
    raw = tomllib.loads(text)
    config = parse_config(raw, EXAMPLE)
    assert [w.backend for w in config.workbooks] == ["xlsx", "google"]
    assert config.google.auth == "service_account"
    assert config.timezone == "Europe/London"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sheets-sync.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("key", "default", "in_file", "in_env", "flag"),
    [
        ("timezone", None, "Europe/London", "Asia/Tokyo", "America/New_York"),
        ("locale", None, "en_GB", "de_DE", "fr_FR"),
    ],
)
def test_precedence_flag_env_file_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    key: str, default: str | None, in_file: str, in_env: str, flag: str,
) -> None:
    assert getattr(Config(), key) == default
    assert getattr(load_config(required=False), key) == default
    path = _write(tmp_path, f'{key} = "{in_file}"\n')
    assert getattr(load_config(path), key) == in_file
    assert getattr(load_config(), key) == in_file  # ./sheets-sync.toml
    monkeypatch.setenv(f"SHEETS_SYNC_{key.upper()}", in_env)
    assert getattr(load_config(path), key) == in_env
    assert getattr(load_config(path, overrides={key: flag}), key) == flag
    assert getattr(load_config(path, overrides={key: None}), key) == in_env  # flag not given


def test_config_file_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.toml").write_text('locale = "en_GB"\n')
    (tmp_path / "b.toml").write_text('locale = "de_DE"\n')
    _write(tmp_path, 'locale = "fr_FR"\n')
    assert load_config().locale == "fr_FR"
    monkeypatch.setenv("SHEETS_SYNC_CONFIG", str(tmp_path / "b.toml"))
    assert load_config().locale == "de_DE"
    assert load_config(tmp_path / "a.toml").locale == "en_GB"


def test_local_workbook_config_keeps_settings() -> None:
    base = Config(locale="en_GB")
    config = local_workbook_config("books/x.xlsx", base)
    assert config.locale == "en_GB"
    [wb] = config.workbooks
    assert (wb.name, wb.backend, wb.path) == ("x", "xlsx", Path("books/x.xlsx"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rules]\non_track_ratio = 'high'\n", "rules.on_track_ratio: must be float, got 'high'"),
        ("[rules]\nat_risk_ratio = 0.99\n", "rules.at_risk_ratio: must be above 0"),
        ("[rules]\nstale_grace_days = -1\n", "rules.stale_grace_days: must not be negative"),
        ("[rules]\nmax_accountable = 2.5\n", "rules.max_accountable: must be int"),
        ("timezone = 'Mars/Olympus'\n", "timezone: unknown time zone 'Mars/Olympus'"),
        ("[google]\nauth = 'password'\n", "google.auth: must be service_account, adc or oauth"),
        ("[[workbooks]]\nbackend = 'xlsx'\n", "workbooks[0].path: is required"),
        ("[[workbooks]]\nbackend = 'ftp'\npath = 'x'\n", "workbooks[0].backend: must be one of"),
        ("[[workbooks]]\nbackend = 'google'\n", "workbooks[0].spreadsheet_id: is required"),
        ("[tabs]\nissues = 'a/b'\n", "tabs.issues: 'a/b' is not a usable tab name"),
        ("[tabs]\ndashboard = 'Issues'\n", "tabs.dashboard: must differ from tabs.issues"),
        ("[xlsx]\nmax_file_mb = 0\n", "xlsx.max_file_mb: must be above 0"),
        ("[xlsx]\nmax_file_mb = 'big'\n", "xlsx.max_file_mb: must be int"),
    ],
)
def test_errors_name_the_key_path(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text))
    assert str(info.value).startswith(message)
    assert info.value.key == message.split(":")[0]
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("colour = 'blue'\n", "colour"),
        ("[rules]\non_track = 0.9\n", "rules.on_track"),
        ("[google]\nproject = 'x'\n", "google.project"),
        ("[[workbooks]]\npath = 'x.xlsx'\nsheet = 'y'\n", "workbooks[0].sheet"),
    ],
)
def test_unknown_keys_are_rejected(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text))
    assert info.value.key == key
    assert "unknown setting" in str(info.value)


def test_a_flag_timezone_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^timezone: unknown time zone 'Nowhere'"):
        load_config(required=False, overrides={"timezone": "Nowhere"})


def test_missing_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"sheets-sync.toml: config file not found"):
        load_config()
    assert load_config(required=False) == Config()
    monkeypatch.setenv("SHEETS_SYNC_CONFIG", "gone.toml")
    with pytest.raises(ConfigError, match=r"from SHEETS_SYNC_CONFIG"):
        load_config(required=False)


def test_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(_write(tmp_path, "rules = [\n"))


@pytest.mark.parametrize("spelling", ["en_US", "en-US", "en_us", " EN-us "])
def test_a_locale_is_normalized(spelling: str) -> None:
    assert parse_config({"locale": spelling}).locale == "en_US"
    assert load_config(required=False, overrides={"locale": spelling}).locale == "en_US"


@pytest.mark.parametrize("name", ["klingon", "US", "fr", "xx_YY", ""])
def test_an_unknown_locale_names_the_key(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"locale": name})
    assert info.value.key == "locale"
    assert str(info.value).startswith(f"locale: unknown locale {name!r} (supported: en_US, ")
    monkeypatch.setenv("SHEETS_SYNC_LOCALE", "fr")
    with pytest.raises(ConfigError, match=r"^locale: unknown locale 'fr' \(supported: "):
        load_config(required=False)


def test_several_errors_are_reported_at_once(tmp_path: Path) -> None:
    text = "timezone = 'Nowhere'\n[rules]\non_track_ratio = 'high'\n[google]\nauth = 'pw'\n"
    with pytest.raises(ConfigErrors) as info:
        load_config(_write(tmp_path, text))
    assert str(info.value) == (
        f"{tmp_path / 'sheets-sync.toml'} has 3 errors:\n"
        "  timezone: unknown time zone 'Nowhere' (use e.g. Europe/London)\n"
        "  rules.on_track_ratio: must be float, got 'high'\n"
        "  google.auth: must be service_account, adc or oauth"
    )
    assert info.value.key == "timezone"  # the first, as a single error's
    assert info.value.exit_code == 2
    assert [e.key for e in info.value.errors] == ["timezone", "rules.on_track_ratio", "google.auth"]


def test_a_section_that_is_not_a_table_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"^rules: must be a table$"):
        parse_config({"rules": 5})


def test_an_unusable_state_dir_names_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match=r"^state_dir: .*file is a file, not a folder$"):
        load_config(parse_file(tmp_path / "a.toml", 'state_dir = "file"\n'))
    monkeypatch.setenv("SHEETS_SYNC_STATE_DIR", "file/locks")
    with pytest.raises(ConfigError) as info:
        load_config(required=False)
    assert str(info.value) == "state_dir: file/locks cannot be created: file is a file"
    monkeypatch.setenv("SHEETS_SYNC_STATE_DIR", "new/locks")
    assert load_config(required=False).state_dir == Path("new/locks")
    assert not (tmp_path / "new").exists()  # checking creates nothing


def parse_file(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_the_lock_names_state_dir_when_its_folder_cannot_be_made(tmp_path: Path) -> None:
    from sheets_sync.lock import lock_path

    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError) as info:
        lock_path("book.xlsx", tmp_path / "file" / "locks")
    assert info.value.key == "state_dir"
    assert info.value.exit_code == 2
