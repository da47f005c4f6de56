"""Loopback copies of the fixture blog that answer slowly and log when each request ran."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from types import TracebackType

from feedkeeper.fixture_site import FixtureServer

from loopback import LoopbackServer


@dataclass(frozen=True, slots=True)
class Request:
    """One request as the server saw it: when it came in and when its answer was sent."""

    path: str
    started: float
    ended: float


class SlowSite(LoopbackServer):
    """The fixture blog's first snapshot on 127.0.0.1, each answer ``delay`` seconds late."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.files = FixtureServer()  # only to find the files: never started
        self.log: list[Request] = []
        self._lock = threading.Lock()
        super().__init__(_handler(self))

    def record(self, request: Request) -> None:
        """Keep one request in the log (handlers run in threads)."""
        with self._lock:
            self.log.append(request)

    def overlapping(self) -> list[tuple[Request, Request]]:
        """Pairs of requests that were in flight at the same moment."""
        ordered = sorted(self.log, key=lambda r: r.started)
        return [(a, b) for a, b in itertools.pairwise(ordered) if b.started < a.ended]

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        self.files._server.server_close()


def _handler(site: SlowSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            started = time.monotonic()
            time.sleep(site.delay)
            path = site.files.resolve(self.path)
            body = path.read_bytes() if path is not None else b"not found"
            status = HTTPStatus.OK if path is not None else HTTPStatus.NOT_FOUND
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            site.record(Request(self.path, started, time.monotonic()))

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the log above is what the tests read."""

    return Handler
