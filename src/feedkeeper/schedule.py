"""`feedkeeper schedule`: crawl on a cron or interval schedule until SIGTERM or SIGINT.

Each tick takes the archive's writer lock, crawls, then hands new placeholders
to recovery. APScheduler runs at most one tick at a time, merges ticks missed
while the machine slept into one, and delays each by a random jitter. On a stop
signal the page in flight is finished and committed, and the daemon returns.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from feedkeeper.config import Settings
from feedkeeper.due import StartingPoint, due_own_schedules, starting_point
from feedkeeper.errors import ConfigError, DatabaseLockedError, FeedkeeperError, StoreError
from feedkeeper.logs import mask_credentials
from feedkeeper.pipeline import CrawlOptions, crawl_async
from feedkeeper.records import SiteState
from feedkeeper.recover import RecoverOptions, recover_async
from feedkeeper.sites_crawl import LONGEST_PAUSE_AMONG_SITES, crawl_sites_async
from feedkeeper.store import Store, exclusive_lock
from feedkeeper.store.engine import LockWaitAbandoned, archive_exists
from feedkeeper.store.placeholders import has_new_placeholders
from feedkeeper.store.read import open_reader
from feedkeeper.store.sites import Site, list_sites, site_for_url
from feedkeeper.triggers import Cadence, local_zone

log = logging.getLogger(__name__)

# `docker stop` sends SIGKILL 10 s after SIGTERM: the page in flight gets this
# long to finish on its own, then it is cancelled and its run recorded as interrupted.
STOP_GRACE = 7.0
# How long a cancelled run gets to record itself before the daemon gives up on it.
CANCEL_GRACE = 2.0
# How often the main thread looks for a stop request.
POLL = 0.1
# SIGHUP too: the terminal a daemon was started from closing (or a supervisor's reload)
# stops it as SIGTERM does, its run recorded, rather than killing it mid-page.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# How often the daemon looks for sites with a schedule of their own that are due.
OWN_SCHEDULES_TICK = 10
# The scheduler's job of the daemon's own cadence.
CRAWL_JOB = "crawl"


class ArchiveGoneError(StoreError):
    """The archive the daemon wrote went away under it."""


class Daemon:
    """Runs crawls on a schedule in a background thread until asked to stop."""

    def __init__(self, settings: Settings, options: CrawlOptions | None = None) -> None:
        self.settings = settings  # without a url, each tick crawls every active site
        self.cadence = Cadence.of(settings.schedule, settings.every, settings.jitter)
        self.options = options or CrawlOptions()
        self.stop_reason: str | None = None  # set from a signal handler: a plain assignment
        self._idle = threading.Event()
        self._idle.set()
        self._in_flight: tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]] | None = None
        # An archive file once there is not made anew if it goes (a volume unmounted, a
        # file deleted): its history would start over without a word.
        self._had_archive = archive_exists(settings.db)

    @property
    def is_stopping(self) -> bool:
        """True once a stop was requested."""
        return self.stop_reason is not None

    def request_stop(self, reason: str = "stop requested") -> None:
        """Ask the daemon to stop after the page in flight (safe in a signal handler)."""
        self.stop_reason = reason

    def serve(self) -> None:
        """Schedule the crawls, wait for a stop request, then let the run in flight finish."""
        scheduler = self._start_scheduler()
        while not self.is_stopping:
            time.sleep(POLL)
        log.info(
            "stopping (%s): finishing the page in flight",
            self.stop_reason,
            extra={"event": "stopping", "reason": self.stop_reason},
        )
        scheduler.shutdown(wait=False)
        self._finish_in_flight()
        log.info("stopped", extra={"event": "stopped"})

    def _start_scheduler(self) -> BackgroundScheduler:
        now = datetime.now().astimezone()
        interval = self.cadence.interval(now).total_seconds()
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(1)}, timezone=local_zone()
        )
        # A crawl due while the daemon was stopped (restarted more often than its interval,
        # say) is run at start: missed runs become one, never none.
        start = self._starting_point(now)
        starts_now = self.settings.run_now or start.missed_a_run
        first_run = {"next_run_time": now} if starts_now else {}
        job = scheduler.add_job(
            self.tick,
            self.cadence.trigger(now),
            id=CRAWL_JOB,
            name="crawl",
            max_instances=1,  # a slow run makes the next tick skip, never overlap
            coalesce=True,  # ticks missed while the machine slept become one run
            misfire_grace_time=max(1, round(interval)),  # a tick up to one interval late still runs
            **first_run,
        )
        if self.settings.url is None:  # sites with a schedule of their own, when due
            scheduler.add_job(
                self.tick_own_schedules,
                IntervalTrigger(seconds=OWN_SCHEDULES_TICK, timezone=local_zone()),
                id="sites",
                name="sites with a schedule of their own",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=OWN_SCHEDULES_TICK,
                next_run_time=now,
            )
        scheduler.add_listener(self._overlapped, EVENT_JOB_MAX_INSTANCES)
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)  # said as run_skipped
        scheduler.start()
        next_run = job.next_run_time.isoformat(timespec="seconds") if job.next_run_time else None
        cadence = self.cadence.describe()
        if start.own_schedules:
            cadence += (
                f" ({start.own_schedules} of {start.active} active sites on schedules of their own)"
            )
        log.info(
            "schedule started: %s, crawling %s into %s; next run at %s",
            cadence,
            self._url,
            self.settings.db,
            next_run,
            extra={
                "event": "schedule_started",
                "cadence": self.cadence.describe(),
                "own_schedules": start.own_schedules,
                "url": self._url,
                "db": str(self.settings.db),
                "next_run": next_run,
            },
        )
        return scheduler

    def _starting_point(self, now: datetime) -> StartingPoint:
        """What the archive says as the daemon starts: a crawl it must run at once (none ever
        ran, or one came due while it was stopped), the sites on schedules of their own."""
        if not archive_exists(self.settings.db):
            return StartingPoint(missed_a_run=True, own_schedules=0, active=0)
        try:
            engine = open_reader(self.settings.db)
        except FeedkeeperError:  # the first tick says what is wrong, in its own words
            return StartingPoint(missed_a_run=False, own_schedules=0, active=0)
        try:
            return starting_point(engine, self.settings, self.cadence, now)
        finally:
            engine.dispose()

    def _overlapped(self, event: JobEvent) -> None:
        """A tick came due while the run before it still went: skipped, and said so (but for
        the look every few seconds at the sites with schedules of their own: the next look
        finds what is due)."""
        if event.job_id != CRAWL_JOB:
            return
        reason = "the previous run is still going"
        log.warning(
            "run skipped: %s",
            reason,
            extra={"event": "run_skipped", "url": self._url, "reason": reason},
        )

    @property
    def _url(self) -> str:
        return mask_credentials(self.settings.url or "every active site")

    def tick(self) -> None:
        """One scheduled run: crawl under the writer lock, then recover new placeholders.

        Without a URL, every active site is crawled but those with a schedule of their own
        (``sites add --every``/``--cron``): ``tick_own_schedules`` crawls them when due.
        """
        self._run(lambda site: not site.has_own_schedule)

    def tick_own_schedules(self) -> None:
        """Crawl the sites with a schedule of their own that no crawl has started in their
        current slot (as the server's workers do); nothing when none is due."""
        if self.is_stopping:
            return
        try:
            due = self._due_own_schedules()
        except FeedkeeperError as exc:
            log.error(
                "run failed: %s",
                exc.message,
                extra={"event": "run_failed", "url": self._url, "error": exc.message},
            )
            return
        if due:
            self._run(lambda site: site.id in due)

    def _due_own_schedules(self) -> set[int]:
        if not archive_exists(self.settings.db):
            return set()
        engine = open_reader(self.settings.db)  # read-only: the lock is for the crawl
        try:
            return due_own_schedules(engine, self.settings)
        finally:
            engine.dispose()

    def _run(self, wanted: Callable[[Site], bool]) -> None:
        self._idle.clear()
        try:
            if not self.is_stopping:
                self._locked_run(wanted)
        except LockWaitAbandoned:  # asked to stop while another run held the archive
            log.info(
                "run not started: stopping while another run held the archive",
                extra={"event": "run_skipped", "url": self._url, "reason": "stopping"},
            )
        except DatabaseLockedError as exc:
            log.warning(
                "run skipped: %s",
                exc.message,
                extra={"event": "run_skipped", "url": self._url, "reason": exc.message},
            )
        except asyncio.CancelledError:
            cut = "the page in flight did not finish in time"
            log.warning(
                "run cut short: %s",
                cut,
                extra={"event": "run_cancelled", "url": self._url, "error": cut},
            )
        except FeedkeeperError as exc:
            log.error(
                "run failed: %s",
                exc.message,
                extra={"event": "run_failed", "url": self._url, "error": exc.message},
            )
        except Exception:  # the daemon outlives a bug in one run; the traceback goes to the log
            log.exception(
                "run failed unexpectedly", extra={"event": "run_failed", "url": self._url}
            )
        finally:
            self._idle.set()

    def _locked_run(self, wanted: Callable[[Site], bool]) -> None:
        if self._had_archive and not archive_exists(self.settings.db):
            raise ArchiveGoneError(
                f"{self.settings.db} is gone: not making a new archive in its place (restore"
                " it, or restart the daemon to begin a new one)"
            )
        lock = exclusive_lock(
            self.settings.db, self.settings.lock_timeout, give_up=lambda: self.is_stopping
        )
        with lock:
            if self.is_stopping:
                return
            store = Store.open(self.settings.db)
            self._had_archive = isinstance(self.settings.db, Path)
            try:
                found = asyncio.run(self._crawl(store, wanted))
                if not self.is_stopping and (found or has_new_placeholders(store.engine)):
                    asyncio.run(self._recover(store))
            finally:
                store.close()

    async def _crawl(self, store: Store, wanted: Callable[[Site], bool]) -> int:
        """Crawl the site (or the active sites ``wanted``); return how many placeholders were
        found."""
        task = asyncio.current_task()
        assert task is not None
        self._in_flight = (asyncio.get_running_loop(), task)
        try:
            options = replace(self.options, should_stop=lambda: self.is_stopping)
            if self.settings.url is not None:
                site = site_for_url(store.engine, self.settings.url)
                if site is not None and site.state is not SiteState.ACTIVE:
                    # `sites pause` or `remove` stops the daemon's crawls of its URL too
                    reason = f"site {site.name} is {site.state}"
                    log.info(
                        "run skipped: %s",
                        reason,
                        extra={"event": "run_skipped", "url": self._url, "reason": reason},
                    )
                    return 0
                summaries = [await crawl_async(store, self.settings, options)]
            else:
                sites = [s for s in list_sites(store.engine, SiteState.ACTIVE) if wanted(s)]
                # however few are due this tick, the others' next ticks wait for this one
                options.longest_pause = LONGEST_PAUSE_AMONG_SITES
                results = await crawl_sites_async(store, sites, self.settings, options)
                summaries = [r.summary for r in results if r.summary is not None]
                for result in results:  # a site whose crawl could not run, as one site's is
                    if result.error is not None:
                        _log_site_failed(result.site, result.error)
        finally:
            self._in_flight = None
        for summary in summaries:
            for warning in summary.warnings:  # a cap that applied, a walk cut short: say so
                log.warning(
                    "run %d: %s",
                    summary.run_id,
                    warning,
                    extra={"event": "run_warning", "run_id": summary.run_id, "detail": warning},
                )
        return sum(summary.counts.placeholders_found for summary in summaries)

    async def _recover(self, store: Store) -> None:
        """Recover the placeholders never attempted yet: those this tick's crawl found, and
        those a recovery cut short left."""
        task = asyncio.current_task()
        assert task is not None
        self._in_flight = (asyncio.get_running_loop(), task)
        try:
            options = RecoverOptions(only_new=True, should_stop=lambda: self.is_stopping)
            if self.settings.url is None:  # every site's: a host's long pause holds none up
                options.longest_pause = LONGEST_PAUSE_AMONG_SITES
            await recover_async(store, self.settings, options)  # it logs recovery_finished
        finally:
            self._in_flight = None

    def _finish_in_flight(self) -> None:
        if self._idle.wait(STOP_GRACE):
            return
        in_flight = self._in_flight
        if in_flight is not None:
            loop, task = in_flight
            loop.call_soon_threadsafe(task.cancel)
        if not self._idle.wait(CANCEL_GRACE):
            log.error("the run in flight did not stop", extra={"event": "stop_timeout"})


NO_SITE = (
    "setting url: required when the archive has no active site to crawl"
    " (pass --url, set FEEDKEEPER_URL, or add sites with `feedkeeper sites add URL`)"
)


def check_sites(settings: Settings) -> None:
    """Refuse to start with nothing to crawl: no url, and no active site in the archive."""
    if settings.url is not None:
        return
    if not archive_exists(settings.db):
        raise ConfigError(NO_SITE)  # before an archive is created for nothing
    with exclusive_lock(settings.db, settings.lock_timeout):
        store = Store.open(settings.db)
        try:
            if not list_sites(store.engine, SiteState.ACTIVE):
                raise ConfigError(NO_SITE)
        finally:
            store.close()


def check_archive(settings: Settings) -> None:
    """Fail at start, not at the first tick, when the archive cannot be opened or migrated."""
    try:
        with exclusive_lock(settings.db, settings.lock_timeout):
            Store.open(settings.db).close()
    except DatabaseLockedError:
        log.info(
            "%s is busy with another run; the schedule starts anyway",
            settings.db,
            extra={"event": "archive_busy", "db": str(settings.db)},
        )


def serve_until_signalled(daemon: Daemon) -> None:
    """Run ``daemon`` with SIGTERM, SIGINT and SIGHUP turned into a graceful stop."""

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        daemon.request_stop(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    try:
        daemon.serve()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _log_site_failed(site: Site, error: FeedkeeperError) -> None:
    """Log that a site's crawl in a tick of many could not run (unreachable, refused)."""
    log.error(
        "site %s: run failed: %s",
        site.name,
        error.message,
        extra={"event": "run_failed", "url": site.url, "site": site.name, "error": error.message},
    )
