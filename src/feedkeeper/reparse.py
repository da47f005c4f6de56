"""Re-deriving the archive from its stored pages with the current parser, without fetching.

The stored pages go through the parse stage (a worker process on a long archive, a
bounded number of pages ahead, parsing and keying while this process dedupes and
writes the pages before them), then the same dedupe and write stages as a crawl, all
in one transaction. A page a crawl found unchanged (304), which keeps no body, lists what
it listed when last read, as it did in the crawl.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from feedkeeper.cards import ParsedPage
from feedkeeper.dedupe import dedupe_page
from feedkeeper.errors import ParseError
from feedkeeper.heap import freeze_startup
from feedkeeper.page_reader import KeyedPage, read_keyed_page
from feedkeeper.parse import Profile
from feedkeeper.parse_worker import PARALLEL_FROM_PAGES, ParseWorker, WorkerGoneError
from feedkeeper.pipeline import Progress, write_unchanged
from feedkeeper.records import PageCapture, PageKind, RunCounts, RunKind, StoredCapture, Validators
from feedkeeper.run_summary import RunSummary, run_status
from feedkeeper.store import Store
from feedkeeper.store.engine import describe
from feedkeeper.store.write import PageWriter
from feedkeeper.suspect import SUSPECT, suspect_parse


def reparse(
    store: Store,
    profile: Profile | None = None,
    progress: Progress | None = None,
    *,
    accept_suspect: bool = False,
) -> RunSummary:
    """Rebuild the archive's posts from its stored pages with the current parser.

    A page the crawl refused as suspect stays refused unless it now parses cleanly
    next to the last good parse of its URL, or ``accept_suspect`` says to take it. A page
    the archive read that this parse cannot read changes nothing at all: ParseError.
    """
    run_id = store.start_run(RunKind.REPARSE, describe(store.path))
    freeze_startup()
    counts = RunCounts()
    rules = _Reparse(profile, accept_suspect, counts, progress)
    with store.closing_run(run_id, counts), store.rebuilding() as (writer, pages):
        asyncio.run(_reparse_pages(store, writer, pages, rules))
        if rules.unread:  # raised inside the transaction: it is rolled back
            url, reason = rules.unread[0]
            raise ParseError(
                f"{len(rules.unread)} of the pages the archive read cannot be read now"
                f" (the first, {url}: {reason}); nothing was changed"
            )
    status = run_status(counts)
    store.finish_run(run_id, counts, status)
    return RunSummary(run_id, RunKind.REPARSE, status, counts)


@dataclass(slots=True)
class _Reparse:
    """How a reparse reads the stored pages, and what it has learned so far."""

    profile: Profile | None
    accept_suspect: bool
    counts: RunCounts
    progress: Progress | None
    last_good: dict[str, Validators] = field(default_factory=dict)  # by URL
    # Pages whose cards the archive holds that this parse cannot read (a profile's typo,
    # a parser that reads less): the reparse would lose their posts, so it changes nothing.
    unread: list[tuple[str, str]] = field(default_factory=list)  # (url, why)


# Pages a reparse keeps in the workers' queues: enough to keep them busy while this
# process writes, few enough that their bodies stay small in memory.
PARSE_AHEAD = 32
# Parsing is a reparse's heaviest stage and this process's dedupe and write leave room
# beside it: one worker a core, so that parsing does not hold the rest back.
MAX_PARSE_WORKERS = 4


async def _reparse_pages(
    store: Store, writer: PageWriter, pages: Sequence[tuple[int, int, int]], rules: _Reparse
) -> None:
    """Parse the stored pages (in workers, ``PARSE_AHEAD`` in flight), dedupe and write them."""
    workers = _start_workers(rules.profile, len(pages))
    queue: deque[_StoredPage] = deque()
    try:
        for number, (run_id, site_id, stored) in enumerate(_load(store, writer, pages)):
            worker = workers[number % len(workers)] if workers else None
            job = await _submit(worker, stored) if worker else None
            queue.append(_StoredPage(run_id, site_id, stored, job))
            if len(queue) > PARSE_AHEAD:
                await _reparse_page(writer, queue.popleft(), rules)
            await asyncio.sleep(0)  # a turn of the loop moves the pipes to and from the workers
        while queue:
            await _reparse_page(writer, queue.popleft(), rules)
    finally:
        for worker in workers:
            await worker.stop()


def _load(
    store: Store, writer: PageWriter, pages: Sequence[tuple[int, int, int]]
) -> Iterator[tuple[int, int, StoredCapture]]:
    """Yield each page's run, site and stored capture, read ``PARSE_AHEAD`` pages a query."""
    for start in range(0, len(pages), PARSE_AHEAD):
        batch = pages[start : start + PARSE_AHEAD]
        stored = store.load_captures(writer, [fetch_id for fetch_id, _, _ in batch])
        for (_, run_id, site_id), capture in zip(batch, stored, strict=True):
            yield run_id, site_id, capture


async def _submit(worker: ParseWorker, stored: StoredCapture) -> asyncio.Future[KeyedPage] | None:
    """Send a stored page to a worker as it is stored: its body compressed, less to copy.
    A page that answered 304 has no body to parse: None."""
    capture = stored.capture
    if stored.data is None:
        return None
    return await worker.submit(stored.data, capture.content_type, capture.url, compressed=True)


def _start_workers(profile: Profile | None, pages: int) -> list[ParseWorker]:
    """Return the parse workers for ``pages`` stored pages: none for a few, one a core."""
    if pages < PARALLEL_FROM_PAGES:
        return []
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [ParseWorker(profile) for _ in range(min(max(1, cores or 1), MAX_PARSE_WORKERS))]


@dataclass(frozen=True, slots=True)
class _StoredPage:
    """A stored page on its way through a reparse, with its parse when a worker has it."""

    run_id: int
    site_id: int
    stored: StoredCapture
    parsing: asyncio.Future[KeyedPage] | None


async def _reparse_page(writer: PageWriter, page: _StoredPage, rules: _Reparse) -> None:
    capture = page.stored.capture
    if rules.progress:
        rules.progress(capture.url)
    writer.site_id = page.site_id
    if capture.outcome is PageKind.NOT_MODIFIED:
        rules.counts.add_changes(write_unchanged(writer, page.run_id, capture))
        return
    try:
        read = await _parsed(page, rules.profile)
        _check_once_suspect(capture, read.parsed, rules)
    except ParseError as exc:
        rules.counts.fail(capture.url, exc.message)
        if capture.outcome is PageKind.PARSED:
            rules.unread.append((capture.url, exc.message))
        return
    known = writer.known(read.keyed, page.run_id)
    changes = dedupe_page(read.keyed, known, read.parsed.skipped)
    writer.write_changes(page.run_id, capture.fetched_at, capture.url, changes, known)
    if capture.outcome is PageKind.SUSPECT:  # archived now: the crawls' new baseline
        writer.accept_page(page.run_id, capture.url, len(read.parsed.cards), read.parsed.confidence)
    rules.counts.add(changes.outcome)


async def _parsed(page: _StoredPage, profile: Profile | None) -> KeyedPage:
    """The page's keyed parse: from its worker, or made here (no worker, or it died)."""
    if page.parsing is not None:
        with contextlib.suppress(WorkerGoneError):
            return await page.parsing
    capture = page.stored.capture
    return read_keyed_page(page.stored.body(), capture.content_type, capture.url, profile)


def _check_once_suspect(capture: PageCapture, parsed: ParsedPage, rules: _Reparse) -> None:
    """Raise ParseError for a page the crawl refused that still looks wrong; note good parses."""
    if capture.outcome is PageKind.SUSPECT and not rules.accept_suspect:
        problem = suspect_parse(parsed, rules.last_good.get(capture.url))
        if problem:
            raise ParseError(f"{SUSPECT}{problem}")
    rules.last_good[capture.url] = Validators(
        None, None, None, len(parsed.cards), parsed.confidence
    )
