"""`feedkeeper health`: is the archive readable, and has a crawl succeeded recently enough?

The container's HEALTHCHECK runs it. The archive is opened read-only, so a
check never takes the writer lock nor waits for a running crawl.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from feedkeeper.clock import read_time, shown, stored
from feedkeeper.config import Settings
from feedkeeper.errors import ConfigError, NewerSchemaError, StoreError
from feedkeeper.records import SiteState
from feedkeeper.store.archive_file import (
    check_archive_path,
    missing_archive,
    refuse_foreign,
    refuse_stranded_log,
)
from feedkeeper.store.dialect import quick_check
from feedkeeper.store.engine import (
    check_revision,
    create_server_engine,
    create_sqlite_engine,
    describe,
    reason,
    schema_revision,
)
from feedkeeper.store.runs import crawl_start_times
from feedkeeper.store.sites import Site, find_site, list_sites, state_changed_at
from feedkeeper.triggers import Cadence

# A run this much later than now started under another clock (an NTP step, a wrong clock
# fixed since): "0s ago" for as long as the error lasted, whatever ran or did not.
CLOCK_SLACK = timedelta(minutes=5)
# The revision that made an archive many sites (``site``); before it, judged whole.
SITES_REVISION = "0008"
# The revision since which a site keeps when its state last changed (a resume).
STATE_CHANGES_REVISION = "0012"
# Unhealthy once this many scheduled runs have come due without a success:
# one failed run is a blip, three in a row need a person.
MISSED_RUNS = 3


@dataclass(frozen=True, slots=True)
class Health:
    """The verdict, and one line saying why."""

    is_healthy: bool
    reason: str


@dataclass(frozen=True, slots=True)
class RunTimes:
    """When the last successful crawl and the first crawl of all started, and when the site
    was added (a site no crawl has reached since is as overdue as one whose crawls fail)."""

    last_success: datetime | None
    first_run: datetime | None
    added: datetime | None = None
    resumed: datetime | None = None  # the last change of its state, when it is active


def check_health(
    settings: Settings, now: datetime | None = None, site: str | None = None
) -> Health:
    """Judge the archive at ``settings.db`` (each active site, or ``site``) against the schedule.

    A site with its own interval or cron expression is judged against it.
    """
    now = now or datetime.now(UTC)
    db = settings.db
    if isinstance(db, Path):
        problem = _file_problem(db)
        if problem is not None:
            return Health(False, problem)
    try:
        problem = check_archive(db)
        if problem is not None:
            return Health(False, problem)
        engine = _reader(db)
        try:
            return _judge_sites(engine, settings, now, site)
        finally:
            engine.dispose()
    except (SQLAlchemyError, sqlite3.Error) as exc:
        return Health(False, f"cannot read {describe(db)}: {reason(exc)}")
    except StoreError as exc:
        return Health(False, f"cannot judge {describe(db)}: {exc.message}")


def _file_problem(db: Path) -> str | None:
    """Say why the file ``db`` is no archive to judge (a folder, a FIFO, none, an empty
    file, another program's database), as the other commands say it; None when it may be."""
    try:
        check_archive_path(db)
        missing = missing_archive(db)
        if missing is not None:
            return missing[0]  # a probe's answer: what makes an archive is no concern of it
        refuse_foreign(db)
        refuse_stranded_log(db)
    except ConfigError as exc:
        return exc.message
    return None


def _reader(db: Path | str) -> Engine:
    return (
        create_server_engine(db) if isinstance(db, str) else create_sqlite_engine(db, readonly=True)
    )


def _judge_sites(engine: Engine, settings: Settings, now: datetime, name: str | None) -> Health:
    default = Cadence.of(settings.schedule, settings.every, settings.jitter)
    revision = schema_revision(engine)
    if revision is None or revision < SITES_REVISION:  # an archive from before sites: whole
        return judge(_times(engine, None), default, now)
    sites = (
        [find_site(engine, name, asked_by="--site")]
        if name
        else list_sites(engine, SiteState.ACTIVE)
    )
    if not sites and list_sites(engine):  # every site paused or removed: nothing is due
        return Health(True, "no active site: every site of the archive is paused or removed")
    if not sites:
        return judge(_times(engine, None), default, now)
    knows_changes = revision >= STATE_CHANGES_REVISION
    verdicts = [
        (s, judge(_times(engine, s, knows_changes), _cadence_of(s, settings, default), now))
        for s in sites
    ]
    if len(verdicts) == 1:
        return verdicts[0][1]
    sick = [f"site {s.name}: {h.reason}" for s, h in verdicts if not h.is_healthy]
    if sick:
        return Health(False, f"{len(sick)} of {len(sites)} sites unhealthy: " + "; ".join(sick))
    # A site added or resumed since its last crawl counts from then: it may not have been
    # crawled yet ("crawled within 3 runs" said it had).
    return Health(
        True,
        f"all {len(sites)} active sites healthy: none went {MISSED_RUNS} runs without a"
        " successful crawl",
    )


def _cadence_of(site: Site, settings: Settings, default: Cadence) -> Cadence:
    if site.has_own_schedule:
        return Cadence.of(site.cron or settings.schedule, site.every, settings.jitter)
    return default


def _times(engine: Engine, site: Site | None, knows_changes: bool = False) -> RunTimes:
    """Read the times ``judge`` goes by; those it does not need are left unread (None), so
    that one another program spoilt there changes nothing."""
    last, first = crawl_start_times(engine, site.id if site else None)
    last_success = _parse(last, "the start of the last successful crawl (run.started_at)")
    first_run = None
    if last_success is None:
        first_run = _parse(first, "the start of the first crawl (run.started_at)")
    if site is None:
        return RunTimes(last_success, first_run)
    added = None
    if last_success is None and first_run is None:
        added = _parse(site.added_at, "the site's addition (site.added_at)")
    active = knows_changes and site.state is SiteState.ACTIVE
    changed = state_changed_at(engine, site.id) if active else None
    resumed = _parse(changed, "the site's last change of state (site.state_changed_at)")
    return RunTimes(last_success, first_run, added, resumed)


def judge(times: RunTimes, cadence: Cadence, now: datetime) -> Health:
    """Healthy unless MISSED_RUNS scheduled runs came due since the last success."""
    if times.last_success is not None:
        since, what = times.last_success, "last successful crawl started"
    elif times.first_run is not None:
        since, what = times.first_run, "no successful crawl; the first one started"
    elif times.added is not None:
        since, what = times.added, "no crawl has run yet; the site was added"
    else:
        return Health(True, "no crawl has run yet")
    if times.resumed is not None and times.resumed > since:  # paused meanwhile: not due
        since, what = times.resumed, "the site was resumed"
    if since - now > CLOCK_SLACK:  # started after now: the clock was wrong then, or is now
        return Health(
            False,
            f"{what} {_iso(since)}, {_ago(since - now)} from now: this machine's clock, or the"
            " one that ran it, is wrong",
        )
    age = _ago(now - since)
    if now > cadence.deadline(since, MISSED_RUNS):
        due = f"at least {MISSED_RUNS} runs {cadence.describe()} came due since"
        return Health(False, f"{what} {_iso(since)} ({age} ago): {due}")
    return Health(True, f"{what} {_iso(since)} ({age} ago); runs {cadence.describe()}")


def check_archive(db: Path | str) -> str | None:
    """Say what makes the archive unusable (a newer schema, damage SQLite finds), or None."""
    engine = _reader(db)
    try:
        try:
            check_revision(schema_revision(engine), db)
        except NewerSchemaError as exc:
            return exc.message
        if isinstance(db, str):
            return None  # a server keeps its own files sound
        found = quick_check(engine, 3)
    finally:
        engine.dispose()
    if found != ["ok"]:
        return f"{db} is damaged: {' '.join(' '.join(str(line).split()) for line in found)}"
    return None


def _parse(stamp: object, what: str) -> datetime | None:
    """Read a time of the archive; one that is none (another program wrote the column)
    leaves the archive unjudged (StoreError), said in one line."""
    if stamp is None or stamp == "":
        return None
    when = read_time(stamp)
    if when is None:
        raise StoreError(f"{what} is {stamp!r:.80} in the archive, which is not a time")
    return when


def _iso(moment: datetime) -> str:
    """A moment as the commands show times: ``2026-01-11 08:00:00 UTC``."""
    return shown(stored(moment))


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"
