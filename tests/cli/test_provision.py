"""``sheets-sync provision``: plan, then apply."""

from __future__ import annotations

from pathlib import Path

from .conftest import Invoke


def test_provision_a_new_workbook(invoke: Invoke, home: Path) -> None:
    result = invoke("provision", "--workbook", "new.xlsx", "--dry-run")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Plan for new.xlsx (template partnership 1.5.0); provisioning would:"
    assert "  - add tab 'People'" in lines
    assert "  - add tab 'Dashboard'" in lines
    assert lines[-1] == "Dry run: nothing changed."
    assert not (home / "new.xlsx").exists()

    result = invoke("provision", "--workbook", "new.xlsx")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Plan for new.xlsx (template partnership 1.5.0); provisioning will:"
    steps = sum(1 for line in lines if line.startswith("  - "))
    assert lines[-1] == f"Provisioned new.xlsx: {steps} steps"
    assert (home / "new.xlsx").is_file()

    result = invoke("provision", "--workbook", "new.xlsx")
    assert result.exit_code == 0
    assert result.stdout == (
        "Nothing to do: new.xlsx is up to date with template partnership 1.5.0\n"
    )


def test_provision_adds_a_missing_tab(invoke: Invoke, clean_xlsx: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(clean_xlsx)
    del wb["Reviews"]
    wb.save(clean_xlsx)
    result = invoke("provision", "--workbook", "clean.xlsx", "--dry-run")
    assert result.exit_code == 0
    assert "  - add tab 'Reviews'" in result.stdout.splitlines()
    result = invoke("provision", "--workbook", "clean.xlsx")
    assert result.exit_code == 0
    assert "Provisioned clean.xlsx: " in result.stdout
    assert "Reviews" in load_workbook(clean_xlsx).sheetnames
