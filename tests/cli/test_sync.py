"""``sheets-sync sync``: the cron job."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sheets_sync.lock import workbook_lock

from .conftest import AS_OF, STAMP, Invoke, copy_to, screen, write_config

HEADLINE = re.compile(
    r"^(?:(?P<stamp>\S+T\S+) )?(?P<wb>\S+) as of 2026-11-27: "
    r"(?P<cells>\d+) cells? (?P<how>changed|would change)"
    r"(?: \(dry run, nothing written\))?; "
    r"(?P<e>\d+) errors?, (?P<w>\d+) warnings?, (?P<i>\d+) info$"
)


def test_sync_prints_the_headline_then_errors_and_warnings_in_cron(
    invoke: Invoke, demo_xlsx: Path
) -> None:
    result = invoke(
        "sync", "--workbook", "partnership.xlsx", "--as-of", AS_OF.isoformat(), "--verbose"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    match = HEADLINE.match(lines[0])
    assert match, lines[0]
    assert match["stamp"] == STAMP
    assert match["wb"] == "partnership.xlsx"
    assert match["how"] == "changed"
    errors, warnings = int(match["e"]), int(match["w"])
    assert errors and warnings
    assert len(lines) == 1 + errors + warnings  # info findings stay in the Issues tab
    body = "\n".join(lines[1:])
    assert re.search(r"^error   RACI-NO-A +RACI!E\d+ +T7: No one is Accountable", body, re.M)
    assert re.search(r"^error   RACI-MULTI-A +RACI!E\d+ +T13: ", body, re.M)
    assert re.search(r"^error   VALUE-TYPE +KPI Log!A\d+ +K1: Date '31/02/2026'", body, re.M)
    assert re.search(r"^warning KPI-STALE +KPIs!S\d+ +K7: ", body, re.M)
    assert "GOAL-ONE-SIDED" not in body


def test_a_second_sync_changes_nothing(invoke: Invoke, demo_xlsx: Path) -> None:
    args = ("sync", "--workbook", "partnership.xlsx", "--as-of", AS_OF.isoformat())
    invoke(*args)
    before = demo_xlsx.stat().st_mtime_ns
    result = invoke(*args)
    assert result.exit_code == 0
    assert ": 0 cells changed; " in result.stdout.splitlines()[0]
    assert demo_xlsx.stat().st_mtime_ns == before  # a no-op sync does not rewrite the file


def test_dry_run_writes_nothing(invoke: Invoke, demo_xlsx: Path) -> None:
    before = demo_xlsx.read_bytes()
    result = invoke("sync", "--workbook", "partnership.xlsx", "--dry-run", "--as-of", "2026-12-20")
    assert result.exit_code == 0
    match = HEADLINE.match(result.stdout.splitlines()[0].replace("2026-12-20", "2026-11-27"))
    assert match and match["how"] == "would change"
    assert "(dry run, nothing written)" in result.stdout
    assert demo_xlsx.read_bytes() == before


def test_json_prints_only_json(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke("sync", "--workbook", "partnership.xlsx", "--json", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["workbook"] == "partnership.xlsx"
    assert data["as_of"] == "2026-11-27"
    assert data["dry_run"] is False
    rules = {f["rule"] for f in data["findings"]}
    assert {"RACI-NO-A", "RACI-MULTI-A", "KPI-STALE", "VALUE-TYPE"} <= rules


def test_fail_on(invoke: Invoke, demo_xlsx: Path, clean_xlsx: Path) -> None:
    base = ("sync", "--workbook", "partnership.xlsx", "--as-of", "2026-11-27")
    result = invoke(*base, "--fail-on", "error", "--verbose")
    assert result.exit_code == 1
    errors = sum(1 for line in result.stdout.splitlines() if line.startswith("error "))
    assert result.stderr == f"Error: --fail-on error: {errors} errors\n"
    result = invoke(*base, "--fail-on", "warning", "--json")
    assert result.exit_code == 1
    json.loads(result.stdout)
    clean = ("sync", "--workbook", "clean.xlsx", "--as-of", "2026-11-27")
    assert invoke(*clean, "--fail-on", "warning").exit_code == 0
    assert invoke(*clean, "--fail-on", "error").exit_code == 0


def test_fail_on_rejects_other_values(invoke: Invoke) -> None:
    result = invoke("sync", "--workbook", "x.xlsx", "--fail-on", "info")
    assert result.exit_code == 2
    assert "Invalid value for '--fail-on'" in result.stderr


def test_quiet_prints_the_headline_only_when_there_are_errors(
    invoke: Invoke, demo_xlsx: Path, clean_xlsx: Path
) -> None:
    result = invoke("sync", "--workbook", "partnership.xlsx", "--quiet", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1
    assert HEADLINE.match(result.stdout.strip())
    result = invoke("sync", "--workbook", "clean.xlsx", "-q", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_terminal_output_is_a_table_with_a_limit(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke(
        "sync", "--workbook", "partnership.xlsx", "--as-of", "2026-11-27", terminal=True
    )
    assert result.exit_code == 0
    out = screen(result.stdout)
    head = HEADLINE.match(out.splitlines()[0])
    assert head, out
    assert re.search(r"Severity\s+┃\s+Rule\s+┃\s+Where\s+┃\s+Key\s+┃\s+Message", out)
    assert re.search(r"│ error\s+│ RACI-NO-A\s+│ RACI!\S+\s+│ T7 ", out)
    total = sum(int(n) for n in head.group("e", "w", "i"))
    if total > 30:
        assert f"... {total - 30} more in the Issues tab" in out
    else:
        assert "more in the Issues tab" not in out


def test_a_held_lock_means_try_later(invoke: Invoke, clean_xlsx: Path) -> None:
    # one lock per file, however the path is spelled
    with workbook_lock(str(clean_xlsx.resolve()), Path("../state").resolve()):
        result = invoke("sync", "--workbook", "clean.xlsx")
    assert result.exit_code == 75
    assert result.stderr.startswith("Error: another sheets-sync run holds the lock on ")
    assert "clean.xlsx" in result.stderr
    # a dry run does not need the lock
    with workbook_lock(str(clean_xlsx.resolve()), Path("../state").resolve()):
        assert invoke("sync", "--workbook", "clean.xlsx", "--dry-run").exit_code == 0


def test_an_open_editor_means_try_later(invoke: Invoke, clean_xlsx: Path, home: Path) -> None:
    (home / ".~lock.clean.xlsx#").write_text("Ana Ruiz,ana,laptop,27.11.2026 09:00,file:///x;")
    result = invoke("sync", "--workbook", "clean.xlsx", "--as-of", "2026-12-01")
    assert result.exit_code == 75
    assert "clean.xlsx is open in LibreOffice, held by Ana Ruiz on laptop" in result.stderr


def test_config_file_name_and_all(invoke: Invoke, home: Path, demo_xlsx: Path,
                                  clean_xlsx: Path) -> None:
    write_config(home / "sheets-sync.toml", ("demo", "partnership.xlsx"), ("clean", "clean.xlsx"))
    result = invoke("sync", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{STAMP} demo as of 2026-11-27")
    result = invoke("sync", "--name", "clean", "--as-of", "2026-11-27")
    assert result.stdout.startswith(f"{STAMP} clean as of 2026-11-27")
    result = invoke("sync", "--name", "nope")
    assert result.exit_code == 2
    assert "no workbook named 'nope' (configured: demo, clean)" in result.stderr
    result = invoke("sync", "--all", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    heads = [line for line in result.stdout.splitlines() if " as of 2026-11-27: " in line]
    assert [h.split(" as of ")[0] for h in heads] == [f"{STAMP} demo", f"{STAMP} clean"]


def test_all_continues_past_failures_and_exits_with_the_worst(
    invoke: Invoke, home: Path, clean_xlsx: Path
) -> None:
    other = copy_to(clean_xlsx, home / "other.xlsx")
    write_config(
        home / "sheets-sync.toml",
        ("missing", "missing.xlsx"), ("clean", "clean.xlsx"), ("other", "other.xlsx"),
    )
    with workbook_lock(str(other), Path("../state").resolve()):
        result = invoke("sync", "--all", "--as-of", "2026-11-27")
    assert result.exit_code == 1  # a failure outranks "try later"
    assert f"Error: missing: {home / 'missing.xlsx'} does not exist" in result.stderr
    assert "Error: other: another sheets-sync run holds the lock" in result.stderr
    assert result.stdout.startswith(f"{STAMP} clean as of 2026-11-27: ")
    result = invoke("sync", "--all", "--json", "--as-of", "2026-11-27")
    data = json.loads(result.stdout)
    assert [d["workbook"] for d in data] == [str(home / "missing.xlsx"), str(clean_xlsx),
                                            str(other)]
    assert data[0]["exit_code"] == 1 and "does not exist" in data[0]["error"]


def test_all_is_only_for_configs(invoke: Invoke, clean_xlsx: Path) -> None:
    result = invoke("sync", "--all", "--workbook", "clean.xlsx")
    assert result.exit_code == 2
    assert "--all syncs every configured workbook" in result.stderr


def test_config_from_the_environment(invoke: Invoke, home: Path, clean_xlsx: Path) -> None:
    config = write_config(home.parent / "elsewhere.toml", ("clean", str(clean_xlsx)))
    result = invoke("sync", "--as-of", "2026-11-27", env={"SHEETS_SYNC_CONFIG": str(config)})
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{STAMP} clean as of 2026-11-27: ")
