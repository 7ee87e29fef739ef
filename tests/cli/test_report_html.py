"""``sheets-sync report --format html`` and the portfolio page (``--all``)."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import Invoke, copy_to, write_config


def test_html_report_to_a_file(invoke: Invoke, demo_xlsx: Path, home: Path) -> None:
    result = invoke("report", "--workbook", "partnership.xlsx", "--format", "html",
                    "--as-of", "2026-11-27", "-o", "report.html")
    assert result.exit_code == 0
    assert result.stdout == "Wrote the html report of partnership.xlsx to report.html\n"
    page = (home / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for heading in ("Status over time", "History", "Goals and their KPIs", "Who needs to act",
                    "Issues ("):
        assert f"<h2>{heading}" in page
    # cells link to the workbook beside the page
    assert f'href="{demo_xlsx.resolve().as_uri()}#&#x27;RACI&#x27;!' in page


def test_html_report_to_stdout(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke("report", "--workbook", "partnership.xlsx", "--format", "html",
                    "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.endswith("</html>\n")


def test_portfolio_of_three_workbooks_worst_first(
    invoke: Invoke, home: Path, demo_xlsx: Path, clean_xlsx: Path
) -> None:
    write_config(home / "sheets-sync.toml", ("clean", "clean.xlsx"),
                 ("demo", "partnership.xlsx"), ("gone", "missing.xlsx"))
    result = invoke("report", "--all", "--format", "html", "--as-of", "2026-11-27",
                    "-o", "portfolio.html")
    assert result.exit_code == 1  # one workbook could not be read: the page still lists it
    assert f"Error: gone: {home / 'missing.xlsx'} does not exist" in result.stderr
    assert result.stdout == "Wrote the portfolio page to portfolio.html\n"
    page = (home / "portfolio.html").read_text(encoding="utf-8")
    names = re.findall(r"<tr><td>(?:<a [^>]*>)?([^<]+)", page)
    assert names == ["gone", "demo", "clean"]
    assert "3 workbooks as of 2026-11-27; 1 could not be read" in page
    assert 'id="kpis-by-workbook"' in page


def test_all_in_other_formats_reports_each_workbook(
    invoke: Invoke, home: Path, clean_xlsx: Path
) -> None:
    copy_to(clean_xlsx, home / "other.xlsx")
    write_config(home / "sheets-sync.toml", ("clean", "clean.xlsx"), ("other", "other.xlsx"))
    result = invoke("report", "--all", "--format", "json", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    import json

    data = json.loads(result.stdout)
    assert [Path(d["workbook"]).name for d in data] == ["clean.xlsx", "other.xlsx"]


def test_all_is_only_for_configs(invoke: Invoke, clean_xlsx: Path) -> None:
    result = invoke("report", "--all", "--workbook", "clean.xlsx")
    assert result.exit_code == 2
    assert "--all reports every configured workbook" in result.stderr
