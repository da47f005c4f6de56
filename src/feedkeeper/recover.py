"""Recovering what the placeholders stood for, from the posts' article pages.

Reads the backlog from the store, fetches each post's article once (with the
crawler's politeness, retries and limits), aligns every pending version's excerpt
with the article body, and writes what it found back through the store. A
recovery is never a new version: it belongs to the placeholder it was found for.
Only articles inside the origin of the listing the post was seen on (or on a host
the ``article_hosts`` setting lists) are fetched: a card may point anywhere.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from feedkeeper.article import REASON_ARTICLE_GONE, extract_article, recover_placeholders
from feedkeeper.cards import find_placeholders
from feedkeeper.config import Settings, hosts_of
from feedkeeper.errors import (
    FetchError,
    HTTPStatusError,
    OutOfScopeError,
    ParseError,
    PausedByHostError,
    ResponseTooLargeError,
)
from feedkeeper.fetch import Fetcher
from feedkeeper.markup import time_budget
from feedkeeper.page_reader import refuse_unreadable
from feedkeeper.politeness import RECOVERY
from feedkeeper.records import RunCounts, RunKind, RunStatus
from feedkeeper.run_log import run_level
from feedkeeper.scope import is_in_scope, is_on_host
from feedkeeper.store import Store
from feedkeeper.store.pauses import keep_pauses, stored_pauses
from feedkeeper.store.placeholders import (
    ArticleTask,
    PendingPlaceholder,
    PendingVersion,
    Settled,
    articles_to_recover,
    listing_pages,
    recovered_elsewhere,
    save_settled,
)
from feedkeeper.text import fold_for_fingerprint

log = logging.getLogger(__name__)

REASON_NO_URL = "no article URL (imported from a text capture)"
REASON_OUTSIDE = "the article is outside the listing's site: not fetched (see article_hosts)"
# The runs an article that cannot be fetched is tried in before its placeholders are given
# up (`recover --retry-failed` tries them again).
MAX_ARTICLE_ATTEMPTS = 5
GONE_STATUSES = frozenset({404, 410})


@dataclass(slots=True)
class RecoverOptions:
    """Which placeholders a recovery run looks at."""

    limit: int | None = None  # at most this many articles
    retry_failed: bool = False  # also try unrecoverable ones again
    only_new: bool = False  # only those never tried, or due again (the scheduled run)
    site_id: int | None = None  # only this site's posts (the run is the site's), else all
    transport: httpx.AsyncBaseTransport | None = None  # the test seam for HTTP
    should_stop: Callable[[], bool] = lambda: False  # checked before each article
    progress: Callable[[str], None] | None = None  # told each article's URL as it is settled
    # A longer pause (Retry-After) leaves that host's articles pending (see crawl_sites).
    longest_pause: float | None = None


@dataclass(slots=True)
class _Turns:
    """When an article may be fetched: ``concurrency`` at a time, and none once the run is
    asked to stop or has run ``max_run_time`` (the rest stays pending for the next run)."""

    slots: asyncio.Semaphore
    should_stop: Callable[[], bool]
    deadline: float | None  # time.monotonic()
    progress: Callable[[str], None] | None = None  # told each article's URL as it is settled
    stopped_at_limit: bool = False

    def over(self) -> bool:
        """Tell whether no more articles are fetched."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.stopped_at_limit = True
        return self.stopped_at_limit or self.should_stop()


@dataclass(slots=True)
class RecoverSummary:
    """What a recovery run did."""

    run_id: int
    status: RunStatus
    counts: RunCounts
    carried_over: int = 0
    still_pending: int = 0
    # Why it stopped before every article was asked (``max_run_time``), if it did.
    reason: str | None = None

    @property
    def exit_code(self) -> int:
        """0 when every article could be fetched, 1 otherwise."""
        return 0 if self.status is RunStatus.OK else 1


def recover(
    store: Store, settings: Settings, options: RecoverOptions | None = None
) -> RecoverSummary:
    """Settle every pending placeholder that the articles allow."""
    return asyncio.run(recover_async(store, settings, options or RecoverOptions()))


async def recover_async(
    store: Store, settings: Settings, options: RecoverOptions
) -> RecoverSummary:
    """The recovery, for callers that already run an event loop."""
    tasks = articles_to_recover(
        store.engine,
        retry_failed=options.retry_failed,
        only_new=options.only_new,
        limit=options.limit,
        site_id=options.site_id,
    )
    run_id = store.start_run(RunKind.RECOVER, f"{len(tasks)} articles", options.site_id)
    summary = RecoverSummary(run_id, RunStatus.OK, RunCounts())
    listings = listing_pages(store.engine, [task.post_id for task in tasks])
    hosts = hosts_of(settings.article_hosts)
    fetcher = Fetcher(
        settings, options.transport, longest_pause=options.longest_pause,
        stored_pauses=stored_pauses(store.engine), errand=RECOVERY,
    )  # fmt: skip
    limit = settings.max_run_time
    turns = _Turns(
        asyncio.Semaphore(max(1, settings.concurrency)),
        options.should_stop,
        time.monotonic() + limit if limit > 0 else None,
        options.progress,
    )
    try:
        with store.closing_run(run_id, summary.counts):
            async with fetcher:
                results = await asyncio.gather(
                    *(
                        _settle(store, fetcher, task, summary, turns)
                        if task.url is None
                        or is_fetchable(task.url, listings.get(task.post_id), hosts)
                        else _settle_outside(store, task, summary, turns)
                        for task in tasks
                    )
                )
    finally:  # the pauses hosts asked for (Retry-After) outlive the run, however it ends
        keep_pauses(store.engine, fetcher.pauses_asked())
    for settled in results:
        _count(summary, settled)
    if turns.stopped_at_limit:
        summary.reason = (
            f"stopped after max_run_time ({limit:g} s): the articles not asked yet stay"
            " pending for the next recovery"
        )
    summary.status = RunStatus.PARTIAL if summary.counts.pages_failed else RunStatus.OK
    store.finish_run(run_id, summary.counts, summary.status)
    _log_finished(summary)
    return summary


def _log_finished(summary: RecoverSummary) -> None:
    """One log line per recovery run, whoever started it: a command, a crawl or the daemon."""
    counts = summary.counts
    log.log(
        run_level(summary.status),
        "recovery run %d %s: %d recovered, %d unrecoverable, %d still pending",
        summary.run_id,
        summary.status,
        counts.placeholders_recovered,
        counts.placeholders_unrecoverable,
        summary.still_pending,
        extra={
            "event": "recovery_finished",
            "run_id": summary.run_id,
            "status": summary.status,
            "placeholders_recovered": counts.placeholders_recovered,
            "placeholders_unrecoverable": counts.placeholders_unrecoverable,
            "pages_failed": counts.pages_failed,
            "reason": summary.reason,
        },
    )


async def _settle(
    store: Store,
    fetcher: Fetcher,
    task: ArticleTask,
    summary: RecoverSummary,
    turns: _Turns,
) -> list[Settled]:
    settled = carry_over(task, recovered_elsewhere(store.engine, task.post_id))
    summary.carried_over += len(settled)
    done = {s.id for s in settled}
    remaining = [p for v in task.versions for p in v.placeholders if p.id not in done]
    if remaining:
        async with turns.slots:  # asked whether to go on when its turn comes, not before
            if turns.over():  # a stopping daemon, max_run_time: the rest stays pending
                summary.still_pending += len(remaining)
            else:
                settled += await _from_article(fetcher, task, done, summary.counts)
    save_settled(store.engine, settled)
    if turns.progress:
        turns.progress(task.url or f"post {task.post_id}")
    return settled


async def _settle_outside(
    store: Store, task: ArticleTask, summary: RecoverSummary, turns: _Turns
) -> list[Settled]:
    """Settle a post whose article lies outside the site without fetching it."""
    settled = carry_over(task, recovered_elsewhere(store.engine, task.post_id))
    summary.carried_over += len(settled)
    done = {s.id for s in settled}
    settled += [
        Settled(p.id, "unrecoverable", reason=REASON_OUTSIDE)
        for v in task.versions
        for p in v.placeholders
        if p.id not in done
    ]
    save_settled(store.engine, settled)
    if turns.progress:
        turns.progress(task.url or f"post {task.post_id}")
    return settled


def is_fetchable(url: str, listing_url: str | None, hosts: list[str]) -> bool:
    """Tell whether recover may fetch ``url``: inside the listing's origin, or on a listed host."""
    if listing_url is not None and is_in_scope(listing_url, url):
        return True
    return any(is_on_host(host, url) for host in hosts)


async def _from_article(
    fetcher: Fetcher, task: ArticleTask, done: set[int], counts: RunCounts
) -> list[Settled]:
    pending = [(v, p) for v in task.versions for p in v.placeholders if p.id not in done]
    if task.url is None:
        return [Settled(p.id, "unrecoverable", reason=REASON_NO_URL) for _, p in pending]
    try:
        fetched = await fetcher.fetch(task.url)
    except HTTPStatusError as exc:
        if exc.status in GONE_STATUSES:
            counts.pages += 1
            return [Settled(p.id, "unrecoverable", reason=REASON_ARTICLE_GONE) for _, p in pending]
        if _is_refusal(exc.status):  # asking again gets the same answer
            counts.pages += 1
            reason = f"the site refuses the article ({exc.message})"
            return [Settled(p.id, "unrecoverable", reason=reason) for _, p in pending]
        return _not_fetched(task.url, exc, pending, counts)
    except (OutOfScopeError, ResponseTooLargeError) as exc:  # the same on every attempt
        counts.pages += 1
        return [Settled(p.id, "unrecoverable", reason=exc.message) for _, p in pending]
    except FetchError as exc:
        return _not_fetched(task.url, exc, pending, counts)
    counts.pages += 1
    try:  # an image, a PDF: what the card links to holds no article, now or later
        refuse_unreadable(fetched.body, fetched.content_type)
    except ParseError as exc:
        return [Settled(p.id, "unrecoverable", reason=exc.message) for _, p in pending]
    try:
        with time_budget():
            article = extract_article(fetched.text()[0])
    except ParseError as exc:  # too deep, too big or too slow to read: trying again will not help
        counts.fail(task.url, exc.message)
        return [Settled(p.id, "unrecoverable", reason=exc.message) for _, p in pending]
    return [item for version in task.versions for item in _align(version, article, done)]


def _is_refusal(status: int) -> bool:
    """Tell an answer that another attempt would get again: a client error but a timeout
    (408), too early (425) or too many requests (429)."""
    return 400 <= status < 500 and status not in {408, 425, 429}


def _not_fetched(
    url: str,
    exc: FetchError,
    pending: list[tuple[PendingVersion, PendingPlaceholder]],
    counts: RunCounts,
) -> list[Settled]:
    """A failure that may pass (the network, the server, a pause the site asked for): the
    placeholders stay pending for the next run, up to MAX_ARTICLE_ATTEMPTS runs in all."""
    counts.fail(url, exc.message)
    tried = 1 + max((p.attempts for _, p in pending), default=0)
    if tried < MAX_ARTICLE_ATTEMPTS or isinstance(exc, PausedByHostError):
        return [Settled(p.id, "pending", reason=exc.message) for _, p in pending]
    reason = f"the article could not be fetched in {tried} attempts: {exc.message}"
    return [Settled(p.id, "unrecoverable", reason=reason) for _, p in pending]


def _align(version: PendingVersion, article: object, done: set[int]) -> list[Settled]:
    found = {(r.kind, r.ordinal): r for r in recover_placeholders(version.excerpt, article)}  # type: ignore[arg-type]
    settled = []
    for placeholder in version.placeholders:
        if placeholder.id in done:
            continue
        result = found.get((placeholder.kind, placeholder.ordinal))
        if result is None:  # the excerpt no longer shows it: nothing to align against
            continue
        settled.append(Settled(placeholder.id, result.status, result.text, result.reason))
    return settled


def carry_over(task: ArticleTask, recovered: list[tuple[str, str, int, str]]) -> list[Settled]:
    """Settle placeholders whose surrounding text matches one already recovered for the post."""
    known: dict[tuple[str, str, str], str] = {}
    for excerpt, kind, ordinal, text in recovered:
        contexts = placeholder_contexts(excerpt)
        if (kind, ordinal) in contexts:
            known[contexts[(kind, ordinal)]] = text
    settled = []
    for version in task.versions:
        contexts = placeholder_contexts(version.excerpt)
        for placeholder in version.placeholders:
            key = contexts.get((placeholder.kind, placeholder.ordinal))
            if key is not None and key in known:
                settled.append(Settled(placeholder.id, "recovered", known[key], attempted=False))
    return settled


def placeholder_contexts(excerpt: str) -> dict[tuple[str, int], tuple[str, str, str]]:
    """Map each placeholder to (kind, text since the previous one, text to the next), folded."""
    found = find_placeholders(excerpt)
    bounds = [0] + [p.offset for p in found] + [len(excerpt)]
    contexts: dict[tuple[str, int], tuple[str, str, str]] = {}
    for index, placeholder in enumerate(found):
        start = bounds[index] if index == 0 else found[index - 1].offset
        end = bounds[index + 2]
        before = fold_for_fingerprint(excerpt[start : placeholder.offset])
        after = fold_for_fingerprint(excerpt[placeholder.offset : end])
        contexts[(placeholder.kind, placeholder.ordinal)] = (placeholder.kind, before, after)
    return contexts


def _count(summary: RecoverSummary, settled: list[Settled]) -> None:
    for item in settled:
        if item.status == "recovered":
            summary.counts.placeholders_recovered += 1
        elif item.status == "unrecoverable":
            summary.counts.placeholders_unrecoverable += 1
        else:
            summary.still_pending += 1
