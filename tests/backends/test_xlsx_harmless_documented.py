"""The short list of parts a save may drop is documented, with the reason for each."""

from __future__ import annotations

from pathlib import Path

from sheets_sync.backends.xlsx_loss import HARMLESS_PARTS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_harmless_part_is_in_the_readme_with_its_reason() -> None:
    text = README.read_text(encoding="utf-8")
    for pattern, why in HARMLESS_PARTS.items():
        assert f"| `{pattern}` | {why} |" in text, pattern
