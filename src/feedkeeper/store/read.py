"""Read queries: the export's post records, streamed straight from SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text

# Correlated subqueries keep this one statement per export, streamed row by row.
_ALIASES = """(SELECT json_group_array(u.url) FROM (
    SELECT url FROM post_url WHERE post_id = pc.id AND url IS NOT coalesce(pc.url, '')
    ORDER BY first_seen, url) u)"""
_PLACEHOLDERS = """(SELECT json_group_array(json_object(
    'kind', ph.kind, 'ordinal', ph.ordinal, 'status', ph.status, 'text', ph.text)) FROM (
    SELECT kind, ordinal, status, text FROM placeholder
    WHERE version_id = (SELECT id FROM post_version WHERE post_id = pc.id AND version = pc.version)
    ORDER BY position) ph)"""
_VERSIONS = """(SELECT json_group_array(json_object(
    'version', v.version, 'title', v.title, 'category', v.category, 'published', v.published,
    'excerpt', v.excerpt, 'truncated', json(CASE WHEN v.truncated THEN 'true' ELSE 'false' END),
    'observed_at', v.observed_at)) FROM (
    SELECT * FROM post_version WHERE post_id = pc.id ORDER BY version) v)"""


@dataclass(frozen=True, slots=True)
class PostFilter:
    """Which posts an export or query selects; every field narrows, None means any."""

    since: str | None = None  # published on or after (YYYY-MM-DD)
    until: str | None = None  # published on or before
    categories: tuple[str, ...] = ()
    pending_placeholders: bool = False
    changed_since: str | None = None  # a version or a sighting newer than this time


@dataclass(frozen=True, slots=True)
class PostRecord:
    """One post as exported: its current values, aliases, placeholders, maybe versions."""

    id: int
    url: str | None
    aliases: list[str]
    title: str | None
    category: str | None
    categories: list[str]
    tags: list[str]
    published: str | None
    excerpt: str | None
    truncated: bool
    version: int
    first_seen: str
    last_seen: str
    sightings: int
    placeholders: list[dict[str, Any]]
    versions: list[dict[str, Any]] | None = field(default=None)


def iter_posts(engine: Engine, where: PostFilter, *, history: bool = False) -> Iterator[PostRecord]:
    """Yield the selected posts in id order, one row in memory at a time."""
    clauses, params = _where(where)
    versions = f", {_VERSIONS} AS versions" if history else ""
    sql = f"""SELECT pc.*, {_ALIASES} AS aliases, {_PLACEHOLDERS} AS placeholders{versions}
              FROM posts_current pc {clauses} ORDER BY pc.id"""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=500).execute(text(sql), params)
        for row in result:
            yield _record(row._mapping, history)


def _where(where: PostFilter) -> tuple[str, dict[str, Any]]:
    parts: list[str] = []
    params: dict[str, Any] = {}
    if where.since:
        parts.append("pc.published >= :since")
        params["since"] = where.since
    if where.until:
        parts.append("pc.published <= :until")
        params["until"] = where.until
    if where.categories:
        names = ", ".join(f":cat{i}" for i in range(len(where.categories)))
        parts.append(
            f"(pc.category IN ({names}) OR EXISTS "
            f"(SELECT 1 FROM json_each(pc.categories) WHERE value IN ({names})))"
        )
        params.update({f"cat{i}": name for i, name in enumerate(where.categories)})
    if where.pending_placeholders:
        parts.append("pc.placeholders_pending > 0")
    if where.changed_since:
        parts.append(
            "(EXISTS (SELECT 1 FROM post_version v WHERE v.post_id = pc.id AND v.observed_at > :changed)"
            " OR EXISTS (SELECT 1 FROM sighting s WHERE s.post_id = pc.id AND s.seen_at > :changed))"
        )
        params["changed"] = where.changed_since
    return ("WHERE " + " AND ".join(parts)) if parts else "", params


def _record(row: Any, history: bool) -> PostRecord:
    return PostRecord(
        id=row["id"],
        url=row["url"],
        aliases=json.loads(row["aliases"]),
        title=row["title"],
        category=row["category"],
        categories=json.loads(row["categories"] or "[]"),
        tags=json.loads(row["tags"] or "[]"),
        published=row["published"],
        excerpt=row["excerpt"],
        truncated=bool(row["truncated"]),
        version=row["version"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        sightings=row["sightings"],
        placeholders=json.loads(row["placeholders"]),
        versions=json.loads(row["versions"]) if history else None,
    )


@dataclass(frozen=True, slots=True)
class StatusReport:
    """The archive at a glance: recent runs, totals, and the placeholder backlog."""

    runs: list[dict[str, Any]]
    totals: dict[str, int]
    backlog: dict[str, dict[str, int]]  # kind -> status -> count


def status_report(engine: Engine, last_runs: int = 10) -> StatusReport:
    """Return the recent runs, the archive's totals and the placeholder backlog."""
    with engine.connect() as conn:
        runs = [
            dict(row._mapping)
            for row in conn.execute(
                text(
                    "SELECT id, kind, status, started_at, finished_at, pages, pages_failed, cards,"
                    " new_posts, new_versions, reposts, placeholders_found FROM run"
                    " ORDER BY id DESC LIMIT :n"
                ),
                {"n": last_runs},
            )
        ]
        totals = dict(
            conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM post) AS posts,"
                    " (SELECT count(*) FROM post_version) AS versions,"
                    " (SELECT count(*) FROM post_url pu JOIN post p ON p.id = pu.post_id"
                    "   WHERE pu.url IS NOT p.url) AS aliases,"
                    " (SELECT count(*) FROM sighting) AS sightings,"
                    " (SELECT count(*) FROM page_fetch) AS pages_fetched"
                )
            ).one()._mapping
        )
        backlog: dict[str, dict[str, int]] = {}
        for kind, status, count in conn.execute(
            text("SELECT kind, status, count(*) FROM placeholder GROUP BY kind, status ORDER BY kind")
        ):
            backlog.setdefault(kind, {"pending": 0, "recovered": 0, "unrecoverable": 0})[status] = count
    return StatusReport(runs, totals, backlog)
