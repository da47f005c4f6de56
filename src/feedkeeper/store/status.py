"""The status report: recent runs, the archive's totals, the placeholder backlog, the sites
and the hosts that asked to be left alone.

Read from the views ``crawl_runs`` and ``site_status`` (docs/schema.md), for every site or
one; readers open the archive read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select, text

from feedkeeper.records import HostPause
from feedkeeper.scope import origin
from feedkeeper.store.dialect import spelling
from feedkeeper.store.pauses import stored_pauses
from feedkeeper.store.read import IN_SITE
from feedkeeper.store.tables import site_t


@dataclass(frozen=True, slots=True)
class RunRow:
    """One run as the status report shows it (a row of the ``crawl_runs`` view)."""

    id: int
    site: str | None
    kind: str
    status: str
    started_at: str
    finished_at: str | None
    duration_seconds: float | None
    pages: int
    pages_not_modified: int
    pages_failed: int
    cards: int
    new_posts: int
    new_versions: int
    reposts: int
    placeholders_found: int
    failures: int  # pages that could not be fetched, parsed or stored
    message: str | None  # why the run stopped, when it did not finish normally


@dataclass(frozen=True, slots=True)
class StatusReport:
    """The archive at a glance: recent runs (newest first), totals, the placeholder backlog."""

    runs: list[RunRow]
    totals: dict[str, int]
    backlog: dict[str, dict[str, int]]  # kind -> status -> count
    sites: list[SiteRow]
    paused_hosts: list[HostPause]  # the hosts asked nothing until their pause is over


@dataclass(frozen=True, slots=True)
class SiteRow:
    """One site as the status report shows it (a row of the ``site_status`` view)."""

    name: str
    state: str
    posts: int
    last_crawl_at: str | None
    last_crawl_status: str | None


# ":site" is a site's name, or NULL for every site.
_RUNS = """SELECT id, site, kind, status, started_at, finished_at, duration_seconds, pages,
    pages_not_modified, pages_failed, cards, new_posts, new_versions, reposts, placeholders_found,
    {failures} AS failures, message FROM crawl_runs
    WHERE CAST(:site AS TEXT) IS NULL OR site = :site ORDER BY id DESC LIMIT :n"""
_TOTALS = f"""SELECT (SELECT count(*) FROM post p WHERE {IN_SITE.format(post="p")}) AS posts,
    (SELECT count(*) FROM post_version v JOIN post p ON p.id = v.post_id
      WHERE {IN_SITE.format(post="p")}) AS versions,
    (SELECT count(*) FROM post_url pu JOIN post p ON p.id = pu.post_id
      WHERE {{differs}} AND {IN_SITE.format(post="p")}) AS aliases,
    (SELECT count(*) FROM sighting s JOIN post p ON p.id = s.post_id
      WHERE {IN_SITE.format(post="p")}) AS sightings,
    (SELECT count(*) FROM page_fetch f WHERE {IN_SITE.format(post="f")}) AS pages_fetched,
    (SELECT count(*) FROM placeholder_backlog b JOIN post p ON p.id = b.post_id
      WHERE {IN_SITE.format(post="p")}) AS placeholders_pending"""
_SITES = """SELECT name, state, posts, last_crawl_at, last_crawl_status FROM site_status
    WHERE CAST(:site AS TEXT) IS NULL OR name = :site ORDER BY name"""
_BACKLOG = f"""SELECT ph.kind, ph.status, count(*) FROM placeholder ph
    JOIN post_version v ON v.id = ph.version_id JOIN post p ON p.id = v.post_id
    WHERE {IN_SITE.format(post="p")} GROUP BY ph.kind, ph.status ORDER BY ph.kind"""
_STATUSES = ("pending", "recovered", "unrecoverable")


def status_report(engine: Engine, last_runs: int = 10, site: str | None = None) -> StatusReport:
    """Return the recent runs, the totals, the placeholder backlog and the sites (or one site)."""
    where = {"site": site}
    d = spelling(engine)
    runs_sql = _RUNS.format(failures=d.json_length("failures"))
    totals_sql = _TOTALS.format(differs=d.differs("pu.url", "p.url"))
    with engine.connect() as conn:
        runs = [
            RunRow(**row._mapping) for row in conn.execute(text(runs_sql), where | {"n": last_runs})
        ]
        totals = dict(conn.execute(text(totals_sql), where).one()._mapping)
        backlog: dict[str, dict[str, int]] = {}
        for kind, status, count in conn.execute(text(_BACKLOG), where):
            backlog.setdefault(kind, dict.fromkeys(_STATUSES, 0))[status] = count
        sites = [SiteRow(**row._mapping) for row in conn.execute(text(_SITES), where)]
        url = conn.execute(select(site_t.c.url).where(site_t.c.name == site)).scalar()
    paused = list(stored_pauses(engine).values())
    if site is not None:
        paused = [pause for pause in paused if url and pause.origin == origin(url)]
    return StatusReport(runs, totals, backlog, sites, paused)
