"""Placeholder recovery's reads and writes: what to recover, and what was found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, Connection, Engine, and_, bindparam, func, or_, select, update

from feedkeeper.cards import fill_placeholders
from feedkeeper.clock import now_iso, stored
from feedkeeper.records import SiteState
from feedkeeper.store.engine import archive_name, writing_to
from feedkeeper.store.tables import placeholder_t, post_t, post_version_t, sighting_t, site_t


@dataclass(frozen=True, slots=True)
class PendingPlaceholder:
    """A placeholder still to settle."""

    id: int
    kind: str
    ordinal: int
    attempts: int = 0  # recovery attempts so far


@dataclass(slots=True)
class PendingVersion:
    """A version of a post with placeholders to settle."""

    version_id: int
    excerpt: str
    placeholders: list[PendingPlaceholder] = field(default_factory=list)


@dataclass(slots=True)
class ArticleTask:
    """One post whose article page can settle the placeholders of its versions."""

    post_id: int
    url: str | None
    versions: list[PendingVersion] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Settled:
    """What one attempt found for one placeholder."""

    id: int
    status: str  # pending | recovered | unrecoverable
    text: str | None = None
    reason: str | None = None  # why unrecoverable, or the last error while still pending
    attempted: bool = True  # False when carried over from another version without a fetch


# A pending placeholder whose article could not be fetched is tried again by the scheduled
# recoveries this long after its last attempt (and given up after a few: see recover.py).
RETRY_PENDING_AFTER = timedelta(hours=6)


def _due() -> ColumnElement[bool]:
    """Pending placeholders a scheduled recovery takes: those no recovery has tried, and
    those whose last try failed RETRY_PENDING_AFTER ago or longer."""
    ph = placeholder_t.c
    retry_from = stored(datetime.now(UTC) - RETRY_PENDING_AFTER)
    return and_(ph.status == "pending", or_(ph.attempts == 0, ph.updated_at <= retry_from))


def has_new_placeholders(engine: Engine, site_id: int | None = None) -> bool:
    """Tell whether a placeholder is pending that no recovery has tried yet (one a recovery
    cut short, or an earlier crawl's, left), or that is due to be tried again, of one site
    or of any: scheduled crawls recover those too."""
    ph = placeholder_t.c
    query = select(ph.id).where(_due()).limit(1)
    if site_id is not None:
        v, p = post_version_t.c, post_t.c
        query = query.select_from(
            placeholder_t.join(post_version_t, v.id == ph.version_id).join(
                post_t, p.id == v.post_id
            )
        ).where(p.site_id == site_id)
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


def articles_to_recover(
    engine: Engine,
    *,
    retry_failed: bool = False,
    only_new: bool = False,
    limit: int | None = None,
    site_id: int | None = None,
) -> list[ArticleTask]:
    """Return the posts with placeholders to settle (of one site, or of all), their versions
    and placeholders."""
    ph, v, p = placeholder_t.c, post_version_t.c, post_t.c
    statuses = ("pending", "unrecoverable") if retry_failed else ("pending",)
    query = (
        select(
            ph.id,
            ph.kind,
            ph.ordinal,
            ph.attempts,
            v.id.label("version_id"),
            v.excerpt,
            p.id.label("post_id"),
            p.url,
        )
        .select_from(
            placeholder_t.join(post_version_t, v.id == ph.version_id).join(
                post_t, p.id == v.post_id
            )
        )
        .where(ph.status.in_(statuses))
        .order_by(p.id, v.version, ph.position)
    )
    if only_new:
        query = query.where(_due())
    if site_id is not None:
        query = query.where(p.site_id == site_id)
    else:  # a paused or removed site is asked nothing, its articles no more than its pages
        active = select(site_t.c.id).where(site_t.c.state == str(SiteState.ACTIVE))
        query = query.where(or_(p.site_id.is_(None), p.site_id.in_(active)))
    tasks: dict[int, ArticleTask] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            task = tasks.setdefault(row.post_id, ArticleTask(row.post_id, row.url))
            if not task.versions or task.versions[-1].version_id != row.version_id:
                task.versions.append(PendingVersion(row.version_id, row.excerpt or ""))
            task.versions[-1].placeholders.append(
                PendingPlaceholder(row.id, row.kind, row.ordinal, row.attempts)
            )
    ordered = list(tasks.values())
    return ordered[:limit] if limit is not None else ordered


def listing_pages(engine: Engine, post_ids: list[int]) -> dict[int, str]:
    """Return, for each post, the URL of the listing page it was first seen on."""
    s = sighting_t.c
    query = (
        select(s.post_id, func.min(s.id).label("first"))
        .where(s.post_id.in_(post_ids))
        .group_by(s.post_id)
        .subquery()
    )
    pages = select(s.post_id, s.page_url).join(query, s.id == query.c.first)
    with engine.connect() as conn:
        return {row.post_id: row.page_url for row in conn.execute(pages)}


def recovered_elsewhere(engine: Engine, post_id: int) -> list[tuple[str, str, int, str]]:
    """Return (excerpt, kind, ordinal, text) of every recovered placeholder of a post."""
    ph, v = placeholder_t.c, post_version_t.c
    query = (
        select(v.excerpt, ph.kind, ph.ordinal, ph.text)
        .select_from(placeholder_t.join(post_version_t, v.id == ph.version_id))
        .where(v.post_id == post_id, ph.status == "recovered")
    )
    with engine.connect() as conn:
        return [(r.excerpt or "", r.kind, r.ordinal, r.text or "") for r in conn.execute(query)]


def save_settled(engine: Engine, settled: list[Settled]) -> None:
    """Write what an attempt found and re-derive the recovered excerpts, in one transaction."""
    if not settled:
        return
    now = now_iso()
    ph = placeholder_t.c
    statement = (
        update(placeholder_t)
        .where(ph.id == bindparam("pid"))
        .values(
            status=bindparam("new_status"),
            text=bindparam("new_text"),
            reason=bindparam("new_reason"),
            attempts=ph.attempts + bindparam("tried"),
            updated_at=now,
        )
    )
    rows = [
        {
            "pid": s.id,
            "new_status": s.status,
            "new_text": s.text,
            "new_reason": s.reason,
            "tried": int(s.attempted),
        }
        for s in settled
    ]
    with writing_to(archive_name(Path(engine.url.database or ""))), engine.begin() as conn:
        conn.execute(statement, rows)
        refresh_recovered_excerpts(conn, _versions_of(conn, [s.id for s in settled]))


def _versions_of(conn: Connection, placeholder_ids: list[int]) -> set[int]:
    query = (
        select(placeholder_t.c.version_id).where(placeholder_t.c.id.in_(placeholder_ids)).distinct()
    )
    return {row.version_id for row in conn.execute(query)}


def refresh_recovered_excerpts(conn: Connection, version_ids: set[int] | None = None) -> None:
    """Re-derive ``excerpt_recovered`` for the versions (all with placeholders when None)."""
    ph, v = placeholder_t.c, post_version_t.c
    query = select(v.id, v.excerpt, ph.kind, ph.ordinal, ph.text).join(
        placeholder_t, ph.version_id == v.id
    )
    query = query.where(ph.status == "recovered")
    if version_ids is not None:
        query = query.where(v.id.in_(version_ids))
    found: dict[int, tuple[str, dict[tuple[str, int], str]]] = {}
    for row in conn.execute(query):
        found.setdefault(row.id, (row.excerpt or "", {}))[1][(row.kind, row.ordinal)] = (
            row.text or ""
        )
    targets = set(found) | (version_ids or set())
    if not targets:
        return
    rows = [
        {"vid": vid, "filled": fill_placeholders(*found[vid]) if vid in found else None}
        for vid in sorted(targets)
    ]
    statement = (
        update(post_version_t)
        .where(v.id == bindparam("vid"))
        .values(excerpt_recovered=bindparam("filled"))
    )
    conn.execute(statement, rows)
