"""The fetch stage: the page the walk asks for, and the pages it will likely ask for next.

The walk takes pages strictly in listing order and decides where to go from what
each page says. This only guesses the next few URLs and starts their fetches early,
``window`` pages ahead of the walk: the chain of next links the previous crawl left, else
the next page numbers up to the highest the pager has shown, in the pattern the URLs name
their number in: one ``page_number`` reads (``/page/N/``, ``?page=N``), or one of the
site's own that a pager has shown (``list_1_N.html``, ``/p_N``: ``pager_numbers.py``).
The host's gate still lets only ``--concurrency`` requests be in flight at once. A guess
the walk never reaches is dropped unread: nothing is stored from it. On a long listing, a
page fetched ahead goes straight on to the parse worker, so it is parsed while it waits
for the walk.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from feedkeeper.cards import PagePattern
from feedkeeper.fetch import Fetched, Fetcher
from feedkeeper.page_reader import KeyedPage
from feedkeeper.parse.pager_numbers import Numbering
from feedkeeper.parse.urls import KEPT_URL_CHARS
from feedkeeper.parse_worker import PARALLEL_FROM_PAGES, ParseWorker
from feedkeeper.records import Validators
from feedkeeper.scope import is_in_scope

# In a full walk, where every page is fetched anyway, the walk keeps this many times
# ``--concurrency`` pages ahead (requests in flight stay at ``--concurrency``): the parse
# worker then has pages to parse while this process commits a batch and refreshes the
# full-text indexes, instead of waiting for the next fetches once it has parsed a few.
# An incremental walk stops at the first page without news and keeps one window ahead,
# so that few requests are made in vain.
FULL_WALK_WINDOWS = 4
# ... but only while the site's pages are of a listing's usual size: once a body is larger,
# the walk keeps one window ahead, so that the pages held ahead stay within bounds.
DEEP_WINDOW_MAX_BODY = 1 << 20
# Guesses kept at most (a walk needs the window's): forgotten all at once past this. A URL
# longer than GUESSED_URL_CHARS is guessed afresh each time, not kept.
GUESSES_KEPT = 4096
GUESSED_URL_CHARS = KEPT_URL_CHARS  # as the parser's caches
# A site numbers its listing in one pattern or two; the newest this many are kept (a hostile
# pager may show many), none longer than a URL the guesses keep.
PATTERNS_KEPT = 8


@dataclass(frozen=True, slots=True)
class Download:
    """A fetched page, and its parse when it was started in the worker as it arrived."""

    fetched: Fetched
    parsing: asyncio.Future[KeyedPage] | None = None


class Prefetcher:
    """Fetches for the walk, ``window`` pages ahead of where the walk is."""

    def __init__(
        self,
        fetcher: Fetcher,
        worker: ParseWorker | None,
        last_fetches: Mapping[str, Validators],
        start: str,
        concurrency: int,
        *,
        full: bool = False,
    ) -> None:
        self._fetcher = fetcher
        self._worker = worker
        self._last = last_fetches
        self._start = start
        self._concurrency = max(1, concurrency)
        self._full = full
        self._largest_body = 0
        self._tasks: dict[str, asyncio.Task[Download]] = {}
        self._last_page = 0  # the highest page number a pager has shown
        self._numbering = Numbering([])  # the site's own patterns its pagers have shown
        # The page after each URL, as guessed while ``_last_page`` was what it is: each page
        # plans a window of pages ahead, most of them guessed for the page before too.
        self._guesses: dict[str, str | None] = {}

    @property
    def window(self) -> int:
        """How many pages the walk keeps fetched (or being fetched) ahead of where it is."""
        if self._full and self._largest_body <= DEEP_WINDOW_MAX_BODY:
            return self._concurrency * FULL_WALK_WINDOWS
        return self._concurrency

    def is_ready(self, url: str) -> bool:
        """True when ``url`` was fetched ahead and is there to take without waiting."""
        task = self._tasks.get(url)
        return task is not None and task.done()

    async def fetch(self, url: str) -> Download:
        """Return ``url`` fetched (raising FetchError), from the fetches ahead when started."""
        task = self._tasks.pop(url, None)
        if task is None:
            return Download(await self._fetched(url))
        return await task

    async def _fetched(self, url: str) -> Fetched:
        fetched = await self._fetcher.fetch(url, self._last.get(url))
        was_deep = self.window
        self._largest_body = max(self._largest_body, len(fetched.body))
        if self.window < was_deep:
            # Large pages: drop the fetches planned beyond one window now, before they
            # arrive, rather than at the walk's next page.
            for beyond in list(self._tasks)[self.window :]:
                self._tasks.pop(beyond).cancel()
        return fetched

    async def _fetch_ahead(self, url: str) -> Download:
        fetched = await self._fetched(url)
        if self._is_worth_a_worker(fetched) and self._worker is not None:
            return Download(fetched, await self._worker.submit(*_job(fetched)))
        return Download(fetched)

    def _is_worth_a_worker(self, fetched: Fetched) -> bool:
        return (
            not fetched.is_not_modified
            and self._last_page >= PARALLEL_FROM_PAGES
            and self._worker is not None
            and self._worker.is_usable
        )

    def plan(
        self,
        next_url: str | None,
        page_urls: Iterable[str],
        skip: Collection[str],
        budget: int,
        *,
        patterns: Iterable[PagePattern] = (),
    ) -> None:
        """Start fetching the pages likely to come from ``next_url`` on (``budget`` at most);
        ``page_urls`` and ``patterns`` are what the last page's pager showed.

        Fetches started earlier for pages no longer expected are cancelled.
        """
        if self._learn(page_urls, patterns) or len(self._guesses) > GUESSES_KEPT:
            self._guesses.clear()
        wanted: list[str] = []
        guess = next_url
        while guess and guess not in skip and len(wanted) < min(self.window, budget):
            wanted.append(guess)
            guess = self._guess_kept(guess)
        for stale in set(self._tasks) - set(wanted):
            self._tasks.pop(stale).cancel()
        for url in wanted:
            if url not in self._tasks:
                self._tasks[url] = asyncio.create_task(self._fetch_ahead(url))

    def _learn(self, page_urls: Iterable[str], patterns: Iterable[PagePattern]) -> bool:
        """Take in the numbering a pager showed; tell whether it changes the guesses."""
        known = self._numbering.patterns
        new = [
            pattern
            for pattern in patterns
            if pattern not in known and len(pattern.before + pattern.after) <= GUESSED_URL_CHARS
        ]
        if new:
            known[:0] = new
            del known[PATTERNS_KEPT:]
        last_page = self._last_page
        for shown in page_urls:
            self._last_page = max(self._last_page, self._numbering.number(shown) or 0)
        return bool(new) or self._last_page != last_page

    def _guess_kept(self, url: str) -> str | None:
        if url in self._guesses:
            return self._guesses[url]
        guess = self.guess_after(url)
        if len(url) <= GUESSED_URL_CHARS:
            self._guesses[url] = guess
        return guess

    def guess_after(self, url: str, *, beyond_pager: bool = False) -> str | None:
        """Guess the page after ``url``: the stored next link, else the next page number in
        the pattern ``url`` names its number in (``page_number``'s, or the site's own).

        The next number is one a pager has shown, unless ``beyond_pager``.
        """
        known = self._last.get(url)
        if known is not None and known.next_url and is_in_scope(self._start, known.next_url):
            return known.next_url
        numbering = self._numbering
        number = numbering.number(url)
        if number is None or (number >= self._last_page and not beyond_pager):
            return None
        guess = numbering.url_of(url, number + 1)
        if guess is None or numbering.number(guess) != number + 1:
            return None
        return guess if is_in_scope(self._start, guess) else None

    async def close(self) -> None:
        """Cancel the fetches nobody asked for and wait until they are gone."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)


def _job(fetched: Fetched) -> tuple[bytes, str | None, str]:
    return fetched.body, fetched.content_type, fetched.url
