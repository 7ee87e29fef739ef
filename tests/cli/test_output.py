"""The Output object: plain vs rich, tables with a limit, exit codes."""

from __future__ import annotations

import pytest

from sheets_sync.cli.options import show_findings
from sheets_sync.cli.output import Output, worst
from sheets_sync.findings import Finding, Severity

from .conftest import screen

FINDINGS = [
    Finding(f"RULE-{i}", "RACI", f"T{i}", f"message {i}", cell=f"E{i + 2}", severity=sev)
    for i, sev in enumerate([Severity.ERROR] * 20 + [Severity.WARNING] * 12 + [Severity.INFO] * 3)
]


def test_plain_table_aligns_and_limits(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output()
    assert not out.rich
    out.table([["a", "1"], ["bbb", "22"], ["c", "3"]], ["Name", "N"], limit=2, more="+{n} more")
    assert capsys.readouterr().out == "Name  N\na     1\nbbb   22\n+1 more\n"


def test_plain_findings_are_errors_and_warnings_only(capsys: pytest.CaptureFixture[str]) -> None:
    show_findings(Output(), FINDINGS, more="... {n} more")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 32
    assert lines[0] == "error   RULE-0  RACI!E2  T0: message 0"
    assert lines[-1] == "warning RULE-31 RACI!E33 T31: message 31"


def test_quiet_shows_no_findings(capsys: pytest.CaptureFixture[str]) -> None:
    show_findings(Output(quiet=True), FINDINGS, more="")
    assert capsys.readouterr().out == ""


def test_terminal_findings_table_stops_at_30(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    out = Output()
    assert out.rich
    show_findings(out, FINDINGS, more="... {n} more in the Issues tab")
    text = screen(capsys.readouterr().out)
    assert "│ error    │ RULE-0  │ RACI!E2  │ T0  │ message 0  │" in text
    assert "RULE-29 " in text and "RULE-30 " not in text
    assert text.endswith("... 5 more in the Issues tab\n")


def test_status_lines(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output()
    out.status("ok", "fine")
    out.status("warn", "hmm")
    out.status("fail", "broken")
    assert capsys.readouterr().out == "ok   fine\nwarn hmm\nfail broken\n"


def test_messages_go_to_the_right_stream(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output()
    out.info("hello")
    out.warn("careful")
    out.error("broken")
    captured = capsys.readouterr()
    assert captured.out == "hello\n"
    assert captured.err == "Warning: careful\nError: broken\n"
    Output(quiet=True).info("hidden")
    assert capsys.readouterr().out == ""


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    Output().json({"a": [1, "é"]})
    assert capsys.readouterr().out == '{\n  "a": [\n    1,\n    "é"\n  ]\n}\n'


def test_worst_exit_code() -> None:
    assert worst([]) == 0
    assert worst([0, 75]) == 75
    assert worst([75, 1, 0]) == 1
    assert worst([1, 2]) == 2
    assert worst([2, 3, 1]) == 3
