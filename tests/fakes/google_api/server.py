"""The same fake over HTTP on 127.0.0.1 (http.server.ThreadingHTTPServer).

Injected faults in this mode: "reset" closes the connection without a reply; "timeout" holds
the request for `FakeServer.timeout_hold` seconds (default 2) and then closes it, so a client
with a shorter read timeout sees its own ReadTimeout.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from tests.fakes.google_api.faults import FaultReset, FaultTimeout

if TYPE_CHECKING:
    from tests.fakes.google_api.core import FakeGoogle


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = f"http://127.0.0.1:{self.server.server_port}{self.path}"
        try:
            reply = self.server.fake.handle(self.command, url, dict(self.headers), body)
        except FaultTimeout:
            time.sleep(self.server.timeout_hold)
            self._drop()
            return
        except FaultReset:
            self._drop()
            return
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.body:
            self.wfile.write(reply.body)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeGoogle, port: int = 0, *, verbose: bool = False) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.fake = fake
        self.verbose = verbose
        self.timeout_hold = 2.0
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        self.thread = threading.Thread(target=self.serve_forever, name="fake-google", daemon=True)
        self.thread.start()
        return self

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(
    fake: FakeGoogle,
    port: int = 0,
    *,
    state: str | None = None,
    block: bool = False,
    verbose: bool = False,
) -> FakeServer:
    """Serve `fake` on 127.0.0.1:`port` (0 picks a free port; see `.url`).

    Returns the running server (in a daemon thread) unless `block`, which serves in the
    calling thread until shutdown. With `state`, the state is loaded from that JSON file if it
    exists and saved to it after every successful write request.
    """
    if state:
        if os.path.exists(state):
            fake.load_state(state)
        path = state
        fake.on_change = lambda: fake.save_state(path)
    server = FakeServer(fake, port, verbose=verbose)
    if block:
        server.serve_forever()
        return server
    return server.start()
