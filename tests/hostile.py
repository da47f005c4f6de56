"""A hostile site served on 127.0.0.1, for the tests that prove it cannot hurt the crawler.

``HostileServer`` answers each path with an ``Answer`` (status, headers, body) or with
a function of the query string, so a test can script decompression bombs, pages
nested 100,000 deep, charsets that are not text encodings, endless pagers,
redirects to other ports, robots.txt files that redirect, time out or never end, and
answers that break HTTP (``raw_answer``).
Every request is recorded with its headers.
"""

from __future__ import annotations

import functools
import gzip
import html
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from loopback import LoopbackServer


@dataclass(frozen=True, slots=True)
class Answer:
    """One response: a status, its headers and its body."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html; charset=utf-8"),)
    raw: bytes | None = None  # sent as it is instead, status line and framing included


Route = Answer | Callable[[str], Answer]  # a fixed answer, or one made from the query


def page(body: str | bytes, content_type: str = "text/html; charset=utf-8") -> Answer:
    """A 200 answer with ``body``."""
    data = body.encode() if isinstance(body, str) else body
    return Answer(200, data, (("Content-Type", content_type),))


def redirect(location: str, status: int = 302) -> Answer:
    """A redirect to ``location``."""
    return Answer(status, b"", (("Location", location),))


def raw_answer(data: bytes) -> Answer:
    """``data`` sent as the whole answer, then the connection closed: an answer no HTTP
    server library would write (a garbage status line, a broken chunk, a body cut short)."""
    return Answer(raw=data)


def robots(text: str) -> Answer:
    """A robots.txt answer."""
    return page(text, "text/plain; charset=utf-8")


def card(slug: str, title: str, excerpt: str, href: str | None = None) -> str:
    """One post card linking to ``href`` (``/posts/<slug>/`` by default)."""
    link = href or f"/posts/{slug}/"
    return (
        f'<article class="post"><h2><a href="{html.escape(link)}">{html.escape(title)}</a></h2>'
        f'<time datetime="2026-01-02">2026-01-02</time>'
        f'<p class="excerpt">{html.escape(excerpt)}</p></article>'
    )


def listing(cards: Iterable[str], next_href: str | None = None, pager: str = "") -> str:
    """A listing page of ``cards`` with an optional next link and pager."""
    nav = f'<a rel="next" href="{html.escape(next_href)}">next</a>' if next_href else ""
    return (
        "<!doctype html><html><head><title>blog</title></head><body><main>"
        + "".join(cards)
        + f'</main><nav class="pagination">{pager}{nav}</nav></body></html>'
    )


def cards_for(prefix: str, count: int = 4) -> list[str]:
    """``count`` distinct cards whose slugs start with ``prefix``."""
    return [
        card(
            f"{prefix}-{n}",
            f"{prefix} 第{n}篇：分布式训练",
            f"这是{prefix}第{n}篇的摘要，讲梯度如何在多张显卡之间同步。",
        )
        for n in range(1, count + 1)
    ]


@functools.cache
def gzip_bomb(inflated: int = 1 << 30, layers: int = 2) -> bytes:
    """``inflated`` zero bytes, gzipped ``layers`` times: a few kilobytes on the wire."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(inflated // len(block))]
    data = b"".join(parts) + compressor.flush()
    for _ in range(layers - 1):
        data = gzip.compress(data, 9)
    return data


def bomb_answer(content_type: str = "text/html; charset=utf-8", layers: int = 2) -> Answer:
    """A response whose body is a gzip bomb with ``layers`` Content-Encoding layers."""
    codings = ", ".join(["gzip"] * layers)
    return Answer(
        200,
        gzip_bomb(layers=layers),
        (("Content-Type", content_type), ("Content-Encoding", codings)),
    )


def nested_page(depth: int, tag: str = "div") -> str:
    """A page of ``depth`` nested elements (the parser's worst case), 13 bytes each."""
    return f"<html><body>{f'<{tag}>' * depth}x{f'</{tag}>' * depth}</body></html>"


@dataclass(frozen=True, slots=True)
class Seen:
    """One request the server received."""

    path: str
    query: str
    headers: dict[str, str]


class HostileServer(LoopbackServer):
    """Serves ``routes`` on 127.0.0.1; an unknown path answers 404."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        super().__init__(self._handler())

    @property
    def requests(self) -> list[Seen]:
        """Every request so far, in order."""
        with self._lock:
            return list(self._seen)

    def hits(self, path: str) -> int:
        """How many requests asked for ``path`` (any query)."""
        return sum(1 for seen in self.requests if seen.path == path)

    def _answer(self, path: str, query: str, headers: dict[str, str]) -> Answer:
        with self._lock:
            self._seen.append(Seen(path, query, headers))
            route = self.routes.get(path)
        if route is None:
            return Answer(404, b"not found\n", (("Content-Type", "text/plain"),))
        return route(query) if callable(route) else route

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                answer = server._answer(parts.path, parts.query, dict(self.headers.items()))
                if answer.raw is not None:
                    self.wfile.write(answer.raw)
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet: tests read ``requests`` instead."""

        return Handler
