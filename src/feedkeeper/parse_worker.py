"""The parse stage: bytes to a parsed page, here or in a worker process.

Parsing is the crawl's heaviest stage. On a long listing, each page fetched ahead is
handed to a worker process as soon as it arrives, so it is parsed while this process
fetches and writes; the pages in flight are bounded by the fetch window, so the
worker's queue is too. Short crawls never start a worker: starting one costs an
interpreter. This module imports only the parser, so a worker never loads HTTP or
the store.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from feedkeeper.cards import ParsedPage
from feedkeeper.encoding import decode_body
from feedkeeper.errors import ParseError
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
    return listing(text, url, profile)


class ParseWorker:
    """A worker process for parsing, started on first use; parses here if it dies.

    ``parse_here`` is how a page is parsed in this process (the crawl's listing
    parser); the worker process always uses ``read_page`` with ``parse_listing``.
    """

    def __init__(self, profile: Profile | None, workers: int | None = None) -> None:
        self.profile = profile
        self.submitted = 0  # pages handed to the worker (for the profile and the tests)
        self._workers = workers or max(1, min((os.cpu_count() or 1) - 1, 4))
        self._executor: ProcessPoolExecutor | None = None
        self._broken = False

    def submit(self, body: bytes, content_type: str | None, url: str) -> Future[ParsedPage]:
        """Start parsing a page in the worker; the future raises ParseError as ``read_page``."""
        if self._executor is None:
            # spawn: a fork of a process running an event loop and threads is unsafe.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(self._workers, mp_context=context)
        self.submitted += 1
        return self._executor.submit(read_page, body, content_type, url, self.profile)

    async def result(
        self, job: Future[ParsedPage], body: bytes, content_type: str | None, url: str
    ) -> ParsedPage:
        """Wait for a page submitted earlier; parse it here if the worker died."""
        if not self._broken:
            try:
                return await asyncio.wrap_future(job)
            except BrokenProcessPool:
                self._broken = True  # a worker died (killed, out of memory): parse here
        return read_page(body, content_type, url, self.profile)

    @property
    def is_usable(self) -> bool:
        """False once a worker died: the rest of the run parses in this process."""
        return not self._broken

    def close(self) -> None:
        """Stop the workers, if any were started."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
