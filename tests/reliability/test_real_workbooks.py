"""Real workbooks: sheets-sync over 500+ files Excel, LibreOffice, Google Sheets and others saved.

The corpus and its harness are described in tests/reliability/real_workbooks.py; where the
files come from, under which licences, in tests/data/real_workbooks/SOURCES.md. ``make test``
runs a fixed subset of 49 files chosen to cover every feature and every saving program
of the corpus; ``make reliability`` (SHEETS_SYNC_RELIABILITY=full) runs all of them and keeps
the figures. Either way: no traceback from ``check``, ``provision`` or ``sync``; a workbook is
either accepted or refused with a reason, and a refusal changes nothing; an accepted workbook
loses nothing of its own sheets, a second sync changes no byte, and the file grows within
the documented bound.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.reliability.figures import FULL, record
from tests.reliability.real_workbooks import (
    CORPUS,
    LICENCES,
    MANIFEST,
    SUFFIXES,
    CorpusFigures,
    corpus_files,
    corpus_path,
    losses_between,
    manifest_rows,
    refusal_reason,
    run_corpus,
)

SUITE = "real_workbooks"
#: A feature-diverse subset for make test: each file brings something the others lack
#: (a feature of its parts or sheets, or the program that saved it).
FAST_SUBSET = (
    "poi/test-data__spreadsheet__56644.xlsx",  # comments, images, x14 validations, protection
    "poi/test-data__openxml4j__64473.xlsx",  # dynamic arrays, external links, Unicode names
    "excelize/test__Book1.xlsx",  # Mac Excel: tables, charts, links, background picture
    "excelize/test__encryptAES.xlsx",  # encrypted with a password
    "excelize/test__BadWorkbook.xlsx",  # a workbook without a single sheet
    "poi/test-data__spreadsheet__xlsx-corrupted.xlsx",  # a part that is not well-formed XML
    "poi/test-data__spreadsheet__duplicate-filename.xlsx",  # a zip holding a part twice
    "poi/test-data__spreadsheet__poc-xmlbomb.xlsx",  # an XML entity bomb
    "poi/test-data__spreadsheet__SampleSS.ods.xlsx",  # an OpenDocument file named .xlsx
    "poi/test-data__spreadsheet__SampleSS.xls.xlsx",  # an Excel 97-2003 file named .xlsx
    "poi/test-data__spreadsheet__Simple.xlsb.xlsx",  # a binary workbook named .xlsx
    "poi/test-data__spreadsheet__xor-encryption-abc.xls.xlsx",  # an encrypted .xls
    "poi/test-data__spreadsheet__simple-monthly-budget.xlsx",  # x14 conditional formats
    "poi/test-data__openxml4j__51444.xlsx",  # LibreOffice, outline, workbook protection
    "poi/test-data__spreadsheet__right-to-left.xlsx",  # Excel Online, threaded comments
    "poi/test-data__spreadsheet__64759.xlsx",  # Mac Excel threaded comments
    "poi/test-data__spreadsheet__ExcelPivotTableSample.xlsx",  # pivot table, connection
    "poi/test-data__spreadsheet__55923.xlsx",  # XML map and data connection
    "poi/test-data__spreadsheet__45540_form_Footer.xlsx",  # ActiveX controls, protected ranges
    # a shared workbook: change history, custom views
    "poi/test-data__spreadsheet__workbookProtection_workbook_revision_protected.xlsx",
    "poi/test-data__spreadsheet__customIndexedColors.xlsx",  # hidden sheets, custom props
    "poi/test-data__spreadsheet__WithEmbeded.xlsx",  # embedded OLE objects
    "poi/test-data__spreadsheet__47813.xlsx",  # chartsheet, 1904 dates
    # fuzzed: not a zip at all; a zip without a workbook part
    "poi/test-data__spreadsheet__clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-5636439151607808.xlsx",
    "poi/test-data__spreadsheet__clusterfuzz-testcase-minimized-POIFuzzer-5040805309710336.xlsx",
    "poi/test-data__spreadsheet__59021.xlsx",  # ignored errors
    "poi/test-data__spreadsheet__link-external-workbook-a.xlsx",  # written by Apache POI
    "poi/test-data__spreadsheet__SimpleStrict.xlsx",  # Strict Open XML
    "poi/test-data__spreadsheet__shared_formulas.xlsx",  # shared formulas, cached values
    "poi/test-data__spreadsheet__xlookup.xlsx",  # dynamic arrays from Excel Online
    "poi/test-data__spreadsheet__60289.xlsx",  # written by Microsoft Access
    "poi/test-data__spreadsheet__style-alternate-content.xlsx",  # Hancom Hancell
    "poi/test-data__spreadsheet__styles.xlsx",  # ODF Converter
    "poi/test-data__spreadsheet__unicodeSheetName.xlsx",  # a Unicode sheet name
    "poi/test-data__spreadsheet__noSharedStringTable.xlsx",  # no sharedStrings part
    "poi/test-data__xmldsign__ms-office-2010-signed.xlsx",  # digitally signed
    "poi/test-data__spreadsheet__testNames.xlsm",  # macros, defined names (.xlsm)
    "poi/test-data__integration__stress020.xlsx",  # WPS: external links, merged cells
    "poi/test-data__spreadsheet__DataValidations-49244.xlsx",  # data validations
    "poi/test-data__spreadsheet__WithConditionalFormatting.xlsx",  # conditional formats
    "tealeg-xlsx/testdocs__wpsBlankLineTest.xlsx",  # WPS Office
    "tealeg-xlsx/testdocs__namespaced.xlsx",  # Tencent Office, prefixed namespaces
    "tealeg-xlsx/testdocs__googleDocsTest.xlsx",  # Google Sheets
    "tealeg-xlsx/testdocs__macNumbersTest.xlsx",  # Numbers
    "xlsxwriter/xlsxwriter__test__comparison__xlsx_files__checkbox01.xlsx",  # cell checkboxes
    "xlsxwriter/xlsxwriter__test__comparison__xlsx_files__embed_image01.xlsx",  # image in cell
    "xlsxwriter/xlsxwriter__test__comparison__xlsx_files__header_image11.xlsx",  # header image
    "xlsxwriter/xlsxwriter__test__comparison__xlsx_files__autofilter06.xlsx",  # autofilter
    "xlsxwriter/xlsxwriter__test__comparison__xlsx_files__hyperlink01.xlsx",  # hyperlinks
)
#: At least this many .xlsx files in the corpus.
MIN_XLSX = 300


def _assert_must_be_zero(figures: CorpusFigures) -> None:
    bad = {name: n for name, n in figures.must_be_zero().items() if n}
    assert not bad, f"{bad}\n{figures.problems()}"


def _record(figures: CorpusFigures) -> None:
    record(SUITE, "files", figures.files,
           note=f"{len(manifest_rows())} in the corpus; {figures.seconds / 60:.1f} min")
    record(SUITE, "check_ok", figures.check_ok, note="check ends without a traceback")
    record(SUITE, "check_tracebacks", len(figures.check_tracebacks), must_be=0)
    record(SUITE, "checks_that_changed_the_file", len(figures.checks_that_changed_the_file),
           must_be=0)
    record(SUITE, "accepted", figures.accepted, note="provision and two syncs exit 0")
    buckets = figures.refused_by_bucket()
    record(SUITE, "refused", sum(buckets.values()),
           note=", ".join(f"{b} {n}" for b, n in buckets.most_common()) or "none")
    for bucket, n in buckets.most_common():
        note = ""
        if bucket == "content it would lose":
            kinds = figures.lost_kinds().most_common()
            note = "first named: " + ", ".join(f"{what} {k}" for what, k in kinds[:12])
            if len(kinds) > 12:
                note += f", {len(kinds) - 12} more kinds"
        record(SUITE, f"refused: {bucket}", n, note=note)
    record(SUITE, "provision_sync_crashes", len(figures.crashes), must_be=0,
           note="exit 3, a traceback, exit 75 or a hang")
    record(SUITE, "refusals_that_changed_the_file", len(figures.refusals_that_changed_the_file),
           must_be=0)
    lost_note = "accepted files whose original sheets lost anything (xlsx_loss.compare)"
    if figures.lost:
        first = next(iter(figures.lost.items()))
        lost_note += f"; e.g. {first[0]}: {first[1][0]}"
    record(SUITE, "lost", len(figures.lost), must_be=0, note=lost_note)
    record(SUITE, "loss_comparisons_failed", len(figures.compare_errors), must_be=0)
    record(SUITE, "second_sync_not_byte_identical", len(figures.second_sync_not_identical),
           must_be=0)
    from sheets_sync.backends import xlsx_save

    factor = getattr(xlsx_save, "OUTPUT_SIZE_FACTOR", None)
    allowance = getattr(xlsx_save, "OUTPUT_SIZE_ALLOWANCE", 0)
    bound = (f"output <= {factor:g} x input + {allowance / 1024 / 1024:g} MiB"
             if factor is not None else "no documented bound")
    record(SUITE, "over_size_factor", len(figures.over_size), must_be=0, note=bound)
    record(SUITE, "max_size_ratio", f"{figures.max_size_ratio:.2f}",
           note=figures.max_size_ratio_file or "nothing accepted")


def _print_details(figures: CorpusFigures) -> None:
    print(f"\n{figures.files} files in {figures.seconds:.0f} s")
    for file, (reason, message, command) in sorted(figures.refusals.items()):
        print(f"refused by {command}: {reason}: {file}: {message}")
    problems = figures.problems(limit=10_000)
    if problems:
        print(problems)


# --- the corpus itself --------------------------------------------------------------------


def test_the_corpus_is_large_and_every_file_is_listed() -> None:
    files = corpus_files()
    xlsx = [p for p in files if p.suffix.lower() == ".xlsx"]
    assert len(xlsx) >= MIN_XLSX
    rows = manifest_rows()
    listed = {row["file"] for row in rows}
    on_disk = {str(p.relative_to(CORPUS)) for p in files}
    assert len(listed) == len(rows), "a file is listed twice"
    assert on_disk - listed == set(), "files missing from manifest.tsv"
    assert listed - on_disk == set(), "manifest.tsv lists files that are not there"
    strays = {
        str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix.lower() not in SUFFIXES
    } - {"manifest.tsv", "SOURCES.md"} - {
        f"{folder}/{name}" for folder, names in LICENCES.items() for name in names
    }
    assert strays == set(), "files that are neither workbooks nor licences nor listings"
    for row in rows:
        data = corpus_path(row["file"]).read_bytes()
        assert len(data) == int(row["bytes"]), row["file"]
        assert hashlib.sha256(data).hexdigest() == row["sha256"], row["file"]
        assert row["source"] and row["original_path"] and row["saved_by"], row["file"]
    assert sum(p.stat().st_size for p in files) < 8 * 1024 * 1024
    assert all(corpus_path(name).is_file() for name in FAST_SUBSET)


def test_every_source_keeps_its_licence() -> None:
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    rows = manifest_rows()
    for folder, names in LICENCES.items():
        for name in names:
            text = (CORPUS / folder / name).read_text(encoding="utf-8")
            assert len(text) > 500, f"{folder}/{name} is not a licence"
        assert f"`{folder}/`" in sources, f"SOURCES.md says nothing of {folder}/"
    assert "Apache License" in (CORPUS / "poi" / "LICENSE").read_text(encoding="utf-8")
    assert "Apache Software Foundation" in (CORPUS / "poi" / "NOTICE").read_text(encoding="utf-8")
    for folder in ("xlsxwriter", "tealeg-xlsx", "excelize"):
        assert "Redistribution and use" in (CORPUS / folder / "LICENSE").read_text(
            encoding="utf-8"
        )
    # every workbook lives in a folder whose licence is kept
    assert {row["file"].split("/", 1)[0] for row in rows} == set(LICENCES)
    assert MANIFEST.read_text(encoding="utf-8").startswith(
        "file\tsource\toriginal_path\tsha256\tbytes\tsaved_by\tnotes\n"
    )


# --- the harness ------------------------------------------------------------------------


def test_the_harness_sees_a_loss_in_an_original_sheet_only(tmp_path: Path) -> None:
    import openpyxl

    source = corpus_path("poi/test-data__spreadsheet__SampleSS.xlsx")
    wb = openpyxl.load_workbook(source)
    ws = wb.worksheets[0]
    cell = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    cell.value = f"{cell.value} (changed)"
    ws.cell(row=ws.max_row + 5, column=1, value="a blank cell filled")
    wb.create_sheet("Added by the tool")["A1"] = "its own"
    final = tmp_path / "final.xlsx"
    wb.save(final)
    where = f"'{ws.title}'!{cell.coordinate}"
    losses = losses_between(source, final)
    assert any(loss.startswith(f"cell value at {where}") for loss in losses), losses
    assert not any("Added by the tool" in loss for loss in losses)
    assert not any(f"A{ws.max_row}" in loss for loss in losses)  # filled blank: a gain
    mine = losses_between(source, final, {(ws.title, cell.row - 1, cell.column - 1)})
    assert not any(where in loss for loss in mine)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("a.xlsx is protected with a password. Open it in Excel", "encrypted"),
        ("a.xlsx is an Excel 97-2003 workbook (.xls) with an .xlsx name.",
         "not an xlsx (xls/xlsb/ods)"),
        ("a.xlsx is an OpenDocument spreadsheet (.ods) with an .xlsx name.",
         "not an xlsx (xls/xlsb/ods)"),
        ("a.xlsx is saved as Strict Open XML, which sheets-sync reads but cannot save", "strict"),
        ("a.xlsx was not saved: sheets-sync would lose content this file holds if it saved it. "
         "Saving would lose threaded comment at 'File'!C2; comment people list (1 -> 0).. "
         "Nothing was changed.", "content it would lose: threaded comment"),
        ("a.xlsx holds content sheets-sync would lose if it saved this workbook: 3 Excel 2010 "
         "conditional formats or validations on 'S'.",
         "content it would lose: excel 2010 conditional formats or validations"),
        ("a.xlsx is a zip file but not an .xlsx workbook (it has no xl/workbook.xml)",
         "damaged or not a workbook"),
        ("something else entirely", "other"),
    ],
)
def test_refusals_are_sorted_by_their_words(message: str, reason: str) -> None:
    assert refusal_reason(message) == reason


# --- sheets-sync over it ------------------------------------------------------------------


def test_the_corpus_loses_nothing(tmp_path: Path) -> None:
    """A feature-diverse subset in ``make test``; every file in ``make reliability``."""
    if FULL:
        figures = run_corpus(corpus_files(), tmp_path)
        _record(figures)
        assert figures.files >= MIN_XLSX
    else:
        figures = run_corpus([corpus_path(name) for name in FAST_SUBSET], tmp_path)
        assert figures.files == len(FAST_SUBSET)
    _print_details(figures)
    assert figures.check_ok + len(figures.check_tracebacks) == figures.files
    _assert_must_be_zero(figures)
