"""Fetching listing pages ahead of the walk, so the network works while a page is stored.

The walk still takes pages strictly in listing order and decides where to go from
what each page says. This only guesses the next few URLs and starts their fetches
early, at most ``window`` at a time (the host's concurrency): the chain of next links
the previous crawl left, else the pager's numbered pattern (``/page/N/``, ``?page=N``)
up to the highest page number the pager has shown. A guess the walk never reaches is
dropped unread: nothing is stored from it. A page fetched ahead can also be
*prepared* while it waits (the crawl parses it in a worker process).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Collection, Iterable

from feedkeeper.fetch import Fetched, Fetcher
from feedkeeper.parse.urls import page_number
from feedkeeper.records import Validators
from feedkeeper.scope import is_in_scope

Prepare = Callable[[Fetched], Awaitable[object]]


class FetchAhead:
    """Fetches for the walk: the page it asks for now, and the pages it will likely ask for next."""

    def __init__(
        self,
        fetcher: Fetcher,
        lookup: Callable[[str], Validators | None],
        start: str,
        window: int,
        prepare: Prepare | None = None,
    ) -> None:
        self._fetcher = fetcher
        self._prepare = prepare
        self._lookup = lookup
        self._start = start
        self._window = max(1, window)
        self._tasks: dict[str, asyncio.Task[tuple[Fetched, object]]] = {}
        self._known: dict[str, Validators | None] = {}
        self._last_page = 0  # the highest page number a pager has shown

    def validators(self, url: str) -> Validators | None:
        """Return what the last good fetch of ``url`` left (read once per run)."""
        if url not in self._known:
            self._known[url] = self._lookup(url)
        return self._known[url]

    @property
    def horizon(self) -> int:
        """Return the highest page number any pager has shown so far."""
        return self._last_page

    async def fetch(self, url: str) -> tuple[Fetched, object]:
        """Return ``url`` fetched, and what ``prepare`` made of it when it was fetched ahead."""
        task = self._tasks.pop(url, None)
        if task is None:
            return await self._fetcher.fetch(url, self.validators(url)), None
        return await task

    async def _fetch_ahead(self, url: str) -> tuple[Fetched, object]:
        fetched = await self._fetcher.fetch(url, self.validators(url))
        return fetched, await self._prepare(fetched) if self._prepare else None

    def plan(
        self, next_url: str | None, page_urls: Iterable[str], skip: Collection[str], budget: int
    ) -> None:
        """Start fetching the pages likely to come from ``next_url`` on (``budget`` at most).

        Fetches started earlier for pages no longer expected are cancelled.
        """
        for shown in page_urls:
            self._last_page = max(self._last_page, page_number(shown) or 0)
        wanted: list[str] = []
        guess = next_url
        while guess and guess not in skip and len(wanted) < min(self._window, budget):
            wanted.append(guess)
            guess = self.guess_after(guess)
        for stale in set(self._tasks) - set(wanted):
            self._tasks.pop(stale).cancel()
        for url in wanted:
            if url not in self._tasks:
                self._tasks[url] = asyncio.create_task(self._fetch_ahead(url))

    def guess_after(self, url: str, *, beyond_pager: bool = False) -> str | None:
        """Guess the page after ``url``: the stored next link, else the next page number.

        The next number is one a pager has shown, unless ``beyond_pager``.
        """
        known = self.validators(url)
        if known is not None and known.next_url and is_in_scope(self._start, known.next_url):
            return known.next_url
        number = page_number(url)
        if number is None or (number >= self._last_page and not beyond_pager):
            return None
        digits = str(number)
        at = url.rfind(digits)
        guess = url[:at] + str(number + 1) + url[at + len(digits) :]
        if page_number(guess) != number + 1 or not is_in_scope(self._start, guess):
            return None
        return guess

    async def close(self) -> None:
        """Cancel the fetches nobody asked for and wait until they are gone."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)
