"""The bundled fixture site, served on loopback, and the demo that crawls it."""

from __future__ import annotations

import hashlib
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

import feedkeeper

_TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}
# A fixed Last-Modified: the fixture files' mtimes change with every checkout.
_LAST_MODIFIED = formatdate(1768118400, usegmt=True)


def fixture_site() -> Path:
    """Return the fixture site's folder: packaged beside the code, or in the source tree."""
    packaged = Path(feedkeeper.__file__).parent / "fixtures" / "site"
    if packaged.is_dir():
        return packaged
    return Path(feedkeeper.__file__).resolve().parents[2] / "fixtures" / "site"


def snapshot_names(site: Path) -> list[str]:
    """Return the site's snapshot folder names in order."""
    return sorted(p.name for p in (site / "snapshots").iterdir() if p.is_dir())


class FixtureServer:
    """Serves one snapshot of the fixture site at a time on 127.0.0.1, with ETags.

    A path is served from the current snapshot folder when present there, else
    from ``common/``; a folder means its ``index.html``.
    """

    def __init__(self, site: Path | None = None) -> None:
        self.site = site or fixture_site()
        self.snapshot = snapshot_names(self.site)[0]
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The server's root URL, e.g. ``http://127.0.0.1:54321/``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def resolve(self, path: str) -> Path | None:
        """Return the file that answers ``path`` in the current snapshot, or None."""
        relative = unquote(urlsplit(path).path).lstrip("/")
        for root in (self.site / "snapshots" / self.snapshot, self.site / "common"):
            candidate = (root / relative).resolve()
            if not candidate.is_relative_to(root.resolve()):
                return None
            if candidate.is_dir():
                candidate = candidate / "index.html"
            if candidate.is_file():
                return candidate
        return None

    def __enter__(self) -> FixtureServer:
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


def _make_handler(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            server.requests.append(self.path)
            path = server.resolve(self.path)
            if path is None:
                self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain; charset=utf-8")
                return
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._send(HTTPStatus.NOT_MODIFIED, b"", None, etag)
                return
            self._send(
                HTTPStatus.OK, body, _TYPES.get(path.suffix, "application/octet-stream"), etag
            )

        def _send(
            self, status: HTTPStatus, body: bytes, kind: str | None, etag: str | None = None
        ) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", _LAST_MODIFIED)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet: the demo prints its own summary."""

    return Handler
