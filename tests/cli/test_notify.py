"""``sheets-sync notify``: digests printed, written as .eml, and sent to a real SMTP server.

The server is aiosmtpd on 127.0.0.1, started by a fixture; each message is parsed back
with the ``email`` package. Its answers can be set: accept, 4xx (try later) a number of
times, or 5xx (refused).
"""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from .conftest import Invoke, write_config

AS_OF = "2026-11-27"
PASSWORD = "s3cret-never-shown"


class Server:
    """Collects messages; answers 4xx ``busy`` times, or 5xx when ``refuse``."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.busy = 0
        self.refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "550 mailbox unavailable"
        if self.busy > 0:
            self.busy -= 1
            return "451 try again later"
        self.messages.append(
            (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Server, int]]:
    handler = Server()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(home: Path, port: int, attempts: int = 3) -> None:
    (home / "smtp-password").write_text(PASSWORD + "\n")
    write_config(
        home / "sheets-sync.toml",
        ("demo", "partnership.xlsx"),
        extra=(
            '[notify]\nsender = "partnerships@example.org"\n\n'
            f'[notify.smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
            f'password_file = "smtp-password"\nattempts = {attempts}\n'
        ),
    )


def test_dry_run_prints_each_digest_and_sends_nothing(invoke: Invoke, demo_xlsx: Path) -> None:
    before = demo_xlsx.read_bytes()
    result = invoke("notify", "--workbook", "partnership.xlsx", "--as-of", AS_OF, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Subject: ") >= 3
    assert "To: Chloe Martin <chloe.martin@northwindhealth.org>" in result.stdout
    assert "RACI-NO-A" in result.stdout  # T7 reaches the Owner of its goal
    assert demo_xlsx.read_bytes() == before


def test_out_writes_eml_files(invoke: Invoke, demo_xlsx: Path, home: Path) -> None:
    result = invoke("notify", "--workbook", "partnership.xlsx", "--as-of", AS_OF,
                    "--out", "mail")
    assert result.exit_code == 0, result.output
    files = sorted((home / "mail").glob("*.eml"))
    assert files and all(f.name.startswith(AS_OF) for f in files)
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert {p.get_content_type() for p in parsed.walk()} >= {"text/plain", "text/html"}


def test_send_once_per_period_then_resend(
    invoke: Invoke, demo_xlsx: Path, home: Path, smtp: tuple[Server, int]
) -> None:
    server, port = smtp
    configure(home, port)
    before = demo_xlsx.read_bytes()
    first = invoke("notify", "--as-of", AS_OF)
    assert first.exit_code == 0, first.output
    sent = len(server.messages)
    assert sent >= 3
    assert f"{sent} sent, 0 already delivered this period, 0 retried, 0 failed" in first.stdout
    for recipients, message in server.messages:
        assert recipients == [message["To"].addresses[0].addr_spec]
        assert message["From"].addresses[0].addr_spec == "partnerships@example.org"
        html = message.get_body(("html",)).get_content()
        assert 'href="file://' in html and "partnership.xlsx#" in html
    again = invoke("notify", "--as-of", "2026-11-28")  # same ISO week
    assert again.exit_code == 0
    assert len(server.messages) == sent
    assert f"0 sent, {sent} already delivered this period" in again.stdout
    forced = invoke("notify", "--as-of", "2026-11-28", "--resend")
    assert forced.exit_code == 0
    assert len(server.messages) == 2 * sent
    assert demo_xlsx.read_bytes() == before
    for output in (first.output, again.output, forced.output):
        assert PASSWORD not in output


def test_a_busy_server_is_tried_again(
    invoke: Invoke, demo_xlsx: Path, home: Path, smtp: tuple[Server, int]
) -> None:
    server, port = smtp
    configure(home, port)
    server.busy = 1  # the first message is answered 451 once
    result = invoke("notify", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert " 1 retried, 0 failed" in result.stdout
    assert len(server.messages) >= 3


def test_a_refusing_server_fails_each_message_without_retrying(
    invoke: Invoke, demo_xlsx: Path, home: Path, smtp: tuple[Server, int]
) -> None:
    server, port = smtp
    configure(home, port)
    server.refuse = True
    before = demo_xlsx.read_bytes()
    result = invoke("notify", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "0 sent, 0 already delivered this period, 0 retried" in result.stdout
    refused = "not delivered: chloe.martin@northwindhealth.org: 550 mailbox unavailable"
    assert refused in result.stderr
    assert demo_xlsx.read_bytes() == before
    # nothing was recorded as delivered: the next run tries again
    server.refuse = False
    assert invoke("notify", "--as-of", AS_OF).exit_code == 0
    assert server.messages


def test_a_server_that_is_down_is_reported_per_recipient(
    invoke: Invoke, demo_xlsx: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sheets_sync.delivery.time.sleep", lambda _s: None)
    configure(home, free_port(), attempts=2)
    before = demo_xlsx.read_bytes()
    result = invoke("notify", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "0 sent" in result.stdout and " failed" in result.stdout
    assert "ConnectionRefusedError" in result.stderr
    failed = result.stderr.count("not delivered: ")
    assert failed >= 3 and f"{failed} retried, {failed} failed" in result.stdout
    assert demo_xlsx.read_bytes() == before
    assert PASSWORD not in result.output


class Receiver:
    """A local HTTP endpoint standing in for Slack's and Google Chat's webhooks."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, Any]] = []
        self.status = 200


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            state.bodies.append((self.path, body))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_webhooks_get_one_summary_per_workbook(
    invoke: Invoke, demo_xlsx: Path, home: Path, receiver: tuple[Receiver, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state, base = receiver
    secret = "T000/B000/not-to-be-printed"
    write_config(
        home / "sheets-sync.toml",
        ("demo", "partnership.xlsx"),
        extra='[notify]\nslack_webhook_env = "SLACK_URL"\nchat_webhook_env = "CHAT_URL"\n',
    )
    env = {"SLACK_URL": f"{base}/slack/{secret}", "CHAT_URL": f"{base}/chat/{secret}"}
    result = invoke("notify", "--as-of", AS_OF, env=env)
    assert result.exit_code == 0, result.output
    assert sorted(path.split("/")[1] for path, _ in state.bodies) == ["chat", "slack"]
    for path, body in state.bodies:
        # the documented minimal shape of both: {"text": "..."}
        assert set(body) == {"text"} and isinstance(body["text"], str)
        assert "RACI-NO-A T7" in body["text"]
        if path.startswith("/slack/"):
            assert "|partnership.xlsx>" in body["text"]  # Slack's <url|label> link
    assert secret not in result.output
    again = invoke("notify", "--as-of", AS_OF, env=env)
    assert "0 sent, 2 already delivered" in again.stdout and len(state.bodies) == 2
    state.status = 500
    failed = invoke("notify", "--as-of", AS_OF, "--resend", env=env)
    assert failed.exit_code == 1
    assert "not delivered: webhook:slack: HTTP 500" in failed.stderr
    assert secret not in failed.output


def test_a_second_run_cannot_send_while_one_holds_the_lock(
    invoke: Invoke, demo_xlsx: Path, home: Path, smtp: tuple[Server, int]
) -> None:
    """Two cron runs for one workbook: the one that finds the lock held sends nothing."""
    from sheets_sync.lock import workbook_lock

    server, port = smtp
    configure(home, port)
    with workbook_lock(str(demo_xlsx.resolve()), (home.parent / "state").resolve()):
        blocked = invoke("notify", "--as-of", AS_OF)
    assert blocked.exit_code == 75, blocked.output
    assert server.messages == []
    first = invoke("notify", "--as-of", AS_OF)
    assert first.exit_code == 0 and server.messages
