"""``sheets-sync sync --all --shard INDEX/COUNT``: a stable share of the configured workbooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import STAMP, Invoke, copy_to, write_config

#: Their shards of 2 (pinned in tests/test_shards.py): acme-globex 0; initech, umbrella 1.
NAMES = ("acme-globex", "initech", "umbrella")
USAGE = "Usage: sheets-sync sync [OPTIONS]\nTry 'sheets-sync sync --help' for help.\n\n"


@pytest.fixture(autouse=True)
def no_job_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not in a Kubernetes Indexed Job unless a test says so."""
    monkeypatch.delenv("JOB_COMPLETION_INDEX", raising=False)


@pytest.fixture
def three(home: Path, clean_xlsx: Path) -> Path:
    """A config of three clean workbooks, named NAMES."""
    entries = [(name, copy_to(clean_xlsx, home / f"{name}.xlsx").name) for name in NAMES]
    return write_config(home / "sheets-sync.toml", *entries)


def headlines(stdout: str) -> list[str]:
    """The workbook each headline names, in order."""
    return [line.removeprefix(f"{STAMP} ").split(" as of ")[0] for line in stdout.splitlines()]


def test_a_shard_syncs_only_its_workbooks(invoke: Invoke, three: Path) -> None:
    result = invoke("sync", "--all", "--shard", "0/2", "--as-of", "2026-11-27")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"{STAMP} acme-globex as of 2026-11-27: 0 cells changed; 0 errors, 0 warnings, 0 info\n"
    )
    result = invoke("sync", "--all", "--shard", "1/2", "--as-of", "2026-11-27")
    assert (result.exit_code, result.stderr) == (0, "")
    assert headlines(result.stdout) == ["initech", "umbrella"]
    result = invoke("sync", "--all", "--shard", "0/1", "--as-of", "2026-11-27")
    assert headlines(result.stdout) == list(NAMES)  # one shard: all of them, in config order


def test_auto_takes_the_index_from_the_indexed_job(invoke: Invoke, three: Path) -> None:
    result = invoke("sync", "--all", "--shard", "auto/2", "--as-of", "2026-11-27",
                    env={"JOB_COMPLETION_INDEX": "1"})
    assert (result.exit_code, result.stderr) == (0, "")
    assert headlines(result.stdout) == ["initech", "umbrella"]
    result = invoke("sync", "--all", "--shard", "auto/2", "--json", "--as-of", "2026-11-27",
                    env={"JOB_COMPLETION_INDEX": "0"})
    assert result.exit_code == 0
    workbooks = [d["workbook"] for d in json.loads(result.stdout)]
    assert workbooks == [str(three.parent / "acme-globex.xlsx")]


def test_an_empty_shard_says_so_and_succeeds(invoke: Invoke, home: Path) -> None:
    # none of these files exists: a shard that holds none of them opens none
    names = ("acme-globex", "initech", "umbrella", "hooli", "stark")  # shards 2, 11, 9, 6, 4
    write_config(home / "sheets-sync.toml", *((n, f"{n}.xlsx") for n in names))
    result = invoke("sync", "--all", "--shard", "3/16")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "shard 3/16 holds none of the 5 configured workbooks\n"
    result = invoke("sync", "--all", "--shard", "3/16", "--json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")
    result = invoke("sync", "--all", "--shard", "3/16", "--quiet")
    assert (result.exit_code, result.stdout) == (0, "")
    result = invoke("sync", "--all", "--shard", "2/16")  # acme-globex's: it is missing
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: acme-globex: {home / 'acme-globex.xlsx'} does not exist; "
        "run `sheets-sync provision` to create it\n"
    )


BAD = "Error: Invalid value for '--shard': "


@pytest.mark.parametrize(
    ("value", "env", "message"),
    [
        ("0/0", {}, BAD + "COUNT must be at least 1, got 0"),
        ("1/-4", {}, BAD + "COUNT must be at least 1, got -4"),
        ("4/4", {}, BAD + "INDEX must be from 0 to 3 (COUNT is 4), got 4"),
        ("-1/4", {}, BAD + "INDEX must be from 0 to 3 (COUNT is 4), got -1"),
        ("1of4", {}, BAD + "'1of4' is not INDEX/COUNT (e.g. 0/4), nor auto/COUNT "
                           "(INDEX from JOB_COMPLETION_INDEX)"),
        ("auto", {}, BAD + "'auto' is not INDEX/COUNT (e.g. 0/4), nor auto/COUNT "
                           "(INDEX from JOB_COMPLETION_INDEX)"),
        ("auto/4", {}, BAD + "auto/4 takes INDEX from JOB_COMPLETION_INDEX, which is not set "
                             "(a Kubernetes Indexed Job sets it); give INDEX/COUNT instead"),
        ("auto/4", {"JOB_COMPLETION_INDEX": "7"},
         BAD + "JOB_COMPLETION_INDEX=7 is not from 0 to 3 (COUNT is 4): the Job's completions "
               "must equal COUNT"),
        ("auto/4", {"JOB_COMPLETION_INDEX": "two"},
         BAD + "JOB_COMPLETION_INDEX='two' is not a whole number"),
    ],
)
def test_bad_values_are_usage_errors(
    invoke: Invoke, three: Path, value: str, env: dict[str, str], message: str
) -> None:
    result = invoke("sync", "--all", f"--shard={value}", env=env)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"{USAGE}{message}\n"


def test_shard_needs_all(invoke: Invoke, three: Path) -> None:
    result = invoke("sync", "--shard", "0/2")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{USAGE}Error: --shard picks a share of the configured workbooks: add --all\n"
    )
    result = invoke("sync", "--name", "initech", "--shard", "auto/2",
                    env={"JOB_COMPLETION_INDEX": "0"})
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --shard picks a share of the configured workbooks: "
                                  "add --all\n")


def test_help_names_the_option(invoke: Invoke) -> None:
    result = invoke("sync", "--help")
    assert result.exit_code == 0
    assert "--shard INDEX/COUNT" in result.stdout
    assert "JOB_COMPLETION_INDEX" in result.stdout
