"""Answers that break HTTP, come in a form never asked for or mislabel their text, against a
real crawl: each page fails with one line that names what the server did, or is read as the
site wrote it, and the rest of the walk goes on."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedkeeper.config import Settings
from feedkeeper.errors import RobotsDisallowedError
from feedkeeper.pipeline import CrawlOptions, RunSummary, crawl_async
from feedkeeper.store import Store
from hostile import Answer, HostileServer, cards_for, listing, page, raw_answer

from conftest import rows


@pytest.fixture
def site() -> Iterator[HostileServer]:
    """A site whose first page is fine and links to /page/2/, the page under test."""
    with HostileServer() as server:
        server.routes["/"] = page(listing(cards_for("first"), "/page/2/"))
        yield server


def crawl(server: HostileServer, db: Path) -> RunSummary:
    """Crawl ``server`` whole into ``db``: no pacing, one attempt a page."""
    settings = Settings(url=server.base_url, db=db, rate=0, retries=1, full=True)
    store = Store.open(db)
    try:
        return asyncio.run(asyncio.wait_for(crawl_async(store, settings, CrawlOptions()), 30))
    finally:
        store.close()


def failure_of_page_2(summary: RunSummary) -> str:
    """The one line the run gave the failed /page/2/."""
    (failure,) = summary.counts.failures
    assert failure["url"].endswith("/page/2/")
    return failure["error"]


OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
CHUNKED = OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
# An answer that breaks HTTP, and the words its failed page is reported with.
BROKEN = {
    "status line": (b"\x00\x01\x02garbage\r\n\r\n", "malformed answer (illegal status line)"),
    "header line": (OK_HEAD + b"Bad Line\r\n\r\n", "malformed answer (illegal header line)"),
    "long headers": (
        OK_HEAD + b"X-Big: " + b"a" * 200_000 + b"\r\n\r\n",
        "malformed answer (headers too long)",
    ),
    "chunk": (CHUNKED + b"zz\r\nhi\r\n0\r\n\r\n", "malformed answer (illegal chunk header)"),
    "two lengths": (
        OK_HEAD + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\nhi",
        "malformed answer (conflicting Content-Length headers)",
    ),
    "gzip framing": (
        OK_HEAD + b"Transfer-Encoding: gzip\r\n\r\nhi",
        "malformed answer (Only Transfer-Encoding: chunked is supported)",
    ),
    "cut short": (OK_HEAD + b"Content-Length: 900\r\n\r\n<html>", "connection dropped"),
    "closed": (b"", "connection dropped"),
}


@pytest.mark.parametrize(("answer", "said"), BROKEN.values(), ids=BROKEN.keys())
def test_an_answer_that_breaks_http_is_named_apart_from_a_dropped_connection(
    site: HostileServer, tmp_path: Path, answer: bytes, said: str
) -> None:
    site.routes["/page/2/"] = raw_answer(answer)
    summary = crawl(site, tmp_path / "a.db")
    assert (summary.status, summary.counts.new_posts) == ("partial", 4)
    assert failure_of_page_2(summary) == f"{said} (gave up after 1 attempt)"


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_a_page_compressed_as_never_asked_is_a_failed_page_that_says_so(
    site: HostileServer, tmp_path: Path, coding: str
) -> None:
    compressed = b"\x28\xb5\x2f\xfd\x00\x58\x51\x00\x00<compressed page>" * 40
    site.routes["/page/2/"] = Answer(
        200,
        compressed,
        (("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", coding)),
    )
    summary = crawl(site, tmp_path / "a.db")
    assert (summary.status, summary.counts.new_posts) == ("partial", 4)
    assert failure_of_page_2(summary) == (
        f"unusable response: its Content-Encoding is {coding}, which was not asked for"
        " (Accept-Encoding: gzip, deflate) and cannot be read"
    )


def test_a_utf8_page_its_header_calls_utf16_is_archived_as_written(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/page/2/"] = page(listing(cards_for("第二页")), "text/html; charset=utf-16")
    summary = crawl(site, tmp_path / "a.db")
    assert (summary.status, summary.counts.new_posts) == ("ok", 8)
    store = Store.open(tmp_path / "a.db")
    try:
        found = rows(store, "SELECT title FROM post_version WHERE title LIKE '第二页%'")
    finally:
        store.close()
    assert len(found) == 4
    assert {"title": "第二页 第1篇：分布式训练"} in found


def test_a_robots_txt_its_header_calls_utf16_is_obeyed(site: HostileServer, tmp_path: Path) -> None:
    """Read as UTF-16, its rules were mojibake: none applied, and the site was crawled."""
    site.routes["/robots.txt"] = page("User-agent: *\nDisallow: /\n", "text/plain; charset=utf-16")
    with pytest.raises(RobotsDisallowedError, match="disallows"):
        crawl(site, tmp_path / "a.db")
    assert site.hits("/") == 0


def redirect_head(status: int = 302, *locations: bytes) -> bytes:
    """A redirect's whole answer: ``status`` and a Location header for each of ``locations``."""
    lines = b"".join(b"Location: " + location + b"\r\n" for location in locations)
    return f"HTTP/1.1 {status} Moved\r\n".encode() + lines + b"Content-Length: 0\r\n\r\n"


# A redirect that cannot be followed, and the words its failed page is reported with.
BAD_REDIRECTS = {
    "scheme, no host": (
        redirect_head(302, b"http:a"),
        "redirected to a malformed URL: 'http:a' (no host)",
    ),
    "scheme alone": (
        redirect_head(302, b"https:"),
        "redirected to a malformed URL: 'https:' (no host)",
    ),
    "empty host": (redirect_head(302, b"//"), "redirected to a malformed URL: '//' (no host)"),
    "no location": (
        redirect_head(301),
        "HTTP 301: a redirect that names no place to go (no Location)",
    ),
    "empty location": (
        redirect_head(307, b""),
        "HTTP 307: a redirect that names no place to go (no Location)",
    ),
    "two locations": (
        redirect_head(302, b"/x/", b"/y/"),
        "redirected to 2 places at once (not followed)",
    ),
    "gbk": (
        redirect_head(302, "/文章/".encode("gbk")),
        r"redirected to '/\xce\xc4\xd5\xc2/', a Location that is not UTF-8 (not followed)",
    ),
    "latin-1": (
        redirect_head(302, "/café/".encode("latin-1")),
        r"redirected to '/caf\xe9/', a Location that is not UTF-8 (not followed)",
    ),
    "control character": (
        redirect_head(302, b"/a\x01b/"),
        r"redirected to a malformed URL: '/a\x01b/' (Invalid non-printable ASCII character in URL,"
        r" '\x01' at position 24)",
    ),
}


@pytest.mark.parametrize(("answer", "said"), BAD_REDIRECTS.values(), ids=BAD_REDIRECTS.keys())
def test_a_redirect_that_cannot_be_followed_fails_its_page_naming_what_the_server_sent(
    site: HostileServer, tmp_path: Path, answer: bytes, said: str
) -> None:
    site.routes["/page/2/"] = raw_answer(answer)
    summary = crawl(site, tmp_path / "a.db")
    assert (summary.status, summary.counts.new_posts) == ("partial", 4)
    assert failure_of_page_2(summary) == said
    assert [seen.path for seen in site.requests] == ["/robots.txt", "/", "/page/2/", "/page/3/"]


def test_a_location_of_raw_utf8_bytes_is_followed_percent_encoded(
    site: HostileServer, tmp_path: Path
) -> None:
    """Even beside a header in Latin-1, which made httpx read them all as Latin-1."""
    moved = redirect_head(301, "/文章/第2页".encode())
    site.routes["/page/2/"] = raw_answer(moved.replace(b"\r\n", b"\r\nServer: caf\xe9\r\n", 1))
    site.routes["/%E6%96%87%E7%AB%A0/%E7%AC%AC2%E9%A1%B5"] = page(listing(cards_for("第二页")))
    summary = crawl(site, tmp_path / "a.db")
    assert (summary.status, summary.counts.new_posts) == ("ok", 8)


def test_a_failing_status_met_after_a_redirect_names_where(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/page/2/"] = raw_answer(redirect_head(302, b"/gone/"))
    summary = crawl(site, tmp_path / "a.db")
    assert failure_of_page_2(summary) == f"HTTP 404 at {site.base_url}gone/, where it redirected"


def test_a_redirect_refused_shows_where_it_led_cut_short(
    site: HostileServer, tmp_path: Path
) -> None:
    """A Location of 50 kB went whole into the run's failures and onto the terminal."""
    far = "http://elsewhere.example/" + "a" * 50_000
    site.routes["/page/2/"] = raw_answer(redirect_head(302, far.encode()))
    summary = crawl(site, tmp_path / "a.db")
    shown = "http://elsewhere.example/" + "a" * 175 + "…"  # 200 characters, then the cut
    assert failure_of_page_2(summary) == f"redirected off the site to {shown} (refused)"
