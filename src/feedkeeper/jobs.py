"""Crawls as procrastinate jobs: workers on many machines sharing one PostgreSQL archive.

procrastinate (a task queue kept in the same PostgreSQL database) does the
distributed part; feedkeeper only says what a job is and when it is due:

    tick          periodic, every TICK_SECONDS, deferred once per tick whatever the
                  number of workers. It retries the crawls of workers that stopped
                  sending heartbeats (killed, or their machine gone), then defers the
                  crawl of each active site whose current slot (its interval, or its
                  cron expression) has no crawl yet.
    crawl_site    one site's crawl, then the recovery of the placeholders it found (and
                  of the site's others no recovery has tried). queueing lock
                  ``site:<id>``: a site is never queued twice; lock ``host:<host>``: two
                  workers never crawl one host at once.

A retried crawl walks the whole listing (the previous run did not finish), so the
archive ends as an uninterrupted crawl would have left it. On SIGTERM, SIGINT or SIGHUP a
worker takes no new job, and its crawls end after the page in flight (``worker_stop``); the
next tick queues each such site's crawl again, for another worker. A worker stops so too,
with exit code 2, once a newer feedkeeper has migrated the archive under it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from feedkeeper.config import Settings
from feedkeeper.errors import FeedkeeperError, NewerSchemaError
from feedkeeper.parse import load_profile
from feedkeeper.pipeline import CrawlOptions, crawl_async
from feedkeeper.records import RunStatus, SiteState
from feedkeeper.recover import RecoverOptions, recover_async
from feedkeeper.run_summary import RunSummary
from feedkeeper.sites_crawl import host_of
from feedkeeper.store import Store
from feedkeeper.store.engine import check_revision, schema_revision
from feedkeeper.store.placeholders import has_new_placeholders
from feedkeeper.store.runs import has_crawl_since
from feedkeeper.store.sites import Site, list_sites
from feedkeeper.triggers import current_slot
from feedkeeper.worker_stop import SiteWatch, StopRequest, run_until_stopped

log = logging.getLogger(__name__)

CRAWL_QUEUE = "crawl"
SCHEDULE_QUEUE = "schedule"
# How often the schedule looks for due sites: a site's crawl starts at most this late.
TICK_SECONDS = 10
# How long the queue's connections may be waited for: a database gone for longer stops the
# worker (exit 1, for its supervisor to start another) sooner than the pool's 30 s would.
POOL_WAIT_SECONDS = 10.0
# A crawl that raised something unforeseen is tried again, a few times, spaced out.
CRAWL_RETRY = RetryStrategy(max_attempts=3, wait=30)


@dataclass(frozen=True, slots=True)
class WorkerTimings:
    """When a worker counts as dead: it sends a heartbeat every ``stalled_after / 3`` s."""

    stalled_after: float = 30.0

    @property
    def heartbeat(self) -> float:
        """Seconds between two heartbeats of a worker."""
        return max(self.stalled_after / 3, 0.5)


def libpq_url(db: str) -> str:
    """Return the archive's URL as libpq (and so procrastinate) reads it."""
    return make_url(db).set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(
    settings: Settings, store: Store, timings: WorkerTimings, stop: StopRequest | None = None
) -> App:
    """Return the procrastinate app of an archive, with its two tasks bound to ``store``
    (its crawls end after their page in flight once ``stop`` is requested)."""
    stop = stop or StopRequest()
    assert isinstance(settings.db, str)
    connector = PsycopgConnector(conninfo=libpq_url(settings.db), timeout=POOL_WAIT_SECONDS)
    app = App(connector=connector)

    @app.task(name="crawl_site", queue=CRAWL_QUEUE, retry=CRAWL_RETRY, pass_context=True)
    async def crawl_site(context: JobContext, site_id: int, slot: str) -> None:
        await _crawl_site(store, settings, site_id, slot, stop)

    @app.periodic(cron=f"* * * * * */{TICK_SECONDS}")
    @app.task(name="tick", queue=SCHEDULE_QUEUE, queueing_lock="tick", lock="schedule")
    async def tick(timestamp: int) -> None:
        if _is_outgrown(store, stop):
            return
        await _retry_stalled(app, timings)
        for site in list_sites(store.engine, SiteState.ACTIVE):
            await _defer_if_due(app, store, site, current_slot(site, settings, _now()))

    return app


def _now() -> datetime:
    return datetime.now(UTC)


async def _crawl_site(
    store: Store, settings: Settings, site_id: int, slot: str, stop: StopRequest
) -> None:
    if _is_outgrown(store, stop):
        return  # left to the workers of the newer feedkeeper: the next tick queues it again
    site = _site_due(store, settings, site_id, slot)
    if site is None:
        return
    summary = await _crawl(store, settings, site, slot, stop)
    if summary is None or summary.status in (RunStatus.FAILED, RunStatus.INTERRUPTED):
        return  # the next slot tries again; one cut short by a stop is queued again at once
    if summary.counts.placeholders_found or has_new_placeholders(store.engine, site.id):
        await _recover(store, settings, site, slot, stop)


def _is_outgrown(store: Store, stop: StopRequest) -> bool:
    """True when a newer feedkeeper migrated the archive since this worker started: then
    the worker stops, to end with that error (exit 2), as it would if started now."""
    try:
        check_revision(schema_revision(store.engine), store.path)
    except NewerSchemaError as exc:
        stop.request("the archive's schema is newer than this feedkeeper", exc)
        return True
    return False


def _site_due(store: Store, settings: Settings, site_id: int, slot: str) -> Site | None:
    """The job's site, unless it was paused or removed, or its slot had its crawl already."""
    sites = {s.id: s for s in list_sites(store.engine)}
    site = sites.get(site_id)
    if site is None or site.state is not SiteState.ACTIVE:
        return None  # removed or paused since the job was queued
    now_slot = current_slot(site, settings, _now())
    if has_crawl_since(store.engine, site.id, now_slot):
        # Queued in an earlier slot and started late, then crawled again: the slot it
        # started in has had its crawl already (a crawl cut short does not count).
        log.info(
            "site %s: already crawled in this slot",
            site.name,
            extra={"event": "site_skipped", "site": site.name, "slot": slot},
        )
        return None
    return site


async def _crawl(
    store: Store, settings: Settings, site: Site, slot: str, stop: StopRequest
) -> RunSummary | None:
    """Crawl the site; None when the crawl could not run (recorded in its run)."""
    watch = SiteWatch(store.engine, site.id)
    options = CrawlOptions(
        site=site,
        commit_every_page=True,
        in_process_parse=True,
        should_stop=lambda: stop.is_requested() or watch.has_left(),
    )
    try:
        if site.profile:
            options = replace(options, profile=load_profile(Path(site.profile)))
        summary = await crawl_async(store, replace(settings, url=site.url), options)
    except FeedkeeperError as exc:  # recorded in its run; another slot will try again
        _log_site_failed(site, slot, exc.message, "site_failed")
        return None
    except SQLAlchemyError:
        if not _is_purged(store, site.id):
            raise
        _log_site_failed(site, slot, PURGED, "site_failed")
        return None
    log.info(
        "site %s: crawl run %d %s",
        site.name,
        summary.run_id,
        summary.status,
        extra={"event": "site_crawled", "site": site.name, "slot": slot},
    )
    if watch.state is not SiteState.ACTIVE and summary.status is RunStatus.INTERRUPTED:
        left = str(watch.state or "purged")
        log.warning(
            "site %s: %s while it was crawled: its crawl stopped after the page in flight",
            site.name,
            left,
            extra={"event": "site_left", "site": site.name, "slot": slot, "state": left},
        )
    return summary


async def _recover(
    store: Store, settings: Settings, site: Site, slot: str, stop: StopRequest
) -> None:
    """As the daemon does after its crawl: recover the placeholders this crawl found, and
    those of the site no recovery has tried (one cut short, an earlier crawl's)."""
    recovery = RecoverOptions(only_new=True, site_id=site.id, should_stop=stop.is_requested)
    try:
        await recover_async(store, settings, recovery)  # it logs recovery_finished
    except FeedkeeperError as exc:  # recorded in its run; the next crawl tries again
        _log_site_failed(site, slot, f"recovery: {exc.message}", "recovery_failed")
    except SQLAlchemyError:
        if not _is_purged(store, site.id):
            raise
        _log_site_failed(site, slot, f"recovery: {PURGED}", "recovery_failed")


# A site purged (`sites remove --purge`) while a worker crawled it: what it wrote has gone.
PURGED = "removed with everything archived from it while it was crawled: its crawl stopped"


def _is_purged(store: Store, site_id: int) -> bool:
    """True when the site no longer is in the archive (purged since its job started)."""
    return site_id not in {s.id for s in list_sites(store.engine)}


def _log_site_failed(site: Site, slot: str, said: str, event: str) -> None:
    log.warning(
        "site %s: %s", site.name, said, extra={"event": event, "site": site.name, "slot": slot}
    )


async def _retry_stalled(app: App, timings: WorkerTimings) -> None:
    """Queue again the crawls of workers that died mid-crawl; their lock is released."""
    stalled = await app.job_manager.get_stalled_jobs(
        task_name="crawl_site", seconds_since_heartbeat=timings.stalled_after
    )
    for job in stalled:
        log.warning(
            "crawl job %s of a dead worker is queued again",
            job.id,
            extra={"event": "crawl_retried", "job_id": job.id},
        )
        await app.job_manager.retry_job(job)


_SLOT_QUEUED = (
    "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs"
    " WHERE task_name = 'crawl_site' AND args = %(args)s::jsonb) AS found"
)


async def _defer_if_due(app: App, store: Store, site: Site, slot: str) -> None:
    """Defer the site's crawl for ``slot`` unless it was crawled in it or a job for it exists.

    Finished jobs are deleted: the archive's runs tell that a slot was crawled (a crawl cut
    short by a stop, whose job ended, does not count: it is queued again; one still running
    does, while its job, or the retry of a dead worker's, has it in hand).
    """
    if has_crawl_since(store.engine, site.id, slot, not_counted=[RunStatus.INTERRUPTED]):
        return
    args: dict[str, Any] = {"site_id": site.id, "slot": slot}
    row = await app.connector.execute_query_one_async(_SLOT_QUEUED, args=json.dumps(args))
    if row["found"]:
        return
    task = app.tasks["crawl_site"].configure(
        queueing_lock=f"site:{site.id}", lock=f"host:{host_of(site.url)}"
    )
    try:
        await task.defer_async(**args)
    except AlreadyEnqueued:  # the previous slot's crawl still waits: this one is merged into it
        return


async def run_worker(
    settings: Settings, timings: WorkerTimings, queues: list[str] | None, concurrency: int
) -> None:
    """Run a procrastinate worker on the archive until SIGTERM, SIGINT or SIGHUP."""
    assert isinstance(settings.db, str)
    store = Store.open(settings.db)
    stop = StopRequest()
    app = build_app(settings, store, timings, stop)
    failures = _SideTaskFailures()
    worker_log = logging.getLogger("procrastinate.worker")
    worker_log.addHandler(failures)
    try:
        async with app.open_async():
            await _ensure_queue_schema(app)
            await run_until_stopped(
                app,
                stop,
                queues=queues or [CRAWL_QUEUE, SCHEDULE_QUEUE],
                concurrency=concurrency,
                update_heartbeat_interval=timings.heartbeat,
                stalled_worker_timeout=timings.stalled_after,
                delete_jobs="successful",
            )
    except ConnectorException as exc:  # the database went away under a job
        raise WorkerStopped(f"the worker lost its database: {_said(exc)}") from exc
    finally:
        worker_log.removeHandler(failures)
        store.close()
    if stop.error is not None:
        raise stop.error
    if failures.reason is not None:  # it stopped of itself: a supervisor must start another
        raise WorkerStopped(f"the worker stopped: {failures.reason}")
    log.info("stopped", extra={"event": "stopped"})


def _said(exc: BaseException) -> str:
    """An error and its cause in one line ("Database error. (connection refused ...)")."""
    said = " ".join(str(exc).split()) or type(exc).__name__
    cause = exc.__cause__
    return f"{said} ({' '.join(str(cause).split())})" if cause is not None else said


class WorkerStopped(FeedkeeperError):
    """The worker stopped without being asked to (its database went away): exit 1, so that
    a supervisor that restarts failed services starts another."""


class _SideTaskFailures(logging.Handler):
    """Notes why procrastinate stopped its worker of itself: a side task (the listener of
    the database's notifications, the heartbeat) failed, as when the database restarts."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.reason: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "action", None) == "side_task_failed":
            task = getattr(record, "task_name", "a side task")
            said = " ".join(str(getattr(record, "exception", "")).split())
            self.reason = f"its {task} failed: {said}"


async def _ensure_queue_schema(app: App) -> None:
    """Create procrastinate's tables in the archive's database the first time."""
    row = await app.connector.execute_query_one_async(
        "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS found"
    )
    if not row["found"]:
        async with app.connector.pool.connection() as conn:  # type: ignore[attr-defined]
            # Two workers starting at once: the second waits, then finds the tables made.
            await conn.execute("SELECT pg_advisory_xact_lock(7066)")
            exists = await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
            found = await exists.fetchone()
            if not found[0]:
                await conn.execute(app.schema_manager.get_schema())
