"""What a crawl tells the log: the run's start, each page (never its body), the run's end."""

from __future__ import annotations

import logging

from feedkeeper.page_changes import PageOutcome
from feedkeeper.records import PageCapture, PageKind, RunCounts, RunStatus

log = logging.getLogger(__name__)

_PAGE_FAILURES = frozenset({PageKind.FAILED, PageKind.UNPARSEABLE})


def run_level(status: RunStatus) -> int:
    """The level a run's end is logged at, by how it went: a collector watching warnings
    and errors sees every run that did not go right."""
    if status is RunStatus.FAILED:
        return logging.ERROR
    return logging.INFO if status is RunStatus.OK else logging.WARNING


def log_run_started(run_id: int, url: str) -> None:
    """Log that crawl ``run_id`` of ``url`` began."""
    log.info(
        "run %d started: %s",
        run_id,
        url,
        extra={"event": "run_started", "run_id": run_id, "url": url},
    )


def log_page(run_id: int, capture: PageCapture, outcome: PageOutcome) -> None:
    """Log what one crawled page brought; a page that failed is a warning."""
    level = logging.WARNING if capture.outcome in _PAGE_FAILURES else logging.INFO
    if not log.isEnabledFor(level):
        return  # the line and its extras cost a few microseconds a page for nobody
    error = f" ({capture.error})" if capture.error else ""
    log.log(
        level,
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
            "outcome": str(capture.outcome),
            "status_code": capture.status_code,
            "cards": outcome.cards,
            "cards_skipped": outcome.cards_skipped,
            "new_posts": outcome.new_posts,
            "new_versions": outcome.new_versions,
            "reposts": outcome.reposts,
            "error": capture.error,
        },
    )


def log_page_suspect(url: str, problem: str) -> None:
    """Warn that a page's parse looks wrong and its cards were not archived."""
    log.warning(
        "page %s looks wrong, not archived: %s",
        url,
        problem,
        extra={"event": "page_suspect", "url": url, "reason": problem},
    )


def log_run_finished(
    run_id: int, url: str, status: RunStatus, counts: RunCounts, duration: float, reason: str | None
) -> None:
    """Log the end of a crawl with its duration and counts: a warning when some pages
    failed or it was stopped, an error when it failed."""
    log.log(
        run_level(status),
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
            "status": str(status),
            "duration_s": duration,
            "counts": counts.as_row(),
            "reason": reason,
        },
    )
