"""One listing page through the stages, in order: fetch → parse → dedupe → write.

    Prefetcher.fetch(url) -> Download             fetch (``crawl_page``)
    ParseWorker / read_keyed_page -> KeyedPage    parse (``_parse``)
    PageWriter.known, dedupe_page -> PageChanges  dedupe (``write_keyed_page``)
    PageWriter.write_changes, write_fetch         write (``write_keyed_page``)

Each stage takes a value and returns one; ``crawl_page`` says what the page tells the walk
(``Step``). Imports and reparses send their pages through the last two stages
(``write_page``, ``archive_page``; ``write_unchanged`` for a page that answered 304).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from feedkeeper.card_words import card_texts
from feedkeeper.cards import Card, PagePattern
from feedkeeper.clock import now_iso
from feedkeeper.config import Settings
from feedkeeper.crawl_options import CrawlOptions
from feedkeeper.dedupe import KeyedCard, dedupe_page, dedupe_unchanged, key_cards
from feedkeeper.errors import FetchError, HTTPStatusError, ParseError, PausedByHostError
from feedkeeper.feed_check import confirm_with_feed
from feedkeeper.fetch import Fetched
from feedkeeper.page_changes import PageOutcome
from feedkeeper.page_reader import KeyedPage, read_keyed_page
from feedkeeper.parse_worker import ParseWorker
from feedkeeper.prefetch import Download, Prefetcher
from feedkeeper.records import PageCapture, PageKind, RunCounts, Validators
from feedkeeper.run_log import log_page, log_page_suspect
from feedkeeper.store import Store
from feedkeeper.store.write import PageWriter
from feedkeeper.suspect import SUSPECT, suspect_parse

# A page number guessed past a failed page that answers this does not exist.
GONE_STATUSES = frozenset({404, 410})


@dataclass(slots=True)
class CrawlRun:
    """One crawl's fixed parts, handed to each page."""

    store: Store
    settings: Settings  # the start URL without credentials: what the archive and logs see
    fetch_settings: Settings  # as given: credentials in the URL reach the site as Basic auth
    options: CrawlOptions
    run_id: int
    start: str
    last_fetches: Mapping[str, Validators]
    counts: RunCounts = field(default_factory=RunCounts)
    warnings: list[str] = field(default_factory=list)
    worker: ParseWorker | None = None  # the parse stage's worker process, on long listings
    site_id: int = 0
    # Where the last crawl, stopped at a limit (the setting named), left the listing.
    resume: tuple[str, str] | None = None
    started: float = field(default_factory=time.monotonic)  # for max_run_time
    body_bytes: int = 0  # of the pages read, each kept in the archive: for max_run_bytes


@dataclass(frozen=True, slots=True)
class Step:
    """What one page tells the walk: whether it brought news, and where the listing goes."""

    is_news: bool
    next_url: str | None
    page_urls: Sequence[str] = ()
    page_patterns: Sequence[PagePattern] = ()  # the site's own numbering its pager showed
    failed: bool = False  # the page could not be fetched or parsed
    halts: bool = False  # the walk stops here: the site asked for a pause longer than it waits
    cards: frozenset[str] = frozenset()  # what identifies each card the page showed


async def crawl_page(
    run: CrawlRun, prefetcher: Prefetcher, writer: PageWriter, url: str, guessed: bool = False
) -> Step:
    """Fetch, parse, dedupe and write one page; say whether it brought news and what is next.

    A ``guessed`` page (a page number no pager showed) that does not exist is the end
    of the listing, not a failure.
    """
    previous = run.last_fetches.get(url)
    known_next = previous.next_url if previous else None
    try:
        download = await prefetcher.fetch(url)
    except HTTPStatusError as exc:
        if guessed and exc.status in GONE_STATUSES:
            return Step(False, None)
        return _failed(run, writer, url, exc, known_next)
    except PausedByHostError as exc:
        return replace(_failed(run, writer, url, exc, None), halts=True)
    except FetchError as exc:
        return _failed(run, writer, url, exc, known_next)
    fetched = download.fetched
    run.body_bytes += len(fetched.body)
    if fetched.is_not_modified:
        assert previous is not None
        run.counts.pages_not_modified += 1
        capture = PageCapture(
            url, now_iso(), PageKind.NOT_MODIFIED, 304, previous.etag, previous.last_modified,
            next_url=known_next,
        )  # fmt: skip
        run.counts.add_changes(_write_unchanged(run, writer, capture))
        return Step(False, known_next)
    try:
        parsed = await _parse(run, download)
    except ParseError as exc:
        run.counts.fail(url, exc.message)
        _write(run, writer, _unparsed(url, fetched, exc.message))
        return Step(True, None, failed=True)
    return _archive_parsed(run, writer, url, fetched, parsed, previous)


def _failed(
    run: CrawlRun, writer: PageWriter, url: str, exc: FetchError, known: str | None
) -> Step:
    """Record a page that could not be fetched; the walk goes on where ``known`` says."""
    run.counts.fail(url, exc.message)
    _write(run, writer, PageCapture(url, now_iso(), PageKind.FAILED, error=exc.message))
    # go on where the last good fetch said the listing goes, else where the pager does
    return Step(True, known, failed=True)


async def _parse(run: CrawlRun, download: Download) -> KeyedPage:
    """Return the page's keyed parse: from the worker when it was started there, else here."""
    fetched = download.fetched
    if download.parsing is not None and run.worker is not None:
        body, kind, url = fetched.body, fetched.content_type, fetched.url
        return await run.worker.result(download.parsing, body, kind, url)
    return read_keyed_page(
        fetched.body, fetched.content_type, fetched.url, run.options.profile,
        run.options.listing_parser,
    )  # fmt: skip


def _archive_parsed(
    run: CrawlRun,
    writer: PageWriter,
    url: str,
    fetched: Fetched,
    page: KeyedPage,
    previous: Validators | None,
) -> Step:
    """Dedupe and write a parsed page, unless its parse looks wrong next to the last one."""
    parsed = page.parsed
    problem = suspect_parse(parsed, previous)
    kind = PageKind.SUSPECT if problem else PageKind.PARSED
    capture = PageCapture(
        url, now_iso(), kind, fetched.status, fetched.etag, fetched.last_modified,
        fetched.content_type, page.encoding, fetched.body, parsed.next_url, parsed.confidence,
        problem, page.packed,
    )  # fmt: skip
    if problem:  # keep the page for `reparse`, archive none of its cards
        log_page_suspect(url, problem)
        run.counts.pages += 1  # fetched and kept: the run is partial, not failed
        run.counts.fail(url, f"{SUSPECT}{problem}")  # the summary's "failed:" line: no warning too
        _write(run, writer, capture)
        return Step(True, parsed.next_url or (previous.next_url if previous else None))
    keyed = page.keyed
    if run.options.feed_entries:
        keyed = key_cards(confirm_with_feed(parsed.cards, run.options.feed_entries))
    writer.offer_words(page.words)
    if run.worker is not None and run.worker.segments_words and not page.words:
        run.worker.segment_later(card_texts(keyed))  # parsed here: words come with a next page
    outcome = _write(run, writer, capture, keyed, parsed.skipped)
    run.counts.add(outcome)
    if run.worker is not None and outcome.cards:
        # Segmenting ahead pays while most cards are new posts or versions (whose text is
        # indexed); on a re-crawl of known posts it would be work thrown away.
        run.worker.segments_words = 2 * (outcome.new_posts + outcome.new_versions) >= outcome.cards
    keys = frozenset(card.url or f"{card.title}\n{card.excerpt}" for card in parsed.cards)
    return Step(
        outcome.is_news, parsed.next_url, parsed.page_urls, parsed.page_patterns, cards=keys
    )


def _unparsed(url: str, fetched: Fetched, error: str) -> PageCapture:
    """Return what the store keeps of a fetched page that could not be parsed."""
    return PageCapture(
        url, now_iso(), PageKind.UNPARSEABLE, fetched.status, fetched.etag,
        fetched.last_modified, fetched.content_type, None, fetched.body, None, None, error,
    )  # fmt: skip


def _write(
    run: CrawlRun,
    writer: PageWriter,
    capture: PageCapture,
    keyed: list[KeyedCard] | None = None,
    skipped: int = 0,
) -> PageOutcome:
    """Dedupe and write one crawled page, and log what it brought (never its body)."""
    outcome = write_keyed_page(writer, run.run_id, capture, keyed, skipped)
    log_page(run.run_id, capture, outcome)
    return outcome


def _write_unchanged(run: CrawlRun, writer: PageWriter, capture: PageCapture) -> PageOutcome:
    """Dedupe and write a crawled page that answered 304, and log it."""
    outcome = write_unchanged(writer, run.run_id, capture)
    writer.write_fetch(run.run_id, capture, outcome)
    log_page(run.run_id, capture, outcome)
    return outcome


def write_unchanged(writer: PageWriter, run_id: int, capture: PageCapture) -> PageOutcome:
    """The dedupe and write stages for a page that answered 304 (its fetch aside): it lists
    what it listed when last read."""
    urls, known = writer.known_listed(capture.url, run_id)
    changes = dedupe_unchanged(urls, known)
    writer.write_changes(run_id, capture.fetched_at, capture.url, changes, known)
    return changes.outcome


def write_keyed_page(
    writer: PageWriter,
    run_id: int,
    capture: PageCapture,
    keyed: list[KeyedCard] | None,
    skipped: int = 0,
) -> PageOutcome:
    """The dedupe and write stages for one page: its keyed cards (if any) and the page."""
    outcome = PageOutcome(cards_skipped=skipped)
    if keyed is not None:
        known = writer.known(keyed, run_id)
        changes = dedupe_page(keyed, known, skipped)
        writer.write_changes(run_id, capture.fetched_at, capture.url, changes, known)
        outcome = changes.outcome
    writer.write_fetch(run_id, capture, outcome)
    return outcome


def write_page(
    writer: PageWriter,
    run_id: int,
    capture: PageCapture,
    cards: list[Card] | None,
    skipped: int = 0,
) -> PageOutcome:
    """Key a page's cards (if any), then dedupe and write them and the page."""
    keyed = key_cards(cards) if cards is not None else None
    return write_keyed_page(writer, run_id, capture, keyed, skipped)


def archive_page(
    store: Store,
    site_id: int,
    run_id: int,
    capture: PageCapture,
    cards: list[Card] | None,
    skipped: int = 0,
) -> PageOutcome:
    """Dedupe and write one page of a site in a transaction of its own."""
    with store.writer(site_id) as writer:
        return write_page(writer, run_id, capture, cards, skipped)
