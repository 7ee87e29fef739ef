"""`python -m tests.fakes.google_api --port PORT [--state FILE]`: the fake over HTTP.

With `--port 0` the chosen port is printed as `listening on http://127.0.0.1:PORT`.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from tests.fakes.google_api.core import FakeGoogle
from tests.fakes.google_api.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.google_api")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state", help="JSON state file: loaded at start, saved after writes")
    parser.add_argument("--seed", type=int, default=0, help="seed for generated ids")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)
    fake = FakeGoogle(seed=args.seed)
    server = serve(fake, args.port, state=args.state, verbose=args.verbose)
    print(f"listening on {server.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.close()
    if args.state:
        fake.save_state(args.state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
