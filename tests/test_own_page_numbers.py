"""Listings numbered in a pattern of the site's own (``list_1_3.html``, ``/u_1/p_3``): the
walk goes past a page that fails, and the pages ahead are fetched, as for ``/page/3/``."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from feedkeeper.cards import PagePattern
from feedkeeper.config import Settings
from feedkeeper.fetch import Fetcher
from feedkeeper.parse import parse_listing
from feedkeeper.parse.pager_numbers import Numbering
from feedkeeper.pipeline import CrawlOptions, crawl
from feedkeeper.prefetch import Prefetcher
from feedkeeper.store import Store

from conftest import rows
from faultserver import FaultServer, Resource, status

LAST = 6  # listing pages
# The path of listing page N, as each site names it.
PATHS: dict[str, Callable[[int], str]] = {
    "dedecms": lambda n: f"/a/news/list_1_{n}.html",
    "sina": lambda n: f"/s/articlelist_1234_0_{n}.html",
    "51cto": lambda n: "/u_1" if n == 1 else f"/u_1/p_{n}",
    "cms-index": lambda n: "/news/" if n == 1 else f"/news/index-{n}.html",
    "astro": lambda n: "/" if n == 1 else f"/{n}/",
    # ExpressionEngine's offsets: three posts a page, /P3 is page 2.
    "expressionengine": lambda n: "/blog/" if n == 1 else f"/blog/P{(n - 1) * 3}",
}


def cards(number: int) -> str:
    """The three posts of listing page ``number``."""
    return "".join(
        f'<article class="post"><h2><a href="/posts/p{n}.html">第{n}篇：梯度同步</a></h2>'
        f'<time datetime="2026-01-{n:02d}">2026-01-{n:02d}</time>'
        f"<p>{html.escape(f'第{n}篇的摘要，讲梯度如何在显卡之间同步。')}...</p></article>"
        for n in range(number * 3 - 2, number * 3 + 1)
    )


def listing(path_of: Callable[[int], str], number: int) -> str:
    """Page ``number``: its posts, numbered links two pages either side and a "下一页"."""
    links = " ".join(
        f'<span class="current">{n}</span>' if n == number else f'<a href="{path_of(n)}">{n}</a>'
        for n in range(max(1, number - 2), min(LAST, number + 2) + 1)
    )
    if number < LAST:
        links += f' <a href="{path_of(number + 1)}">下一页</a>'
    pager = f"<div class='pages'>{links}</div>"
    return f"<html><body><main>{cards(number)}</main>{pager}</body></html>"


def site(path_of: Callable[[int], str]) -> dict[str, Resource]:
    return {
        path_of(n): Resource(listing(path_of, n).encode(), "text/html; charset=utf-8")
        for n in range(1, LAST + 1)
    }


@pytest.mark.parametrize("concurrency", [1, 4])
@pytest.mark.parametrize("name", list(PATHS))
def test_the_walk_goes_past_a_page_that_keeps_failing_in_the_site_s_own_numbering(
    tmp_path: Path, name: str, concurrency: int
) -> None:
    path_of = PATHS[name]
    with FaultServer(site(path_of)) as server:
        server.fail(path_of(3), *[status(500)] * 20)  # more than any crawl's attempts
        base = server.base_url.rstrip("/")
        store = Store.open(tmp_path / "a.db")
        settings = Settings(
            url=base + path_of(1), rate=0, backoff_base=0.01, full=True, concurrency=concurrency
        )
        summary = crawl(store, settings, CrawlOptions())
        hits = {n: server.hits(path_of(n)) for n in range(1, LAST + 1)}
    assert summary.status == "partial"
    assert [failure["url"] for failure in summary.counts.failures] == [base + path_of(3)]
    fetched = rows(store, "SELECT url, outcome, cards FROM page_fetch ORDER BY id")
    assert fetched == [
        {"url": base + path_of(1), "outcome": "parsed", "cards": 3},
        {"url": base + path_of(2), "outcome": "parsed", "cards": 3},
        {"url": base + path_of(3), "outcome": "failed", "cards": 0},
        {"url": base + path_of(4), "outcome": "parsed", "cards": 3},
        {"url": base + path_of(5), "outcome": "parsed", "cards": 3},
        {"url": base + path_of(6), "outcome": "parsed", "cards": 3},
    ]
    assert rows(store, "SELECT count(*) AS n FROM post") == [{"n": 15}]
    assert hits == {1: 1, 2: 1, 3: 4, 4: 1, 5: 1, 6: 1}  # 4: the attempts of a request


BASE = "http://blog.test"


async def _guessed(here: str, pager: str, ahead_of: str) -> tuple[set[str], Prefetcher]:
    """Parse a page of ``here`` showing ``pager``, plan from ``ahead_of`` with what its pager
    showed, and return the paths fetched ahead (and the prefetcher, to ask further)."""
    page = f"<html><body><main>{cards(2)}</main>{pager}</body></html>"
    parsed = parse_listing(page, BASE + here)
    requested: set[str] = set()

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/robots.txt":
            requested.add(request.url.path)
        return httpx.Response(200, text="<html></html>", headers={"Content-Type": "text/html"})

    settings = Settings(url=BASE + "/", rate=0, concurrency=2, full=True)
    async with Fetcher(settings, httpx.MockTransport(handle)) as fetcher:
        prefetcher = Prefetcher(fetcher, None, {}, settings.url or "", 2, full=True)
        prefetcher.plan(
            BASE + ahead_of, parsed.page_urls, {BASE + here}, 100, patterns=parsed.page_patterns
        )
        for _ in range(200):
            await asyncio.sleep(0)
        await prefetcher.close()
    return requested, prefetcher


def _pager(*shown: tuple[str, str]) -> str:
    return (
        "<ul class='pages'>"
        + "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in shown)
        + "</ul>"
    )


def test_fetches_ahead_name_the_pages_in_the_site_s_own_numbering_up_to_the_last_shown() -> None:
    pager = _pager(
        ("/a/list_1_1.html", "1"), ("/a/list_1_3.html", "3"), ("/a/list_1_4.html", "4"),
        ("/a/list_1_7.html", "7"), ("/a/list_1_3.html", "下一页"),
    )  # fmt: skip
    requested, prefetcher = asyncio.run(_guessed("/a/list_1_2.html", pager, "/a/list_1_3.html"))
    assert requested == {f"/a/list_1_{n}.html" for n in range(3, 8)}  # to 7, the last shown
    assert prefetcher.guess_after(BASE + "/a/list_1_6.html") == BASE + "/a/list_1_7.html"
    assert prefetcher.guess_after(BASE + "/a/list_1_7.html") is None
    # Past a failed last page, one guess further, as for /page/7/.
    assert (
        prefetcher.guess_after(BASE + "/a/list_1_7.html", beyond_pager=True)
        == BASE + "/a/list_1_8.html"
    )
    # Another listing's URLs, or a post's, are in no pattern the pager showed.
    assert prefetcher.guess_after(BASE + "/b/list_1_3.html") is None
    assert prefetcher.guess_after(BASE + "/a/list_2_3.html") is None


def test_fetches_ahead_from_the_first_page_unnumbered() -> None:
    pager = _pager(("/u_1/p_2", "2"), ("/u_1/p_3", "3"), ("/u_1/p_4", "4"), ("/u_1/p_2", "下一页"))
    requested, _ = asyncio.run(_guessed("/u_1", pager, "/u_1/p_2"))
    assert requested == {"/u_1/p_2", "/u_1/p_3", "/u_1/p_4"}


def test_numbers_with_leading_zeros_keep_their_width() -> None:
    pager = _pager(("/list_01.html", "01"), ("/list_03.html", "03"), ("/list_09.html", "09"))
    requested, prefetcher = asyncio.run(_guessed("/list_02.html", pager, "/list_03.html"))
    assert requested == {f"/list_{n:02d}.html" for n in range(3, 10)}
    assert prefetcher.guess_after(BASE + "/list_09.html", beyond_pager=True) == (
        BASE + "/list_10.html"
    )


def test_a_pager_without_a_pattern_leads_to_no_guess() -> None:
    # On the first page, unnumbered, a lone numbered link shows no pattern: only the next
    # link itself is fetched ahead.
    pager = _pager(("/a/list_1_2.html", "2"), ("/a/list_1_2.html", "下一页"))
    requested, prefetcher = asyncio.run(_guessed("/a/", pager, "/a/list_1_2.html"))
    assert requested == {"/a/list_1_2.html"}
    assert prefetcher.guess_after(BASE + "/a/list_1_2.html", beyond_pager=True) is None


def test_a_pattern_of_the_site_s_own_names_a_page_in_it() -> None:
    numbering = Numbering([PagePattern(BASE + "/s/articlelist_1234_0_", ".html")])
    assert numbering.url_of(BASE + "/s/articlelist_1234_0_3.html", 4) == (
        BASE + "/s/articlelist_1234_0_4.html"
    )
    # Where page_number reads the number, it is replaced there and nowhere else.
    assert numbering.url_of(BASE + "/c/11/?page=1&tag=11", 2) == BASE + "/c/11/?page=2&tag=11"
    assert numbering.url_of(BASE + "/s/about.html", 2) is None


def test_the_walk_goes_past_a_page_the_parser_cannot_read_in_the_site_s_own_numbering(
    tmp_path: Path,
) -> None:
    path_of = PATHS["dedecms"]
    pages = site(path_of)
    pages[path_of(3)] = Resource("<html><body><p>维护中</p></body></html>".encode())
    with FaultServer(pages) as server:
        base = server.base_url.rstrip("/")
        store = Store.open(tmp_path / "a.db")
        settings = Settings(url=base + path_of(1), rate=0, full=True, concurrency=1)
        summary = crawl(store, settings, CrawlOptions())
    assert summary.status == "partial"
    fetched = rows(store, "SELECT url, outcome FROM page_fetch ORDER BY id")
    assert fetched == [
        {"url": base + path_of(n), "outcome": "unparseable" if n == 3 else "parsed"}
        for n in range(1, LAST + 1)
    ]
