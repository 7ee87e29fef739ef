"""Settings the command line refuses, and hints that work when typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheets_sync.coerce import LOCALES

from .conftest import Invoke, write_config

SUPPORTED = ", ".join(LOCALES)


def unknown_locale(name: str) -> str:
    return f"Error: locale: unknown locale {name!r} (supported: {SUPPORTED})\n"


def test_the_supported_locales_are_listed_as_documented() -> None:
    assert SUPPORTED.startswith("en_US, en_GB, de_DE, ")


@pytest.mark.parametrize("name", ["klingon", "US", "fr", "xx_YY"])
def test_an_unknown_locale_flag_is_a_config_error(invoke: Invoke, name: str) -> None:
    result = invoke("check", "--workbook", "x.xlsx", "--locale", name)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == unknown_locale(name)


def test_an_unknown_locale_in_the_environment_is_a_config_error(invoke: Invoke) -> None:
    result = invoke("sync", "--workbook", "x.xlsx", env={"SHEETS_SYNC_LOCALE": "fr"})
    assert result.exit_code == 2
    assert result.stderr == unknown_locale("fr")


def test_an_unknown_locale_in_the_config_is_a_config_error(invoke: Invoke, home: Path) -> None:
    write_config(home / "sheets-sync.toml", ("team", "team.xlsx"), extra='locale = "xx_YY"\n')
    result = invoke("check")
    assert result.exit_code == 2
    assert result.stderr == unknown_locale("xx_YY")


@pytest.mark.parametrize("spelling", ["en_GB", "en-GB", "en_gb", "EN-gb"])
def test_common_spellings_of_a_locale_are_accepted(
    invoke: Invoke, clean_xlsx: Path, spelling: str
) -> None:
    result = invoke("check", "--workbook", "clean.xlsx", "--as-of", "2026-11-27",
                    "--locale", spelling)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_a_state_dir_that_is_a_file_is_a_config_error(
    invoke: Invoke, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHEETS_SYNC_STATE_DIR")
    (home / "locks").write_text("not a folder")
    write_config(home / "sheets-sync.toml", ("team", "team.xlsx"), extra='state_dir = "locks"\n')
    result = invoke("sync")
    assert result.exit_code == 2
    assert result.stderr == f"Error: state_dir: {home / 'locks'} is a file, not a folder\n"


def test_a_state_dir_that_cannot_be_created_is_a_config_error(
    invoke: Invoke, home: Path
) -> None:
    (home / "locks").write_text("not a folder")
    result = invoke("sync", "--workbook", "x.xlsx",
                    env={"SHEETS_SYNC_STATE_DIR": "locks/sheets-sync"})
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: state_dir: locks/sheets-sync cannot be created: locks is a file\n"
    )


def test_every_config_error_is_reported_at_once(invoke: Invoke, home: Path) -> None:
    (home / "team.toml").write_text(
        'locale = "xx_YY"\n'
        "[rules]\non_track_ratio = 'high'\n"
        "[xlsx]\nmax_file_mb = 0\n"
        '[[workbooks]]\npath = "team.xlsx"\n'
    )
    result = invoke("check", "--config", "team.toml")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: team.toml has 3 errors:\n"
        f"  locale: unknown locale 'xx_YY' (supported: {SUPPORTED})\n"
        "  rules.on_track_ratio: must be float, got 'high'\n"
        "  xlsx.max_file_mb: must be above 0\n"
    )


def test_the_provision_hint_names_the_workbook_given(invoke: Invoke) -> None:
    result = invoke("sync", "--workbook", "my book.xlsx")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: my book.xlsx does not exist; run "
        "`sheets-sync provision --workbook 'my book.xlsx'` to create it\n"
    )


def test_the_provision_hint_names_the_config_given(invoke: Invoke, home: Path) -> None:
    write_config(home / "team.toml", ("team", "team.xlsx"))
    result = invoke("check", "--config", "team.toml")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {home / 'team.xlsx'} does not exist; run "
        "`sheets-sync provision --config team.toml` to create it\n"
    )
    result = invoke("doctor", "--config", "team.toml", "--name", "team")
    assert result.exit_code == 1
    assert (
        f"fail team: {home / 'team.xlsx'} does not exist; "
        "run sheets-sync provision --config team.toml --name team"
    ) in result.stdout.splitlines()


def test_the_provision_hint_of_a_finding_names_the_workbook(
    invoke: Invoke, clean_xlsx: Path
) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(clean_xlsx)
    del wb["Reviews"]
    wb.save(clean_xlsx)
    result = invoke("check", "--workbook", "clean.xlsx", "--as-of", "2026-11-27")
    assert "`sheets-sync provision --workbook clean.xlsx`" in result.stdout
    assert "`sheets-sync provision`" not in result.stdout
