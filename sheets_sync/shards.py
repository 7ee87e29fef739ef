"""Shards: ``sync --all --shard INDEX/COUNT`` syncs a stable share of the configured workbooks.

A workbook's shard is ``sha256(name) mod COUNT``: it depends only on its own configured
name and COUNT, never on the other workbooks or their order, so adding a workbook never
moves an existing one, and every process agrees (Python's ``hash()`` of a string is salted
per process, so it cannot pick a shard that another pod or host must agree with).
``auto/COUNT`` takes INDEX from ``JOB_COMPLETION_INDEX``, which a Kubernetes Indexed Job
sets in each of its pods.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from sheets_sync.errors import SheetsSyncError

#: The variable a Kubernetes Indexed Job sets to each pod's index (0 .. completions-1).
ENV_INDEX = "JOB_COMPLETION_INDEX"
#: ``INDEX/COUNT``; signs are accepted so that ``-1/4`` is told it is out of range.
_FORM = re.compile(r"(auto|[+-]?\d+)/([+-]?\d+)")

T = TypeVar("T")


class ShardError(SheetsSyncError):
    """A ``--shard`` value that cannot pick a shard: a usage error (exit 2)."""

    exit_code = 2


def shard_of(name: str, count: int) -> int:
    """The shard (0 .. count-1) of the workbook configured as ``name``."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest, "big") % count


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count``: the workbooks whose name hashes to ``index``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ShardError(f"COUNT must be at least 1, got {self.count}")
        if not 0 <= self.index < self.count:
            raise ShardError(
                f"INDEX must be from 0 to {self.count - 1} (COUNT is {self.count}), "
                f"got {self.index}"
            )

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, name: str) -> bool:
        """Whether the workbook configured as ``name`` is in this shard."""
        return shard_of(name, self.count) == self.index

    def select(self, items: Iterable[T], name: Callable[[T], str]) -> list[T]:
        """The items in this shard, in their order; ``name`` gives each one's name."""
        return [item for item in items if self.holds(name(item))]


def parse_shard(text: str, environ: Mapping[str, str] | None = None) -> Shard:
    """``INDEX/COUNT``, or ``auto/COUNT`` with INDEX from ``JOB_COMPLETION_INDEX``.

    ``environ`` defaults to the process's environment. Raises ShardError (exit 2),
    saying what is wrong, for anything that does not name one shard.
    """
    match = _FORM.fullmatch(text.strip().replace(" ", ""))
    if match is None:
        raise ShardError(
            f"{text!r} is not INDEX/COUNT (e.g. 0/4), nor auto/COUNT (INDEX from {ENV_INDEX})"
        )
    index_text, count = match[1], int(match[2])
    if count < 1:
        raise ShardError(f"COUNT must be at least 1, got {count}")
    if index_text != "auto":
        return Shard(int(index_text), count)
    env = os.environ if environ is None else environ
    value = env.get(ENV_INDEX)
    if value is None or not value.strip():
        raise ShardError(
            f"auto/{count} takes INDEX from {ENV_INDEX}, which is not set "
            "(a Kubernetes Indexed Job sets it); give INDEX/COUNT instead"
        )
    if not re.fullmatch(r"[+-]?\d+", value.strip()):
        raise ShardError(f"{ENV_INDEX}={value!r} is not a whole number")
    index = int(value)
    if not 0 <= index < count:
        raise ShardError(
            f"{ENV_INDEX}={index} is not from 0 to {count - 1} (COUNT is {count}): "
            f"the Job's completions must equal COUNT"
        )
    return Shard(index, count)


__all__ = ["ENV_INDEX", "Shard", "ShardError", "parse_shard", "shard_of"]
