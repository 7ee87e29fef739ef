"""CI cannot pass by skipping: under CI a missing LibreOffice (or Chromium) fails the run and
names the program.

Each case runs pytest in a subprocess on a generated test file, with tests/conftest.py loaded
as a plugin (``-p tests.conftest``) and a PATH that holds no soffice, or a stand-in one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

GENERATED = '''
import shutil

import pytest


@pytest.mark.libreoffice
def test_marked():
    pass


def test_skips_itself():  # not marked, like a fixture that looks for soffice itself
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")


def test_plain_skip():
    pytest.skip("nothing to do with LibreOffice")
'''


GENERATED_CHROMIUM = '''
import pytest


@pytest.mark.chromium
def test_marked():
    pass
'''


def run(
    tmp_path: Path, ci: str | None, soffice: bool, tests: str = GENERATED
) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    if soffice:
        stand_in = bin_dir / "soffice"
        stand_in.write_text("#!/bin/sh\nexit 0\n")
        stand_in.chmod(0o755)
    (tmp_path / "test_generated.py").write_text(tests)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    libreoffice: needs soffice on PATH\n"
        "    chromium: needs chromium on PATH\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CI", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONPATH")
    }
    env.update(
        PATH=str(bin_dir),
        PYTHONPATH=str(REPO),
        PYTHONDONTWRITEBYTECODE="1",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
    )
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.conftest",
         "-rA", "-q", "--rootdir", str(tmp_path), str(tmp_path / "test_generated.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("ci", ["true", "1"])
def test_under_ci_a_missing_soffice_fails_and_names_it(tmp_path: Path, ci: str) -> None:
    done = run(tmp_path, ci=ci, soffice=False)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "1 failed, 1 skipped, 1 error" in out, out
    # the marked test fails at setup (an error), the one that skips itself fails
    assert "ERROR test_generated.py::test_marked - Failed: LibreOffice is missing: `soffice`" in out
    assert "FAILED test_generated.py::test_skips_itself - LibreOffice is missing: `soffice`" in out
    assert "SKIPPED [1] test_generated.py" in out and "nothing to do with LibreOffice" in out


@pytest.mark.parametrize("ci", [None, "false", "0", ""])
def test_outside_ci_a_missing_soffice_skips(tmp_path: Path, ci: str | None) -> None:
    done = run(tmp_path, ci=ci, soffice=False)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "3 skipped" in out, out
    assert "`soffice` is not on PATH" in out, out


def test_under_ci_with_soffice_the_tests_run(tmp_path: Path) -> None:
    done = run(tmp_path, ci="true", soffice=True)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "2 passed, 1 skipped" in out, out


@pytest.mark.parametrize("ci", ["true", None])
def test_a_missing_chromium_fails_under_ci_and_skips_elsewhere(
    tmp_path: Path, ci: str | None
) -> None:
    done = run(tmp_path, ci=ci, soffice=False, tests=GENERATED_CHROMIUM)
    out = done.stdout + done.stderr
    if ci:
        assert done.returncode == 1, out
        assert "ERROR test_generated.py::test_marked - Failed: Chromium is missing" in out
    else:
        assert done.returncode == 0, out
        assert "1 skipped" in out and "`chromium` is not on PATH" in out, out
