"""Storing one page's cards: identity, versions, aliases, sightings, placeholders.

Everything for a page happens in the caller's transaction with a fixed number of
statements: one lookup per kind of key for the whole page, then bulk inserts. The
statements go straight to the sqlite3 connection under the caller's transaction, as
plain SQL that sqlite3 prepares once and keeps in its statement cache: this runs once
per crawled page, and SQLAlchemy's per-statement compilation would cost more than the
statements themselves.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from feedkeeper.cards import Card, find_placeholders
from feedkeeper.dedupe import (
    Change,
    Fields,
    canonical_url,
    contradicts,
    fields_of,
    fingerprint,
    is_repost_evidence,
    merge,
)
from feedkeeper.records import PageOutcome
from feedkeeper.text import fold_for_fingerprint

Row = tuple[Any, ...]
_VERSION_FIELDS = (
    "title", "category", "categories", "tags", "published", "published_at", "excerpt",
    "truncated", "fingerprint",
)  # fmt: skip
# Where the excerpt sits in a pending version row: after id, post, version, time and run.
_EXCERPT_AT = 5 + _VERSION_FIELDS.index("excerpt")
_INSERT_POST = (
    "INSERT INTO post (id, key, url, current_version, first_seen, last_seen)"
    " VALUES (?, ?, ?, 1, ?, ?)"
)
_INSERT_VERSION = (
    "INSERT INTO post_version (id, post_id, version, observed_at, run_id, "
    + ", ".join(_VERSION_FIELDS)
    + ") VALUES (?, ?, ?, ?, ?, "
    + ", ".join("?" * len(_VERSION_FIELDS))
    + ")"
)
_UPDATE_VERSION = (
    "UPDATE post_version SET "
    + ", ".join(f"{name} = ?" for name in _VERSION_FIELDS)
    + " WHERE id = ?"
)
_INSERT_URL = "INSERT INTO post_url (url, post_id, first_seen) VALUES (?, ?, ?)"
_INSERT_FINGERPRINT = "INSERT INTO post_fingerprint (fingerprint, post_id) VALUES (?, ?)"
_INSERT_SIGHTING = (
    "INSERT INTO sighting (run_id, post_id, version, page_url, position, card_url, seen_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_PLACEHOLDER = (
    "INSERT OR IGNORE INTO placeholder (version_id, kind, ordinal, position, status, attempts)"
    " VALUES (?, ?, ?, ?, 'pending', 0)"
)
_SIGHTED_IN_RUN = "SELECT 1 FROM sighting WHERE run_id = ? AND post_id = ? LIMIT 1"
_URLS_OF_POST = "SELECT url FROM post_url WHERE post_id = ?"
# Aliases a post took in this run: reposts that a later card of the run may contradict.
_FRESH_ALIASES = (
    "SELECT u.post_id, u.url FROM post_url u JOIN post p ON p.id = u.post_id"
    " WHERE u.post_id IN ({}) AND u.url IS NOT p.url"
    " AND u.first_seen >= (SELECT started_at FROM run WHERE id = ?)"
)
_RUN_SIGHTINGS = (
    "SELECT id, version, card_url, seen_at FROM sighting WHERE run_id = ? AND post_id = ?"
)
_COPY_VERSION = (
    "INSERT INTO post_version (id, post_id, version, observed_at, run_id, "
    + ", ".join(_VERSION_FIELDS)
    + ") SELECT ?, ?, 1, ?, ?, "
    + ", ".join(_VERSION_FIELDS)
    + " FROM post_version WHERE post_id = ? AND version = ?"
)
_MOVE_URL = "UPDATE post_url SET post_id = ? WHERE url = ?"
_MOVE_SIGHTING = "UPDATE sighting SET post_id = ?, version = 1 WHERE id = ?"
_EXCERPT_OF = "SELECT excerpt FROM post_version WHERE id = ?"
_TOUCH_POST = "UPDATE post SET last_seen = ? WHERE id = ?"
# A post is pinned as the first card of it in a run shows it: the listing's top shows
# pinned posts again further down, without their badge, in the same run.
_PIN_POST = (
    "UPDATE post SET pinned = ? WHERE id = ? AND pinned IS NOT ?"
    " AND NOT EXISTS (SELECT 1 FROM sighting WHERE post_id = post.id AND run_id = ?)"
)
_MOVE_POST = "UPDATE post SET current_version = ? WHERE id = ?"
_CURRENT_VERSIONS = (
    "SELECT v.id, v.post_id, v.version, v.title, v.category, v.categories, v.tags,"
    " v.published, v.published_at, v.excerpt, v.truncated"
    " FROM post p JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version"
    " WHERE p.id IN ({})"
)


@dataclass(slots=True)
class _Current:
    """A post's current version as this page's processing sees it."""

    post_id: int
    version_id: int
    version: int
    fields: Fields
    is_new_version: bool = False  # inserted during this page: update the pending row


@dataclass(slots=True)
class _Batch:
    """Rows collected while walking a page, written at the end in bulk."""

    posts: list[Row] = field(default_factory=list)
    versions: dict[int, Row] = field(default_factory=dict)  # by version id: (keys..., values)
    version_updates: dict[int, Fields] = field(default_factory=dict)
    urls: list[Row] = field(default_factory=list)
    fingerprints: list[Row] = field(default_factory=list)
    sightings: list[Row] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # posts sighted on this page
    pinned: dict[int, bool] = field(default_factory=dict)  # post -> its first card's badge
    versioned: set[int] = field(default_factory=set)  # known posts that got a new version


class PageWriter:
    """Applies the cards of one page to the archive inside one transaction."""

    def __init__(self, conn: Connection, run_id: int, seen_at: str) -> None:
        self.db: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
        self.run_id = run_id
        self.seen_at = seen_at
        self.batch = _Batch()
        self.outcome = PageOutcome()
        self.by_url: dict[str, int] = {}
        self.by_fp: dict[str, int] = {}
        self.current: dict[int, _Current] = {}
        self.next_post_id = 0
        self.next_version_id = 0
        self.fingerprints: dict[tuple[str | None, str | None], str | None] = {}
        self.page_urls: set[str] = set()  # every card URL of the page
        self.shared_excerpts: set[str] = set()  # excerpts shown under two URLs of the page
        self.fresh_aliases: dict[int, set[str]] = {}  # URLs taken as reposts in this run

    def apply(self, page_url: str, cards: list[Card], skipped: int = 0) -> PageOutcome:
        """Store the cards of ``page_url`` and return what changed."""
        keyed = [
            (card, _canonical(card.url), self._fingerprint(card.title, card.excerpt))
            for card in cards
        ]
        self._load(keyed)
        self._survey(keyed)
        for position, (card, url, fp) in enumerate(keyed, start=1):
            if url is None and fp is None:
                skipped += 1  # nothing to know the post by
                continue
            post_id = self._identify(card, url, fp)
            self.batch.pinned.setdefault(post_id, card.pinned)
            self._sight(post_id, page_url, position, card.url)
            self.outcome.cards += 1
        self._flush()
        self.outcome.cards_skipped = skipped
        return self.outcome

    def _load(self, keyed: list[tuple[Card, str | None, str | None]]) -> None:
        urls = list({url for _, url, _ in keyed if url})
        fps = list({fp for _, _, fp in keyed if fp})
        if urls:
            query = "SELECT url, post_id FROM post_url WHERE url IN ({})"
            self.by_url.update(self._select(query, urls))
        if fps:
            query = "SELECT fingerprint, post_id FROM post_fingerprint WHERE fingerprint IN ({})"
            self.by_fp.update(self._select(query, fps))
        self._load_current(set(self.by_url.values()) | set(self.by_fp.values()))
        known = list(set(self.by_url.values()))
        if known:
            for post_id, alias in self._select(_FRESH_ALIASES, [*known, self.run_id]):
                self.fresh_aliases.setdefault(post_id, set()).add(alias)
        self.next_post_id = self._max_id("post") + 1
        self.next_version_id = self._max_id("post_version") + 1

    def _survey(self, keyed: list[tuple[Card, str | None, str | None]]) -> None:
        """Note the page's URLs and the excerpts it shows under more than one URL (stock text)."""
        urls_by_excerpt: dict[str, set[str]] = {}
        for card, url, _ in keyed:
            if url is None:
                continue
            self.page_urls.add(url)
            excerpt = fold_for_fingerprint(card.excerpt or "")
            urls_by_excerpt.setdefault(excerpt, set()).add(url)
        self.shared_excerpts = {text for text, urls in urls_by_excerpt.items() if len(urls) > 1}

    def _select(self, query: str, keys: Sequence[object]) -> list[Row]:
        """Run ``query`` with its ``IN ({})`` filled by one parameter per key (extras after)."""
        count = len(keys) - query.count("?")
        return self.db.execute(query.format(", ".join("?" * count)), keys).fetchall()

    def _load_current(self, post_ids: set[int]) -> None:
        if not post_ids:
            return
        for row in self._select(_CURRENT_VERSIONS, list(post_ids)):
            version_id, post_id, version = row[:3]
            self.current[post_id] = _Current(post_id, version_id, version, _fields_of_row(row[3:]))

    def _max_id(self, table: str) -> int:
        return int(self.db.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])

    def _fingerprint(self, title: str | None, excerpt: str | None) -> str | None:
        """Return the fingerprint of a title and excerpt, computed once per page."""
        key = (title, excerpt)
        if key not in self.fingerprints:
            self.fingerprints[key] = fingerprint(title, excerpt)
        return self.fingerprints[key]

    def _identify(self, card: Card, url: str | None, fp: str | None) -> int:
        post_id = self.by_url.get(url) if url else None
        if post_id is None and fp is not None and fp in self.by_fp:
            if url is None:  # a capture without links: the text is all there is to go by
                post_id = self.by_fp[fp]
            elif self._is_repost(card, url, self.by_fp[fp]):
                post_id = self.by_fp[fp]
                self._add_url(url, post_id)
                self.outcome.reposts += 1
        if post_id is None:
            return self._new_post(card, url, fp)
        if url is not None:
            self._undo_contradicted_reposts(post_id, url)
        self._update(post_id, fields_of(card))
        if fp is not None and fp not in self.by_fp:
            self._add_fingerprint(fp, post_id)
        return post_id

    def _is_repost(self, card: Card, url: str, post_id: int) -> bool:
        """Tell whether ``card`` shows the known post ``post_id`` under another URL.

        Only on strong evidence: a title and a substantial excerpt that are not stock text
        of this page, the same date if both show one, and the known post not listed as a
        card of its own in this crawl.
        """
        if not is_repost_evidence(card.title, card.excerpt):
            return False
        if fold_for_fingerprint(card.excerpt or "") in self.shared_excerpts:
            return False
        if contradicts(self.current[post_id].fields, fields_of(card)):
            return False
        if post_id in self.batch.touched or self._was_sighted_in_run(post_id):
            return False
        known_urls = {row[0] for row in self.db.execute(_URLS_OF_POST, (post_id,))}
        return not (known_urls - {url}) & self.page_urls

    def _undo_contradicted_reposts(self, post_id: int, url: str) -> None:
        """Split off the reposts this run inferred for a post now listed under its own URL.

        A card seen earlier in the run under another URL was taken for this post; the
        post's own card in the same crawl says they are two posts after all.
        """
        for alias in self.fresh_aliases.pop(post_id, set()) - {url}:
            self._split_off(post_id, alias)
        self.fresh_aliases[post_id] = set()

    def _split_off(self, post_id: int, alias: str) -> None:
        """Make ``alias`` a post of its own with the version and sightings it had this run."""
        sightings = [
            row
            for row in self.db.execute(_RUN_SIGHTINGS, (self.run_id, post_id))
            if row[2] and canonical_url(row[2]) == alias
        ]
        if not sightings:
            return
        new_id, version_id = self.next_post_id, self.next_version_id
        self.next_post_id, self.next_version_id = new_id + 1, version_id + 1
        first, last = min(row[3] for row in sightings), max(row[3] for row in sightings)
        self.db.execute(_INSERT_POST, (new_id, alias, alias, first, last))
        self.db.execute(
            _COPY_VERSION, (version_id, new_id, first, self.run_id, post_id, sightings[0][1])
        )
        self.db.execute(_MOVE_URL, (new_id, alias))
        self.db.executemany(_MOVE_SIGHTING, [(new_id, row[0]) for row in sightings])
        excerpt = self.db.execute(_EXCERPT_OF, (version_id,)).fetchone()[0]
        self._insert_placeholders([(version_id, excerpt)])
        self.outcome.reposts -= 1
        self.outcome.new_posts += 1

    def _was_sighted_in_run(self, post_id: int) -> bool:
        return self.db.execute(_SIGHTED_IN_RUN, (self.run_id, post_id)).fetchone() is not None

    def _new_post(self, card: Card, url: str | None, fp: str | None) -> int:
        post_id = self.next_post_id
        self.next_post_id += 1
        key = url if url is not None else f"excerpt:{fp}"
        self.batch.posts.append((post_id, key, url, self.seen_at, self.seen_at))
        if url is not None:
            self._add_url(url, post_id)
        if fp is not None and fp not in self.by_fp:  # a look-alike keeps the first one's
            self._add_fingerprint(fp, post_id)
        self._new_version(post_id, 1, fields_of(card))
        self.outcome.new_posts += 1
        return post_id

    def _update(self, post_id: int, seen: Fields) -> None:
        current = self.current[post_id]
        merged, change = merge(current.fields, seen)
        if change is Change.CHANGED:
            self._new_version(post_id, current.version + 1, merged)
            self.outcome.new_versions += 1
        elif change is Change.FILLED:
            current.fields = merged
            if current.is_new_version:  # still pending: write the filled-in values instead
                head = self.batch.versions[current.version_id][:5]
                self.batch.versions[current.version_id] = head + self._version_values(merged)
            else:
                self.batch.version_updates[current.version_id] = merged
            self.outcome.filled_in += 1

    def _new_version(self, post_id: int, version: int, values: Fields) -> None:
        version_id = self.next_version_id
        self.next_version_id += 1
        head = (version_id, post_id, version, self.seen_at, self.run_id)
        self.batch.versions[version_id] = head + self._version_values(values)
        if version > 1:
            self.batch.versioned.add(post_id)
        self.current[post_id] = _Current(post_id, version_id, version, values, is_new_version=True)

    def _add_url(self, url: str, post_id: int) -> None:
        self.by_url[url] = post_id
        self.batch.urls.append((url, post_id, self.seen_at))

    def _add_fingerprint(self, fp: str, post_id: int) -> None:
        self.by_fp[fp] = post_id
        self.batch.fingerprints.append((fp, post_id))

    def _sight(self, post_id: int, page_url: str, position: int, card_url: str | None) -> None:
        current = self.current[post_id]
        self.batch.touched.add(post_id)
        self.batch.sightings.append(
            (self.run_id, post_id, current.version, page_url, position, card_url, self.seen_at)
        )

    def _flush(self) -> None:
        b, db = self.batch, self.db
        db.executemany(_INSERT_POST, b.posts)
        db.executemany(_INSERT_VERSION, b.versions.values())
        updates = b.version_updates.items()
        db.executemany(_UPDATE_VERSION, [(*self._version_values(v), vid) for vid, v in updates])
        excerpts = [(vid, row[_EXCERPT_AT]) for vid, row in b.versions.items()]
        excerpts += [(vid, values.excerpt) for vid, values in b.version_updates.items()]
        self._insert_placeholders(excerpts)
        db.executemany(_INSERT_URL, b.urls)
        db.executemany(_INSERT_FINGERPRINT, b.fingerprints)
        pins = [(pinned, pid, pinned, self.run_id) for pid, pinned in b.pinned.items()]
        db.executemany(_PIN_POST, pins)  # before this page's sightings: they are not earlier
        db.executemany(_INSERT_SIGHTING, b.sightings)
        db.executemany(_TOUCH_POST, [(self.seen_at, pid) for pid in b.touched])
        # Only posts with a new version: the full-text index follows current_version.
        db.executemany(_MOVE_POST, [(self.current[pid].version, pid) for pid in b.versioned])

    def _insert_placeholders(self, excerpts: Iterable[tuple[int, object]]) -> None:
        """Flag the placeholders of new or re-read excerpts; known ones are kept as they are."""
        rows = [
            (version_id, ph.kind, ph.ordinal, ph.position)
            for version_id, excerpt in excerpts
            for ph in find_placeholders(str(excerpt or ""))
        ]
        if rows:
            inserted = self.db.executemany(_INSERT_PLACEHOLDER, rows)
            self.outcome.placeholders_found += max(inserted.rowcount, 0)

    def _version_values(self, values: Fields) -> Row:
        """Return a version's columns in ``_VERSION_FIELDS`` order."""
        return (
            values.title,
            values.category,
            json.dumps(list(values.categories), ensure_ascii=False),
            json.dumps(list(values.tags), ensure_ascii=False),
            values.published,
            values.published_at,
            values.excerpt,
            values.truncated,
            self._fingerprint(values.title, values.excerpt),
        )


def _canonical(url: str | None) -> str | None:
    return canonical_url(url) if url else None


def _fields_of_row(row: Row) -> Fields:
    """Return the fields of a version row's columns title .. truncated."""
    title, category, categories, tags, published, published_at, excerpt, truncated = row
    return Fields(
        title=title,
        category=category,
        categories=tuple(json.loads(categories or "[]")),
        tags=tuple(json.loads(tags or "[]")),
        published=published,
        published_at=published_at,
        excerpt=excerpt,
        truncated=bool(truncated),
    )
