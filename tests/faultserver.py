"""A listing site served on 127.0.0.1 that misbehaves on request, for end-to-end tests.

``listing_site`` generates a small blog (pages of post cards joined by a pager);
``FaultServer`` serves it with ETags, answers conditional GETs with 304, and plays
scripted faults per path: a status (503, 429 with Retry-After, ...), a dropped
connection or a slow answer, one fault per request until the path's script runs out.
"""

from __future__ import annotations

import hashlib
import html
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from loopback import LoopbackServer

# A fixed Last-Modified so that reruns see the same validators.
LAST_MODIFIED = formatdate(1768118400, usegmt=True)


@dataclass(frozen=True, slots=True)
class Resource:
    """One file of the site: its bytes and the Content-Type it is served with."""

    body: bytes
    content_type: str | None = "text/html; charset=utf-8"

    @property
    def etag(self) -> str:
        """A strong ETag derived from the body."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass(frozen=True, slots=True)
class Fault:
    """What to do for one request of a path: wait ``delay`` seconds, then drop the
    connection, answer ``status``, or (neither) serve the page as usual."""

    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False
    delay: float = 0.0


def status(code: int, **headers: str) -> Fault:
    """A fault answering ``code`` with ``headers`` (underscores become dashes)."""
    return Fault(code, tuple((k.replace("_", "-"), v) for k, v in headers.items()))


def drop() -> Fault:
    """A fault closing the connection without any answer."""
    return Fault(drop=True)


def slow(seconds: float) -> Fault:
    """A fault serving the page as usual, ``seconds`` late."""
    return Fault(delay=seconds)


@dataclass(frozen=True, slots=True)
class Post:
    """A post as its card shows it."""

    slug: str
    title: str
    excerpt: str
    published: str


def make_posts(count: int, title_prefix: str = "笔记") -> list[Post]:
    """``count`` posts, newest first, with Chinese titles and excerpts."""
    return [
        Post(
            slug=f"post-{n:03d}",
            title=f"{title_prefix}第{n}篇：分布式训练与自动求导",
            excerpt=f"这是第{n}篇文章的摘要，讲的是梯度如何在多张显卡之间同步，以及为什么要这样做。",
            published=f"2026-01-{1 + n % 28:02d}",
        )
        for n in range(count, 0, -1)
    ]


def page_path(number: int) -> str:
    """The path of listing page ``number`` (1-based)."""
    return "/" if number == 1 else f"/page/{number}/"


def listing_page(posts: list[Post], number: int, last: int, head: str = "") -> str:
    """The HTML of one listing page."""
    cards = "\n".join(
        f'<article class="post"><h2 class="post-title"><a href="/posts/{p.slug}/">'
        f"{html.escape(p.title)}</a></h2>"
        f'<div class="meta"><time datetime="{p.published}">{p.published}</time></div>'
        f'<p class="excerpt">{html.escape(p.excerpt)}...</p></article>'
        for p in posts
    )
    pager = (
        f'<nav class="pagination"><a rel="next" href="{page_path(number + 1)}">下一页</a></nav>'
        if number < last
        else ""
    )
    return (
        f"<!doctype html><html><head>{head}<title>博客 - 第{number}页</title></head>"
        f'<body><header><a href="/">首页</a></header><main>\n{cards}\n</main>{pager}</body></html>'
    )


def listing_site(
    posts: list[Post],
    per_page: int = 4,
    *,
    encoding: str = "utf-8",
    declare: str = "header",
    robots: str | None = None,
) -> dict[str, Resource]:
    """The listing pages of ``posts``, encoded and declared as asked.

    ``declare`` says where the charset is named: "header" (Content-Type only),
    "meta" (``<meta charset>`` only), "http-equiv" (only that meta), or "nowhere".
    """
    chunks = [posts[i : i + per_page] for i in range(0, len(posts), per_page)]
    header = f"text/html; charset={encoding}" if declare == "header" else "text/html"
    head = {
        "meta": f'<meta charset="{encoding}">',
        "http-equiv": f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">',
    }.get(declare, "")
    site = {
        page_path(n): Resource(listing_page(chunk, n, len(chunks), head).encode(encoding), header)
        for n, chunk in enumerate(chunks, start=1)
    }
    if robots is not None:
        site["/robots.txt"] = Resource(robots.encode(), "text/plain; charset=utf-8")
    return site


@dataclass(frozen=True, slots=True)
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]


@dataclass(slots=True)
class _State:
    site: dict[str, Resource]
    delay: float
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FaultServer(LoopbackServer):
    """Serves ``site`` on 127.0.0.1, ``delay`` seconds late, with scripted faults."""

    def __init__(self, site: dict[str, Resource], delay: float = 0.0) -> None:
        self._state = _State(dict(site), delay)
        super().__init__(_make_handler(self._state))

    @property
    def requests(self) -> list[Seen]:
        """Every request so far, in order."""
        with self._state.lock:
            return list(self._state.requests)

    @property
    def delay(self) -> float:
        """Seconds every answer but robots.txt waits before it starts."""
        return self._state.delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        self._state.delay = seconds

    def hits(self, path: str) -> int:
        """How many requests asked for ``path``."""
        return sum(1 for seen in self.requests if seen.path == path)

    def fail(self, path: str, *faults: Fault) -> None:
        """Play ``faults`` on the next requests for ``path``, one per request."""
        with self._state.lock:
            self._state.faults.setdefault(path, []).extend(faults)

    def publish(self, site: dict[str, Resource]) -> None:
        """Replace the whole site (a new state of the blog)."""
        with self._state.lock:
            self._state.site = dict(site)


def _make_handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            with state.lock:
                state.requests.append(Seen(path, dict(self.headers.items())))
                script = state.faults.get(path)
                fault = script.pop(0) if script else None
                resource = state.site.get(path)
            delay = (state.delay if path != "/robots.txt" else 0.0) + (fault.delay if fault else 0)
            time.sleep(delay)
            if fault is not None and fault.drop:
                self.close_connection = True  # no status line: the client sees a dropped connection
            elif fault is not None and fault.status is not None:
                self._send(fault.status, b"fault\n", "text/plain", fault.headers)
            elif resource is None:
                self._send(404, b"not found\n", "text/plain")
            elif self.headers.get("If-None-Match") == resource.etag:
                self._send(304, b"", None, _validators(resource))
            else:
                self._send(200, resource.body, resource.content_type, _validators(resource))

        def _send(
            self,
            code: int,
            body: bytes,
            content_type: str | None,
            headers: tuple[tuple[str, str], ...] = (),
        ) -> None:
            self.send_response(code)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet: tests read ``requests`` instead."""

    return Handler


def _validators(resource: Resource) -> tuple[tuple[str, str], ...]:
    return (("ETag", resource.etag), ("Last-Modified", LAST_MODIFIED))
