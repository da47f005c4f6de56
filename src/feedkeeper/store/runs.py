"""Reads of the ``run`` table that the health check makes."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from feedkeeper.records import RunKind, RunStatus
from feedkeeper.store.tables import run_t

# A partial run still reached the site and archived what it could.
SUCCESSFUL = (RunStatus.OK, RunStatus.PARTIAL)


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
