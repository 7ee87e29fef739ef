"""``sheets-sync init``: write a config."""

from __future__ import annotations

from pathlib import Path

from sheets_sync.config import load_config

from .conftest import STAMP, Invoke

ROOT = Path(__file__).resolve().parents[2]


def test_init_writes_the_example_config(invoke: Invoke, home: Path) -> None:
    result = invoke("init")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        f"Wrote sheets-sync.toml (workbook: {home / 'partnership.xlsx'})"
    )
    text = (home / "sheets-sync.toml").read_text()
    assert text == (ROOT / "config.example.toml").read_text()
    assert load_config().workbook().path == home / "partnership.xlsx"


def test_init_refuses_to_overwrite_without_force(invoke: Invoke, home: Path) -> None:
    (home / "sheets-sync.toml").write_text("# mine\n")
    result = invoke("init")
    assert result.exit_code == 2
    assert result.stderr == "Error: sheets-sync.toml already exists; pass --force to overwrite it\n"
    assert (home / "sheets-sync.toml").read_text() == "# mine\n"
    result = invoke("init", "--force")
    assert result.exit_code == 0
    assert (home / "sheets-sync.toml").read_text() != "# mine\n"


def test_init_sets_the_workbook_relative_to_the_config(invoke: Invoke, home: Path) -> None:
    result = invoke("init", "conf/team.toml", "--workbook", "data/acme.xlsx")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"Wrote conf/team.toml (workbook: {home / 'data' / 'acme.xlsx'})",
        "Next: edit it, then run `sheets-sync provision --config conf/team.toml` and "
        "`sheets-sync sync --config conf/team.toml`.",
    ]
    text = (home / "conf" / "team.toml").read_text()
    assert 'path = "../data/acme.xlsx"' in text
    assert 'name = "acme"' in text
    wb = load_config("conf/team.toml").workbook()
    assert wb.name == "acme"
    assert wb.path is not None and wb.path.resolve() == home / "data" / "acme.xlsx"


def test_init_then_provision_and_sync(invoke: Invoke, home: Path) -> None:
    assert invoke("init", "--workbook", "team.xlsx").exit_code == 0
    assert invoke("provision").exit_code == 0
    result = invoke("sync", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{STAMP} team as of 2026-11-27: ")


def test_init_rejects_a_non_xlsx_workbook(invoke: Invoke, home: Path) -> None:
    result = invoke("init", "--workbook", "team.ods")
    assert result.exit_code == 2
    assert not (home / "sheets-sync.toml").exists()


def test_the_written_config_reads_as_a_config(invoke: Invoke, home: Path) -> None:
    assert invoke("init").exit_code == 0
    text = (home / "sheets-sync.toml").read_text()
    assert "Copy this file" not in text
    assert text.startswith(
        "# sheets-sync configuration. Every setting is optional: a line commented out shows\n"
    )
