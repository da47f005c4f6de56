"""Reading posts: export records streamed from the archive, and one post's history.

Readers open the archive read-only; in WAL mode they neither wait for a crawl
nor make it wait.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from feedkeeper.config import SQLITE_MAX_INT
from feedkeeper.errors import ConfigError, StoreError
from feedkeeper.identity import canonical_url, other_spellings
from feedkeeper.store import Store
from feedkeeper.store.archive_file import check_archive_exists, refuse_stranded_log
from feedkeeper.store.dialect import Spelling, is_undecodable, spelling, strict_text
from feedkeeper.store.engine import (
    SCHEMA_HEAD,
    check_revision,
    create_sqlite_engine,
    exclusive_lock,
    reason,
    schema_revision,
)


# Correlated subqueries keep this one statement per export, streamed row by row.
def _aliases(d: Spelling) -> str:
    differs = d.differs("url", "coalesce(pc.url, '')")
    return d.json_list(
        "x.url",
        f"SELECT url, first_seen FROM post_url WHERE post_id = pc.id AND {differs}"
        " ORDER BY first_seen, url",
    )


def _placeholders_of(d: Spelling, version_id: str) -> str:
    return d.json_list(
        d.json_object("'kind'", "x.kind", "'ordinal'", "x.ordinal", "'status'", "x.status",
                      "'text'", "x.text"),
        "SELECT kind, ordinal, status, text, position FROM placeholder"
        f" WHERE version_id = {version_id} ORDER BY position",
    )  # fmt: skip


def _placeholders(d: Spelling) -> str:
    return _placeholders_of(
        d, "(SELECT id FROM post_version WHERE post_id = pc.id AND version = pc.version)"
    )


def _versions(d: Spelling) -> str:
    # as_json marks nested arrays as JSON: a subquery's result would otherwise be quoted as text.
    return d.json_list(
        d.json_object(
            "'version'", "x.version", "'title'", "x.title", "'category'", "x.category",
            "'categories'", d.as_json("x.categories"), "'tags'", d.as_json("x.tags"),
            "'published'", "x.published", "'excerpt'", "x.excerpt",
            "'excerpt_recovered'", "coalesce(x.excerpt_recovered, x.excerpt)",
            "'truncated'", d.json_bool("x.truncated"), "'observed_at'", "x.observed_at",
            "'placeholders'", d.as_json(_placeholders_of(d, "x.id")),
        ),
        "SELECT * FROM post_version WHERE post_id = pc.id ORDER BY version",
    )  # fmt: skip


# Rows fetched from SQLite at a time: what bounds an export's memory.
_BATCH = 200
# Seconds a reader waits for a running crawl before migrating an old archive itself.
MIGRATION_LOCK_TIMEOUT = 30.0


def open_reader(path: Path | str) -> Engine:
    """Open an existing archive read-only, migrating it first if its schema is behind."""
    if isinstance(path, str):
        return Store.open(path).engine
    check_archive_exists(path)
    refuse_stranded_log(path)
    engine = create_sqlite_engine(path, readonly=True)
    try:
        revision = schema_revision(engine)
    except (SQLAlchemyError, sqlite3.Error) as exc:
        engine.dispose()
        raise StoreError(f"cannot read {path}: {reason(exc)}") from exc
    check_revision(revision, path)
    if revision != SCHEMA_HEAD:
        if not os.access(path.resolve().parent, os.W_OK):
            engine.dispose()
            raise ConfigError(
                f"{path} is at schema revision {revision}, older than this feedkeeper's"
                f" {SCHEMA_HEAD}, and its folder cannot be written to bring it up to date:"
                " copy it where it can be, or run `feedkeeper db upgrade` where it is writable"
            )
        with exclusive_lock(path, MIGRATION_LOCK_TIMEOUT):  # migrating is writing
            Store.open(path).close()  # one writer's connection, then read-only again
    return engine


@dataclass(frozen=True, slots=True)
class PostFilter:
    """Which posts an export or query selects; every field narrows, None means any."""

    since: str | None = None  # published on or after (YYYY-MM-DD)
    until: str | None = None  # published on or before
    categories: tuple[str, ...] = ()
    pending_placeholders: bool = False
    # a version, sighting or recovery after this time (clock.stored_time)
    changed_since: str | None = None
    site: str | None = None  # the site's name


class PostRecord(NamedTuple):
    """One post as exported: its current values, aliases, placeholders, maybe versions.

    A named tuple: an export makes hundreds of thousands, and a tuple is made at C speed.
    """

    id: int
    site: str
    url: str | None
    aliases: list[str]
    title: str | None
    category: str | None
    categories: list[str]
    tags: list[str]
    published: str | None
    excerpt: str | None
    excerpt_recovered: str | None  # the excerpt with recovered placeholders filled in
    truncated: bool
    pinned: bool  # the listing shows it pinned to its top (a "置顶" badge)
    version: int
    first_seen: str
    last_seen: str
    sightings: int
    placeholders: list[dict[str, Any]]
    versions: list[dict[str, Any]] | None = None


def iter_posts(engine: Engine, where: PostFilter, *, history: bool = False) -> Iterator[PostRecord]:
    """Yield the selected posts in id order, a bounded batch of rows in memory at a time.

    Text is decoded by sqlite3 itself; if a text another tool stored is no UTF-8, the posts
    from there on are read again with U+FFFD for its bad bytes.
    """
    d = spelling(engine)
    conditions, params = _where(d, where)
    versions = f", {_versions(d)} AS versions" if history else ""
    sql = f"""SELECT pc.id, pc.site, pc.url, {_aliases(d)} AS aliases, pc.title, pc.category,
              pc.categories, pc.tags, pc.published, pc.excerpt, pc.excerpt_recovered,
              pc.truncated, pc.pinned, pc.version, pc.first_seen, pc.last_seen, pc.sightings,
              {_placeholders(d)} AS placeholders{versions}
              FROM posts_current pc {{}} ORDER BY pc.id"""
    last: int | None = None  # the id of the last post yielded
    strict = True
    while True:
        after = ["pc.id > :after"] if last is not None else []
        statement = text(sql.format(_where_clause(conditions + after)))
        try:
            with engine.connect() as conn, strict_text(conn, strict):
                options = conn.execution_options(stream_results=True, yield_per=_BATCH)
                for row in options.execute(statement, params | {"after": last}):
                    record = _record(row, history)
                    yield record
                    last = record.id
            return
        except DBAPIError as exc:
            if not (strict and is_undecodable(exc)):
                raise
            strict = False


def count_posts(engine: Engine, where: PostFilter) -> int:
    """Return how many posts ``where`` selects (for a progress bar)."""
    conditions, params = _where(spelling(engine), where)
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(f"SELECT count(*) FROM posts_current pc {_where_clause(conditions)}"),
                params,
            ).scalar_one()
        )


def _where(d: Spelling, where: PostFilter) -> tuple[list[str], dict[str, Any]]:
    parts: list[str] = []
    params: dict[str, Any] = {}
    if where.since:
        parts.append("pc.published >= :since")
        params["since"] = where.since
    if where.until:
        parts.append("pc.published <= :until")
        params["until"] = where.until
    if where.categories:
        spellings = _spellings(where.categories)
        names = ", ".join(f":cat{i}" for i in range(len(spellings)))
        parts.append(
            f"(pc.category IN ({names}) OR EXISTS "
            f"(SELECT 1 FROM {d.json_texts('pc.categories')} WHERE value IN ({names})))"
        )
        params.update({f"cat{i}": name for i, name in enumerate(spellings)})
    if where.pending_placeholders:
        parts.append("pc.placeholders_pending > 0")
    if where.site:
        parts.append("pc.site = :site")
        params["site"] = where.site
    if where.changed_since:
        # Stored times are fixed-width UTC text, so text order is time order.
        parts.append(
            "(EXISTS (SELECT 1 FROM post_version v"
            "  WHERE v.post_id = pc.id AND v.observed_at > :changed)"
            " OR EXISTS (SELECT 1 FROM sighting s"
            "  WHERE s.post_id = pc.id AND s.seen_at > :changed)"
            # a placeholder recovered since: excerpt_recovered and placeholders changed
            " OR EXISTS (SELECT 1 FROM placeholder ph JOIN post_version pv"
            "  ON pv.id = ph.version_id WHERE pv.post_id = pc.id AND ph.updated_at > :changed))"
        )
        params["changed"] = where.changed_since
    return parts, params


def _spellings(names: tuple[str, ...]) -> list[str]:
    """Each name as given, composed (NFC) and decomposed (NFD): "Café" typed on one system
    is the category "Café" a site wrote in the other form, which reads the same."""
    forms = (
        form
        for name in names
        for form in (name, unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name))
    )
    return list(dict.fromkeys(forms))


def _where_clause(parts: list[str]) -> str:
    return ("WHERE " + " AND ".join(parts)) if parts else ""


def _record(row: Any, history: bool) -> PostRecord:
    (post_id, site, url, aliases, title, category, categories, tags, published, excerpt,
     recovered, truncated, pinned, version, first_seen, last_seen, sightings,
     placeholders) = row[:18]  # fmt: skip
    return PostRecord(
        post_id, site, url, orjson.loads(aliases), title, category,
        orjson.loads(categories or "[]"), orjson.loads(tags or "[]"), published, excerpt,
        recovered, bool(truncated), bool(pinned), version, first_seen, last_seen, sightings,
        orjson.loads(placeholders), orjson.loads(row[18]) if history else None,
    )  # fmt: skip


# Rows of the site named ":site", or of every site when it is NULL; ``post`` is the alias of
# the table whose ``site_id`` says.
IN_SITE = (
    "(CAST(:site AS TEXT) IS NULL OR {post}.site_id = (SELECT id FROM site WHERE name = :site))"
)


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """What one version of a post showed."""

    version: int
    title: str | None
    category: str | None
    categories: list[str]
    tags: list[str]
    published: str | None
    excerpt: str | None
    excerpt_recovered: str | None  # the excerpt with recovered placeholders filled in
    truncated: bool
    observed_at: str
    run_id: int
    placeholders: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PostHistory:
    """A post with every URL it was seen under and every version, oldest first."""

    id: int
    site: str
    url: str | None
    key: str
    aliases: list[str]
    first_seen: str
    last_seen: str
    sightings: int
    version: int  # the current version
    pinned: bool  # the latest run that saw it showed it pinned
    versions: list[VersionRecord]


def find_post(engine: Engine, ref: str, site: str | None = None) -> int | None:
    """Return the id of the post ``ref`` names (in ``site``, or in any site: the oldest).

    ``ref`` is an id, a URL or alias, or a ``post.key``.
    """
    ref = ref.strip()
    in_site = f" AND {IN_SITE.format(post='t')} ORDER BY 1 LIMIT 1"
    queries: list[tuple[str, object]] = [
        ("SELECT id AS post_id FROM post t WHERE key = :v" + in_site, ref)
    ]
    if ref.isdecimal() and int(ref) <= SQLITE_MAX_INT:  # a larger number is no id of ours
        queries.insert(0, ("SELECT id AS post_id FROM post t WHERE id = :v" + in_site, int(ref)))
    if "://" in ref:
        with contextlib.suppress(ValueError):  # a malformed port, say: then it is no URL of ours
            by_url = "SELECT post_id FROM post_url t WHERE url = :v" + in_site
            canonical = canonical_url(ref)
            for spelling in reversed([canonical, *other_spellings(canonical)]):
                queries.insert(0, (by_url, spelling))
    with engine.connect() as conn:
        for sql, value in queries:
            found = conn.execute(text(sql), {"v": value, "site": site}).scalar()
            if found is not None:
                return int(found)
    return None


def _version_rows(d: Spelling) -> str:
    return f"""SELECT v.version, v.title, v.category, v.categories, v.tags, v.published,
    v.excerpt, coalesce(v.excerpt_recovered, v.excerpt) AS excerpt_recovered, v.truncated,
    v.observed_at, v.run_id, {_placeholders_of(d, "v.id")} AS placeholders
    FROM post_version v WHERE v.post_id = :id ORDER BY v.version"""


def post_history(engine: Engine, post_id: int) -> PostHistory | None:
    """Return the post with its aliases and versions, None when there is no such post."""
    d = spelling(engine)
    with engine.connect() as conn:
        post = conn.execute(
            text(
                "SELECT p.*, s.name AS site FROM post p JOIN site s ON s.id = p.site_id"
                " WHERE p.id = :id"
            ),
            {"id": post_id},
        ).first()
        if post is None:
            return None
        p = post._mapping
        aliases = (
            conn.execute(
                text(
                    "SELECT url FROM post_url WHERE post_id = :id"
                    f" AND {d.differs('url', 'CAST(:url AS TEXT)')} ORDER BY first_seen, url"
                ),
                {"id": post_id, "url": p["url"]},
            )
            .scalars()
            .all()
        )
        sightings = conn.execute(
            text("SELECT count(*) FROM sighting WHERE post_id = :id"), {"id": post_id}
        ).scalar_one()
        versions = [
            _version(row._mapping) for row in conn.execute(text(_version_rows(d)), {"id": post_id})
        ]
    return PostHistory(
        p["id"],
        p["site"],
        p["url"],
        p["key"],
        list(aliases),
        p["first_seen"],
        p["last_seen"],
        sightings,
        p["current_version"],
        bool(p["pinned"]),
        versions,
    )


def _version(row: Any) -> VersionRecord:
    values = dict(row)
    for name in ("categories", "tags", "placeholders"):
        values[name] = json.loads(values[name] or "[]")
    values["truncated"] = bool(values["truncated"])
    return VersionRecord(**values)
