"""A crawl: the run around the walk, and the walk from page to page.

The walk (``_walk``) decides where to go from what each page says (``Step``);
``crawl_async`` opens and closes the run around it. The walk hands the event loop a turn
after each page, so that fetches and the worker's pipes move on while this process writes.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from enum import Enum

from feedkeeper.config import Settings
from feedkeeper.crawl_options import CrawlOptions
from feedkeeper.errors import ConfigError, RobotsDisallowedError
from feedkeeper.feed_check import load_feed
from feedkeeper.fetch import Fetcher
from feedkeeper.heap import freeze_startup
from feedkeeper.parse_worker import ParseWorker
from feedkeeper.pipeline.stages import CrawlRun, Step, crawl_page
from feedkeeper.prefetch import Prefetcher
from feedkeeper.records import RunKind, RunStatus
from feedkeeper.run_log import log_run_finished, log_run_started
from feedkeeper.run_summary import RunSummary, run_status
from feedkeeper.scope import is_in_scope, strip_credentials
from feedkeeper.store import CAPPED, CAPPED_BY_BYTES, CAPPED_BY_TIME, Store
from feedkeeper.store.pauses import keep_pauses, stored_pauses
from feedkeeper.store.sites import (
    NewSite,
    Site,
    add_site,
    forget_if_empty,
    is_listed_at,
    move_site,
    site_for_url,
)
from feedkeeper.store.write import PageWriter
from feedkeeper.text import first_line


@dataclass(slots=True)
class _Walked:
    """How a walk ended: cut short by ``should_stop`` or a limit, and what the summary
    should say."""

    stopped: bool = False
    # Why the walk stopped while the listing went on (max_pages, max_run_time,
    # max_run_bytes): the next crawl resumes there.
    capped: str | None = None
    notes: list[str] = field(default_factory=list)


def crawl(store: Store, settings: Settings, options: CrawlOptions | None = None) -> RunSummary:
    """Walk the listing pages from ``settings.url`` and archive what they show."""
    return asyncio.run(crawl_async(store, settings, options or CrawlOptions()))


async def crawl_async(store: Store, settings: Settings, options: CrawlOptions) -> RunSummary:
    """The crawl, for callers that already run an event loop."""
    site, found = options.site, _Found.KNOWN
    if site is None:
        if settings.url is None:
            raise ConfigError("setting url: required by crawl (pass --url or set FEEDKEEPER_URL)")
        # Credentials in the URL reach the site as Basic auth (the Fetcher's settings keep
        # them); the archive, the messages and the logs only ever see the URL without them.
        site, found = _site_at(store, strip_credentials(settings.url))
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
    run = CrawlRun(
        store, settings, fetch_settings, options, run_id, start_url, store.last_fetches(site.id)
    )
    run.site_id = site.id
    run.resume = resume if resume and is_in_scope(start_url, resume[0]) else None
    run.warnings = warnings
    started = run.started
    log_run_started(run_id, start_url)
    try:
        walked = await _fetch_and_walk(run)
    except RobotsDisallowedError as exc:
        _finish(run, RunStatus.FAILED, started, exc.message, found)
        raise
    except Exception as exc:  # the run is never left "running"
        reason = first_line(str(exc), type(exc).__name__)
        _finish(run, RunStatus.FAILED, started, reason, found)
        raise
    except BaseException:  # cancelled, SIGINT or SIGTERM
        _finish(run, RunStatus.INTERRUPTED, started, "cancelled mid-page")
        raise
    status = RunStatus.INTERRUPTED if walked.stopped else run_status(run.counts)
    ending = "stopped" if walked.stopped else walked.capped
    _finish(run, status, started, ending, found)
    return RunSummary(run_id, RunKind.CRAWL, status, run.counts, run.warnings)


async def _fetch_and_walk(run: CrawlRun) -> _Walked:
    """Open the stages around the walk; say how it ended. The pauses the hosts asked for
    (Retry-After) are kept in the archive however it ends, for later runs to respect."""
    engine = run.store.engine
    fetcher = Fetcher(
        run.fetch_settings, run.options.transport, longest_pause=run.options.longest_pause,
        stored_pauses=stored_pauses(engine),
    )  # fmt: skip
    try:
        return await _fetch_with(run, fetcher)
    finally:
        keep_pauses(engine, fetcher.pauses_asked())


async def _fetch_with(run: CrawlRun, fetcher: Fetcher) -> _Walked:
    """Walk with ``fetcher`` and a parse worker for long listings."""
    settings, options = run.settings, run.options
    worker = None  # one request at a time: nothing is fetched ahead to parse meanwhile
    if settings.concurrency >= 2 and not options.in_process_parse:
        worker = options.worker or ParseWorker(options.profile)
        worker.packs_bodies = worker.segments_words = True
    run.worker = worker
    try:
        async with fetcher:
            fetcher.check_paused(run.start)  # a host left alone is not asked for robots.txt
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


class _Found(Enum):
    """What the archive held of the site a crawl archives to."""

    KNOWN = "known"  # the site, at the address crawled
    NEW = "new"  # nothing: added, and not kept when its first crawl archives nothing
    MOVED = "moved"  # the site, spelt otherwise: kept at its new address once crawled there


def _site_at(store: Store, url: str) -> tuple[Site, _Found]:
    """Return the site a crawl of ``url`` archives to, and what the archive held of it."""
    site = site_for_url(store.engine, url)
    if site is None:
        return add_site(store.engine, NewSite(url)), _Found.NEW
    if is_listed_at(site, url):
        return site, _Found.KNOWN
    return replace(site, url=url), _Found.MOVED


def _finish(
    run: CrawlRun,
    status: RunStatus,
    started: float,
    reason: str | None,
    found: _Found = _Found.KNOWN,
) -> None:
    """Record the end of a crawl and log it with its duration and counts. A site this
    crawl added is not kept when it failed and nothing was archived from it; a site it
    found at a new address keeps that address unless it failed there (a mistyped ``www.``
    leaves the site where it was)."""
    run.store.finish_run(run.run_id, run.counts, status, reason)
    if status is RunStatus.FAILED and found is _Found.NEW:
        forget_if_empty(run.store.engine, run.site_id)
    elif status is not RunStatus.FAILED and found is _Found.MOVED:
        move_site(run.store.engine, run.site_id, run.start)
    duration = round(time.monotonic() - started, 3)
    log_run_finished(run.run_id, run.start, status, run.counts, duration, reason)


async def _walk(run: CrawlRun, prefetcher: Prefetcher, writer: PageWriter) -> _Walked:
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
    if run.resume and not (walked.stopped or walked.capped) and run.resume[0] not in visited:
        # The last crawl stopped at a limit: the pages after it were never read.
        resume, limit = run.resume
        walked.notes.append(f"went on at {resume}, where the last crawl stopped ({limit})")
        await _walk_from(run, prefetcher, writer, resume, walked, visited, full=True)
    return walked


async def _walk_from(
    run: CrawlRun,
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
    pages_here = 0
    while url and url not in visited:
        if options.should_stop():
            walked.stopped = True
            return
        reached = _limit_reached(run, len(visited), pages_here)
        if reached is not None:
            walked.capped, said = reached
            walked.notes.append(f"{said}; the listing goes on at {url}")
            return
        visited.add(url)
        if options.progress:
            options.progress(url)
        if not prefetcher.is_ready(url):
            writer.commit()
        step = await crawl_page(run, prefetcher, writer, url, guessed)
        pages_here += 1
        if options.commit_every_page:
            writer.commit()
        writer.commit_if_full()
        # A page ready ahead was taken without a turn of the loop: give it one, after any
        # commit, so that fetches and the worker's pipes move on.
        await asyncio.sleep(0)
        if step.halts:  # the site asked for a pause: the next crawl walks on (unfinished)
            return
        if not step.is_news and not full:
            break  # incremental: the rest of the listing is what we already hold
        if step.cards and step.cards <= seen_cards:
            walked.notes.append(
                f"{url} only repeats cards this run already saw: the walk stopped there"
            )
            break
        seen_cards |= step.cards
        url, guessed = _next_page(prefetcher, run.start, url, step, guessed)
        prefetcher.plan(
            url, step.page_urls, visited, settings.max_pages - len(visited),
            patterns=step.page_patterns,
        )  # fmt: skip


def _limit_reached(run: CrawlRun, walked: int, pages_here: int) -> tuple[str, str] | None:
    """The limit the crawl has reached before its next page, with ``walked`` pages behind it
    (``pages_here`` in this part of the walk), if any: the run's message, and the summary's.

    The run's time and bytes count once this part of the walk has read a page: however small
    the limit, each crawl reads on where the last one stopped.
    """
    settings = run.settings
    if walked >= settings.max_pages:
        return CAPPED, f"stopped after {settings.max_pages} listing pages (max_pages)"
    if not pages_here:
        return None
    if settings.max_run_time and time.monotonic() - run.started >= settings.max_run_time:
        return CAPPED_BY_TIME, f"stopped after {settings.max_run_time:g} s (max_run_time)"
    if settings.max_run_bytes and run.body_bytes >= settings.max_run_bytes:
        return CAPPED_BY_BYTES, (
            f"stopped after {run.body_bytes} bytes of listing pages, of"
            f" {settings.max_run_bytes} at most (max_run_bytes)"
        )
    return None


def _next_page(
    prefetcher: Prefetcher, start: str, url: str, step: Step, guessed: bool
) -> tuple[str | None, bool]:
    """Return where the walk goes after ``url``, and whether that is a guess past the pager.

    After a failed page with no next link known, the walk goes on to the next page
    number, in the pattern of the failed page's URL (``/page/N/``, ``?page=N``, or one of
    the site's own its pager showed: ``list_1_N.html``): one a pager showed, else one
    guess, which is not repeated when the guessed page fails too.
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
