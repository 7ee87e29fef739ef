"""Exceptions that carry the exit code the CLI should end with."""

from __future__ import annotations


class SheetsSyncError(Exception):
    """A failure the tool can explain: exit 1 unless a subclass says otherwise."""

    exit_code = 1


class ConfigError(SheetsSyncError):
    """Bad configuration or template: names the key path that is wrong (exit 2)."""

    exit_code = 2

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


class ConfigErrors(ConfigError):
    """Several configuration errors found in one pass, one per line (exit 2).

    ``key`` and ``message`` are the first error's; ``errors`` holds every one.
    """

    def __init__(self, errors: list[ConfigError], where: str = "the config") -> None:
        super().__init__(errors[0].key, errors[0].message)
        self.errors = tuple(errors)
        lines = "".join(f"\n  {error}" for error in errors)
        self.args = (f"{where} has {len(errors)} errors:{lines}",)


class TryLater(SheetsSyncError):
    """Someone else holds the workbook (a sync lock or an editor's lock file): exit 75."""

    exit_code = 75


class WorkbookError(SheetsSyncError):
    """The workbook cannot be read or written safely (exit 1)."""


class GuardError(SheetsSyncError):
    """Rows moved under the sync more often than it will re-plan (exit 1)."""
