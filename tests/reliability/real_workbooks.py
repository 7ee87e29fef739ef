"""Run sheets-sync over real workbooks other programs saved, and measure what it did to them.

The corpus (tests/data/real_workbooks, listed in its manifest.tsv, origins in SOURCES.md)
holds workbooks from the test suites of Apache POI, XlsxWriter, tealeg/xlsx and excelize:
saved by Excel (Windows, Mac, Online, Strict), LibreOffice, Google Sheets, Numbers, WPS and
others, encrypted or renamed from .xls/.xlsb/.ods, and some that fuzzers broke on purpose.

For each file, in a private folder and through the real command line (click's runner on
``sheets_sync.cli``): ``check``, then ``provision``, then ``sync`` twice. ``check`` must end
without a traceback (exit 0 or 1). ``provision`` and ``sync`` either accept the workbook or
refuse it with a message (exit 1 or 2), which is kept and sorted by reason; a refusal must
leave the file as it was. When accepted, the final package is compared with the original one
by :func:`sheets_sync.backends.xlsx_loss.compare`, over the original sheets only (tabs the
tool added are skipped, cells the tool wrote are its own, blank cells it filled are gains);
the second sync must leave the file byte for byte as the first did; and the final size must
stay within ``OUTPUT_SIZE_FACTOR`` times the original plus ``OUTPUT_SIZE_ALLOWANCE``.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import inspect
import os
import re
import shutil
import signal
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from click.testing import CliRunner, Result

from tests.cli.conftest import ISOLATED

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "real_workbooks"
MANIFEST = CORPUS / "manifest.tsv"
#: Every source folder and the licence files kept next to its workbooks.
LICENCES = {
    "poi": ("LICENSE", "NOTICE"),
    "xlsxwriter": ("LICENSE",),
    "tealeg-xlsx": ("LICENSE",),
    "excelize": ("LICENSE",),
}
#: What counts as a workbook of the corpus (the rest is licences and listings).
SUFFIXES = (".xlsx", ".xlsm", ".xltx")
AS_OF = "2026-06-30"
#: One command taking longer than this is hung: it is stopped and counted as a crash.
HUNG_SECONDS = 180
#: How a Python traceback starts.
TRACEBACK = "Traceback (most recent call last)"
#: Exit codes of the command line (sheets_sync/cli/__init__.py).
OK, FAILED, USAGE, UNEXPECTED, TRY_LATER = 0, 1, 2, 3, 75


def corpus_files() -> list[Path]:
    """Every workbook in the corpus folder, sorted."""
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def manifest_rows() -> list[dict[str, str]]:
    """The rows of manifest.tsv (file, source, original_path, sha256, bytes, saved_by, notes)."""
    with MANIFEST.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def corpus_path(name: str) -> Path:
    """A corpus file by its path under real_workbooks/ (as in the manifest)."""
    return CORPUS / name


# --- refusals -----------------------------------------------------------------------------

#: Refusal reasons, tried in order; each a bucket name and the words that put a message in it.
_BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("content it would lose", ("would lose", "would drop", "lose content", "cannot keep")),
    ("encrypted", ("encrypt", "password")),
    ("strict", ("strict open xml", "strict ooxml", "strict xml")),
    (
        "damaged or not a workbook",
        ("not a readable", "not a zip", "damaged", "corrupt", "not a spreadsheet",
         "no workbook part", "has no xl/", "cannot be read", "not well-formed", "broken",
         "truncated"),
    ),
    (
        "not an xlsx (xls/xlsb/ods)",
        ("97-2003", "(.xls)", ".xls ", "xlsb", "binary workbook", ".ods", "opendocument",
         "numbers", "not an .xlsx", "not an xlsx", "macro-enabled", ".xlsm", ".xltx",
         "template file"),
    ),
    ("a tab of that name is not the tool's", ("not the tool", "not sheets-sync's", "tab named",
                                               "already has a tab", "not one sheets-sync")),
    ("too large", ("too large", "too big", "over the limit", "would grow", "max_file_mb")),
    ("try later", ("try again later", "is open in", "holds the lock")),
)


def refusal_reason(message: str) -> str:
    """The bucket of a refusal message, by its words; ``content it would lose: <what>``."""
    text = " ".join(message.lower().split())
    for bucket, words in _BUCKETS:
        if any(word in text for word in words):
            if bucket == "content it would lose":
                return f"{bucket}: {_lost_what(text)}"
            return bucket
    return "other"


def _lost_what(text: str) -> str:
    """The first thing a 'would lose' message names (``threaded comment``, ``chart``...)."""
    after = re.split(r"would (?:lose|drop)\b", text)[-1]
    if re.match(r"\s*(?:content|if|what)\b", after) and ":" in after:
        after = after.split(":", 1)[1]
    first = re.split(r"; |\. ", after.strip(), maxsplit=1)[0]
    first = re.split(r" (?:at|in|on) '| \(", first, maxsplit=1)[0]
    words = re.sub(r"^\d+ ", "", first.strip().rstrip(".")).replace(":", " ").split()
    return " ".join(words[:6]) or "?"


# --- one run ------------------------------------------------------------------------------


class _Hung(BaseException):
    """A command ran past HUNG_SECONDS (a BaseException, so the tool cannot swallow it)."""


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    if not hasattr(signal, "SIGALRM") or seconds <= 0:
        yield
        return

    def hung(signum: int, frame: FrameType | None) -> None:
        raise _Hung(f"no end after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _capturing_writes(into: set[tuple[str, int, int]]) -> Iterator[None]:
    """Note the (tab, row, column) of every cell the xlsx backend is asked to write."""
    from sheets_sync.backends import xlsx

    original = xlsx.XlsxBackend.write
    signature = inspect.signature(original)

    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        with contextlib.suppress(TypeError):
            given = signature.bind(self, *args, **kwargs).arguments
            plan = given.get("plan")
            for update in [*(getattr(plan, "header_cells", None) or ()),
                           *(given.get("updates") or ())]:
                into.add((update.tab, update.row, update.col))
        return original(self, *args, **kwargs)

    xlsx.XlsxBackend.write = write  # type: ignore[method-assign]
    try:
        yield
    finally:
        xlsx.XlsxBackend.write = original  # type: ignore[method-assign]


@dataclass
class Step:
    """One command's outcome."""

    command: str
    exit_code: int
    output: str
    #: The output holds a traceback, the command escaped the tool, exit 3, or it hung.
    crashed: bool
    #: The last lines of the traceback (from a rerun with --debug when the tool hid it).
    trace: str = ""

    @property
    def message(self) -> str:
        """The error the command ended with (from its ``Error:`` line on), else its output."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        for i, line in enumerate(lines):
            if line.startswith("Error:"):
                return " ".join([line.removeprefix("Error:").strip(), *lines[i + 1:]])
        return " ".join(lines)

    @property
    def first_line(self) -> str:
        """The first line of :attr:`message`."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        for line in lines:
            if line.startswith("Error:"):
                return line.removeprefix("Error:").strip()
        return lines[0] if lines else ""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _output(result: Result) -> str:
    text = result.output or ""
    with contextlib.suppress(ValueError, AttributeError):
        stderr = result.stderr
        if stderr and stderr not in text:
            text += stderr
    return text


def _trace_tail(text: str, lines: int = 4) -> str:
    kept = [line.rstrip() for line in text.splitlines() if line.strip()]
    start = max((i for i, line in enumerate(kept) if line.startswith("Traceback")), default=0)
    return "\n".join(kept[start:][-lines:])


def _invoke(args: Sequence[str], env: dict[str, str | None]) -> tuple[Result | None, str]:
    from sheets_sync.cli import cli

    try:
        with _deadline(HUNG_SECONDS):
            return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=True), ""
    except _Hung as exc:
        return None, str(exc)


def _run(command: str, args: Sequence[str], env: dict[str, str | None], book: Path) -> Step:
    before = book.read_bytes()
    result, hung = _invoke(args, env)
    if result is None:
        return Step(command, UNEXPECTED, f"hung: {hung}", crashed=True, trace=f"hung: {hung}")
    output = _output(result)
    code = result.exit_code
    escaped = result.exception is not None and not isinstance(result.exception, SystemExit)
    crashed = code == UNEXPECTED or escaped or TRACEBACK in output
    trace = ""
    if escaped and result.exc_info is not None:
        trace = _trace_tail("".join(traceback.format_exception(*result.exc_info)))
        output += "\n" + trace
    elif crashed and TRACEBACK in output:
        trace = _trace_tail(output)
    elif crashed:
        trace = _debug_trace(args, env, book, before)
    return Step(command, code, output, crashed, trace)


def _debug_trace(
    args: Sequence[str], env: dict[str, str | None], book: Path, before: bytes | None
) -> str:
    """Run the command again with --debug on a copy, for the traceback the tool hid."""
    if before is None:
        return ""
    copy = book.with_name("debug-" + book.name)
    copy.write_bytes(before)
    rest = [str(copy) if a == str(book) else a for a in args]
    result, hung = _invoke(["--debug", *rest], env)
    with contextlib.suppress(OSError):
        copy.unlink()
    if result is None:
        return f"hung: {hung}"
    return _trace_tail(_output(result))


@dataclass
class FileOutcome:
    """What the tool did with one workbook."""

    file: str
    bytes: int
    check: Step | None = None
    steps: list[Step] = field(default_factory=list)
    #: The refusal's bucket and first line, when provision or sync refused.
    refused: str | None = None
    refusal: str = ""
    refused_by: str = ""
    #: A refusal that still changed the file.
    refusal_changed_file: bool = False
    #: ``check`` (a dry run) changed the file.
    check_changed_file: bool = False
    accepted: bool = False
    #: provision or sync crashed (exit 3, a traceback, hung) or asked to try later.
    crash: Step | None = None
    losses: list[str] = field(default_factory=list)
    #: The loss comparison itself failed (the reader could not read a package).
    compare_error: str = ""
    second_sync_identical: bool | None = None
    size_ratio: float | None = None
    over_size: bool = False
    seconds: float = 0.0

    @property
    def check_crashed(self) -> bool:
        return self.check is not None and self.check.crashed


def run_file(source: Path, workdir: Path, name: str | None = None) -> FileOutcome:
    """check, provision, sync, sync on a private copy of ``source`` in ``workdir``."""
    started = time.monotonic()
    name = name or source.name
    folder = workdir
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / source.name
    shutil.copyfile(source, book)
    original = folder / ("original-" + source.name)
    shutil.copyfile(source, original)
    outcome = FileOutcome(file=name, bytes=source.stat().st_size)
    env: dict[str, str | None] = {key: None for key in ISOLATED}
    env["SHEETS_SYNC_STATE_DIR"] = str(folder / "state")
    workbook = ["--workbook", str(book)]
    written: set[tuple[str, int, int]] = set()
    here = Path.cwd()
    os.chdir(folder)
    try:
        sha_before_check = _sha(book)
        outcome.check = _run("check", ["check", *workbook], env, book)
        outcome.check_changed_file = _sha(book) != sha_before_check
        if outcome.check_changed_file:  # go on from the original all the same
            shutil.copyfile(original, book)
        with _capturing_writes(written):
            plan = [
                ("provision", ["provision", *workbook]),
                ("sync", ["sync", *workbook, "--as-of", AS_OF]),
                ("sync again", ["sync", *workbook, "--as-of", AS_OF]),
            ]
            before_sync_again = ""
            for command, args in plan:
                sha_before = _sha(book)
                if command == "sync again":
                    before_sync_again = sha_before
                step = _run(command, args, env, book)
                outcome.steps.append(step)
                if step.crashed or step.exit_code == TRY_LATER:
                    outcome.crash = step
                    return outcome
                if step.exit_code in (FAILED, USAGE):
                    # the file's own name says nothing of why (xor-encryption-abc.xls.xlsx)
                    message = step.message.replace(str(book), "").replace(book.name, "")
                    outcome.refused = refusal_reason(message)
                    outcome.refusal = step.first_line.replace(f"{folder}{os.sep}", "")
                    outcome.refused_by = command
                    outcome.refusal_changed_file = _sha(book) != sha_before
                    return outcome
                if step.exit_code != OK:
                    outcome.crash = step
                    return outcome
            outcome.accepted = True
            outcome.second_sync_identical = _sha(book) == before_sync_again
        _measure(outcome, original, book, written)
        return outcome
    finally:
        os.chdir(here)
        outcome.seconds = time.monotonic() - started


def _measure(
    outcome: FileOutcome, original: Path, final: Path, written: set[tuple[str, int, int]]
) -> None:
    from sheets_sync.backends import xlsx_save

    size_in, size_out = original.stat().st_size, final.stat().st_size
    outcome.size_ratio = size_out / size_in if size_in else None
    factor = getattr(xlsx_save, "OUTPUT_SIZE_FACTOR", None)
    allowance = getattr(xlsx_save, "OUTPUT_SIZE_ALLOWANCE", 0)
    if factor is not None:
        outcome.over_size = size_out > factor * size_in + allowance
    try:
        outcome.losses = losses_between(original, final, written)
    except Exception as exc:  # the reader failing on a file the tool wrote is a finding too
        outcome.compare_error = f"{type(exc).__name__}: {exc}"


def losses_between(
    original: Path, final: Path, written: Iterable[tuple[str, int, int]] = ()
) -> list[str]:
    """What ``final`` lost of ``original``'s own sheets, by ``xlsx_loss.compare``.

    Tabs only ``final`` has were added by the tool and are skipped; ``written`` are the
    (tab, row, column) cells the tool wrote, its own; blank cells filled are gains.
    """
    from sheets_sync.backends.xlsx_loss import compare
    from sheets_sync.backends.xlsx_package import read_package

    before = read_package(str(original))
    after = read_package(str(final))
    mine = set(written)
    kwargs: dict[str, Any] = {"changed": mine}
    if "added_sheets" in inspect.signature(compare).parameters:
        kwargs["added_sheets"] = set(after.sheets) - set(before.sheets)
    kept = []
    for loss in compare(before, after, **kwargs):
        where = str(getattr(loss, "where", ""))
        sheet, cell = _sheet_of(where), _cell_of(where)
        if cell is not None and cell in mine:
            continue  # a feature of a cell the tool rewrote goes with its value
        if sheet is not None and sheet not in before.sheets:
            continue  # a tab the tool added
        kept.append(str(loss))
    return kept


_WHERE = re.compile(r"^'((?:[^']|'')*)'(?:!\$?([A-Z]{1,3})\$?([0-9]+))?")


def _sheet_of(where: str) -> str | None:
    match = _WHERE.match(where)
    return match.group(1).replace("''", "'") if match else None


def _cell_of(where: str) -> tuple[str, int, int] | None:
    """The (sheet, row, column) of a loss at one cell (``'Sheet'!B3``), else None."""
    match = _WHERE.match(where)
    if match is None or match.group(2) is None or match.end() != len(where):
        return None
    col = 0
    for ch in match.group(2):
        col = col * 26 + ord(ch) - 64
    return match.group(1).replace("''", "'"), int(match.group(3)) - 1, col - 1


# --- the corpus ---------------------------------------------------------------------------


@dataclass
class CorpusFigures:
    """What a run over (part of) the corpus found; the must-be-zero ones are lists."""

    files: int = 0
    check_ok: int = 0
    #: (file, first line or traceback tail) of every check that crashed.
    check_tracebacks: list[tuple[str, str]] = field(default_factory=list)
    checks_that_changed_the_file: list[str] = field(default_factory=list)
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    #: file -> (reason, first line of the message, command).
    refusals: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: (file, command, traceback tail or message) of provision/sync crashes.
    crashes: list[tuple[str, str, str]] = field(default_factory=list)
    refusals_that_changed_the_file: list[str] = field(default_factory=list)
    #: file -> every loss ("what at where (detail)").
    lost: dict[str, list[str]] = field(default_factory=dict)
    #: (file, error) where the loss comparison could not read a package.
    compare_errors: list[tuple[str, str]] = field(default_factory=list)
    second_sync_not_identical: list[str] = field(default_factory=list)
    #: (file, ratio) of final files over the documented size bound.
    over_size: list[tuple[str, float]] = field(default_factory=list)
    max_size_ratio: float = 0.0
    max_size_ratio_file: str = ""
    seconds: float = 0.0
    outcomes: list[FileOutcome] = field(default_factory=list)

    def add(self, outcome: FileOutcome) -> None:
        self.files += 1
        self.outcomes.append(outcome)
        if outcome.check is not None:
            if outcome.check.crashed:
                self.check_tracebacks.append(
                    (outcome.file, outcome.check.trace or outcome.check.first_line)
                )
            else:
                self.check_ok += 1
        if outcome.check_changed_file:
            self.checks_that_changed_the_file.append(outcome.file)
        if outcome.crash is not None:
            step = outcome.crash
            what = step.trace or step.first_line or f"exit {step.exit_code}"
            if step.exit_code == TRY_LATER:
                what = f"exit 75: {step.first_line}"
            self.crashes.append((outcome.file, step.command, what))
        if outcome.refused is not None:
            self.refused[outcome.refused] += 1
            self.refusals[outcome.file] = (outcome.refused, outcome.refusal, outcome.refused_by)
            if outcome.refusal_changed_file:
                self.refusals_that_changed_the_file.append(outcome.file)
        if outcome.accepted:
            self.accepted += 1
            if outcome.losses:
                self.lost[outcome.file] = outcome.losses
            if outcome.compare_error:
                self.compare_errors.append((outcome.file, outcome.compare_error))
            if outcome.second_sync_identical is False:
                self.second_sync_not_identical.append(outcome.file)
            if outcome.over_size:
                self.over_size.append((outcome.file, outcome.size_ratio or 0.0))
            if outcome.size_ratio is not None and outcome.size_ratio > self.max_size_ratio:
                self.max_size_ratio = outcome.size_ratio
                self.max_size_ratio_file = outcome.file

    def must_be_zero(self) -> dict[str, int]:
        """The figures that must be 0, by name."""
        return {
            "check tracebacks": len(self.check_tracebacks),
            "checks that changed the file": len(self.checks_that_changed_the_file),
            "provision/sync crashes": len(self.crashes),
            "refusals that changed the file": len(self.refusals_that_changed_the_file),
            "files with a loss": len(self.lost),
            "loss comparisons that failed": len(self.compare_errors),
            "second sync not byte-identical": len(self.second_sync_not_identical),
            "over the size factor": len(self.over_size),
        }

    def problems(self, limit: int = 60) -> str:
        """The failures behind the must-be-zero figures, for an assertion message."""
        lines: list[str] = []
        for file, what in self.check_tracebacks:
            lines.append(f"check traceback: {file}: {what}")
        for file in self.checks_that_changed_the_file:
            lines.append(f"check changed the file: {file}")
        for file, command, what in self.crashes:
            lines.append(f"{command} crashed: {file}: {what}")
        for file in self.refusals_that_changed_the_file:
            lines.append(f"refused but changed: {file}: {self.refusals[file][1]}")
        for file, losses in self.lost.items():
            shown = "; ".join(losses[:5]) + (f"; ... {len(losses) - 5} more" if len(losses) > 5
                                             else "")
            lines.append(f"lost: {file}: {shown}")
        for file, error in self.compare_errors:
            lines.append(f"loss comparison failed: {file}: {error}")
        for file in self.second_sync_not_identical:
            lines.append(f"second sync changed bytes: {file}")
        for file, ratio in self.over_size:
            lines.append(f"over the size factor: {file}: {ratio:.2f}x")
        more = len(lines) - limit
        return "\n".join(lines[:limit] + ([f"... {more} more"] if more > 0 else []))

    def refused_summary(self) -> str:
        """Every refusal reason with its count, most frequent first."""
        return ", ".join(f"{reason} {n}" for reason, n in self.refused.most_common())

    def refused_by_bucket(self) -> Counter[str]:
        """Refusals by bucket, every ``content it would lose: ...`` counted as one bucket."""
        out: Counter[str] = Counter()
        for reason, n in self.refused.items():
            out[reason.split(": ", 1)[0]] += n
        return out

    def lost_kinds(self) -> Counter[str]:
        """What the ``would lose`` refusals name first (``threaded comment``...), by count."""
        out: Counter[str] = Counter()
        for reason, n in self.refused.items():
            what = reason.partition(": ")[2]
            if what:
                out[what] += n
        return out


def run_corpus(
    files: Iterable[Path], workdir: Path, *, progress: bool = False
) -> CorpusFigures:
    """Run every file (each in its own folder under ``workdir``); the figures of the lot."""
    figures = CorpusFigures()
    started = time.monotonic()
    for i, path in enumerate(files):
        try:
            name = str(path.relative_to(CORPUS))
        except ValueError:
            name = path.name
        folder = workdir / f"{i:04d}"
        outcome = run_file(path, folder, name)
        figures.add(outcome)
        shutil.rmtree(folder, ignore_errors=True)
        if progress:
            verdict = ("accepted" if outcome.accepted else
                       f"refused ({outcome.refused})" if outcome.refused else
                       "crashed" if outcome.crash else "?")
            print(f"[{i + 1}] {name}: {verdict}, {outcome.seconds:.1f} s", flush=True)
    figures.seconds = time.monotonic() - started
    return figures
