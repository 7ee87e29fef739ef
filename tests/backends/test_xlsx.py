"""The xlsx backend: values, text safety, guarded atomic writes, locks, refusal, formatting."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import struct
import subprocess
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from sheets_sync.backends.base import (
    CellError,
    CellUpdate,
    ConditionalRule,
    Link,
    Plan,
    TabLayout,
    Validation,
    WorkbookData,
)
from sheets_sync.backends.xlsx import XlsxBackend, editor_lock
from sheets_sync.backends.xlsx_content import slim_copy
from sheets_sync.errors import GuardError, TryLater, WorkbookError
from sheets_sync.layout import missing as layout_missing

STATUS = {"On track": "D9EAD3", "Off track": "F4CCCC", "Overdue": "EA9999"}
RACI_RULE = '=AND($A2<>"", COUNTIF($H2:$ZZ2,"A")+COUNTIF($H2:$ZZ2,"A/R")<>1)'

PEOPLE = TabLayout(
    name="People",
    headers=("Person", "Email", "Organization", "Role"),
    widths=((0, 18.0), (1, 28.0)),
)
GOALS = TabLayout(
    name="Goals",
    headers=("Goal ID", "Goal", "Owner", "Due date", "Review cadence", "Status", "Issues"),
    computed=frozenset({5, 6}),
    widths=((0, 10.0), (1, 36.0)),
    validations=(Validation(4, ("weekly", "biweekly", "monthly", "quarterly")),),
    rules=(
        *(ConditionalRule("F2:F5000", f'=$F2="{s}"', fill) for s, fill in STATUS.items()),
        ConditionalRule("A2:G5000", '=$G2<>""', "FFF2CC"),
    ),
    notes=((5, "Computed by sheets-sync: do not edit."),),
    formats=((3, "date"),),
)
RACI = TabLayout(
    name="RACI",
    headers=("Task ID", "Task", "Goal ID", "Due date", "Accountable", "Responsible", "Issues"),
    computed=frozenset({4, 5, 6}),
    validations=(Validation(7, ("R", "A", "C", "I", "A/R")),),
    rules=(ConditionalRule("A2:ZZ5000", RACI_RULE, "F4CCCC"),),
    formats=((3, "date"),),
)
LAYOUTS = [PEOPLE, GOALS, RACI]


def lacking(backend: XlsxBackend, layout: TabLayout) -> list[str]:
    """What of ``layout`` the backend's tab lacks, as provisioning words it."""
    return layout_missing(layout, backend.formatting_of(layout.name))


def full_plan(layouts: list[TabLayout] = LAYOUTS, *, add: bool = True) -> Plan:
    headers = [
        CellUpdate(lay.name, 0, col, text) for lay in layouts for col, text in
        enumerate(lay.headers)
    ]
    return Plan(
        template="partnership",
        version="1.0.0",
        add_tabs=[lay.name for lay in layouts] if add else [],
        header_cells=headers if add else [],
        formatting=list(layouts),
        layouts=list(layouts),
        write_marker=True,
    )


def provision(path: Path, updates: list[CellUpdate] | None = None) -> XlsxBackend:
    backend = XlsxBackend(path)
    result = backend.write(WorkbookData(str(path), {}), updates or [], full_plan())
    assert result.wrote
    return backend


def sheet_xml(path: Path, index: int) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(f"xl/worksheets/sheet{index}.xml").decode()


def rewrite_zip(path: Path, changes: dict[str, Callable[[bytes], bytes] | bytes]) -> None:
    """Rewrite parts of an .xlsx: a bytes value adds or replaces a part, a function edits it."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    for name, change in changes.items():
        parts[name] = change(parts[name]) if callable(change) else change
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def add_to_sheet(xml: str) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(b"</worksheet>", xml.encode() + b"</worksheet>")


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(
        b"IEND", b""
    )


def count_rules(path: Path) -> dict[str, tuple[int, int]]:
    """Tab -> (conditional format rules, data validations), from a fresh load."""
    from openpyxl import load_workbook

    wb = load_workbook(slim_copy(str(path)) or path)
    return {
        ws.title: (
            sum(len(cf.rules) for cf in ws.conditional_formatting),
            len(ws.data_validations.dataValidation),
        )
        for ws in wb.worksheets
    }


# --- values ------------------------------------------------------------------------------


def test_round_trip_of_values(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    when = dt.datetime(2026, 3, 4, 9, 30)
    updates = [
        CellUpdate("Goals", 1, 0, "G1"),
        CellUpdate("Goals", 1, 1, "Grow pipeline"),
        CellUpdate("Goals", 1, 2, 42),
        CellUpdate("Goals", 1, 3, dt.date(2026, 11, 3), "date"),
        CellUpdate("Goals", 1, 4, 0.125, "percent"),
        CellUpdate("Goals", 2, 0, True),
        CellUpdate("Goals", 2, 1, when),
        CellUpdate("Goals", 2, 2, 3.5),
        CellUpdate("Goals", 2, 6, Link("KPIs of G1", "RACI", "C7")),
        CellUpdate("Goals", 3, 0, "  spaced  "),
    ]
    provision(path, updates)
    data = XlsxBackend(path).read()
    assert list(data.tabs) == ["People", "Goals", "RACI"]
    goals = data.tabs["Goals"]
    assert goals.header == list(GOALS.headers)
    assert goals.values[1] == ["G1", "Grow pipeline", 42, dt.date(2026, 11, 3), 0.125]
    assert goals.values[2] == [True, when, 3.5, None, None, None, Link("KPIs of G1", "RACI", "C7")]
    assert goals.values[3] == ["  spaced  "]
    assert len(goals.values) == 4  # empty formatted rows are trimmed
    assert goals.formulas == {}
    assert data.version == (path.stat().st_mtime_ns, path.stat().st_size)
    assert data.identity == str(path)


def test_links_are_internal_and_quoted(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    provision(path, [CellUpdate("Goals", 1, 6, Link("see", "KPI's log", "B12"))])
    xml = sheet_xml(path, 2)
    assert 'location="\'KPI\'\'s log\'!B12"' in xml
    with zipfile.ZipFile(path) as zf:
        rels = [n for n in zf.namelist() if n.endswith("sheet2.xml.rels")]
        assert not rels or b"TargetMode" not in zf.read(rels[0])
    assert XlsxBackend(path).read().tabs["Goals"].get(1, 6) == Link("see", "KPI's log", "B12")


def test_unquoted_link_location_is_read(tmp_path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.hyperlink import Hyperlink

    path = tmp_path / "wb.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "jump"
    ws["A1"].hyperlink = Hyperlink(ref="A1", location="Goals!$B$3")
    ws["A2"] = "web"
    ws["A2"].hyperlink = "https://example.com"
    wb.save(path)
    tab = XlsxBackend(path).read().tabs["Sheet"]
    assert tab.values == [[Link("jump", "Goals", "B3")], ["web"]]


@pytest.mark.parametrize(
    "text",
    ['=IMPORTXML("http://x","//a")', "+1", "-2", "@SUM(A1)", "\tfoo", "\rbar", "=1+1"],
)
def test_text_never_becomes_a_formula(tmp_path: Path, text: str) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "wb.xlsx"
    provision(path, [CellUpdate("Goals", 1, 1, text)])
    cell = load_workbook(path)["Goals"]["B2"]
    # XML normalizes a bare carriage return to a line feed; everything else is kept as is.
    expected = text.replace("\r", "\n")
    assert cell.data_type == "s"
    assert cell.value == expected
    match = re.search(r'<c r="B2"[^>]*>(.*?)</c>', sheet_xml(path, 2), re.S)
    assert match is not None
    assert "<f>" not in match.group(1) and "<f " not in match.group(1)
    assert re.search(r'<c r="B2"[^>]*t="(s|inlineStr)"', sheet_xml(path, 2))
    data = XlsxBackend(path).read()
    assert data.tabs["Goals"].get(1, 1) == expected
    assert data.tabs["Goals"].formulas == {}


def test_formula_without_cached_value_and_errors(tmp_path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.formula import ArrayFormula

    path = tmp_path / "wb.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "KPIs"
    ws.append(["KPI ID", "Target", "Check"])
    ws.append(["K1", "=2*21", "#REF!"])
    ws.append(["K2", "#N/A text", None])
    ws["B3"].data_type = "s"
    ws["C3"] = ArrayFormula("C3:C3", "=SUM(B2:B3*2)")
    wb.save(path)
    tab = XlsxBackend(path).read().tabs["KPIs"]
    assert tab.formulas == {(1, 1): "=2*21", (2, 2): "=SUM(B2:B3*2)"}
    assert tab.get(1, 1) is None  # openpyxl calculates nothing: no cached value
    assert tab.get(1, 2) == CellError("#REF!")
    assert tab.get(2, 1) == "#N/A text"


def test_dates_and_datetimes(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "wb.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Date", "When"])
    ws.append([dt.datetime(2026, 1, 2), dt.datetime(2026, 1, 2, 13, 5)])
    wb.save(path)
    assert XlsxBackend(path).read().tabs["Sheet"].values[1] == [
        dt.date(2026, 1, 2),
        dt.datetime(2026, 1, 2, 13, 5),
    ]


def test_missing_and_corrupt_files(tmp_path: Path) -> None:
    missing = XlsxBackend(tmp_path / "nope.xlsx")
    assert not missing.exists()
    assert missing.marker() is None
    assert lacking(missing, GOALS) == ["the tab"]
    with pytest.raises(WorkbookError, match="sheets-sync provision"):
        missing.read()
    corrupt = tmp_path / "bad.xlsx"
    corrupt.write_bytes(b"this is not a zip file")
    with pytest.raises(WorkbookError, match=r"is not an \.xlsx workbook \(not a zip package"):
        XlsxBackend(corrupt).read()
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("hello.txt", "no workbook here")
    with pytest.raises(WorkbookError, match=r"not an \.xlsx workbook \(it has no xl/workbook"):
        XlsxBackend(broken).read()


# --- writes ------------------------------------------------------------------------------


def test_noop_write_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    provision(path)
    before = path.read_bytes()
    old = time.time() - 3600
    os.utime(path, (old, old))
    stamp = path.stat().st_mtime_ns
    backend = XlsxBackend(path)
    data = backend.read()
    empty = Plan(template="partnership", version="1.0.0")
    assert not backend.write(data, [], None).wrote
    assert not backend.write(data, [], empty).wrote
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stamp


def test_write_is_atomic_and_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    provision(path)
    path.chmod(0o640)
    backend = XlsxBackend(path)
    data = backend.read()
    result = backend.write(data, [CellUpdate("Goals", 1, 0, "G1"), CellUpdate("Goals", 1, 1, 2)])
    assert result.wrote
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wb.xlsx"]
    assert path.stat().st_mode & 0o777 == 0o640
    # The backend remembers what it wrote, so a second write needs the new version.
    with pytest.raises(GuardError):
        backend.write(data, [CellUpdate("Goals", 1, 0, "G2")])
    assert backend.read().tabs["Goals"].values[1] == ["G1", 2]


def test_failed_save_leaves_original_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sheets_sync.backends.xlsx_save as xlsx_module

    path = tmp_path / "wb.xlsx"
    provision(path)
    before = path.read_bytes()
    backend = XlsxBackend(path)
    data = backend.read()

    def broken_save(wb: object, filename: str, cached: object) -> None:
        Path(filename).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(xlsx_module, "save_workbook", broken_save)
    with pytest.raises(WorkbookError, match="disk full"):
        backend.write(data, [CellUpdate("Goals", 1, 0, "G1")])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wb.xlsx"]


def test_guard_refuses_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    provision(path)
    backend = XlsxBackend(path)
    data = backend.read()
    other = XlsxBackend(path)
    other.write(other.read(), [CellUpdate("Goals", 1, 0, "typed by a person")])
    with pytest.raises(GuardError, match="changed since it was read; run again"):
        backend.write(data, [CellUpdate("Goals", 1, 5, "On track")])
    assert XlsxBackend(path).read().tabs["Goals"].get(1, 0) == "typed by a person"


def test_clearing_a_cell_removes_its_link(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    provision(path, [CellUpdate("Goals", 1, 6, Link("x", "RACI", "A2"))])
    backend = XlsxBackend(path)
    backend.write(backend.read(), [CellUpdate("Goals", 1, 6, None), CellUpdate("Goals", 1, 0, "G")])
    assert "<hyperlink" not in sheet_xml(path, 2)
    assert backend.read().tabs["Goals"].values[1] == ["G"]


# --- editor locks ------------------------------------------------------------------------


def test_libreoffice_lock_blocks_writes(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    provision(path)
    backend = XlsxBackend(path)
    data = backend.read()  # reading is allowed while someone edits
    lock = tmp_path / ".~lock.demo.xlsx#"
    lock.write_text(",alice,laptop1,27.11.2026 10:00,file:///home/alice/.config/libreoffice/4;")
    old = time.time() - 12 * 60 - 5
    os.utime(lock, (old, old))
    description = editor_lock(path)
    assert description is not None
    assert "LibreOffice" in description and "alice on laptop1" in description
    assert "12 min" in description
    with pytest.raises(TryLater, match="alice on laptop1 for 12 min") as caught:
        backend.write(data, [CellUpdate("Goals", 1, 0, "G1")])
    assert caught.value.exit_code == 75
    lock.unlink()
    assert editor_lock(path) is None
    assert backend.write(data, [CellUpdate("Goals", 1, 0, "G1")]).wrote


def test_excel_lock_names_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    provision(path)
    (tmp_path / "~$demo.xlsx").write_bytes(b"\x03bob" + b" " * 50 + b"\x03\x00b\x00o\x00b\x00")
    description = editor_lock(path)
    assert description is not None and "Excel" in description and "bob" in description
    backend = XlsxBackend(path)
    with pytest.raises(TryLater, match="bob"):
        backend.write(backend.read(), [CellUpdate("Goals", 1, 0, "G1")])


# --- refusing content openpyxl would drop ------------------------------------------------


ANCHOR = (
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<xdr:oneCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff>"
    '<xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="9525" cy="9525"/>'
    "{body}<xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>"
)
PICTURE = (
    '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="1" name="Image 1"/><xdr:cNvPicPr/></xdr:nvPicPr>'
    '<xdr:blipFill><a:blip r:embed="rId1"/></xdr:blipFill>'
    '<xdr:spPr><a:prstGeom prst="rect"/></xdr:spPr></xdr:pic>'
)
SHAPE = (
    '<xdr:sp><xdr:nvSpPr><xdr:cNvPr id="2" name="Arrow"/><xdr:cNvSpPr/></xdr:nvSpPr>'
    '<xdr:spPr><a:prstGeom prst="rightArrow"/></xdr:spPr></xdr:sp>'
)


def _with_drawing(path: Path, body: str) -> None:
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    rewrite_zip(
        path,
        {
            "xl/media/image1.png": tiny_png(),
            "xl/drawings/drawing1.xml": ANCHOR.format(body=body).encode(),
            "xl/drawings/_rels/drawing1.xml.rels": (
                f'{rels}<Relationship Id="rId1" Type="{rel}/image" '
                'Target="../media/image1.png"/></Relationships>'
            ).encode(),
            # keep the sheet's other relationships (its notes)
            "xl/worksheets/_rels/sheet2.xml.rels": lambda data: data.replace(
                b"</Relationships>",
                f'<Relationship Id="rId9" Type="{rel}/drawing" '
                'Target="../drawings/drawing1.xml"/></Relationships>'.encode(),
            ),
            "xl/worksheets/sheet2.xml": add_to_sheet(f'<drawing xmlns:r="{rel}" r:id="rId9"/>'),
            "[Content_Types].xml": lambda data: data.replace(
                b"</Types>",
                b'<Default Extension="png" ContentType="image/png"/><Override PartName='
                b'"/xl/drawings/drawing1.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.drawing+xml"/></Types>',
            ),
        },
    )


def test_shapes_are_refused_naming_where(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    provision(path)
    _with_drawing(path, SHAPE + SHAPE)
    before = path.read_bytes()
    backend = XlsxBackend(path)
    data = backend.read()  # read (check works); the save is what would lose it
    with pytest.raises(WorkbookError) as caught:
        backend.write(data, [CellUpdate("Goals", 1, 0, "G1")])
    message = str(caught.value)
    assert message.startswith("demo.xlsx was not saved: sheets-sync would lose content")
    assert "shape at 'Goals'!B2" in message, message
    assert "Nothing was changed" in message
    assert path.read_bytes() == before


def test_a_picture_openpyxl_can_read_is_kept_where_it_was(tmp_path: Path) -> None:
    from sheets_sync.backends.xlsx_package import read_package

    path = tmp_path / "demo.xlsx"
    provision(path)
    _with_drawing(path, PICTURE)
    backend = XlsxBackend(path)
    assert backend.write(backend.read(), [CellUpdate("Goals", 1, 0, "G1")]).wrote
    assert ("image", "B2") in read_package(str(path)).sheets["Goals"].drawings


def test_vba_and_sparklines_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    provision(path)
    sparkline = (
        '<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        "<x14:sparklineGroup><x14:sparklines><x14:sparkline><xm:f>People!A2:D2</xm:f>"
        "<xm:sqref>E2</xm:sqref></x14:sparkline></x14:sparklines></x14:sparklineGroup>"
        "</x14:sparklineGroups></ext></extLst>"
    )
    vba = (
        '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/'
        'vbaProject" Target="vbaProject.bin"/></Relationships>'
    )
    rewrite_zip(
        path,
        {
            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0",
            "xl/worksheets/sheet1.xml": add_to_sheet(sparkline),
            "xl/_rels/workbook.xml.rels": lambda data: data.replace(
                b"</Relationships>", vba.encode()
            ),
            "[Content_Types].xml": lambda data: data.replace(
                b"</Types>",
                b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                b"</Types>",
            ),
        },
    )
    backend = XlsxBackend(path)
    data = backend.read()
    with pytest.raises(WorkbookError) as caught:
        backend.write(data, [CellUpdate("Goals", 1, 0, "G1")])
    message = str(caught.value)
    assert "sparkline" in message and "'People'" in message, message
    assert "VBA" in message or "macro" in message.lower(), message


X14_DV = (
    '<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>{formula}</xm:f>'
    "</x14:formula1><xm:sqref>{sqref}</xm:sqref></x14:dataValidation></x14:dataValidations>"
    "</ext></extLst>"
)
X14_CF = (
    '<extLst><ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:conditionalFormattings><x14:conditionalFormatting '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:cfRule type="expression" priority="9" id="{{00000000-0000-0000-0000-000000000001}}">'
    "<xm:f>{formula}</xm:f><x14:dxf><fill><patternFill><bgColor rgb=\"FF{fill}\"/>"
    "</patternFill></fill></x14:dxf></x14:cfRule><xm:sqref>{sqref}</xm:sqref>"
    "</x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>"
)


def test_a_persons_x14_validation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    provision(path)
    ext = X14_DV.format(formula="People!$A$2:$A$50", sqref="C2:C100")
    rewrite_zip(path, {"xl/worksheets/sheet2.xml": add_to_sheet(ext)})
    backend = XlsxBackend(path)
    data = backend.read()
    with pytest.raises(WorkbookError, match=r"data validation at 'Goals'!C2:C100"):
        backend.write(data, [CellUpdate("Goals", 1, 0, "G1")])


def test_tool_shaped_x14_rule_is_checked_against_the_layouts(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    provision(path)
    ext = X14_CF.format(formula='$F2="Off track"', fill="F4CCCC", sqref="F2:F5000")
    rewrite_zip(path, {"xl/worksheets/sheet2.xml": add_to_sheet(ext)})
    backend = XlsxBackend(path)
    data = backend.read()  # it may be the tool's own rule re-expressed: not refused
    # A plan whose layouts do not hold that rule proves it is a person's: refuse to save.
    other = Plan("partnership", "1.0.0", formatting=[PEOPLE], layouts=[PEOPLE, RACI])
    with pytest.raises(WorkbookError, match="Excel 2010 conditional formats"):
        backend.write(data, [], other)
    assert backend.write(data, [], full_plan(add=False)).wrote


def test_metadata_extensions_are_not_content(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    provision(path)
    calc = (
        '<extLst><ext xmlns:loext="http://schemas.libreoffice.org/" '
        'uri="{7626C862-2A13-11E5-B345-FEFF819CDC9F}"><loext:extCalcPr '
        'stringRefSyntax="ExcelA1"/></ext></extLst></workbook>'
    )
    rewrite_zip(
        path, {"xl/workbook.xml": lambda data: data.replace(b"</workbook>", calc.encode())}
    )
    assert XlsxBackend(path).read().tabs["Goals"].header == list(GOALS.headers)


# --- provisioning and formatting ---------------------------------------------------------


def test_plan_creates_tabs_headers_and_formatting(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "wb.xlsx"
    backend = provision(path)
    assert backend.marker() == ("partnership", "1.0.0")
    fresh = XlsxBackend(path)
    fresh.read()
    assert fresh.marker() == ("partnership", "1.0.0")
    for layout in LAYOUTS:
        assert lacking(fresh, layout) == [], layout.name
    missing_tab = TabLayout(name="Reviews", headers=("Date",))
    assert lacking(fresh, missing_tab) == ["the tab"]
    wb = load_workbook(path)
    goals = wb["Goals"]
    assert goals.freeze_panes == "A2"
    assert goals["A1"].font.b and goals["A1"].fill.fgColor.rgb.endswith("EDEDED")
    assert goals["F1"].fill.fgColor.rgb.endswith("D9D9D9")
    assert goals["F1"].comment is not None and goals["F1"].comment.author == "sheets-sync"
    assert goals.column_dimensions["B"].width == 36.0
    assert goals["D2"].number_format == "yyyy-mm-dd"
    (dv,) = goals.data_validations.dataValidation
    assert (str(dv.sqref), dv.formula1) == ("E2:E5000", '"weekly,biweekly,monthly,quarterly"')
    assert dv.showDropDown is False and dv.errorStyle == "warning"
    assert count_rules(path) == {"People": (0, 0), "Goals": (4, 1), "RACI": (1, 1)}


def test_reapplying_the_plan_adds_no_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    provision(path)
    before = count_rules(path)
    backend = XlsxBackend(path)
    plan = full_plan(add=False)
    plan.version = "1.1.0"
    assert backend.write(backend.read(), [], plan).wrote
    assert count_rules(path) == before
    assert [lacking(backend, lay) for lay in LAYOUTS] == [[], [], []]
    assert XlsxBackend(path).marker() == ("partnership", "1.1.0")
    with zipfile.ZipFile(path) as zf:
        assert zf.read("docProps/custom.xml").count(b'name="sheets_sync.version"') == 1


def test_changed_colour_replaces_the_old_rule(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "wb.xlsx"
    provision(path)
    recoloured = ConditionalRule("A2:ZZ5000", RACI_RULE, "FF0000")
    newer = TabLayout(name="RACI", headers=RACI.headers, rules=(recoloured,))
    backend = XlsxBackend(path)
    data = backend.read()
    assert lacking(backend, newer) == [
        f"conditional format {RACI_RULE} on A2:ZZ5000 (fill FF0000)"
    ]
    backend.write(data, [], Plan("partnership", "1.1.0", formatting=[newer], layouts=[newer]))
    assert lacking(backend, newer) == []
    assert count_rules(path)["RACI"] == (1, 1)
    (cf,) = load_workbook(path)["RACI"].conditional_formatting
    assert cf.rules[0].dxf.fill.fgColor.rgb.endswith("FF0000")


def test_changed_dropdown_values_replace_the_old_dropdown(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    provision(path)
    cadences = Validation(4, ("weekly", "monthly", "quarterly", "yearly"))
    newer = TabLayout(
        name=GOALS.name, headers=GOALS.headers, computed=GOALS.computed, validations=(cadences,)
    )
    backend = XlsxBackend(path)
    data = backend.read()
    assert lacking(backend, newer) == [
        "dropdown on Review cadence (weekly, monthly, quarterly, yearly)"
    ]
    backend.write(data, [], Plan("partnership", "1.1.0", formatting=[newer], layouts=[newer]))
    assert lacking(backend, newer) == []
    assert count_rules(path)["Goals"] == (4, 1)


def test_missing_formatting_is_found_and_restored(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "wb.xlsx"
    provision(path)
    wb = load_workbook(path)
    goals = wb["Goals"]
    goals.freeze_panes = None
    goals.conditional_formatting = type(goals.conditional_formatting)()
    goals.data_validations.dataValidation = []
    goals["F1"].comment = None
    wb.save(path)
    backend = XlsxBackend(path)
    data = backend.read()
    missing = lacking(backend, GOALS)
    assert missing[0] == "frozen header row"
    assert "dropdown on Review cadence (weekly, biweekly, monthly, quarterly)" in missing
    assert 'conditional format =$F2="Off track" on F2:F5000 (fill F4CCCC)' in missing
    assert missing[-1] == "note on Status"
    assert len(missing) == 1 + 1 + 4 + 1
    plan = Plan("partnership", "1.0.0", formatting=[GOALS], layouts=LAYOUTS)
    backend.write(data, [], plan)
    assert lacking(backend, GOALS) == []
    assert count_rules(path)["Goals"] == (4, 1)


def test_new_tabs_go_where_the_template_puts_them(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "wb.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "My notes"
    wb.create_sheet("RACI").append(list(RACI.headers))
    wb.save(path)
    backend = XlsxBackend(path)
    plan = Plan(
        "partnership", "1.0.0", add_tabs=["People", "Goals"],
        header_cells=[CellUpdate("Goals", 0, 0, "Goal ID")], layouts=LAYOUTS,
    )
    backend.write(backend.read(), [], plan)
    assert list(XlsxBackend(path).read().tabs) == ["My notes", "People", "Goals", "RACI"]


# --- LibreOffice -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def libreoffice_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A provisioned workbook with data and a formula, saved again by LibreOffice."""
    from openpyxl import load_workbook

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("lo")
    source = folder / "demo.xlsx"
    provision(source, [
        CellUpdate("People", 1, 0, "Alice"),
        CellUpdate("Goals", 1, 0, "G1"),
        CellUpdate("Goals", 1, 1, '=IMPORTXML("http://x","//a")'),
        CellUpdate("Goals", 1, 3, dt.date(2026, 11, 3), "date"),
        CellUpdate("Goals", 1, 5, "On track"),
        CellUpdate("Goals", 2, 6, Link("see RACI", "RACI", "A2")),
        CellUpdate("RACI", 1, 0, "T1"),
        CellUpdate("RACI", 1, 7, "A/R"),
    ])
    wb = load_workbook(source)
    wb["RACI"]["C2"] = "=6*7"  # a formula a person typed
    wb["RACI"]["D2"] = "=1/0"
    people = wb["People"]
    people["B2"], people["C2"], people["D2"] = "=DATE(2026,1,2)", '="Ac"&"me"', "=1=1"
    people["B2"].number_format = "yyyy-mm-dd"
    wb.save(source)
    out = folder / "out"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    return out / "demo.xlsx"


@pytest.mark.libreoffice
def test_libreoffice_round_trip_reads_the_same(libreoffice_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    shutil.copy(libreoffice_copy, path)
    backend = XlsxBackend(path)
    data = backend.read()  # LibreOffice's workbook-level extLst is not refused
    goals = data.tabs["Goals"]
    assert goals.values[1] == ["G1", '=IMPORTXML("http://x","//a")', None, dt.date(2026, 11, 3),
                               None, "On track"]
    assert goals.get(2, 6) == Link("see RACI", "RACI", "A2")
    assert goals.formulas == {}
    raci = data.tabs["RACI"]
    assert raci.formulas == {(1, 2): "=6*7", (1, 3): "=1/0"}
    assert raci.get(1, 2) == 42  # LibreOffice calculates and stores the result
    assert raci.get(1, 3) == CellError("#DIV/0!")
    assert data.tabs["People"].values[1] == ["Alice", dt.date(2026, 1, 2), "Acme", True]
    assert backend.marker() == ("partnership", "1.0.0")


@pytest.mark.libreoffice
def test_libreoffice_round_trip_formatting(libreoffice_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    shutil.copy(libreoffice_copy, path)
    backend = XlsxBackend(path)
    data = backend.read()
    # A headless LibreOffice save drops frozen panes; it keeps bold and grey headers,
    # notes, conditional formats and dropdowns (clipped to ~1000 rows below the data).
    for layout in LAYOUTS:
        assert lacking(backend, layout) == ["frozen header row"], layout.name
    assert count_rules(path) == {"People": (0, 0), "Goals": (4, 1), "RACI": (1, 1)}
    plan = Plan("partnership", "1.0.0", formatting=list(LAYOUTS), layouts=LAYOUTS)
    assert backend.write(data, [CellUpdate("Goals", 1, 6, "KPI-STALE")], plan).wrote
    fresh = XlsxBackend(path)
    again = fresh.read()
    assert [lacking(fresh, lay) for lay in LAYOUTS] == [[], [], []]
    assert count_rules(path) == {"People": (0, 0), "Goals": (4, 1), "RACI": (1, 1)}
    assert again.tabs["Goals"].get(1, 6) == "KPI-STALE"
    # LibreOffice padded RACI with ~700,000 empty styled cells (its conditional format spans
    # A:ZZ); they look like nothing, so the tool's save drops them.
    assert libreoffice_copy.stat().st_size > 1_000_000
    assert path.stat().st_size < 100_000
    # The formula keeps the result LibreOffice calculated through the tool's save.
    assert again.tabs["RACI"].formulas[(1, 2)] == "=6*7"
    assert again.tabs["RACI"].get(1, 2) == 42


@pytest.mark.libreoffice
def test_cached_results_fall_back_to_openpyxl(
    libreoffice_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sheets_sync.backends.xlsx_read as xlsx_read

    quick = XlsxBackend(libreoffice_copy).read()
    monkeypatch.setattr(xlsx_read, "cached_results", lambda path, sheets: {})
    slow = XlsxBackend(libreoffice_copy).read()
    assert slow.tabs == quick.tabs


def test_slim_copy_drops_only_invisible_padding(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook
    from openpyxl.styles import Alignment, PatternFill

    path = tmp_path / "wb.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "kept"
    ws["B5"].alignment = Alignment(horizontal="general", vertical="bottom")  # looks like nothing
    ws["C5"].fill = PatternFill(fill_type="solid", start_color="FFFF00", end_color="FFFF00")
    ws["D5"].number_format = "yyyy-mm-dd"
    # A plain cell in a filled column hides the column's fill: it must stay.
    other = wb.create_sheet("Filled column")
    other.column_dimensions["B"].fill = PatternFill(
        fill_type="solid", start_color="FFFF00", end_color="FFFF00"
    )
    other["B2"].alignment = Alignment(horizontal="general")
    wb.save(path)
    slim = slim_copy(str(path))
    assert slim is not None
    slimmed = load_workbook(slim)
    assert sorted(slimmed["Sheet"]._cells) == [(1, 1), (5, 3), (5, 4)]
    assert sorted(slimmed["Filled column"]._cells) == [(2, 2)]


def test_rules_follow_moved_columns_without_stale_copies(tmp_path: Path) -> None:
    """When people move the Status column, the old colour rule must not stay on its old column."""
    from sheets_sync.backends.base import ConditionalRule, Plan, TabLayout
    from sheets_sync.backends.xlsx import XlsxBackend

    path = tmp_path / "moved.xlsx"
    backend = XlsxBackend(path)

    def layout(letter: str) -> TabLayout:
        rule = ConditionalRule(f"{letter}2:{letter}100", f'${letter}2="Off track"', "F4CCCC")
        return TabLayout(name="KPIs", headers=("KPI ID", "Status"), rules=(rule,))

    plan = Plan("t", "1", add_tabs=["KPIs"], formatting=[layout("B")], layouts=[layout("B")])
    from sheets_sync.backends.base import WorkbookData

    backend.write(WorkbookData("x", {}), [], plan)
    data = backend.read()
    assert lacking(backend, layout("C")) != []
    backend.write(data, [], Plan("t", "1", formatting=[layout("C")], layouts=[layout("C")]))
    import openpyxl

    ws = openpyxl.load_workbook(path)["KPIs"]
    refs = [str(cf.sqref) for cf in ws.conditional_formatting]
    assert refs == ["C2:C100"]
