"""The only code that knows the order of the stages: fetch → parse → dedupe → write.

One page goes through them as typed values::

    Prefetcher.fetch(url) -> Download          fetch (async httpx, several pages ahead)
    ParseWorker / read_keyed_page -> KeyedPage parse, and the cards' dedupe keys (a worker
                                               process on long listings)
    PageWriter.known, dedupe_page -> PageChanges   dedupe (pure, against what the store knows)
    PageWriter.write_changes, write_fetch      write (several pages to a transaction)

The walk (``_walk``) decides where to go from what each page says; ``crawl_async``
opens and closes the run around it. The walk hands the event loop a turn after each
page, so that fetches and the worker's pipes move on while this process writes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from feedkeeper.card_words import card_texts
from feedkeeper.cards import Card
from feedkeeper.clock import now_iso
from feedkeeper.config import Settings
from feedkeeper.crawl_options import CrawlOptions, Progress
from feedkeeper.dedupe import KeyedCard, PageOutcome, dedupe_page, key_cards
from feedkeeper.errors import (
    ConfigError,
    FetchError,
    HTTPStatusError,
    ParseError,
    RobotsDisallowedError,
)
from feedkeeper.feed_check import confirm_with_feed, load_feed
from feedkeeper.fetch import Fetched, Fetcher
from feedkeeper.heap import freeze_startup
from feedkeeper.page_reader import KeyedPage, read_keyed_page
from feedkeeper.parse_worker import ParseWorker
from feedkeeper.prefetch import Download, Prefetcher
from feedkeeper.records import (
    PageCapture,
    PageKind,
    RunCounts,
    RunKind,
    RunStatus,
    Validators,
)
from feedkeeper.run_log import log_page, log_page_suspect, log_run_finished, log_run_started
from feedkeeper.run_summary import RunSummary, run_status
from feedkeeper.scope import is_in_scope, strip_credentials
from feedkeeper.store import CAPPED, Store
from feedkeeper.store.sites import NewSite, add_site, forget_if_empty, site_for_url
from feedkeeper.store.write import PageWriter
from feedkeeper.suspect import SUSPECT, suspect_parse

__all__ = [
    "SUSPECT", "CrawlOptions", "Progress", "RunSummary", "archive_page", "crawl", "crawl_async",
    "run_status", "suspect_parse", "write_page",
]  # fmt: skip

# A page number guessed past a failed page that answers this does not exist.
GONE_STATUSES = frozenset({404, 410})


@dataclass(slots=True)
class _Crawl:
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
    resume: str | None = None  # where the last crawl, stopped at max_pages, left the listing


@dataclass(frozen=True, slots=True)
class _Step:
    """What one page tells the walk: whether it brought news, and where the listing goes."""

    is_news: bool
    next_url: str | None
    page_urls: Sequence[str] = ()
    failed: bool = False  # the page could not be fetched or parsed
    cards: frozenset[str] = frozenset()  # what identifies each card the page showed


@dataclass(slots=True)
class _Walked:
    """How a walk ended: cut short by ``should_stop`` or ``max_pages``, and what the
    summary should say."""

    stopped: bool = False
    capped: bool = False  # the listing went on past max_pages: the next crawl resumes there
    notes: list[str] = field(default_factory=list)


def crawl(store: Store, settings: Settings, options: CrawlOptions | None = None) -> RunSummary:
    """Walk the listing pages from ``settings.url`` and archive what they show."""
    return asyncio.run(crawl_async(store, settings, options or CrawlOptions()))


async def crawl_async(store: Store, settings: Settings, options: CrawlOptions) -> RunSummary:
    """The crawl, for callers that already run an event loop."""
    site, new_site = options.site, False
    if site is None:
        if settings.url is None:
            raise ConfigError("setting url: required by crawl (pass --url or set FEEDKEEPER_URL)")
        # Credentials in the URL reach the site as Basic auth (the Fetcher's settings keep
        # them); the archive, the messages and the logs only ever see the URL without them.
        site = site_for_url(store.engine, strip_credentials(settings.url))
        if site is None:  # new: not kept if its first crawl archives nothing (see _finish)
            site, new_site = add_site(store.engine, NewSite(strip_credentials(settings.url))), True
        fetch_settings = settings
    else:
        fetch_settings = replace(settings, url=site.url)
    # A site added with its credentials (`sites add https://user:pw@…`) signs in with them;
    # its pages are known by their URLs without them, as the pager links them.
    start_url = strip_credentials(site.url)
    settings = replace(settings, url=start_url)
    warnings: list[str] = []
    if not settings.full and store.has_unfinished_crawl(site.id):
        # Pages after the cut were never read: do not stop at the first page without news.
        settings = replace(settings, full=True)
        warnings.append("the previous crawl did not finish: walked every page to complete it")
    resume = store.resume_point(site.id)
    run_id = store.start_run(RunKind.CRAWL, start_url, site.id)
    freeze_startup()
    run = _Crawl(
        store, settings, fetch_settings, options, run_id, start_url, store.last_fetches(site.id)
    )
    run.site_id = site.id
    run.resume = resume if resume and is_in_scope(start_url, resume) else None
    run.warnings = warnings
    started = time.monotonic()
    log_run_started(run_id, start_url)
    try:
        walked = await _fetch_and_walk(run)
    except RobotsDisallowedError as exc:
        _finish(run, RunStatus.FAILED, started, exc.message, forget=new_site)
        raise
    except Exception as exc:  # the run is never left "running"
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        _finish(run, RunStatus.FAILED, started, reason, forget=new_site)
        raise
    except BaseException:  # cancelled, SIGINT or SIGTERM
        _finish(run, RunStatus.INTERRUPTED, started, "cancelled mid-page")
        raise
    status = RunStatus.INTERRUPTED if walked.stopped else run_status(run.counts)
    ending = "stopped" if walked.stopped else CAPPED if walked.capped else None
    _finish(run, status, started, ending, forget=new_site and status is RunStatus.FAILED)
    return RunSummary(run_id, RunKind.CRAWL, status, run.counts, run.warnings)


async def _fetch_and_walk(run: _Crawl) -> _Walked:
    """Open the stages around the walk; say how it ended."""
    settings, options = run.settings, run.options
    worker = None  # one request at a time: nothing is fetched ahead to parse meanwhile
    if settings.concurrency >= 2 and not options.in_process_parse:
        worker = options.worker or ParseWorker(options.profile)
        worker.packs_bodies = worker.segments_words = True
    run.worker = worker
    try:
        async with Fetcher(run.fetch_settings, options.transport) as fetcher:
            await fetcher.check_robots(run.start)
            if settings.use_feed:
                run.options = replace(
                    options, feed_entries=await load_feed(fetcher, run.start, run.warnings)
                )
            prefetcher = Prefetcher(
                fetcher, worker, run.last_fetches, run.start, settings.concurrency,
                full=settings.full,
            )  # fmt: skip
            try:
                with run.store.writer(run.site_id) as writer:
                    walked = await _walk(run, prefetcher, writer)
            finally:
                await prefetcher.close()
            run.warnings += fetcher.notes + walked.notes
            return walked
    finally:
        if worker is not None:
            await worker.stop()


def _finish(
    run: _Crawl, status: RunStatus, started: float, reason: str | None, forget: bool = False
) -> None:
    """Record the end of a crawl and log it with its duration and counts; with ``forget``,
    a site this crawl added is not kept when nothing was archived from it."""
    run.store.finish_run(run.run_id, run.counts, status, reason)
    if forget:
        forget_if_empty(run.store.engine, run.site_id)
    duration = round(time.monotonic() - started, 3)
    log_run_finished(run.run_id, run.start, status, run.counts, duration, reason)


async def _walk(run: _Crawl, prefetcher: Prefetcher, writer: PageWriter) -> _Walked:
    """Crawl page after page, in listing order, at most ``max_pages``; say how it ended.

    After a page that brought news (or in a full walk), the pages likely to follow are
    fetched ahead; the walk itself still follows each page's own next link, and a page
    fetched ahead that it does not reach is dropped. A page that fails is passed over to
    the page the pager or the URL pattern says comes next. The walk stops at a page
    whose cards this run has all seen already. Written pages are committed before the
    walk waits for the network, so none sits uncommitted while it waits.
    """
    walked, visited = _Walked(), set[str]()
    await _walk_from(run, prefetcher, writer, run.start, walked, visited, run.settings.full)
    resume = run.resume
    if resume and not (walked.stopped or walked.capped) and resume not in visited:
        # The last crawl stopped at max_pages: the pages after it were never read.
        walked.notes.append(f"went on at {resume}, where the last crawl stopped (max_pages)")
        await _walk_from(run, prefetcher, writer, resume, walked, visited, full=True)
    return walked


async def _walk_from(
    run: _Crawl,
    prefetcher: Prefetcher,
    writer: PageWriter,
    url: str | None,
    walked: _Walked,
    visited: set[str],
    full: bool,
) -> None:
    """Walk the listing from ``url`` (see ``_walk``), adding to ``walked`` and ``visited``."""
    settings, options = run.settings, run.options
    seen_cards: set[str] = set()
    guessed = False  # the current URL is a guess past a failed page, beyond what a pager showed
    while url and url not in visited:
        if options.should_stop():
            walked.stopped = True
            return
        if len(visited) >= settings.max_pages:
            walked.capped = True
            walked.notes.append(
                f"stopped after {settings.max_pages} listing pages (max_pages);"
                f" the listing goes on at {url}"
            )
            return
        visited.add(url)
        if options.progress:
            options.progress(url)
        if not prefetcher.is_ready(url):
            writer.commit()
        step = await _crawl_page(run, prefetcher, writer, url, guessed)
        if options.commit_every_page:
            writer.commit()
        writer.commit_if_full()
        # A page ready ahead was taken without a turn of the loop: give it one, after any
        # commit, so that fetches and the worker's pipes move on.
        await asyncio.sleep(0)
        if not step.is_news and not full:
            break  # incremental: the rest of the listing is what we already hold
        if step.cards and step.cards <= seen_cards:
            walked.notes.append(
                f"{url} only repeats cards this run already saw: the walk stopped there"
            )
            break
        seen_cards |= step.cards
        url, guessed = _next_page(prefetcher, run.start, url, step, guessed)
        prefetcher.plan(url, step.page_urls, visited, settings.max_pages - len(visited))


def _next_page(
    prefetcher: Prefetcher, start: str, url: str, step: _Step, guessed: bool
) -> tuple[str | None, bool]:
    """Return where the walk goes after ``url``, and whether that is a guess past the pager.

    After a failed page with no next link known, the walk goes on to the next page
    number (``/page/N/``, ``?page=N``): one a pager showed, else one guess from the
    URL pattern, which is not repeated when the guessed page fails too.
    """
    if step.next_url:
        return (step.next_url if is_in_scope(start, step.next_url) else None), False
    if not step.failed:
        return None, False
    shown = prefetcher.guess_after(url)
    if shown is not None:
        return shown, False
    if guessed:
        return None, False
    return prefetcher.guess_after(url, beyond_pager=True), True


async def _crawl_page(
    run: _Crawl, prefetcher: Prefetcher, writer: PageWriter, url: str, guessed: bool = False
) -> _Step:
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
            return _Step(False, None)
        return _failed(run, writer, url, exc, known_next)
    except FetchError as exc:
        return _failed(run, writer, url, exc, known_next)
    fetched = download.fetched
    if fetched.is_not_modified:
        assert previous is not None
        run.counts.pages_not_modified += 1
        capture = PageCapture(
            url, now_iso(), PageKind.NOT_MODIFIED, 304, previous.etag, previous.last_modified,
            next_url=known_next,
        )  # fmt: skip
        _write(run, writer, capture)
        return _Step(False, known_next)
    try:
        parsed = await _parse(run, download)
    except ParseError as exc:
        run.counts.fail(url, exc.message)
        _write(run, writer, _unparsed(url, fetched, exc.message))
        return _Step(True, None, failed=True)
    return _archive_parsed(run, writer, url, fetched, parsed, previous)


def _failed(run: _Crawl, writer: PageWriter, url: str, exc: FetchError, known: str | None) -> _Step:
    """Record a page that could not be fetched; the walk goes on where ``known`` says."""
    run.counts.fail(url, exc.message)
    _write(run, writer, PageCapture(url, now_iso(), PageKind.FAILED, error=exc.message))
    # go on where the last good fetch said the listing goes, else where the pager does
    return _Step(True, known, failed=True)


async def _parse(run: _Crawl, download: Download) -> KeyedPage:
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
    run: _Crawl,
    writer: PageWriter,
    url: str,
    fetched: Fetched,
    page: KeyedPage,
    previous: Validators | None,
) -> _Step:
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
        return _Step(True, parsed.next_url or (previous.next_url if previous else None))
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
    return _Step(outcome.is_news, parsed.next_url, parsed.page_urls, cards=keys)


def _unparsed(url: str, fetched: Fetched, error: str) -> PageCapture:
    """Return what the store keeps of a fetched page that could not be parsed."""
    return PageCapture(
        url, now_iso(), PageKind.UNPARSEABLE, fetched.status, fetched.etag,
        fetched.last_modified, fetched.content_type, None, fetched.body, None, None, error,
    )  # fmt: skip


def _write(
    run: _Crawl,
    writer: PageWriter,
    capture: PageCapture,
    keyed: list[KeyedCard] | None = None,
    skipped: int = 0,
) -> PageOutcome:
    """Dedupe and write one crawled page, and log what it brought (never its body)."""
    outcome = write_keyed_page(writer, run.run_id, capture, keyed, skipped)
    log_page(run.run_id, capture, outcome)
    return outcome


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
