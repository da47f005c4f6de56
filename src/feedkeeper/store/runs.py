"""Reads of the ``run`` table that the health check makes."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Engine, func, select

from feedkeeper.records import RunKind, RunStatus
from feedkeeper.store.tables import run_t

# A partial run still reached the site and archived what it could.
SUCCESSFUL = (RunStatus.OK, RunStatus.PARTIAL)


# A crawl interrupted by a signal or a dead process, or still marked running: to be done again.
CUT_SHORT = (RunStatus.INTERRUPTED, RunStatus.RUNNING)


def has_crawl_since(
    engine: Engine, site_id: int, since: str, *, not_counted: Collection[RunStatus] = CUT_SHORT
) -> bool:
    """True when a crawl of the site started at or after ``since`` (stored time text),
    other than one whose status is ``not_counted``."""
    r = run_t.c
    query = select(r.id).where(r.kind == RunKind.CRAWL, r.site_id == site_id, r.started_at >= since)
    if not_counted:
        query = query.where(r.status.not_in(list(not_counted)))
    with engine.connect() as conn:
        return conn.execute(query.limit(1)).first() is not None


def crawl_start_times(engine: Engine, site_id: int | None = None) -> tuple[str | None, str | None]:
    """Return when the last successful crawl and the first crawl (of a site, or of all) started."""
    r = run_t.c
    crawls = r.kind == RunKind.CRAWL
    if site_id is not None:
        crawls = crawls & (r.site_id == site_id)
    with engine.connect() as conn:
        last = conn.execute(
            select(func.max(r.started_at)).where(crawls, r.status.in_(SUCCESSFUL))
        ).scalar_one()
        first = conn.execute(select(func.min(r.started_at)).where(crawls)).scalar_one()
    return last, first
