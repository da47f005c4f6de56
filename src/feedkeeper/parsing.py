"""Bytes to a parsed page, in this process or in a worker process.

Parsing is the crawl's heaviest stage. On a long listing, the pages fetched ahead are
parsed in a worker process while this one fetches and stores, so a crawl uses a
second core. Short crawls never start a worker: starting one costs an interpreter.
This module imports only the parser, so a worker never loads HTTP or the store.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from feedkeeper.cards import ParsedPage
from feedkeeper.encoding import decode_body
from feedkeeper.errors import ParseError
from feedkeeper.markup import time_budget
from feedkeeper.parse import Profile, parse_capture, parse_listing

ListingParser = Callable[[str, str, Profile | None], ParsedPage]

# A listing whose pager shows at least this many pages is worth a worker process.
PARALLEL_FROM_PAGES = 20


def read_page(
    body: bytes,
    content_type: str | None,
    url: str,
    profile: Profile | None = None,
    listing: ListingParser = parse_listing,
) -> ParsedPage:
    """Parse a stored or fetched body: HTML listing (with ``listing``), or a text capture."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if b"\x00" in body[:8192]:
        raise ParseError(f"not a text page ({kind or 'binary data'})")
    text, _ = decode_body(body, content_type)
    if kind == "text/plain":
        return parse_capture(text)
    if kind and "html" not in kind and "xml" not in kind:
        raise ParseError(f"not an HTML page (Content-Type {kind})")
    with time_budget():
        return listing(text, url, profile)


# How often a worker looks whether its parent is still there, in seconds.
ORPHAN_CHECK_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    """Start a watch that ends this worker when its parent dies (even by SIGKILL).

    A worker outliving a killed crawler or daemon would be an orphan no one stops.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _parse_in_worker(
    body: bytes, content_type: str | None, url: str, profile: Profile | None
) -> ParsedPage | str:
    """Parse in a worker; a ParseError travels back as its message."""
    try:
        return read_page(body, content_type, url, profile)
    except ParseError as exc:
        return exc.message


class ParsePool:
    """Worker processes for parsing, started on first use; falls back to parsing here."""

    def __init__(self, workers: int | None = None) -> None:
        self._workers = workers or max(1, min((os.cpu_count() or 1) - 1, 4))
        self._executor: ProcessPoolExecutor | None = None
        self._broken = False

    async def parse(
        self, body: bytes, content_type: str | None, url: str, profile: Profile | None
    ) -> ParsedPage:
        """Parse in a worker process; raise ParseError as ``read_page`` does."""
        if self._broken:
            return read_page(body, content_type, url, profile)
        if self._executor is None:
            # spawn: a fork of a process running an event loop and threads is unsafe.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(
                self._workers,
                mp_context=context,
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
        loop = asyncio.get_running_loop()
        job = (body, content_type, url, profile)
        try:
            result = await loop.run_in_executor(self._executor, _parse_in_worker, *job)
        except BrokenProcessPool:
            self._broken = True  # a worker died (killed, out of memory): parse here
            return read_page(body, content_type, url, profile)
        if isinstance(result, str):
            raise ParseError(result)
        return result

    def close(self) -> None:
        """Stop the workers, if any were started."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
