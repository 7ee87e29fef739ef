"""README's "Try the Google backend without an account" works as written.

The section's first ```sh block starts the fake; the others run in a second terminal. This
runs them as they stand, on a free port instead of 8765, the commands in a temporary folder.
"""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## Try the Google backend without an account"
PORT = "8765"


def section_blocks() -> list[str]:
    """The ```sh blocks of the README section, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert HEADING in readme, "README.md lost its Google walkthrough"
    section = readme.split(HEADING, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```sh\n(.*?)^```$", section, re.S | re.M)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def localise(block: str, port: int) -> str:
    """The block on `port`, with `.venv/bin/` meaning this interpreter's bin folder."""
    bin_dir = str(Path(sys.executable).parent)
    return block.replace(PORT, str(port)).replace(".venv/bin/", bin_dir + "/")


def test_the_section_is_what_this_test_runs() -> None:
    blocks = section_blocks()
    assert len(blocks) >= 2
    assert blocks[0].strip() == f".venv/bin/python -m tests.fakes.google_api --port {PORT}"
    commands = "".join(blocks[1:])
    assert f"SHEETS_SYNC_GOOGLE_API_ROOT=http://127.0.0.1:{PORT}" in commands
    for command in ("provision", "sync", "report"):
        assert f".venv/bin/sheets-sync {command}" in commands


def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    blocks = section_blocks()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETS_SYNC_")}
    env["SHEETS_SYNC_STATE_DIR"] = str(tmp_path / "state")
    server = subprocess.Popen(
        ["bash", "-c", "exec " + localise(blocks[0], port).strip()],
        cwd=ROOT,  # `-m tests.fakes...` needs the repository's folder, as the README says
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        # The fake prints this line once it accepts connections; wait for it 15 s at most.
        ready, _, _ = select.select([server.stdout], [], [], 15)
        line = server.stdout.readline() if ready else "(nothing within 15 s)"
        assert f"listening on http://127.0.0.1:{port}" in line, line
        work = tmp_path / "work"
        work.mkdir()
        started = time.monotonic()
        result = subprocess.run(
            ["bash", "-e", "-c", "\n".join(localise(b, port) for b in blocks[1:])],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert time.monotonic() - started < 60
        assert (work / "demo" / "google.toml").is_file()
        assert re.search(r"Provisioned google:\S+: \d+ steps", output), output
        synced = re.search(r"as of [\d-]+: (\d+) cells changed; 0 errors", output)
        assert synced and int(synced[1]) > 0, output  # the sync wrote the computed cells
        assert "Tasks without exactly one Accountable" in output, output  # the report
        assert "Traceback" not in output
    finally:
        # Ctrl-C, as the README says; then make sure.
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    assert server.returncode == 0, "the fake did not stop cleanly on Ctrl-C"
