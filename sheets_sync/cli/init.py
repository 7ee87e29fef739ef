"""``sheets-sync init``: write a config file to start from."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from sheets_sync.cli.options import not_xlsx, pass_output
from sheets_sync.cli.output import USAGE, Output
from sheets_sync.config import DEFAULT_CONFIG
from sheets_sync.errors import ConfigError

#: Where config.example.toml is: inside an installed wheel, else at the repository root.
_EXAMPLE_NAMES = ("_config.example.toml", "../config.example.toml")


def example_config() -> str:
    """The text of config.example.toml (complete and commented)."""
    package = Path(__file__).resolve().parent.parent
    for name in _EXAMPLE_NAMES:
        candidate = package / name
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise ConfigError("config.example.toml", f"not found next to {package}; reinstall sheets-sync")


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_text(workbook: str | None, config_file: Path) -> str:
    """The example config, with its xlsx workbook pointing at ``workbook`` when given.

    A relative ``workbook`` is taken from the current folder and written relative to
    the config file's folder (which is how paths in a config file are read).
    """
    text = example_config()
    if workbook is None:
        return text
    path = Path(workbook)
    if not path.is_absolute():
        path = Path(os.path.relpath(path.resolve(), config_file.resolve().parent))
    setting = f"path = {_toml_string(path.as_posix())}"
    text, found = re.subn(r'(?m)^path = "partnership\.xlsx"$', lambda _: setting, text, count=1)
    if not found:
        raise ConfigError("workbooks[0].path", "config.example.toml has no xlsx workbook to set")
    name = f"name = {_toml_string(path.stem)}"
    return re.sub(r'(?m)^name = "partnership"$', lambda _: name, text, count=1)


@click.command("init")
@click.argument("path", type=click.Path(dir_okay=False), default=DEFAULT_CONFIG, required=False)
@click.option(
    "--workbook",
    metavar="PATH.xlsx",
    type=click.Path(dir_okay=False),
    help="The local workbook the config keeps [default: partnership.xlsx].",
)
@click.option("--force", is_flag=True, help="Overwrite PATH when it exists.")
@pass_output
def init_cmd(out: Output, path: str, workbook: str | None, force: bool) -> None:
    """Write a commented config file.

    PATH defaults to ./sheets-sync.toml; an existing file is kept unless --force.
    The file lists every setting with its default; edit it, then run
    `sheets-sync provision` and `sheets-sync sync`.
    """
    from sheets_sync.config import load_config

    target = Path(path)
    if target.exists() and not force:
        out.abort(f"{target} already exists; pass --force to overwrite it", USAGE)
    if workbook is not None and Path(workbook).suffix.lower() != ".xlsx":
        raise click.BadParameter(not_xlsx(workbook), param_hint="'--workbook'")
    text = config_text(workbook, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    config = load_config(target)  # what was written must load
    out.print(f"Wrote {target} (workbook: {config.workbook().label})")
    flag = "" if target == Path(DEFAULT_CONFIG) else f" --config {target}"
    out.info(
        f"Next: edit it, then run `sheets-sync provision{flag}` and `sheets-sync sync{flag}`."
    )
