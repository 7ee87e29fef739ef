"""Editor lock files: who has a workbook open in LibreOffice or Excel.

LibreOffice writes ``.~lock.NAME#`` next to the file it has open, Excel ``~$NAME``;
the xlsx backend refuses to write while either exists.
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path


def _age(seconds: float) -> str:
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes // (24 * 60)} days"


def _libreoffice_holder(lock: Path) -> str | None:
    """``user on host`` from a LibreOffice lock file (``NAME,USER,HOST,DATE,URL;``)."""
    try:
        text = lock.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = next(csv.reader([text.strip().rstrip(";")]), [])
    name = fields[0].strip() if fields else ""
    user = fields[1].strip() if len(fields) > 1 else ""
    host = fields[2].strip() if len(fields) > 2 else ""
    who = name or user
    if who and host:
        return f"{who} on {host}"
    return who or None


def _excel_holder(lock: Path) -> str | None:
    """The user name in an Excel owner file: a length byte, then the name (best effort)."""
    try:
        data = lock.read_bytes()[:165]
    except OSError:
        return None
    if data and 0 < data[0] < 54 and len(data) > data[0]:
        name = data[1 : 1 + data[0]].decode("cp1252", errors="replace").strip()
        if name.isprintable() and name:
            return name
    return None


def editor_lock(path: str | os.PathLike[str]) -> str | None:
    """Describe who has the workbook open in LibreOffice or Excel, or None when nobody does."""
    target = Path(path)
    name = target.name
    candidates = [
        ("LibreOffice", target.with_name(f".~lock.{name}#"), _libreoffice_holder),
        ("Excel", target.with_name(f"~${name}"), _excel_holder),
    ]
    for program, lock, holder in candidates:
        try:
            info = lock.stat()
        except OSError:
            continue
        who = holder(lock) or "someone"
        age = _age(time.time() - info.st_mtime)
        return f"{name} is open in {program}, held by {who} for {age} (lock file {lock.name})"
    return None


__all__ = ["editor_lock"]
