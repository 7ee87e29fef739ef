"""The workbook as a manager reads it: number formats, widths, wrapped text, printouts."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.backends.base import TabLayout
from sheets_sync.backends.xlsx_layout import install
from sheets_sync.demo import build_demo, fill_demo
from sheets_sync.templates import load_template
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_backend import google_backend

AS_OF = dt.date(2026, 11, 27)
#: column -> (xlsx number format, Google numberFormat pattern), per tab
FORMATTED = {
    "KPIs": {
        "Latest value": ("#,##0.00", "#,##0.00"),
        "Expected": ("#,##0.00", "#,##0.00"),
        "Progress": ("0%", "0%"),
        "Pace": ("0%", "0%"),
    },
    "People": {
        "Accountable for": ("#,##0", "#,##0"),
        "Open findings": ("#,##0", "#,##0"),
    },
    "Issues": {"Age (days)": ("#,##0", "#,##0")},
}
WRAPPED = {"Issues": "Message", "Reviews": "Attendees"}


def test_every_column_has_a_width_that_fits_its_header() -> None:
    for table in load_template().tables:
        for column in table.columns:
            assert column.width is not None, (table.name, column.header)
            # bold header text plus room: "Latest value" (12 characters) needs 14
            assert column.width >= len(column.header) + 2, (table.name, column.header)


def _headers(ws: Any) -> list[str]:
    return [str(c.value) if c.value is not None else "" for c in ws[1]]


def test_xlsx_sync_writes_number_formats_wrap_widths_and_print_setup(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "demo.xlsx"
    build_demo(path, AS_OF)
    wb = openpyxl.load_workbook(path)
    for tab, columns in FORMATTED.items():
        ws = wb[tab]
        headers = _headers(ws)
        for header, (number_format, _) in columns.items():
            col = headers.index(header) + 1
            written = [ws.cell(r, col) for r in range(2, ws.max_row + 1)]
            numbers = [c for c in written if isinstance(c.value, int | float)]
            assert numbers, (tab, header)
            assert {c.number_format for c in numbers} == {number_format}, (tab, header)
    kpis = wb["KPIs"]
    latest = openpyxl.utils.get_column_letter(_headers(kpis).index("Latest value") + 1)
    assert kpis.column_dimensions[latest].width >= 13
    for tab, header in WRAPPED.items():
        ws = wb[tab]
        col = _headers(ws).index(header) + 1
        assert ws.cell(2, col).alignment.wrap_text, (tab, header)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        if ws.title == "History":  # a fixed scale, many pages wide, Kind to Owner on each
            assert not ws.sheet_properties.pageSetUpPr.fitToPage
            assert ws.page_setup.scale == 60
            assert ws.print_title_cols == "$A:$D"
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == (1 if ws.title == "Dashboard" else 0), ws.title
        assert ws.print_title_rows == "$1:$1", ws.title


def test_google_sync_writes_number_formats_wrap_and_widths() -> None:
    fake = FakeGoogle(seed=3)
    backend = google_backend(fake)
    fill_demo(backend, AS_OF)
    assert backend.spreadsheet_id is not None
    ss = fake.spreadsheet(backend.spreadsheet_id)
    for tab, columns in FORMATTED.items():
        sheet = ss.sheet(tab)
        headers = [
            sheet.cell(0, c).get("userEnteredValue", {}).get("stringValue", "")
            for c in range(sheet.column_count)
        ]
        for header, (_, pattern) in columns.items():
            col = headers.index(header)
            numbers = [
                cell
                for (row, c), cell in sheet.cells.items()
                if c == col and row > 0 and "numberValue" in cell.get("userEnteredValue", {})
            ]
            assert numbers, (tab, header)
            patterns = {
                cell.get("userEnteredFormat", {}).get("numberFormat", {}).get("pattern")
                for cell in numbers
            }
            assert patterns == {pattern}, (tab, header, patterns)
        if tab == "KPIs":
            latest = headers.index("Latest value")
            assert sheet.col_meta[latest]["pixelSize"] >= 13 * 7
    for tab, header in WRAPPED.items():
        sheet = ss.sheet(tab)
        col = next(
            c
            for c in range(sheet.column_count)
            if sheet.cell(0, c).get("userEnteredValue", {}).get("stringValue") == header
        )
        fmt = sheet.cell(1, col).get("userEnteredFormat", {})
        assert fmt.get("wrapStrategy") == "WRAP", (tab, header, fmt)


def test_a_persons_print_setup_is_kept() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.page_setup.orientation = "portrait"
    ws.page_setup.scale = 80
    install(ws, TabLayout(name="Sheet", headers=("A", "B")), new_tab=False)
    assert ws.page_setup.orientation == "portrait"
    assert ws.page_setup.scale == 80
    assert ws.print_title_rows is None
    assert not ws.sheet_properties.pageSetUpPr.fitToPage


#: Pages each tab of the demo prints on (landscape). All but the KPI Log, Reviews and
#: History fit on one page; Reviews has 60 rows, many two lines tall with wrapped
#: decisions (three pages), and the KPI Log 442 readings (about 32 rows a landscape page,
#: scaled to fit its six columns one page wide: 14 pages). History prints at 60% with
#: Kind, ID, Name and Owner on every page, about ten weeks a page: a year of weeks on
#: six. As measured with LibreOffice.
DEMO_PAGES = {
    "People": 1,
    "Goals": 1,
    "KPIs": 1,
    "KPI Log": 14,
    "RACI": 1,
    "Reviews": 4,
    "Issues": 1,
    "Dashboard": 1,
    "History": 6,
}
#: Status fills (the heatmap's and the chart's), as LibreOffice renders them.
STATUS_FILLS = {"On track": (0xD9, 0xEA, 0xD3), "Off track": (0xF4, 0xCC, 0xCC),
                "At risk": (0xFF, 0xE5, 0x99)}


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo workbook and the PDF LibreOffice prints of it."""
    folder = tmp_path_factory.mktemp("print")
    path = folder / "demo.xlsx"
    build_demo(path, AS_OF)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return path, folder / "demo.pdf"


def _page_tabs(path: Path, pdf: Path) -> list[str]:
    """The tab each page of the PDF prints, from the header row it starts with."""
    import openpyxl
    from pypdf import PdfReader

    wb = openpyxl.load_workbook(path)
    header_rows = {ws.title: " ".join(h for h in _headers(ws) if h) for ws in wb.worksheets}
    tabs = []
    for page in PdfReader(pdf).pages:
        first_line = page.extract_text().splitlines()[0].strip()
        # Every page starts with its tab's whole header row: the titles repeat, and the
        # last column's header is on the page (one page wide). History repeats its first
        # four columns on every page instead, each page showing the next periods.
        tab = next((t for t, row in header_rows.items() if first_line == row), None)
        if tab is None and first_line.startswith("Kind ID Name Owner"):
            tab = "History"
        assert tab is not None, first_line
        tabs.append(tab)
    return tabs


@pytest.mark.libreoffice
def test_demo_prints_one_page_wide_with_headers_on_every_page(
    demo_pdf: tuple[Path, Path],
) -> None:
    pages: dict[str, int] = {}
    for tab in _page_tabs(*demo_pdf):
        pages[tab] = pages.get(tab, 0) + 1
    assert pages == DEMO_PAGES
    assert sum(pages.values()) == 30  # the demo printed as 46 pages before, with no History


def _pixels_near(image: Any, rgb: tuple[int, int, int], tolerance: int = 6) -> int:
    return sum(
        count
        for count, pixel in image.getcolors(maxcolors=1 << 20) or []
        if all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], rgb, strict=False))
    )


@pytest.mark.libreoffice
def test_the_history_heatmap_and_the_dashboard_chart_render(
    demo_pdf: tuple[Path, Path],
) -> None:
    """Rendered as a person sees the printout: the History cells carry the status colours,
    and the Dashboard (which colours no cell) shows them only through its chart."""
    import pypdfium2 as pdfium

    tabs = _page_tabs(*demo_pdf)
    pdf = pdfium.PdfDocument(demo_pdf[1])
    dashboard = pdf[tabs.index("Dashboard")].render(scale=2).to_pil().convert("RGB")
    history = pdf[tabs.index("History") + 1].render(scale=2).to_pil().convert("RGB")
    for status, rgb in STATUS_FILLS.items():
        assert _pixels_near(history, rgb) > 500, f"History has no {status} cells"
        assert _pixels_near(dashboard, rgb) > 200, f"the Dashboard chart shows no {status}"
