"""Names as people see them: what headers, tab names and enum values compare by."""

from __future__ import annotations

import re

#: Characters that take no room on screen: zero-width spaces and joiners, BOM, soft hyphen.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case folded, invisible characters dropped, runs of whitespace as one space, trimmed."""
    return _SPACES.sub(" ", text.translate(INVISIBLE)).strip().casefold()
