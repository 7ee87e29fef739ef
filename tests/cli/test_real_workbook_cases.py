"""The ways real workbooks lost data, each rebuilt as a file and run through the CLI.

Every case here was seen in a trial against hundreds of real workbooks: Strict Open
XML emptied, a person's Issues tab overwritten, formula results stripped by the
tool's own save, output hundreds of times the input, content the old scan missed,
and messages that did not say what to do. The files are made here: an openpyxl
workbook, saved through the tool's writer (so formula cells hold results, as any
spreadsheet program leaves them), then marked as saved by Excel and given the
feature by editing its XML.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from sheets_sync.backends.xlsx_open import STRICT_NAMESPACES
from sheets_sync.backends.xlsx_save import OUTPUT_SIZE_ALLOWANCE, OUTPUT_SIZE_FACTOR
from sheets_sync.backends.xlsx_writer import save_workbook
from tests.cli.conftest import write_config

AS_OF = "2026-06-30"
EXCEL_APP = (
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>Microsoft Excel</Application></Properties>'
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def patch(path: Path, edits: dict[str, Callable[[bytes], bytes]], add: dict[str, bytes]) -> None:
    """Rewrite parts of a package (and add parts), as another program would have saved it."""
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    for name, edit in edits.items():
        parts[name] = edit(parts.get(name, b""))
    parts.update(add)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def as_excel(path: Path) -> None:
    """Mark the file as last saved by Excel, so the tool measures what a save would lose."""
    patch(path, {"docProps/app.xml": lambda _: EXCEL_APP}, {})


def persons_workbook(
    path: Path, cached: dict[tuple[int, int], tuple[str, str]] | None = None
) -> Path:
    """A person's own workbook: one tab of notes with a formula whose result the file holds."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Notes"
    ws.append(["Item", "Amount", "Double"])
    for i in range(1, 6):
        ws.append([f"item {i}", i * 10, f"=B{i + 1}*2"])
    results = {(r, 2): ("n", str(r * 20)) for r in range(1, 6)}
    save_workbook(wb, path, {"Notes": {**results, **(cached or {})}})
    as_excel(path)
    return path


def add_to_content_types(override: str) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(b"</Types>", override.encode() + b"</Types>")


def add_rel(rel: str) -> Callable[[bytes], bytes]:
    return lambda data: (data or _EMPTY_RELS).replace(
        b"</Relationships>", rel.encode() + b"</Relationships>"
    )


_EMPTY_RELS = (
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b"</Relationships>"
)
_SHEET = "xl/worksheets/sheet1.xml"
_SHEET_RELS = "xl/worksheets/_rels/sheet1.xml.rels"
_WB_RELS = "xl/_rels/workbook.xml.rels"


def _footer(data: bytes) -> bytes:
    return data.replace(
        b"</worksheet>",
        b"<headerFooter><oddFooter>Confidential draft</oddFooter></headerFooter></worksheet>",
    )


def _threaded(path: Path) -> None:
    thread = (
        b'<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/'
        b'threadedcomments"><threadedComment ref="B3" dT="2026-01-01T00:00:00.00" '
        b'personId="{00000000-0000-0000-0000-000000000001}" '
        b'id="{00000000-0000-0000-0000-000000000002}"><text>Check this amount</text>'
        b"</threadedComment></ThreadedComments>"
    )
    patch(
        path,
        {
            _SHEET_RELS: add_rel(
                '<Relationship Id="rIdTc" Type="http://schemas.microsoft.com/office/2017/10/'
                'relationships/threadedComment" Target="../threadedComments/threadedComment1.xml"/>'
            ),
            "[Content_Types].xml": add_to_content_types(
                '<Override PartName="/xl/threadedComments/threadedComment1.xml" ContentType='
                '"application/vnd.ms-excel.threadedcomments+xml"/>'
            ),
        },
        {"xl/threadedComments/threadedComment1.xml": thread},
    )


def _workbook_part(
    name: str, rel_type: str, content_type: str, body: bytes
) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        patch(
            path,
            {
                _WB_RELS: add_rel(
                    f'<Relationship Id="rIdX{name}" Type="{rel_type}" Target="{name}"/>'
                ),
                "[Content_Types].xml": add_to_content_types(
                    f'<Override PartName="/xl/{name}" ContentType="{content_type}"/>'
                ),
            },
            {f"xl/{name}": body},
        )

    return apply


_xml_map = _workbook_part(
    "xmlMaps.xml",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/xmlMaps",
    "application/xml",
    b'<MapInfo xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'SelectionNamespaces=""><Schema ID="Schema1"/><Map ID="1" Name="Root_Map" '
    b'RootElement="Root" SchemaID="Schema1" ShowImportExportValidationErrors="false" '
    b'AutoFit="true" Append="false" PreserveSortAFLayout="true" PreserveFormat="true"/></MapInfo>',
)
_connection = _workbook_part(
    "connections.xml",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/connections",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml",
    b'<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<connection id="1" name="Sales" type="1" refreshedVersion="6" background="1">'
    b'<dbPr connection="DSN=Sales" command="SELECT * FROM sales"/></connection></connections>',
)


def _dynamic_array(path: Path) -> None:
    metadata = (
        b'<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
        b'<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" '
        b'copy="1" pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" '
        b'clearFormats="1" clearComments="1" assign="1" coerce="1" cellMeta="1"/>'
        b'</metadataTypes><futureMetadata name="XLDAPR" count="1"><bk><extLst><ext '
        b'uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}"><xda:dynamicArrayProperties '
        b'fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
        b'<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
    )
    spill = b'<c r="E2" cm="1"><f t="array" ref="E2:E6">SORT(B2:B6)</f><v>10</v></c>'
    patch(
        path,
        {
            _SHEET: lambda d: (
                d.replace(b'<c r="C2"', spill + b'<c r="C2"', 1) if b'<c r="E2"' not in d else d
            ),
            _WB_RELS: add_rel(
                '<Relationship Id="rIdMeta" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/sheetMetadata" Target="metadata.xml"/>'
            ),
            "[Content_Types].xml": add_to_content_types(
                '<Override PartName="/xl/metadata.xml" ContentType="application/vnd.openxml'
                'formats-officedocument.spreadsheetml.sheetMetadata+xml"/>'
            ),
        },
        {"xl/metadata.xml": metadata},
    )


def _reorder_spill(path: Path) -> None:
    # Cells of a row must be in column order: put the spill cell after D2 (there is none),
    # i.e. at the end of row 2.
    def fix(data: bytes) -> bytes:
        row = re.search(rb'<row r="2"[^>]*>.*?</row>', data, re.S)
        assert row is not None
        cells = row.group(0)
        spill = re.search(rb'<c r="E2".*?</c>', cells, re.S)
        assert spill is not None
        moved = cells.replace(spill.group(0), b"").replace(b"</row>", spill.group(0) + b"</row>")
        return data.replace(cells, moved)

    patch(path, {_SHEET: fix}, {})


def _dynamic(path: Path) -> None:
    _dynamic_array(path)
    _reorder_spill(path)


def _checkbox(path: Path) -> None:
    bag = (
        b'<FeaturePropertyBags xmlns="http://schemas.microsoft.com/office/spreadsheetml/2022/'
        b'featurepropertybag"><bag type="Checkbox"/><bag type="XFControls"><bagId k="CellControl">'
        b'0</bagId></bag><bag type="XFComplement"><bagId k="XFControls">1</bagId></bag>'
        b'<bag type="XFComplements" extRef="XFComplementsMapperExtRef">'
        b'<a k="MappedFeaturePropertyBags">'
        b"<bagId>2</bagId></a></bag></FeaturePropertyBags>"
    )

    def styles(data: bytes) -> bytes:
        xf = (
            b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"><extLst><ext '
            b'xmlns:xfpb="http://schemas.microsoft.com/office/spreadsheetml/2022/'
            b'featurepropertybag" '
            b'uri="{C7286773-470A-42A8-94C5-96B5CB345126}"><xfpb:xfComplement i="0"/></ext>'
            b"</extLst></xf></cellXfs>"
        )
        count = re.search(rb'<cellXfs count="(\d+)"', data)
        assert count is not None
        data = data.replace(b"</cellXfs>", xf, 1)
        return data.replace(count.group(0), b'<cellXfs count="%d"' % (int(count.group(1)) + 1))

    def sheet(data: bytes) -> bytes:
        with zipfile.ZipFile(path) as zf:
            xfs = int(re.search(rb'<cellXfs count="(\d+)"', zf.read("xl/styles.xml")).group(1))  # type: ignore[union-attr]
        return data.replace(b'<c r="A3" t="s">', b'<c r="A3" t="s" s="%d">' % xfs, 1)

    patch(path, {_SHEET: sheet}, {})
    patch(
        path,
        {
            "xl/styles.xml": styles,
            _WB_RELS: add_rel(
                '<Relationship Id="rIdFpb" Type="http://schemas.microsoft.com/office/2022/11/'
                'relationships/FeaturePropertyBag" '
                'Target="featurePropertyBag/featurePropertyBag.xml"/>'
            ),
            "[Content_Types].xml": add_to_content_types(
                '<Override PartName="/xl/featurePropertyBag/featurePropertyBag.xml" ContentType='
                '"application/vnd.ms-excel.featurepropertybag+xml"/>'
            ),
        },
        {"xl/featurePropertyBag/featurePropertyBag.xml": bag},
    )


def _image(path: Path) -> None:
    from openpyxl.drawing.image import Image
    from PIL import Image as Picture

    wb = openpyxl.load_workbook(path)
    picture = path.parent / "logo.png"
    Picture.new("RGB", (8, 8), "red").save(picture)
    wb["Notes"].add_image(Image(str(picture)), "D4")
    wb.save(path)
    as_excel(path)


# (what the tool must name, where, how the feature is put into the file)
DROPPED = {
    "footer": ("footer", "'Notes'", lambda p: patch(p, {_SHEET: _footer}, {})),
    "threaded comment": ("threaded comment", "'Notes'!B3", _threaded),
    "XML map": ("XML map", "", _xml_map),
    "data connection": ("connection", "", _connection),
    "dynamic array": ("dynamic-array", "'Notes'!E2", _dynamic),
    "checkbox": ("checkbox", "'Notes'!A3", _checkbox),
}


@pytest.mark.parametrize("case", sorted(DROPPED))
def test_content_the_save_would_drop_is_refused_naming_what_and_where(
    invoke: Callable[..., object], home: Path, case: str
) -> None:
    word, where, add = DROPPED[case]
    path = persons_workbook(home / "theirs.xlsx")
    add(path)
    before = digest(path)
    result = invoke("provision", "--workbook", str(path))
    out = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, out  # type: ignore[attr-defined]
    assert "was not saved" in out and word.lower() in out.lower(), out
    if where:
        assert where in out, out
    assert "Traceback" not in out
    assert digest(path) == before
    # check still reads it, and says why a sync would not save it
    checked = invoke("check", "--workbook", str(path))
    assert checked.exit_code in (0, 1), checked.output  # type: ignore[attr-defined]
    assert "would not save it" in checked.output  # type: ignore[attr-defined]
    assert digest(path) == before


def test_every_reason_is_listed_at_once(invoke: Callable[..., object], home: Path) -> None:
    path = persons_workbook(home / "theirs.xlsx")
    _xml_map(path)
    _threaded(path)
    patch(path, {_SHEET: _footer}, {})
    result = invoke("provision", "--workbook", str(path))
    out = result.output.lower()  # type: ignore[attr-defined]
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "xml map" in out and "threaded comment" in out and "footer" in out, out


def test_a_picture_openpyxl_keeps_stays_where_it_was(
    invoke: Callable[..., object], home: Path
) -> None:
    from sheets_sync.backends.xlsx_package import read_package

    path = persons_workbook(home / "theirs.xlsx")
    _image(path)
    result = invoke("provision", "--workbook", str(path))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert ("image", "D4") in read_package(str(path)).sheets["Notes"].drawings


def _background(path: Path) -> None:
    from tests.backends.test_xlsx import tiny_png

    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    patch(
        path,
        {
            _SHEET: lambda d: d.replace(
                b"</worksheet>", f'<picture xmlns:r="{rel}" r:id="rIdBg"/></worksheet>'.encode()
            ),
            _SHEET_RELS: add_rel(
                f'<Relationship Id="rIdBg" Type="{rel}/image" Target="../media/bg.png"/>'
            ),
            "[Content_Types].xml": add_to_content_types(
                '<Default Extension="png" ContentType="image/png"/>'
            ),
        },
        {"xl/media/bg.png": tiny_png()},
    )


def test_a_background_picture_is_refused_naming_its_tab(
    invoke: Callable[..., object], home: Path
) -> None:
    path = persons_workbook(home / "theirs.xlsx")
    _background(path)
    before = digest(path)
    result = invoke("provision", "--workbook", str(path))
    out = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, out  # type: ignore[attr-defined]
    error = out[out.index("Error:") :]
    assert "background" in error.lower() and "'Notes'" in error, error
    assert digest(path) == before


def test_formula_results_survive_every_save(invoke: Callable[..., object], home: Path) -> None:
    path = persons_workbook(home / "theirs.xlsx")
    assert invoke("provision", "--workbook", str(path)).exit_code == 0  # type: ignore[attr-defined]
    for _ in range(3):
        result = invoke("sync", "--workbook", str(path), "--as-of", AS_OF)
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        values = openpyxl.load_workbook(path, data_only=True)["Notes"]
        assert [values.cell(r, 3).value for r in range(2, 7)] == [20, 40, 60, 80, 100]
    # with nothing edited, a further sync changes nothing at all
    before = digest(path)
    again = invoke("sync", "--workbook", str(path), "--as-of", AS_OF, "--json")
    assert again.exit_code == 0  # type: ignore[attr-defined]
    assert '"cells_changed": 0' in again.output  # type: ignore[attr-defined]
    assert digest(path) == before


def test_formula_in_an_input_column_keeps_its_value_through_a_restoring_save(
    invoke: Callable[..., object], home: Path, clean_xlsx: Path
) -> None:
    """A KPI Log value typed as a formula: its result is read and kept, never uncalculated."""
    wb = openpyxl.load_workbook(clean_xlsx)
    log = wb["KPI Log"]
    value_col = next(c.column for c in log[1] if c.value == "Value")
    log.cell(2, value_col).value = "=40+2"
    log.freeze_panes = None  # the sync restores it, so it must save
    save_workbook(wb, clean_xlsx, {"KPI Log": {(1, value_col - 1): ("n", "42")}})
    as_excel(clean_xlsx)
    first = invoke("sync", "--workbook", str(clean_xlsx), "--as-of", AS_OF, "--json")
    assert first.exit_code == 0, first.output  # type: ignore[attr-defined]
    assert "VALUE-UNCALCULATED" not in first.output  # type: ignore[attr-defined]
    second = invoke("sync", "--workbook", str(clean_xlsx), "--as-of", AS_OF, "--json")
    assert '"cells_changed": 0' in second.output  # type: ignore[attr-defined]
    assert "VALUE-UNCALCULATED" not in second.output  # type: ignore[attr-defined]
    cached = openpyxl.load_workbook(clean_xlsx, data_only=True)["KPI Log"].cell(2, value_col)
    assert cached.value == 42


def test_output_stays_bounded_and_strings_shared(invoke: Callable[..., object], home: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Notes"
    big = "lorem ipsum dolor sit amet " * 800  # 21,600 characters
    for r in range(1, 1501):
        ws.cell(r, 1, big)
    path = home / "big.xlsx"
    save_workbook(wb, path, {})
    as_excel(path)
    size = path.stat().st_size
    result = invoke("provision", "--workbook", str(path))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    grown = path.stat().st_size
    assert grown <= OUTPUT_SIZE_FACTOR * size + OUTPUT_SIZE_ALLOWANCE + 200_000
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/sharedStrings.xml").file_size < len(big) * 2
    assert invoke("sync", "--workbook", str(path), "--as-of", AS_OF).exit_code == 0  # type: ignore[attr-defined]


def test_a_save_over_the_configured_limit_is_refused_before_writing(
    invoke: Callable[..., object], home: Path
) -> None:
    path = persons_workbook(home / "theirs.xlsx")
    config = write_config(
        home / "sheets-sync.toml", ("w", str(path)), extra="[xlsx]\nmax_file_mb = 1\n"
    )
    wb = openpyxl.load_workbook(path)
    for r in range(1, 40001):  # random text: it does not compress
        wb["Notes"].cell(r + 10, 5, secrets.token_hex(24))
    save_workbook(wb, path, {})
    as_excel(path)
    before = digest(path)
    result = invoke("provision", "--config", str(config))
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert "xlsx.max_file_mb" in result.output  # type: ignore[attr-defined]
    assert digest(path) == before


def _to_strict(data: bytes) -> bytes:
    for strict, ordinary in STRICT_NAMESPACES.items():
        data = data.replace(ordinary.encode(), strict.encode())
    return data


def test_strict_open_xml_is_read_and_never_emptied(
    invoke: Callable[..., object], home: Path, clean_xlsx: Path
) -> None:
    with zipfile.ZipFile(clean_xlsx) as zf:
        names = [n for n in zf.namelist() if n.endswith((".xml", ".rels"))]
    patch(clean_xlsx, {n: _to_strict for n in names}, {})
    as_excel(clean_xlsx)
    before = digest(clean_xlsx)
    checked = invoke("check", "--workbook", str(clean_xlsx), "--as-of", AS_OF)
    assert checked.exit_code == 0, checked.output  # type: ignore[attr-defined]
    assert "TABLE-MISSING-TAB" not in checked.output  # type: ignore[attr-defined]
    for command in ("provision", "sync"):
        result = invoke(command, "--workbook", str(clean_xlsx))
        out = result.output  # type: ignore[attr-defined]
        if result.exit_code != 0:  # type: ignore[attr-defined]
            assert "Strict Open XML" in out and "ordinary Excel Workbook" in out, out
        assert digest(clean_xlsx) == before


def _persons_issues(path: Path, name: str) -> None:
    wb = openpyxl.load_workbook(path)
    if "Issues" in wb.sheetnames:
        del wb["Issues"]
    ws = wb.create_sheet(name)
    ws.append(["Bug", "Status", "Owner"])
    for i in range(1, 31):
        ws.append([f"BUG-{i}", "open", "ana"])
    wb.save(path)
    as_excel(path)


@pytest.mark.parametrize("name", ["Issues", "issues", " ISSUES "])
def test_a_persons_issues_tab_is_never_taken_over(
    invoke: Callable[..., object], home: Path, clean_xlsx: Path, name: str
) -> None:
    _persons_issues(clean_xlsx, name)
    before = digest(clean_xlsx)
    plan = invoke("provision", "--workbook", str(clean_xlsx), "--dry-run")
    assert "not made by sheets-sync" in plan.output, plan.output  # type: ignore[attr-defined]
    assert "tabs.issues" in plan.output  # type: ignore[attr-defined]
    for command in ("provision", "sync"):
        result = invoke(command, "--workbook", str(clean_xlsx))
        assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
        assert "tabs.issues" in result.output  # type: ignore[attr-defined]
        assert digest(clean_xlsx) == before
    # configured another name, the generated tab goes there and the person's tab stays
    config = write_config(
        home / "sheets-sync.toml", ("w", str(clean_xlsx)), extra='[tabs]\nissues = "Sync issues"\n'
    )
    assert invoke("sync", "--config", str(config), "--as-of", AS_OF).exit_code == 0  # type: ignore[attr-defined]
    wb = openpyxl.load_workbook(clean_xlsx)
    theirs = wb[name]
    assert [c.value for c in theirs[1]] == ["Bug", "Status", "Owner"]
    assert theirs.max_row == 31 and theirs["A31"].value == "BUG-30"
    assert [c.value for c in wb["Sync issues"][1]][:2] == ["Severity", "Rule"]


def test_a_workbook_provisioned_before_marks_keeps_its_issues_tab(
    invoke: Callable[..., object], clean_xlsx: Path
) -> None:
    wb = openpyxl.load_workbook(clean_xlsx)
    props = wb.custom_doc_props
    props.props = [p for p in props.props if p.name != "sheets_sync.generated"]
    wb.save(clean_xlsx)
    result = invoke("sync", "--workbook", str(clean_xlsx), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    marks = {p.name: p.value for p in openpyxl.load_workbook(clean_xlsx).custom_doc_props.props}
    assert "Issues" in marks["sheets_sync.generated"]


def _ole(path: Path, encrypted: bool) -> None:
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    body += ("EncryptionInfo" if encrypted else "Workbook").encode("utf-16-le") + b"\0" * 512
    path.write_bytes(body)


MESSAGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "password": (lambda p: _ole(p, True), "remove the password"),
    "xls": (lambda p: _ole(p, False), "save it as an Excel Workbook (.xlsx)"),
    "ods": (
        lambda p: _zip(p, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        "OpenDocument",
    ),
    "xlsb": (
        lambda p: _zip(p, {"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0"}),
        ".xlsb",
    ),
    "csv": (lambda p: p.write_text("a,b\n1,2\n"), "not an .xlsx workbook"),
}


def _zip(path: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


@pytest.mark.parametrize("case", sorted(MESSAGES))
def test_files_that_are_not_xlsx_say_what_to_do(
    invoke: Callable[..., object], home: Path, case: str
) -> None:
    make, expected = MESSAGES[case]
    path = home / "file.xlsx"
    make(path)
    for command in ("check", "provision", "sync"):
        result = invoke(command, "--workbook", str(path))
        assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
        assert expected in result.output, result.output  # type: ignore[attr-defined]
        assert "Traceback" not in result.output  # type: ignore[attr-defined]
        assert "zip file" not in result.output.replace("not a zip package", "")  # type: ignore[attr-defined]


def test_a_declared_but_missing_shared_strings_part_is_read_as_excel_does(
    invoke: Callable[..., object], home: Path
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Item", "Amount"])
    ws.append(["pens", 3])
    path = home / "theirs.xlsx"
    wb.save(path)  # openpyxl writes inline strings and no shared-string part
    patch(
        path,
        {
            "[Content_Types].xml": add_to_content_types(
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            )
        },
        {},
    )
    result = invoke("check", "--workbook", str(path), "--as-of", AS_OF)
    assert result.exit_code in (0, 1), result.output  # type: ignore[attr-defined]
    assert "KeyError" not in result.output and "Traceback" not in result.output  # type: ignore[attr-defined]
    assert "not a readable" not in result.output  # type: ignore[attr-defined]
