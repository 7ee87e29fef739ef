"""``sheets-sync export DIR``: one CSV per table, read back equal to frames()."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sheets_sync import frames

from .conftest import AS_OF, Invoke

FILES = {
    "People": "people.csv",
    "Goals": "goals.csv",
    "KPIs": "kpis.csv",
    "KPI Log": "kpi-log.csv",
    "RACI": "raci.csv",
    "Reviews": "reviews.csv",
}


def _blank(value: Any) -> Any:
    """CSV has one blank: None, NaN and "" all read back as it."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories and text as plain Python strings, blanks as None (what a CSV can say)."""
    out = frame.reset_index(drop=True).copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_dtype(column)
        ):
            out[name] = column.astype(object).map(_blank).astype(object)
        elif pd.api.types.is_datetime64_dtype(column):
            out[name] = column.astype("datetime64[ns]")
    return out


def _read_back(path: Path, like: pd.DataFrame) -> pd.DataFrame:
    dates = [c for c in like.columns if pd.api.types.is_datetime64_dtype(like[c])]
    numbers = [c for c in like.columns if like[c].dtype == "float64"]
    text = {c: str for c in like.columns if c not in dates and c not in numbers}
    got = pd.read_csv(path, encoding="utf-8", parse_dates=dates, dtype={
        **text, **dict.fromkeys(numbers, "float64")})
    return _plain(got)


def test_export_writes_one_csv_per_table_equal_to_frames(
    invoke: Invoke, demo_xlsx: Path, home: Path
) -> None:
    before = demo_xlsx.read_bytes()
    result = invoke("export", "out", "--workbook", "partnership.xlsx", "--as-of", str(AS_OF))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (home / "out").iterdir()) == sorted(FILES.values())
    expected = frames(demo_xlsx, as_of=AS_OF)
    for tab, name in FILES.items():
        assert f"Wrote {Path('out') / name} ({len(expected[tab])} rows of {tab})" in (
            result.stdout
        )
        got = _read_back(home / "out" / name, expected[tab])
        pd.testing.assert_frame_equal(got, _plain(expected[tab]), obj=tab)
    assert demo_xlsx.read_bytes() == before  # the workbook is only read


def test_dates_are_iso_and_the_text_is_utf8(invoke: Invoke, demo_xlsx: Path, home: Path) -> None:
    result = invoke("export", "out", "--workbook", "partnership.xlsx", "--as-of", str(AS_OF),
                    "--format", "csv")
    assert result.exit_code == 0
    goals = (home / "out" / "goals.csv").read_text(encoding="utf-8").splitlines()
    assert goals[0].split(",") == [
        "Goal ID", "Goal", "Owner", "Partner owner", "Start date", "Due date", "Review cadence",
        "State", "Outcome", "Last review", "Next review", "Review status", "Status", "Issues",
        "Findings",
    ]
    assert all(",20" in line for line in goals[1:])  # 2026-01-01, not a timestamp
    assert "00:00:00" not in (home / "out" / "kpi-log.csv").read_text(encoding="utf-8")
    assert "REVIEW-OVERDUE" in "\n".join(goals)


def test_files_are_replaced_and_the_folder_created(
    invoke: Invoke, demo_xlsx: Path, home: Path
) -> None:
    target = home / "a" / "b"
    assert invoke("export", str(target), "--workbook", "partnership.xlsx").exit_code == 0
    (target / "people.csv").write_text("stale", encoding="utf-8")
    assert invoke("export", str(target), "--workbook", "partnership.xlsx").exit_code == 0
    assert (target / "people.csv").read_text(encoding="utf-8").startswith("Person,Email,")
    assert not [p for p in target.iterdir() if p.name.startswith(".")]


def test_the_config_picks_the_workbook(invoke: Invoke, demo_xlsx: Path, home: Path) -> None:
    from .conftest import write_config

    write_config(home / "sheets-sync.toml", ("demo", "partnership.xlsx"))
    result = invoke("export", "out", "--name", "demo", "--as-of", str(AS_OF))
    assert result.exit_code == 0, result.stderr
    assert (home / "out" / "kpis.csv").is_file()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("export", "out", "--workbook", "missing.xlsx"), 1, "missing.xlsx does not exist"),
        (("export", "out"), 2, "no config file"),
        (("export", "out", "--workbook", "x.xlsx", "--format", "parquet"), 2, "'parquet'"),
        (("export", "--workbook", "x.xlsx"), 2, "Missing argument 'DIR'"),
    ],
)
def test_errors(invoke: Invoke, args: tuple[str, ...], code: int, message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == code
    assert message in result.stderr


def test_export_is_a_command_with_help(invoke: Invoke) -> None:
    result = invoke("--help")
    assert "\n  export " in result.stdout
    result = invoke("export", "--help")
    assert result.exit_code == 0
    assert "Usage: sheets-sync export [OPTIONS] DIR" in result.stdout
