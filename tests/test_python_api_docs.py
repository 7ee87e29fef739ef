"""docs/python-api.md: every ```python block runs, in order, in an empty folder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import sheets_sync

PAGE = Path(__file__).resolve().parents[1] / "docs" / "python-api.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
#: Variables a reader's machine may set that would change what the examples do.
ISOLATED = ("SHEETS_SYNC_CONFIG", "SHEETS_SYNC_TIMEZONE", "SHEETS_SYNC_LOCALE",
            "SHEETS_SYNC_TEMPLATE", "SHEETS_SYNC_STATE_DIR")


def blocks(text: str) -> list[tuple[int, str]]:
    """(1-based line of the block's first code line, code) of every python block."""
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in BLOCK.finditer(text)]


def test_the_page_has_examples() -> None:
    found = blocks(PAGE.read_text(encoding="utf-8"))
    assert len(found) >= 10
    assert all(code.strip() for _, code in found)


def test_every_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ISOLATED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "python_api_docs"}
    for line, code in blocks(PAGE.read_text(encoding="utf-8")):
        # Padded so that a traceback names the line of the page that failed.
        compiled = compile("\n" * (line - 1) + code, str(PAGE), "exec")
        exec(compiled, namespace)
    out = capsys.readouterr().out
    assert "demo.xlsx as of 2026-11-27: 0 cells changed;" in out
    assert "another sheets-sync run holds the lock" in out


def test_the_page_names_the_public_api() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for name in sheets_sync.__all__:
        if name not in ("analyze", "__version__"):
            assert f"`{name}" in text or f"sheets_sync.{name}" in text, name
