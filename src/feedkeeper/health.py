"""`feedkeeper health`: is the archive readable, and has a crawl succeeded recently enough?

The container's HEALTHCHECK runs it. The archive is opened read-only, so a
check never takes the writer lock nor waits for a running crawl.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from feedkeeper.config import Settings
from feedkeeper.errors import NewerSchemaError
from feedkeeper.store.dialect import quick_check
from feedkeeper.store.engine import check_revision, create_sqlite_engine, reason, schema_revision
from feedkeeper.store.runs import crawl_start_times
from feedkeeper.triggers import Cadence

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
    """When the last successful crawl and the first crawl of all started."""

    last_success: datetime | None
    first_run: datetime | None


def check_health(settings: Settings, now: datetime | None = None) -> Health:
    """Judge the archive at ``settings.db`` against the schedule in ``settings``."""
    now = now or datetime.now(UTC)
    if not settings.db.is_file():
        return Health(False, f"no archive at {settings.db}")
    try:
        problem = check_archive(settings.db)
        if problem is not None:
            return Health(False, problem)
        times = read_run_times(settings.db)
    except (SQLAlchemyError, sqlite3.Error) as exc:
        return Health(False, f"cannot read {settings.db}: {reason(exc)}")
    cadence = Cadence.of(settings.schedule, settings.every, settings.jitter)
    return judge(times, cadence, now)


def judge(times: RunTimes, cadence: Cadence, now: datetime) -> Health:
    """Healthy unless MISSED_RUNS scheduled runs came due since the last success."""
    if times.last_success is not None:
        since, what = times.last_success, "last successful crawl started"
    elif times.first_run is not None:
        since, what = times.first_run, "no successful crawl; the first one started"
    else:
        return Health(True, "no crawl has run yet")
    age = _ago(now - since)
    if now > cadence.deadline(since, MISSED_RUNS):
        due = f"{MISSED_RUNS} runs {cadence.describe()} came due since"
        return Health(False, f"{what} {_iso(since)} ({age} ago): {due}")
    return Health(True, f"{what} {_iso(since)} ({age} ago); runs {cadence.describe()}")


def check_archive(db: Path) -> str | None:
    """Say what makes the archive unusable (a newer schema, damage SQLite finds), or None."""
    engine = create_sqlite_engine(db, readonly=True)
    try:
        try:
            check_revision(schema_revision(engine), db)
        except NewerSchemaError as exc:
            return exc.message
        found = quick_check(engine, 3)
    finally:
        engine.dispose()
    if found != ["ok"]:
        return f"{db} is damaged: {' '.join(' '.join(str(line).split()) for line in found)}"
    return None


def read_run_times(db: Path) -> RunTimes:
    """Read the start of the last successful crawl and of the first crawl, read-only."""
    engine = create_sqlite_engine(db, readonly=True)
    try:
        last, first = crawl_start_times(engine)
    finally:
        engine.dispose()
    return RunTimes(_parse(last), _parse(first))


def _parse(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp) if stamp else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"
