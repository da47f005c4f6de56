"""Fetching and parsing ahead of the walk: the archive of a page-by-page walk, nothing more."""

from __future__ import annotations

import asyncio
import html
from pathlib import Path

import httpx
import pytest

from feedkeeper.config import Settings
from feedkeeper.fetch import Fetcher
from feedkeeper.parse_worker import ParseWorker
from feedkeeper.pipeline import CrawlOptions, crawl
from feedkeeper.prefetch import DEEP_WINDOW_MAX_BODY, Prefetcher
from feedkeeper.reparse import reparse
from feedkeeper.store import Store, ready_words
from feedkeeper.words import segment_words

from conftest import rows

BASE = "http://blog.test/"
PAGES = 24  # more than PARALLEL_FROM_PAGES: the long-listing path with a parse worker


def page_path(number: int) -> str:
    return "/" if number == 1 else f"/page/{number}/"


def listing(number: int, last: int, fresh: int = 0) -> str:
    """Listing page ``number``: three posts, a numbered pager showing the first and last page."""
    first_post = (number - 1) * 3 - fresh
    cards = "".join(
        f'<article class="post"><h2><a href="/posts/p{n}/">第{n}篇：梯度同步</a></h2>'
        f'<time datetime="2026-01-{1 + n % 28:02d}">2026-01-{1 + n % 28:02d}</time>'
        f"<p>{html.escape(f'第{n}篇的摘要，讲梯度如何在显卡之间同步。')}...</p></article>"
        for n in range(first_post, first_post + 3)
    )
    shown = sorted({1, last, *range(max(1, number - 1), min(last, number + 1) + 1)})
    links = " ".join(
        f'<span class="current">{n}</span>' if n == number else f'<a href="{page_path(n)}">{n}</a>'
        for n in shown
    )
    if number < last:
        links += f' <a class="next" href="{page_path(number + 1)}">下一页</a>'
    return f"<html><body><main>{cards}</main><nav class='pagination'>{links}</nav></body></html>"


class Site:
    """The listing served through httpx.MockTransport, counting requests per path."""

    def __init__(self) -> None:
        self.fresh = 0  # posts added at the top since the first crawl
        self.hits: dict[str, int] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.hits[path] = self.hits.get(path, 0) + 1
        numbers = {page_path(n): n for n in range(1, PAGES + 1)}
        if path not in numbers:
            return httpx.Response(404)
        body = listing(numbers[path], PAGES, self.fresh if numbers[path] == 1 else 0)
        return httpx.Response(200, text=body, headers={"Content-Type": "text/html; charset=utf-8"})


def run(
    db: Path, site: Site, concurrency: int, *, full: bool = True, worker: ParseWorker | None = None
) -> Store:
    store = Store.open(db)
    settings = Settings(url=BASE, db=db, full=full, rate=0, concurrency=concurrency)
    options = CrawlOptions(transport=httpx.MockTransport(site.handle), worker=worker)
    summary = crawl(store, settings, options)
    assert summary.status == "ok", summary.counts.failures
    return store


def archive(store: Store) -> list[list[dict[str, object]]]:
    return [
        rows(store, "SELECT p.url, v.title, v.excerpt, v.published FROM post p JOIN post_version v"
                    " ON v.post_id = p.id ORDER BY p.url"),
        rows(store, "SELECT s.page_url, s.position, p.url FROM sighting s JOIN post p"
                    " ON p.id = s.post_id ORDER BY s.id"),
        rows(store, "SELECT url, outcome, cards FROM page_fetch ORDER BY id"),
    ]  # fmt: skip


def test_walk_with_fetch_and_parse_ahead_stores_what_a_page_by_page_walk_stores(
    tmp_path: Path,
) -> None:
    worker = ParseWorker(None)  # the crawl stops its process at the end
    one = archive(run(tmp_path / "one.db", Site(), concurrency=1, worker=worker))
    assert worker.submitted == 0  # one request at a time: nothing is fetched ahead
    many = archive(run(tmp_path / "many.db", Site(), concurrency=4, worker=worker))
    assert worker.submitted > PAGES // 2
    assert many == one
    assert [r["url"] for r in many[2]] == [
        BASE.rstrip("/") + page_path(n) for n in range(1, PAGES + 1)
    ]


def test_the_worker_segments_ahead_while_pages_bring_new_posts_and_stops_on_known_ones(
    tmp_path: Path,
) -> None:
    worker = ParseWorker(None)
    first = run(tmp_path / "a.db", Site(), concurrency=4, worker=worker)
    assert worker.segments_words  # every page brought new posts
    again = run(tmp_path / "a.db", Site(), concurrency=4, worker=worker)  # nothing new
    assert not worker.segments_words
    pages = "SELECT url, encoding, body_sha256 FROM page_fetch WHERE run_id = :run ORDER BY id"
    assert rows(again, pages, run=2) == rows(first, pages, run=1)
    assert rows(first, "SELECT count(*) AS n FROM page_body")[0]["n"] == PAGES
    assert rows(first, "SELECT DISTINCT encoding FROM page_fetch") == [{"encoding": "utf-8"}]
    indexed = "SELECT rowid AS id, title, excerpt FROM post_words ORDER BY rowid"
    one = run(tmp_path / "one.db", Site(), concurrency=1)
    assert rows(first, indexed) == rows(one, indexed)
    assert rows(first, "SELECT sha256, size, data FROM page_body ORDER BY sha256") == rows(
        one, "SELECT sha256, size, data FROM page_body ORDER BY sha256"
    )


def test_a_crawl_with_a_worker_segments_no_text_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first page is parsed here, before the worker starts: its cards' text goes to the
    # worker with the next page, so the writer's index refresh finds every text segmented.
    segmented_here: list[str] = []

    def counted(text: str | None) -> str | None:
        segmented_here.append(text or "")
        return segment_words(text)

    monkeypatch.setattr(ready_words, "segment_words", counted)
    store = run(tmp_path / "a.db", Site(), concurrency=4, worker=ParseWorker(None))
    assert segmented_here == []
    indexed = "SELECT rowid AS id, title, excerpt FROM post_words ORDER BY rowid"
    assert len(rows(store, indexed)) == 3 * PAGES
    monkeypatch.undo()
    assert rows(store, indexed) == rows(run(tmp_path / "one.db", Site(), concurrency=1), indexed)


def test_incremental_walk_stores_nothing_it_fetched_ahead_past_the_stop(tmp_path: Path) -> None:
    site = Site()
    run(tmp_path / "a.db", site, concurrency=4)
    site.fresh = 1  # one new post on page 1; page 2 is unchanged
    site.hits = {}
    store = run(tmp_path / "a.db", site, concurrency=4, full=False)
    second = rows(store, "SELECT url FROM page_fetch WHERE run_id = 2 ORDER BY id")
    assert [r["url"] for r in second] == [BASE, BASE + "page/2/"]
    # Pages 3.. were at most fetched ahead (one window: concurrency less page 2), never stored.
    assert sum(site.hits.get(page_path(n), 0) for n in range(3, PAGES + 1)) <= 3


def test_reparse_of_a_long_archive_in_parse_workers_rebuilds_what_the_crawl_archived(
    tmp_path: Path,
) -> None:
    store = run(tmp_path / "a.db", Site(), concurrency=4)
    crawled = archive(store)[:2]
    summary = reparse(store)  # PAGES stored pages: parsed in worker processes, ahead
    assert summary.status == "ok", summary.counts.failures
    assert summary.counts.pages == PAGES
    assert archive(store)[:2] == crawled
    assert len(crawled[0]) == PAGES * 3


async def _fetched_ahead(full: bool, padding: int = 0) -> tuple[list[set[str]], int]:
    """Plan from page 2 of the listing and let the fetches run, then from page 10: the pages
    fetched each time, and the most requests in flight at once."""
    requested: set[str] = set()
    in_flight = peak = 0
    body = listing(2, PAGES) + "<!--" + "x" * padding + "-->"

    async def handle(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        requested.add(request.url.path)
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(3):
            await asyncio.sleep(0)
        in_flight -= 1
        return httpx.Response(200, text=body, headers={"Content-Type": "text/html"})

    settings = Settings(url=BASE, rate=0, concurrency=2, full=full)
    rounds: list[set[str]] = []
    async with Fetcher(settings, httpx.MockTransport(handle)) as fetcher:
        prefetcher = Prefetcher(fetcher, None, {}, BASE, settings.concurrency, full=full)
        shown = [BASE + f"page/{n}/" for n in range(2, PAGES + 1)]
        for start in (2, 10):
            before = set(requested)
            prefetcher.plan(BASE + f"page/{start}/", shown, {BASE}, budget=PAGES)
            for _ in range(200):
                await asyncio.sleep(0)
            rounds.append(requested - before)
        await prefetcher.close()
    return rounds, peak


def test_a_full_walk_keeps_four_windows_ahead_with_concurrency_requests_in_flight() -> None:
    rounds, peak = asyncio.run(_fetched_ahead(full=True))
    assert rounds == [  # 4 x --concurrency 2
        {page_path(n) for n in range(2, 10)},
        {page_path(n) for n in range(10, 18)},
    ]
    assert peak == 2


def test_a_full_walk_of_large_pages_keeps_one_window_ahead() -> None:
    rounds, peak = asyncio.run(_fetched_ahead(full=True, padding=DEEP_WINDOW_MAX_BODY))
    # Four windows were planned before any size was known; the first large page cut the
    # fetches back to one window (2 pages) before the others were asked for.
    assert rounds == [{page_path(2), page_path(3)}, {page_path(10), page_path(11)}]
    assert peak == 2


def test_an_incremental_walk_keeps_one_window_ahead() -> None:
    rounds, peak = asyncio.run(_fetched_ahead(full=False))
    assert rounds == [{page_path(2), page_path(3)}, {page_path(10), page_path(11)}]
    assert peak == 2


async def _planned_as_the_pager_grows() -> list[set[str]]:
    requested: set[str] = set()

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/robots.txt":
            requested.add(request.url.path)
        return httpx.Response(200, text="<html></html>", headers={"Content-Type": "text/html"})

    settings = Settings(url=BASE, rate=0, concurrency=2, full=True)
    rounds: list[set[str]] = []
    async with Fetcher(settings, httpx.MockTransport(handle)) as fetcher:
        prefetcher = Prefetcher(fetcher, None, {}, BASE, settings.concurrency, full=True)
        for start, last in ((2, 5), (3, 12)):
            before = set(requested)
            shown = [BASE + f"page/{n}/" for n in range(2, last + 1)]
            prefetcher.plan(BASE + f"page/{start}/", shown, {BASE}, budget=PAGES)
            for _ in range(200):
                await asyncio.sleep(0)
            rounds.append(requested - before)
        await prefetcher.close()
    return rounds


def test_a_pager_that_shows_more_pages_lets_the_walk_fetch_further_ahead() -> None:
    # Page 5 was the last a pager showed: nothing was guessed after it. Once a pager shows
    # page 12, the guesses are made again and the window reaches past page 5.
    assert asyncio.run(_planned_as_the_pager_grows()) == [
        {page_path(n) for n in range(2, 6)},
        {page_path(n) for n in range(6, 11)},  # 3 to 10: four windows of two
    ]
