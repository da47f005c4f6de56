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
