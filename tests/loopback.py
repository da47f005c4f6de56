"""The base of the tests' HTTP servers: a threaded server on 127.0.0.1, run for a `with` block;
and a transport that takes a site's other addresses to it."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

import httpx


class QuietServer(ThreadingHTTPServer):
    """A threaded server that takes clients hanging up mid-answer as normal."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Killed crawls, closed pools and timed-out clients are the point here; the rest is not."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class LoopbackServer:
    """Serves ``handler`` on 127.0.0.1 and a free port while the ``with`` block runs."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The root URL, ``http://127.0.0.1:<port>/``."""
        return f"http://127.0.0.1:{self.port}/"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class ToLoopback(httpx.AsyncBaseTransport):
    """Sends every request to the loopback server on ``port``, whatever scheme and host its
    URL names: one test server answers for a site's every address (``http://blog.example/``,
    ``https://www.blog.example/``), as its moves are seen."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self._port)
        sent = httpx.Request(
            request.method, url, headers=request.headers, stream=request.stream,
            extensions=request.extensions,
        )  # fmt: skip
        return await self._inner.handle_async_request(sent)

    async def aclose(self) -> None:
        await self._inner.aclose()
