"""The package reader and the loss comparison: hand-built packages and openpyxl round trips."""

from __future__ import annotations

import gc
import io
import re
import zipfile
from collections.abc import Callable

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from sheets_sync.backends.base import CellError
from sheets_sync.backends.xlsx_loss import HARMLESS_PARTS, Loss, compare, describe, is_harmless
from sheets_sync.backends.xlsx_package import CellInfo, DateText, PackageError, read_package

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
FPB = "http://schemas.microsoft.com/office/spreadsheetml/2022/featurepropertybag"
X14 = 'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"'
XM = 'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"'
XDR = 'xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a="a"'
Rels = list[tuple[str, str, str]]


def zip_bytes(parts: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return buf.getvalue()


def rels_xml(rels: Rels) -> str:
    external = ' TargetMode="External"'
    items = "".join(
        f'<Relationship Id="{rid}" Type="{kind if "/" in kind else f"{REL}/{kind}"}" '
        f'Target="{target}"{external if target.startswith("http") else ""}/>'
        for rid, kind, target in rels
    )
    ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    return f'<Relationships xmlns="{ns}">{items}</Relationships>'


def book(
    *sheets: str, titles: tuple[str, ...] = (), sst: str | None = None, styles: str = "",
    names: str = "", wb_rels: Rels | None = None,
    parts: dict[str, str | bytes] | None = None, types: dict[str, str] | None = None,
) -> bytes:
    """A package of worksheets (their inner XML), named S1, S2 ... unless ``titles`` says."""
    overrides = {f"xl/worksheets/sheet{i}.xml": f"{CT}.worksheet+xml" for i in range(1, 4)}
    overrides |= {"xl/workbook.xml": f"{CT}.sheet.main+xml"} | (types or {})
    listed = "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in overrides.items())
    out: dict[str, str | bytes] = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f"{listed}</Types>",
        "_rels/.rels": rels_xml([("rId1", "officeDocument", "xl/workbook.xml")]),
    }
    titles = titles or tuple(f"S{i}" for i in range(1, len(sheets) + 1))
    tabs = "".join(f'<sheet name="{t}" sheetId="{i}" r:id="rS{i}"/>' for i, t in enumerate(titles))
    out["xl/workbook.xml"] = f"<workbook {NS} {R_NS}><sheets>{tabs}</sheets>{names}</workbook>"
    links = [(f"rS{i}", "worksheet", f"worksheets/sheet{i + 1}.xml") for i in range(len(sheets))]
    if sst is not None:
        out["xl/sharedStrings.xml"] = f"<sst {NS}>{sst}</sst>"
        links.append(("rSst", "sharedStrings", "sharedStrings.xml"))
    if styles:
        out["xl/styles.xml"] = f"<styleSheet {NS}>{styles}</styleSheet>"
        links.append(("rSty", "styles", "styles.xml"))
    out["xl/_rels/workbook.xml.rels"] = rels_xml(links + (wb_rels or []))
    for i, body in enumerate(sheets, start=1):
        out[f"xl/worksheets/sheet{i}.xml"] = f"<worksheet {NS} {R_NS}>{body}</worksheet>"
    return zip_bytes(out | (parts or {}))


def rewrite(data: bytes, part: str, change: Callable[[str], str]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts: dict[str, str | bytes] = {n: zf.read(n) for n in zf.namelist()}
    parts[part] = change(bytes(parts[part]).decode())
    return zip_bytes(parts)


def saved(wb: openpyxl.Workbook | bytes) -> bytes:
    """The workbook saved by openpyxl; a package is first loaded by openpyxl."""
    buf = io.BytesIO()
    (openpyxl.load_workbook(io.BytesIO(wb)) if isinstance(wb, bytes) else wb).save(buf)
    return buf.getvalue()


def rows(*cells: str) -> str:
    return "<sheetData>" + "".join(f"<row>{c}</row>" for c in cells) + "</sheetData>"


def test_values_of_every_cell_type() -> None:
    sst = '<si><t>plain</t></si><si><r><rPr><b/></rPr><t>bo</t></r><r><t>ld</t></r></si>'
    sst += "<si><t>a_x000D_b</t><rPh><t>phonetic</t></rPh></si>"
    sheet = rows(
        '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>',
        '<c r="A2"><v>1.5</v></c><c r="B2" t="b"><v>1</v></c><c r="C2" t="e"><v>#N/A</v></c>'
        '<c r="D2" t="d"><v>2024-03-01T00:00:00</v></c><c r="E2" t="str"><v>text</v></c>'
        '<c r="F2" t="inlineStr"><is><r><rPr><i/></rPr><t>in</t></r><r><t>line</t></r></is></c>'
        '<c r="G2" s="1"/><c r="H2" t="inlineStr"><is><t/></is></c>',
    )
    sheet1 = read_package(book(sheet, sst=sst)).sheets["S1"]
    values = {pos: cell.value for pos, cell in sheet1.cells.items()}
    assert values == {(0, 0): "plain", (0, 1): "bold", (0, 2): "a\rb", (1, 0): 1.5, (1, 1): 1} | {
        (1, 2): CellError("#N/A"), (1, 3): "2024-03-01T00:00:00", (1, 4): "text", (1, 5): "inline"
    }
    assert values[(1, 1)] is True
    assert isinstance(values[(1, 3)], DateText)
    assert sheet1.cell_marks["rich text"] == {(0, 1), (1, 5)}


def test_formulas_cached_values_and_kinds() -> None:
    sheet = rows(
        '<c r="A1"><f>SUM( B1 , "a b" )</f><v>3</v></c><c r="B1"><f>B2</f></c>'
        '<c r="C1" t="str"><f>""</f><v></v></c><c r="D1"><f>X1</f><v></v></c>'
        '<c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        '<c r="A2"><f t="shared" ref="A2:A4" si="0">B2*2</f><v>4</v></c>'
        '<c r="B2"><f t="array" ref="B2:B3">SEQUENCE(2)</f><v>1</v></c>'
        '<c r="C2"><f t="dataTable" ref="C2:C3" dt2D="0" dtr="1" r1="A1"/><v>7</v></c>',
        '<c r="A3"><f t="shared" si="0"/><v>6</v></c>',
    )
    cells = read_package(book(sheet)).sheets["S1"].cells
    assert cells[(0, 0)] == CellInfo(3.0, 'SUM(B1,"a b")')
    assert cells[(0, 1)] == CellInfo(None, "B2")
    assert cells[(0, 2)].value == ""  # calculated to empty text
    assert cells[(0, 3)].value is None
    assert cells[(0, 4)].value == CellError("#DIV/0!")
    assert cells[(1, 0)] == CellInfo(4.0, "B2*2", "shared")
    assert cells[(1, 1)] == CellInfo(1.0, "SEQUENCE(2)", "array")
    assert cells[(1, 2)].kind == "dataTable"
    assert cells[(2, 0)] == CellInfo(6.0, "<shared>", "shared")


def test_odd_but_valid_packages() -> None:
    sheet = '<sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row r="5"><c><v>3</v></c>'
    sheet += '<c r="D5"><v>4</v></c><c><v>5</v></c></row><row><c><v>6</v></c></row></sheetData>'
    found = {p: c.value for p, c in read_package(book(sheet)).sheets["S1"].cells.items()}
    assert found == {(0, 0): 1, (0, 1): 2, (4, 0): 3, (4, 3): 4, (4, 4): 5, (5, 0): 6}
    # prefixed tags, absolute relationship targets, part names in another case
    data = book("", sst="<si><t>x</t></si>")
    data = rewrite(data, "xl/worksheets/sheet1.xml", lambda _: (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:sheetData><x:row r="1"><x:c r="B1" t="s"><x:v>0</x:v></x:c></x:row></x:sheetData>'
        '<x:mergeCells><x:mergeCell ref="$A$1:$B$2"/></x:mergeCells></x:worksheet>'
    ))  # fmt: skip
    data = rewrite(data, "xl/_rels/workbook.xml.rels", lambda text: text.replace(
        'Target="worksheets/sheet1.xml"', 'Target="/XL/Worksheets/Sheet1.xml"'
    ).replace('Target="sharedStrings.xml"', 'Target="/xl/sharedStrings.xml"'))  # fmt: skip
    odd = read_package(data).sheets["S1"]
    assert odd.cells[(0, 1)].value == "x"
    assert odd.merged == {"A1:B2"}
    # Strict Open XML
    strict = "http://purl.oclc.org/ooxml/spreadsheetml/main"
    data = book(rows('<c r="A1" t="b"><v>0</v></c><c r="B1"><f>A1</f><v>0</v></c>'))
    for part in ("xl/workbook.xml", "xl/worksheets/sheet1.xml"):
        data = rewrite(data, part, lambda t: t.replace(NS[7:-1], strict).replace(
            REL, "http://purl.oclc.org/ooxml/officeDocument/relationships"
        ))  # fmt: skip
    package = read_package(data)
    assert package.strict
    assert package.sheets["S1"].cells[(0, 0)].value is False
    assert not read_package(book("")).strict


def test_missing_shared_strings_and_damaged_packages() -> None:
    assert read_package(book(rows('<c t="inlineStr"><is><t>x</t></is></c>'))).sheets["S1"].cells
    with pytest.raises(PackageError):
        read_package(b"not a zip")
    with pytest.raises(PackageError, match="shared string"):
        read_package(book(rows('<c t="s"><v>3</v></c>')))
    with pytest.raises(PackageError, match="well-formed"):
        read_package(book("<sheetData><row>"))
    assert read_package(book(rows("<c><v>1</v></c>")), cells=False).sheets["S1"].cells == {}
    assert gc.isenabled()  # the reader pauses the cycle collector, and always resumes it


EXTENSIONS = (
    f'<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" {X14} {XM}><x14:dataValidations>'
    '<x14:dataValidation type="list"><x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1>'
    "<xm:sqref>E1:E5</xm:sqref></x14:dataValidation></x14:dataValidations></ext>"
    f'<ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" {X14} {XM}><x14:conditionalFormattings>'
    '<x14:conditionalFormatting><x14:cfRule type="dataBar" id="{1}"><x14:dataBar minLength="0">'
    '<x14:cfvo type="autoMin"/></x14:dataBar></x14:cfRule><xm:sqref>F1:F9</xm:sqref>'
    "</x14:conditionalFormatting></x14:conditionalFormattings></ext>"
    f'<ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" {X14}><x14:sparklineGroups>'
    "<x14:sparklineGroup/><x14:sparklineGroup/></x14:sparklineGroups></ext>"
    '<ext uri="{x}"><unknown/></ext></extLst>'
)
SECTIONS = (
    '<sheetPr><tabColor rgb="FF0000"/><pageSetUpPr fitToPage="1"/></sheetPr><sheetData><row r="1">'
    '<c r="A1"><v>1</v></c><c r="B1" s="1" t="b"><v>1</v></c><c r="C1" cm="1"><f t="array" '
    'ref="C1:C2">SEQUENCE(2)</f><v>1</v></c><c r="D1" t="e" vm="1"><v>#VALUE!</v></c></row>'
    '<row r="2"><c r="B2" s="1"/><c r="C2"><v>2</v></c></row></sheetData><sheetProtection '
    'sheet="1"/><autoFilter ref="A1:C3"/><mergeCells><mergeCell ref="A1:b2"/><mergeCell '
    'ref="D4:D4"/></mergeCells><conditionalFormatting sqref="B1:B5 A1:A5"><cfRule type="cellIs" '
    'priority="1" operator="greaterThan"><formula>5</formula></cfRule><cfRule type="colorScale" '
    'priority="2"><colorScale><cfvo type="min"/><cfvo type="max"/><color rgb="FFFF0000"/>'
    '<color rgb="FF00FF00"/></colorScale></cfRule></conditionalFormatting><dataValidations>'
    '<dataValidation type="list" sqref="$C$1:$C$9"><formula1>"a, b"</formula1></dataValidation>'
    '</dataValidations><hyperlinks><hyperlink ref="A1" r:id="rL"/><hyperlink ref="B1:B2" '
    'location="S1!A9"/></hyperlinks><printOptions gridLines="1" headings="0"/><pageMargins '
    'left="0.70" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/><pageSetup '
    'orientation="landscape" scale="100" r:id="rP"/><headerFooter differentFirst="1"><oddHeader>'
    "&amp;CT</oddHeader><oddFooter>Page &amp;P</oddFooter><evenFooter> </evenFooter>"
    '</headerFooter><rowBreaks><brk id="20" man="1"/><brk id="10" man="1"/></rowBreaks>'
    '<drawing r:id="rD"/><legacyDrawing r:id="rV"/><picture r:id="rB"/><tableParts count="1">'
    f'<tablePart r:id="rTb"/></tableParts>{EXTENSIONS}'
)
ANCHOR = "<xdr:from><xdr:col>{}</xdr:col><xdr:row>{}</xdr:row></xdr:from>"
DRAWING = (
    f"<xdr:wsDr {XDR}><xdr:twoCellAnchor>{ANCHOR.format(2, 3)}<xdr:pic/></xdr:twoCellAnchor>"
    f"<xdr:oneCellAnchor>{ANCHOR.format(0, 9)}<xdr:graphicFrame><a:graphic><a:graphicData "
    'uri="http://schemas.openxmlformats.org/drawingml/2006/chart"/></a:graphic></xdr:graphicFrame>'
    f"</xdr:oneCellAnchor><xdr:twoCellAnchor>{ANCHOR.format(1, 1)}<xdr:sp><xdr:nvSpPr><xdr:cNvSpPr"
    ' txBox="1"/></xdr:nvSpPr></xdr:sp></xdr:twoCellAnchor><xdr:absoluteAnchor><xdr:sp/>'
    "</xdr:absoluteAnchor></xdr:wsDr>"
)
PARTS = {
    "xl/comments1.xml": f"<comments {NS}><authors><author>me</author></authors><commentList>"
    "<comment ref='B2' authorId='0'><text><r><rPr><b/></rPr><t>me:</t></r><r><t>\nhi</t></r>"
    "</text></comment></commentList></comments>",
    "xl/threadedComments/tc1.xml": '<ThreadedComments xmlns="http://schemas.microsoft.com/office/'
    'spreadsheetml/2018/threadedcomments"><threadedComment ref="B2" id="{1}"><text>Why?</text>'
    '</threadedComment><threadedComment ref="B2" id="{2}" parentId="{1}"><text>Because.</text>'
    "</threadedComment></ThreadedComments>",
    "xl/tables/table1.xml": f'<table {NS} id="1" name="T" displayName="Sales" ref="A1:C$9">'
    '<tableColumns count="3"><tableColumn id="1" name="c1"/><tableColumn id="2" name="c2"/>'
    '<tableColumn id="3" name="c3"/></tableColumns></table>',
    "xl/featurePropertyBag/featurePropertyBag.xml": f'<FeaturePropertyBags xmlns="{FPB}"><bag '
    'type="Checkbox"/><bag type="XFControls"><bagId k="CellControl">0</bagId></bag><bag '
    'type="XFComplement"><bagId k="XFControls">1</bagId></bag><bag type="XFComplements" '
    'extRef="XFComplementsMapperExtRef"><a k="MappedFeaturePropertyBags"><bagId>2</bagId></a>'
    "</bag></FeaturePropertyBags>",
    "xl/metadata.xml": f'<metadata {NS}><metadataTypes count="1"><metadataType name="XLDAPR"/>'
    '</metadataTypes><futureMetadata name="XLDAPR"><bk/></futureMetadata><cellMetadata count="1">'
    '<bk><rc t="1" v="0"/></bk></cellMetadata></metadata>',
    "xl/drawings/d1.xml": DRAWING, "xl/drawings/v.vml": "<xml/>",
    "xl/media/image1.png": b"\x89PNG", "xl/xmlMaps.xml": f"<MapInfo {NS}/>",
    "docProps/app.xml": "<Properties><Application>Excel</Application></Properties>",
}
TYPES = {
    "xl/xmlMaps.xml": f"{CT}.xmlMaps+xml",
    "xl/tables/table1.xml": f"{CT}.table+xml",
    "xl/threadedComments/tc1.xml": "application/vnd.ms-excel.threadedcomments+xml",
    "xl/featurePropertyBag/featurePropertyBag.xml": "application/vnd.ms-excel.featurepropertybag"
    "+xml",
    "xl/metadata.xml": f"{CT}.sheetMetadata+xml",
}
STYLES = (
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="0"><extLst><ext '
    f'uri="{{C7286773-470A-42A8-94C5-96B5CB345126}}" xmlns:xfpb="{FPB}"><xfpb:xfComplement i="0"/>'
    "</ext></extLst></xf></cellXfs>"
)


def rich_book() -> bytes:
    """Most features a sheet can hold, on S1; S2 scopes a defined name."""
    threaded = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
    bag = "http://schemas.microsoft.com/office/2022/11/relationships/FeaturePropertyBag"
    return book(
        SECTIONS, "", styles=STYLES, types=TYPES,
        names='<definedNames><definedName name="Rate">S1!$A$1</definedName><definedName '
        'name="_xlnm.Print_Area" localSheetId="1">S2!$A$1:$B$2</definedName></definedNames>',
        parts=PARTS | {"xl/worksheets/_rels/sheet1.xml.rels": rels_xml([
            ("rC", "comments", "../comments1.xml"), ("rV", "vmlDrawing", "../drawings/v.vml"),
            ("rT", threaded, "../threadedComments/tc1.xml"), ("rB", "image", "../media/image1.png"),
            ("rTb", "table", "/xl/tables/table1.xml"), ("rD", "drawing", "../drawings/d1.xml"),
            ("rL", "hyperlink", "https://example.com/"),
        ])},
        wb_rels=[("rF", bag, "featurePropertyBag/featurePropertyBag.xml"),
                 ("rM", "sheetMetadata", "metadata.xml")],
    )  # fmt: skip


def test_rich_sheet() -> None:
    package = read_package(rich_book())
    s = package.sheets["S1"]
    assert s.merged == {"A1:B2", "D4"}
    scale = "colorScale[](cfvo[type=min]() cfvo[type=max]() color[rgb=FFFF0000]() "
    assert s.conditional_formats == {
        ("A1:A5 B1:B5", "cellIs", "greaterThan", "5"),
        ("A1:A5 B1:B5", "colorScale", "", scale + "color[rgb=FF00FF00]())"),
        ("F1:F9", "x14:dataBar", "", "dataBar[minLength=0](cfvo[type=autoMin]())"),
    }
    assert s.validations == {
        ("C1:C9", "list", "between", '"a, b"', ""),
        ("E1:E5", "list", "between", "Lists!$A$1:$A$3", ""),
    }
    assert s.hyperlinks == {"A1": "https://example.com/", "B1": "#S1!A9", "B2": "#S1!A9"}
    assert s.print_settings["pageMargins.left"] == "0.7"  # "0.70" and "0.7" are one margin
    assert {k: v for k, v in s.print_settings.items() if "Margins" not in k} == {
        "pageSetUpPr.fitToPage": "1", "printOptions.gridLines": "1",
        "pageSetup.orientation": "landscape", "rowBreaks": "10,20",
    }  # fmt: skip
    assert s.header_footer == {"differentFirst": "1", "oddHeader": "&CT", "oddFooter": "Page &P"}
    assert s.other == {
        "tab color": 1, "protection": 1, "autofilter": 1, "sparkline group": 2, "x14 extension": 1,
        "dynamic-array formula": 1, "value metadata": 1, "cell checkbox": 2,
    }  # fmt: skip
    assert s.comments == {"B2": "me:\nhi"}
    assert s.threaded_comments == {"B2": "Why?\nBecause."}
    assert s.tables == {"Sales": "A1:C9"}
    assert sorted(s.drawings) == [
        ("background image", ""), ("chart", "A10"), ("image", "C4"), ("shape", ""),
        ("text box", "B2"),
    ]  # fmt: skip
    assert "xl/tables/table1.xml" in s.related_parts
    assert package.defined_names == {
        ("Rate", "", "S1!$A$1"), ("_xlnm.Print_Area", "S2", "S2!$A$1:$B$2"),
    }  # fmt: skip
    assert package.parts["xl/xmlMaps.xml"] == f"{CT}.xmlMaps+xml"
    assert package.parts["xl/media/image1.png"] == ""  # no Default for png: unlisted
    assert package.app == "Excel"
    assert s.cell_marks["cell checkbox"] == {(0, 1), (1, 1)}
    assert s.cells[(0, 2)].dynamic and s.cells[(0, 3)].value_meta



def feature_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet 1"
    for row in ["Name", "n", "Flag", "F"], ["a", 1.5, True, "=B2*2"], ["b", 0.1 + 0.2, False, "=1"]:
        ws.append(row)
    ws["E2"] = "#N/A"
    ws.merge_cells("A5:B6")
    ws["A8"].comment = Comment("a note", "me")
    ws["A9"].hyperlink = "https://example.com/x"
    ws["A10"].hyperlink = "#'Sheet 1'!A1"
    dv = DataValidation(type="list", formula1='"x,y"')
    dv.add("C2:C20")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add("B2:B9", CellIsRule(operator="greaterThan", formula=["1"]))
    ws.conditional_formatting.add("A2:A9", FormulaRule(formula=['$A2="a"']))
    ws.add_table(Table(displayName="Data", ref="A1:D3"))
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddHeader.left.text = "Confidential"
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"
    ws.protection.sheet = True
    wb.create_sheet("Other")["A1"] = "=\"x\"&'Sheet 1'!A2"
    wb.defined_names["Rate"] = DefinedName("Rate", attr_text="Other!$A$1")
    return saved(wb)


def test_openpyxl_round_trip_loses_nothing() -> None:
    data = feature_workbook()
    again = saved(data)
    before, after = read_package(data), read_package(again)
    assert before.sheets["Sheet 1"].merged == {"A5:B6"}
    assert compare(before, after) == []
    assert compare(after, read_package(saved(again))) == []


def test_each_removed_feature_is_named_where_it_was() -> None:
    data = feature_workbook()
    cases: list[tuple[Callable[[str], str], Loss]] = [
        (lambda t: re.sub('<mergeCell ref="A5:B6" ?/>', "", t),
         Loss("merged cells", "'Sheet 1'!A5:B6")),
        (lambda t: re.sub(r"<oddFooter>.*?</oddFooter>", "", t),
         Loss("page footer", "'Sheet 1'", "oddFooter: &CPage &P of &N -> none")),
        (lambda t: re.sub(r'<c r="C2".*?</c>', "", t),
         Loss("cell value", "'Sheet 1'!C2", "TRUE -> blank")),
        (lambda t: re.sub(r'<hyperlink [^>]*ref="A9"[^>]*>', "", t),
         Loss("hyperlink", "'Sheet 1'!A9", "https://example.com/x")),
        (lambda t: t.replace('orientation="landscape"', ""),
         Loss("page setup", "'Sheet 1'", "pageSetup.orientation: landscape -> default")),
    ]  # fmt: skip
    for change, loss in cases:
        after = read_package(rewrite(data, "xl/worksheets/sheet1.xml", change))
        assert compare(read_package(data), after) == [loss]


def test_formula_results_and_changed_cells() -> None:
    kpis = book(rows("", "", "", '<c r="M4"><f>SUM(A1:A3)</f><v>12</v></c>'), titles=("KPIs",))
    stripped = rewrite(kpis, "xl/worksheets/sheet1.xml", lambda t: t.replace("<v>12</v>", ""))
    before, after = read_package(kpis), read_package(stripped)
    assert [str(loss) for loss in compare(before, after)] == [
        "formula result at 'KPIs'!M4 (12 -> blank)"
    ]
    assert compare(before, after, changed=[("KPIs", 3, 12)]) == []
    assert compare(before, after, allow=lambda loss: loss.what == "formula result") == []


CELL_CASES = [
    ('<c r="A1"><f t="shared" si="0" ref="A1:A2">B1</f></c><c r="A2"><f t="shared" si="0"/></c>',
     '<c r="A1"><f>B1</f></c><c r="A2"><f>B2</f></c>', None),
    ('<c r="A1" t="str"><v></v></c><c r="B1"><v>0.30000000000000004</v></c>',
     '<c r="B1"><v>0.3000000000000001</v></c>', None),
    ('<c r="A1" t="d"><v>2024-03-01T12:00:00</v></c>', '<c r="A1"><v>45352.5</v></c>', None),
    ('<c r="A1"><f>1 + 1</f></c>', '<c r="A1"><f>1+1</f><v>2</v></c>', None),
    ('<c r="A1"><f t="array" ref="A1">X()</f></c>', '<c r="A1"><f>X()</f></c>', "array formula"),
    ('<c r="A1"><v>1</v></c>', '<c r="A1" t="b"><v>1</v></c>', "cell value"),
    ('<c r="A1"><v>1</v></c>', '<c r="A1"><f>1</f><v>1</v></c>', "cell value"),
    ('<c r="A1"><v>1</v></c>', '<c r="A1"><v>1.0000000001</v></c>', "cell value"),
    ('<c r="A1"><f>A2</f></c>', '<c r="A1"><v>1</v></c>', "formula"),
    ('<c r="A1"><f>A2</f></c>', '<c r="A1"><f>A3</f></c>', "formula"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "what"), CELL_CASES)
def test_cell_comparison(old: str, new: str, what: str | None) -> None:
    losses = compare(read_package(book(rows(old))), read_package(book(rows(new))))
    assert [(loss.what, loss.where) for loss in losses] == ([(what, "'S1'!A1")] if what else [])


def test_what_openpyxl_drops_is_named() -> None:
    rich = rich_book()
    losses = compare(read_package(rich), read_package(saved(rich)))
    assert {(loss.what, loss.where) for loss in losses} >= {
        ("cell checkbox", "'S1'!B1"), ("cell checkbox", "'S1'!B2"),
        ("dynamic-array formula", "'S1'!C1"), ("picture or data type in cell", "'S1'!D1"),
        ("cell checkbox definitions", ""), ("cell metadata", ""),
        ("data validation", "'S1'!E1:E5"), ("conditional format", "'S1'!F1:F9"),
        ("sparkline group", "'S1'"), ("x14 extension", "'S1'"),
        ("threaded comment", "'S1'!B2"), ("text box", "'S1'!B2"), ("shape", "'S1'"),
        ("background image", "'S1'"), ("XML map", ""),
    }  # fmt: skip


def test_parts_matched_by_kind() -> None:
    # Excel lists an XML map as plain application/xml: its relationship says what it is
    maps = {"xl/xmlMaps.xml": f"<MapInfo {NS}/>", "xl/connections.xml": f"<connections {NS}/>"}
    types, rel = {"xl/connections.xml": f"{CT}.connections+xml"}, [("x", "xmlMaps", "xmlMaps.xml")]
    maps |= {"xl/calcChain.xml": "<calcChain/>", "xl/printerSettings/p1.bin": b"\0"}  # harmless
    before = read_package(book("", parts=maps, types=types, wb_rels=rel))
    assert [(loss.what, loss.where) for loss in compare(before, read_package(book("")))] == [
        ("XML map", ""), ("data connection", ""),
    ]  # fmt: skip
    renamed = {"xl/maps/m.xml": maps["xl/xmlMaps.xml"], "xl/connections.xml": "<x/>"}
    moved = book("", parts=renamed, types=types, wb_rels=[("x", "xmlMaps", "maps/m.xml")])
    assert compare(before, read_package(moved)) == []
    harmless = ("xl/calcChain.xml", "xl/printerSettings/p9.bin", "xl/_rels/a.rels", "[trash]/0.dat")
    assert all(is_harmless(part) for part in harmless) and "xl/calcChain.xml" in HARMLESS_PARTS
    assert is_harmless("customXml/item1.xml") is None and is_harmless("t/0.dat") is None


def test_sheets_names_and_added_sheets() -> None:
    names = '<definedNames><definedName name="Rate">S1!$A$1</definedName></definedNames>'
    two, one = book("", "", names=names), book("", names=names.replace("$A$1", "$B$1"))
    assert [str(loss) for loss in compare(read_package(two), read_package(one))] == [
        "sheet 'S2'", "defined name (Rate: S1!$A$1 -> S1!$B$1)",
    ]  # fmt: skip
    pivot = {"xl/pivot1.xml": "<pivotTableDefinition/>"}
    types = {"xl/pivot1.xml": f"{CT}.pivotTable+xml"}
    rels = rels_xml([("r", "pivotTable", "../pivot1.xml")])
    with_pivot = book("", parts={"xl/worksheets/_rels/sheet1.xml.rels": rels} | pivot, types=types)
    moved = book("", "", parts={"xl/worksheets/_rels/sheet2.xml.rels": rels} | pivot, types=types)
    before, after = read_package(with_pivot), read_package(moved)
    assert [str(loss) for loss in compare(before, after)] == ["pivot table in 'S1'"]
    losses = compare(before, after, added_sheets={"S2"})
    assert [str(loss) for loss in losses][1] == "pivot table (1 -> 0: xl/pivot1.xml)"


def test_describe_and_str() -> None:
    losses = [Loss("formula result", f"'K'!M{i}", "1 -> blank") for i in range(1, 6)]
    losses += [Loss("XML map", "", "2 -> 0: xl/xmlMaps.xml"), Loss("sheet", "'Old'")]
    assert describe(losses) == (
        "Saving would lose formula result at 'K'!M1, 'K'!M2, 'K'!M3 and 2 more; "
        "XML map (2 -> 0: xl/xmlMaps.xml); sheet 'Old'."
    )
    assert describe([]) == "Saving loses nothing."
    assert str(Loss("protection", "'S'")) == "protection in 'S'"


# openpyxl rounds the largest doubles up to infinity, and makes "=..." and "#..." text
# formulas and errors
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
_NUMBER = st.floats(-1e300, 1e300) | st.integers(-(10**12), 10**12).map(float)
_CELL = st.none() | st.booleans() | _NUMBER | _TEXT.filter(lambda s: s[0] not in "=#")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_CELL, min_size=1, max_size=6), min_size=1, max_size=6))
def test_read_package_sees_what_openpyxl_wrote(grid: list[list[object]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in grid:
        ws.append(row)
    got = {pos: cell.value for pos, cell in read_package(saved(wb)).sheets[ws.title].cells.items()}
    expected = {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row) if v is not None}
    assert got.keys() == expected.keys()
    for pos, value in expected.items():
        # openpyxl writes 16 significant digits, so the 17th may differ
        close = isinstance(value, float) and abs(float(str(got[pos])) - value) <= 1e-15 * abs(value)
        assert type(got[pos]) is type(value) and (got[pos] == value or close), (value, got[pos])
