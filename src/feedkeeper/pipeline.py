"""The only code that knows the order of the stages: fetch → parse → dedupe → store."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from feedkeeper.ahead import FetchAhead
from feedkeeper.cards import Card, ParsedPage
from feedkeeper.clock import now_iso
from feedkeeper.config import Settings
from feedkeeper.encoding import decode_body
from feedkeeper.errors import (
    ConfigError,
    FetchError,
    HTTPStatusError,
    ParseError,
    RobotsDisallowedError,
)
from feedkeeper.fetch import Fetched, Fetcher
from feedkeeper.parse import Profile, parse_listing
from feedkeeper.parse.feed import FeedEntry, confirm_cards, find_feed_url, parse_feed
from feedkeeper.parsing import PARALLEL_FROM_PAGES, ParsePool, read_page
from feedkeeper.records import PageCapture, PageOutcome, RunCounts, Validators
from feedkeeper.scope import is_in_scope, strip_credentials
from feedkeeper.store import Store

Progress = Callable[[str], None]
log = logging.getLogger(__name__)


@dataclass(slots=True)
class RunSummary:
    """What a run did, for the summary line and the exit code."""

    run_id: int
    kind: str
    status: str  # ok | partial | failed
    counts: RunCounts
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when everything worked, 1 when some pages failed, 3 when a crawl fetched nothing."""
        if self.status == "ok":
            return 0
        return 3 if self.status == "failed" and self.kind == "crawl" else 1


@dataclass(slots=True)
class CrawlOptions:
    """How one crawl runs, beyond the settings."""

    profile: Profile | None = None
    transport: httpx.AsyncBaseTransport | None = None  # the test seam for HTTP
    progress: Progress | None = None
    should_stop: Callable[[], bool] = lambda: False
    feed_entries: list[FeedEntry] | None = None  # the blog's feed, read when settings.use_feed


# A page is suspect, and its cards are not archived, when they collapsed to under half
# of what the last good parse of the same URL held, or the parser went from sure to unsure.
COLLAPSE_RATIO = 0.5
MIN_CARDS_FOR_COLLAPSE = 4
UNSURE = 0.4
# A page number guessed past a failed page that answers this does not exist.
GONE_STATUSES = frozenset({404, 410})


def crawl(store: Store, settings: Settings, options: CrawlOptions | None = None) -> RunSummary:
    """Walk the listing pages from ``settings.url`` and archive what they show."""
    return asyncio.run(crawl_async(store, settings, options or CrawlOptions()))


async def crawl_async(store: Store, settings: Settings, options: CrawlOptions) -> RunSummary:
    """The crawl, for callers that already run an event loop."""
    if settings.url is None:
        raise ConfigError("setting url: required by crawl (pass --url or set FEEDKEEPER_URL)")
    # Credentials in the URL reach the site as Basic auth (the Fetcher's settings keep
    # them); the archive, the messages and the logs only ever see the URL without them.
    fetch_settings = settings
    start_url = strip_credentials(settings.url)
    settings = replace(settings, url=start_url)
    warnings: list[str] = []
    if not settings.full and store.has_unfinished_crawl(start_url):
        # Pages after the cut were never read: do not stop at the first page without news.
        settings = replace(settings, full=True)
        warnings.append("the previous crawl did not finish: walked every page to complete it")
    run_id = store.start_run("crawl", start_url)
    counts = RunCounts()
    started = time.monotonic()
    log.info(
        "run %d started: %s",
        run_id,
        start_url,
        extra={"event": "run_started", "run_id": run_id, "url": start_url},
    )
    try:
        async with Fetcher(fetch_settings, options.transport) as fetcher:
            await fetcher.check_robots(start_url)
            if settings.use_feed:
                options = replace(
                    options, feed_entries=await _load_feed(fetcher, start_url, warnings)
                )
            walked = await _walk(store, settings, options, fetcher, run_id, counts)
            warnings += fetcher.notes + walked.notes
    except RobotsDisallowedError as exc:
        _finish(store, run_id, start_url, counts, "failed", started, exc.message)
        raise
    except Exception as exc:  # the run is never left "running"
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        _finish(store, run_id, start_url, counts, "failed", started, reason)
        raise
    except BaseException:  # cancelled, SIGINT or SIGTERM
        _finish(store, run_id, start_url, counts, "interrupted", started, "cancelled mid-page")
        raise
    stopped = walked.stopped
    status = "interrupted" if stopped else _status(counts)
    _finish(store, run_id, start_url, counts, status, started, "stopped" if stopped else None)
    warnings += [
        f"{f['url']}: {f['error']}" for f in counts.failures if f["error"].startswith(SUSPECT)
    ]
    return RunSummary(run_id, "crawl", status, counts, warnings)


async def _load_feed(
    fetcher: Fetcher, start_url: str, warnings: list[str]
) -> list[FeedEntry] | None:
    """Read the feed the listing links to; a missing or broken feed is a warning, not a failure."""
    try:
        listing = await fetcher.fetch(start_url)
        feed_url = find_feed_url(listing.text()[0], listing.url)
        if feed_url is None:
            warnings.append("use_feed: the listing links to no RSS or Atom feed")
            return None
        if not is_in_scope(start_url, feed_url):
            warnings.append(f"use_feed: the feed {feed_url} is outside the site: not read")
            return None
        feed = await fetcher.fetch(feed_url)
        return parse_feed(feed.text()[0], feed.url)
    except (FetchError, ParseError) as exc:
        warnings.append(f"use_feed: cannot read the feed: {exc.message}")
        return None


def _finish(
    store: Store,
    run_id: int,
    url: str,
    counts: RunCounts,
    status: str,
    started: float,
    reason: str | None,
) -> None:
    """Record the end of a crawl and log it with its duration and counts."""
    store.finish_run(run_id, counts, status, reason)
    duration = round(time.monotonic() - started, 3)
    log.info(
        "run %d %s in %.1fs: %d pages (%d not modified, %d failed), %d new posts, %d new versions",
        run_id,
        status,
        duration,
        counts.pages,
        counts.pages_not_modified,
        counts.pages_failed,
        counts.new_posts,
        counts.new_versions,
        extra={
            "event": "run_finished",
            "run_id": run_id,
            "url": url,
            "status": status,
            "duration_s": duration,
            "counts": counts.as_row(),
            "reason": reason,
        },
    )


@dataclass(slots=True)
class _Walked:
    """How a walk ended: cut short by ``should_stop``, and what the summary should say."""

    stopped: bool = False
    notes: list[str] = field(default_factory=list)


async def _walk(
    store: Store,
    settings: Settings,
    options: CrawlOptions,
    fetcher: Fetcher,
    run_id: int,
    counts: RunCounts,
) -> _Walked:
    """Crawl page after page, at most ``max_pages``; say how the walk ended.

    Pages are stored strictly in listing order. After a page that brought news (or in
    a full walk), the pages likely to follow are fetched ahead, as many at a time as
    the host's concurrency allows; the walk itself still follows each page's own
    next link, and a page fetched ahead that it does not reach is dropped. A page
    that fails is passed over to the page the pager or the URL pattern says comes
    next. The walk stops at a page whose cards this run has all seen already.
    """
    start = settings.url or ""
    url: str | None = start
    visited: set[str] = set()
    seen_cards: set[str] = set()
    walked = _Walked()
    pool = ParsePool()

    async def parse_ahead(fetched: Fetched) -> ParsedPage | ParseError | None:
        """Parse a page fetched ahead in a worker process, on a long listing."""
        if fetched.is_not_modified or settings.concurrency < 2:
            return None
        if ahead.horizon < PARALLEL_FROM_PAGES:
            return None
        try:
            body, kind = fetched.body, fetched.content_type
            return await pool.parse(body, kind, fetched.url, options.profile)
        except ParseError as exc:
            return exc

    ahead = FetchAhead(fetcher, store.validators, start, settings.concurrency, parse_ahead)
    guessed = False  # the current URL is a guess past a failed page, beyond what a pager showed
    try:
        while url and url not in visited:
            if options.should_stop():
                walked.stopped = True
                return walked
            if len(visited) >= settings.max_pages:
                walked.notes.append(
                    f"stopped after {settings.max_pages} listing pages (max_pages);"
                    f" the listing goes on at {url}"
                )
                break
            visited.add(url)
            if options.progress:
                options.progress(url)
            step = await _crawl_page(store, options, ahead, run_id, counts, url, guessed)
            if not step.is_news and not settings.full:
                break  # incremental: the rest of the listing is what we already hold
            if step.cards and step.cards <= seen_cards:
                walked.notes.append(
                    f"{url} only repeats cards this run already saw: the walk stopped there"
                )
                break
            seen_cards |= step.cards
            url, guessed = _next_page(ahead, start, url, step, guessed)
            budget = min(settings.concurrency, settings.max_pages - len(visited))
            ahead.plan(url, step.page_urls, visited, budget)
    finally:
        await ahead.close()
        pool.close()
    return walked


def _next_page(
    ahead: FetchAhead, start: str, url: str, step: _Step, guessed: bool
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
    shown = ahead.guess_after(url)
    if shown is not None:
        return shown, False
    if guessed:
        return None, False
    return ahead.guess_after(url, beyond_pager=True), True


@dataclass(frozen=True, slots=True)
class _Step:
    """What one page tells the walk: whether it brought news, and where the listing goes."""

    is_news: bool
    next_url: str | None
    page_urls: Sequence[str] = ()
    failed: bool = False  # the page could not be fetched or parsed
    cards: frozenset[str] = frozenset()  # what identifies each card the page showed


async def _crawl_page(
    store: Store,
    options: CrawlOptions,
    ahead: FetchAhead,
    run_id: int,
    counts: RunCounts,
    url: str,
    guessed: bool = False,
) -> _Step:
    """Fetch, parse and store one page; say whether it brought news and what comes next.

    A ``guessed`` page (a page number no pager showed) that does not exist is the end
    of the listing, not a failure.
    """
    validators = ahead.validators(url)
    known_next = validators.next_url if validators else None
    try:
        fetched, parsed = await ahead.fetch(url)
    except RobotsDisallowedError:
        raise  # a forbidden listing page stops the crawl, as a forbidden first page does
    except HTTPStatusError as exc:
        if guessed and exc.status in GONE_STATUSES:
            return _Step(False, None)
        return _failed(store, run_id, counts, url, exc, known_next)
    except FetchError as exc:
        return _failed(store, run_id, counts, url, exc, known_next)
    if fetched.is_not_modified:
        counts.pages_not_modified += 1
        assert validators is not None
        capture = PageCapture(
            url,
            now_iso(),
            "not_modified",
            304,
            validators.etag,
            validators.last_modified,
            next_url=known_next,
        )
        _record(store, run_id, capture)
        return _Step(False, known_next)
    return _store_fetched(store, options, run_id, counts, url, fetched, parsed, validators)


def _failed(
    store: Store, run_id: int, counts: RunCounts, url: str, exc: FetchError, known: str | None
) -> _Step:
    """Record a page that could not be fetched; the walk goes on where ``known`` says."""
    counts.fail(url, exc.message)
    _record(store, run_id, PageCapture(url, now_iso(), "failed", error=exc.message))
    # go on where the last good fetch said the listing goes, else where the pager does
    return _Step(True, known, failed=True)


def _store_fetched(
    store: Store,
    options: CrawlOptions,
    run_id: int,
    counts: RunCounts,
    url: str,
    fetched: Fetched,
    ready: object = None,
    previous: Validators | None = None,
) -> _Step:
    """Parse the page (unless ``ready`` holds its parse from a worker) and store it."""
    fetched_at = now_iso()
    try:
        if isinstance(ready, ParseError):
            raise ready
        parsed = (
            ready
            if isinstance(ready, ParsedPage)
            else parse_body(fetched.body, fetched.content_type, fetched.url, options.profile)
        )
    except ParseError as exc:
        counts.fail(url, exc.message)
        capture = PageCapture(
            url,
            fetched_at,
            "unparseable",
            fetched.status,
            fetched.etag,
            fetched.last_modified,
            fetched.content_type,
            body=fetched.body,
            error=exc.message,
        )
        _record(store, run_id, capture)
        return _Step(True, None, failed=True)
    _, encoding = decode_body(fetched.body, fetched.content_type)
    problem = suspect_parse(parsed, previous)
    capture = PageCapture(
        url,
        fetched_at,
        "suspect" if problem else "parsed",
        fetched.status,
        fetched.etag,
        fetched.last_modified,
        fetched.content_type,
        encoding,
        fetched.body,
        parsed.next_url,
        parsed.confidence,
        problem,
    )
    if problem:  # keep the page for `reparse`, archive none of its cards
        log.warning(
            "page %s looks wrong, not archived: %s",
            url,
            problem,
            extra={"event": "page_suspect", "url": url, "reason": problem},
        )
        counts.pages += 1  # fetched and kept: the run is partial, not failed
        counts.fail(url, f"{SUSPECT}{problem}")
        _record(store, run_id, capture)
        return _Step(True, parsed.next_url or (previous.next_url if previous else None))
    if options.feed_entries:
        parsed.cards = _confirm_with_feed(parsed.cards, options.feed_entries)
    outcome = _record(store, run_id, capture, parsed.cards, parsed.skipped)
    counts.add(outcome)
    keys = frozenset(card.url or f"{card.title}\n{card.excerpt}" for card in parsed.cards)
    return _Step(outcome.is_news, parsed.next_url, parsed.page_urls, cards=keys)


SUSPECT = "the parse looks wrong, cards not archived: "


def suspect_parse(parsed: ParsedPage, previous: Validators | None) -> str | None:
    """Say why a page's parse looks like garbage next to the last good one, or None."""
    if previous is None or not previous.cards:
        return None
    was, now = previous.cards, len(parsed.cards)
    # A last page may legitimately shrink; a page with a next link should not.
    if parsed.next_url and was >= MIN_CARDS_FOR_COLLAPSE and now < was * COLLAPSE_RATIO:
        return f"{now} cards where the last crawl found {was}"
    if parsed.confidence < UNSURE <= (previous.confidence or 0.0):
        reasons = "; ".join(parsed.warnings) or "no clear listing"
        before = previous.confidence or 0.0
        now_conf = f"{parsed.confidence:.2f}"
        return f"the parser is unsure (confidence {now_conf}, was {before:.2f}): {reasons}"
    return None


def _confirm_with_feed(cards: list[Card], entries: list[FeedEntry]) -> list[Card]:
    confirmed, disagreements = confirm_cards(cards, entries)
    for note in disagreements:
        log.warning("feed disagrees: %s", note, extra={"event": "feed_disagrees", "detail": note})
    return confirmed


def _record(
    store: Store,
    run_id: int,
    capture: PageCapture,
    cards: list[Card] | None = None,
    skipped: int = 0,
) -> PageOutcome:
    """Store one crawled page and log what it brought (never its body)."""
    outcome = store.record_page(run_id, capture, cards, skipped)
    error = f" ({capture.error})" if capture.error else ""
    log.info(
        "page %s %s: %d cards, %d new posts, %d new versions%s",
        capture.url,
        capture.outcome,
        outcome.cards,
        outcome.new_posts,
        outcome.new_versions,
        error,
        extra={
            "event": "page",
            "run_id": run_id,
            "url": capture.url,
            "outcome": capture.outcome,
            "status_code": capture.status_code,
            "cards": outcome.cards,
            "cards_skipped": outcome.cards_skipped,
            "new_posts": outcome.new_posts,
            "new_versions": outcome.new_versions,
            "reposts": outcome.reposts,
            "error": capture.error,
        },
    )
    return outcome


def parse_body(
    body: bytes, content_type: str | None, url: str, profile: Profile | None = None
) -> ParsedPage:
    """Parse a stored or fetched body: HTML listing, or a plain-text capture."""
    return read_page(body, content_type, url, profile, parse_listing)


def import_captures(
    store: Store, files: Sequence[Path], progress: Progress | None = None
) -> RunSummary:
    """Archive plain-text captures of listing pages through the same dedupe and store path."""
    run_id = store.start_run("import", " ".join(str(f) for f in files))
    counts = RunCounts()
    with store.closing_run(run_id, counts):
        for path in files:
            if progress:
                progress(str(path))
            _import_one(store, run_id, counts, path)
    status = _status(counts)
    store.finish_run(run_id, counts, status)
    return RunSummary(run_id, "import", status, counts)


def _import_one(store: Store, run_id: int, counts: RunCounts, path: Path) -> None:
    url = path.resolve().as_uri()
    try:
        body = _read_capture(path)
    except OSError as exc:
        counts.fail(str(path), f"cannot read {path}: {exc.strerror}")
        return
    except ParseError as exc:
        counts.fail(str(path), exc.message)
        return
    capture = PageCapture(url, now_iso(), "parsed", content_type="text/plain", body=body)
    try:
        parsed = parse_body(body, "text/plain", str(path))
    except ParseError as exc:
        counts.fail(str(path), exc.message)
        store.record_page(
            run_id,
            PageCapture(
                url,
                capture.fetched_at,
                "unparseable",
                content_type="text/plain",
                body=body,
                error=exc.message,
            ),
            None,
        )
        return
    counts.add(store.record_page(run_id, capture, parsed.cards, parsed.skipped))


# A capture is text copied off a listing page: kilobytes. Past this it is something else.
MAX_CAPTURE_BYTES = 10 * 1024 * 1024


def _read_capture(path: Path) -> bytes:
    """Read a capture file; ParseError for what cannot be one (a device, an endless stream)."""
    if not path.is_file():
        raise ParseError(f"not a text capture: {path} is not a regular file")
    with path.open("rb") as handle:
        body = handle.read(MAX_CAPTURE_BYTES + 1)
    if len(body) > MAX_CAPTURE_BYTES:
        raise ParseError(f"not a text capture: {path} is larger than {MAX_CAPTURE_BYTES} bytes")
    return body


def _status(counts: RunCounts) -> str:
    if counts.pages_failed == 0:
        return "ok"
    return "partial" if counts.pages or counts.pages_not_modified else "failed"


def reparse(
    store: Store,
    profile: Profile | None = None,
    progress: Progress | None = None,
    *,
    accept_suspect: bool = False,
) -> RunSummary:
    """Rebuild the archive's posts from its stored pages with the current parser.

    A page the crawl refused as suspect stays refused unless it now parses cleanly
    next to the last good parse of its URL, or ``accept_suspect`` says to take it.
    """
    run_id = store.start_run("reparse", str(store.path))
    counts = RunCounts()
    last_good: dict[str, Validators] = {}

    def parse(capture: PageCapture) -> ParsedPage:
        if progress:
            progress(capture.url)
        parsed = parse_body(capture.body or b"", capture.content_type, capture.url, profile)
        if capture.outcome == "suspect" and not accept_suspect:
            problem = suspect_parse(parsed, last_good.get(capture.url))
            if problem:
                raise ParseError(f"{SUSPECT}{problem}")
        last_good[capture.url] = Validators(None, None, None, len(parsed.cards), parsed.confidence)
        return parsed

    with store.closing_run(run_id, counts):
        store.rebuild(parse, counts)
    status = _status(counts)
    store.finish_run(run_id, counts, status)
    return RunSummary(run_id, "reparse", status, counts)
