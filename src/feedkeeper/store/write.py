"""Storing one page's cards: identity, versions, aliases, sightings, placeholders.

Everything for a page happens in the caller's transaction with a fixed number of
statements: one lookup per kind of key for the whole page, then bulk inserts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, func, select, update

from feedkeeper.cards import Card, find_placeholders
from feedkeeper.dedupe import Change, Fields, canonical_url, fields_of, fingerprint, merge
from feedkeeper.records import PageOutcome
from feedkeeper.store.tables import (
    placeholder_t,
    post_fingerprint_t,
    post_t,
    post_url_t,
    post_version_t,
    sighting_t,
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

    posts: list[dict[str, object]] = field(default_factory=list)
    versions: dict[int, dict[str, object]] = field(default_factory=dict)  # by version id
    version_updates: dict[int, dict[str, object]] = field(default_factory=dict)
    urls: list[dict[str, object]] = field(default_factory=list)
    fingerprints: list[dict[str, object]] = field(default_factory=list)
    sightings: list[dict[str, object]] = field(default_factory=list)
    placeholders: list[dict[str, object]] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # posts sighted on this page
    versioned: set[int] = field(default_factory=set)  # known posts that got a new version


class PageWriter:
    """Applies the cards of one page to the archive inside one transaction."""

    def __init__(self, conn: Connection, run_id: int, seen_at: str) -> None:
        self.conn = conn
        self.run_id = run_id
        self.seen_at = seen_at
        self.batch = _Batch()
        self.outcome = PageOutcome()
        self.by_url: dict[str, int] = {}
        self.by_fp: dict[str, int] = {}
        self.current: dict[int, _Current] = {}
        self.next_post_id = 0
        self.next_version_id = 0

    def apply(self, page_url: str, cards: list[Card], skipped: int = 0) -> PageOutcome:
        """Store the cards of ``page_url`` and return what changed."""
        keyed = [
            (card, _canonical(card.url), fingerprint(card.title, card.excerpt)) for card in cards
        ]
        self._load(keyed)
        for position, (card, url, fp) in enumerate(keyed, start=1):
            if url is None and fp is None:
                skipped += 1  # nothing to know the post by
                continue
            post_id = self._identify(card, url, fp)
            self._sight(post_id, page_url, position, card.url)
            self.outcome.cards += 1
        self._flush()
        self.outcome.cards_skipped = skipped
        return self.outcome

    def _load(self, keyed: list[tuple[Card, str | None, str | None]]) -> None:
        urls = {url for _, url, _ in keyed if url}
        fps = {fp for _, _, fp in keyed if fp}
        if urls:
            rows = self.conn.execute(
                select(post_url_t.c.url, post_url_t.c.post_id).where(post_url_t.c.url.in_(urls))
            )
            self.by_url.update({row.url: row.post_id for row in rows})
        if fps:
            query = select(post_fingerprint_t.c.fingerprint, post_fingerprint_t.c.post_id)
            rows = self.conn.execute(query.where(post_fingerprint_t.c.fingerprint.in_(fps)))
            self.by_fp.update({row.fingerprint: row.post_id for row in rows})
        self._load_current(set(self.by_url.values()) | set(self.by_fp.values()))
        self.next_post_id = self._max_id(post_t) + 1
        self.next_version_id = self._max_id(post_version_t) + 1

    def _load_current(self, post_ids: set[int]) -> None:
        if not post_ids:
            return
        v = post_version_t
        query = (
            select(v)
            .join(post_t, (post_t.c.id == v.c.post_id) & (post_t.c.current_version == v.c.version))
            .where(post_t.c.id.in_(post_ids))
        )
        for row in self.conn.execute(query):
            self.current[row.post_id] = _Current(
                row.post_id, row.id, row.version, _fields_of_row(row)
            )

    def _max_id(self, table: object) -> int:
        return int(self.conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())  # type: ignore[attr-defined]

    def _identify(self, card: Card, url: str | None, fp: str | None) -> int:
        post_id = self.by_url.get(url) if url else None
        if post_id is None and fp is not None and fp in self.by_fp:
            post_id = self.by_fp[fp]
            if url is not None:  # the same post under a second URL: a repost
                self._add_url(url, post_id)
                self.outcome.reposts += 1
        if post_id is None:
            return self._new_post(card, url, fp)
        self._update(post_id, fields_of(card))
        if fp is not None and fp not in self.by_fp:
            self._add_fingerprint(fp, post_id)
        return post_id

    def _new_post(self, card: Card, url: str | None, fp: str | None) -> int:
        post_id = self.next_post_id
        self.next_post_id += 1
        key = url if url is not None else f"excerpt:{fp}"
        self.batch.posts.append(
            {
                "id": post_id,
                "key": key,
                "url": url,
                "current_version": 1,
                "first_seen": self.seen_at,
                "last_seen": self.seen_at,
            }
        )
        if url is not None:
            self._add_url(url, post_id)
        if fp is not None:
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
            row = _version_values(merged)
            target = self.batch.versions if current.is_new_version else self.batch.version_updates
            target.setdefault(current.version_id, {}).update(row)
            self.outcome.filled_in += 1

    def _new_version(self, post_id: int, version: int, values: Fields) -> None:
        version_id = self.next_version_id
        self.next_version_id += 1
        row = {
            "id": version_id,
            "post_id": post_id,
            "version": version,
            "observed_at": self.seen_at,
            "run_id": self.run_id,
            **_version_values(values),
        }
        self.batch.versions[version_id] = row
        if version > 1:
            self.batch.versioned.add(post_id)
        self.current[post_id] = _Current(post_id, version_id, version, values, is_new_version=True)

    def _add_url(self, url: str, post_id: int) -> None:
        self.by_url[url] = post_id
        self.batch.urls.append({"url": url, "post_id": post_id, "first_seen": self.seen_at})

    def _add_fingerprint(self, fp: str, post_id: int) -> None:
        self.by_fp[fp] = post_id
        self.batch.fingerprints.append({"fingerprint": fp, "post_id": post_id})

    def _sight(self, post_id: int, page_url: str, position: int, card_url: str | None) -> None:
        current = self.current[post_id]
        self.batch.touched.add(post_id)
        self.batch.sightings.append(
            {
                "run_id": self.run_id,
                "post_id": post_id,
                "version": current.version,
                "page_url": page_url,
                "position": position,
                "card_url": card_url,
                "seen_at": self.seen_at,
            }
        )

    def _flush(self) -> None:
        b = self.batch
        if b.posts:
            self.conn.execute(post_t.insert(), b.posts)
        if b.versions:
            self.conn.execute(post_version_t.insert(), list(b.versions.values()))
        for version_id, values in b.version_updates.items():
            self.conn.execute(
                update(post_version_t).where(post_version_t.c.id == version_id), values
            )
        excerpts = {vid: row["excerpt"] for vid, row in (b.versions | b.version_updates).items()}
        self._insert_placeholders(excerpts)
        if b.urls:
            self.conn.execute(post_url_t.insert(), b.urls)
        if b.fingerprints:
            self.conn.execute(post_fingerprint_t.insert(), b.fingerprints)
        if b.sightings:
            self.conn.execute(sighting_t.insert(), b.sightings)
        if b.touched:
            seen = (
                update(post_t).where(post_t.c.id == bindparam("pid")).values(last_seen=self.seen_at)
            )
            self.conn.execute(seen, [{"pid": pid} for pid in b.touched])
        if b.versioned:
            # Only posts with a new version: the full-text index follows current_version.
            moved = (
                update(post_t)
                .where(post_t.c.id == bindparam("pid"))
                .values(current_version=bindparam("cv"))
            )
            self.conn.execute(
                moved, [{"pid": pid, "cv": self.current[pid].version} for pid in b.versioned]
            )

    def _insert_placeholders(self, excerpts: dict[int, object]) -> None:
        """Flag the placeholders of new or re-read excerpts; known ones are kept as they are."""
        rows = [
            {
                "version_id": version_id,
                "kind": ph.kind,
                "ordinal": ph.ordinal,
                "position": ph.position,
                "status": "pending",
                "attempts": 0,
            }
            for version_id, excerpt in excerpts.items()
            for ph in find_placeholders(str(excerpt or ""))
        ]
        if rows:
            inserted = self.conn.execute(placeholder_t.insert().prefix_with("OR IGNORE"), rows)
            self.outcome.placeholders_found += max(inserted.rowcount, 0)


def _canonical(url: str | None) -> str | None:
    return canonical_url(url) if url else None


def _version_values(values: Fields) -> dict[str, object]:
    return {
        "title": values.title,
        "category": values.category,
        "categories": json.dumps(list(values.categories), ensure_ascii=False),
        "tags": json.dumps(list(values.tags), ensure_ascii=False),
        "published": values.published,
        "published_at": values.published_at,
        "excerpt": values.excerpt,
        "truncated": values.truncated,
        "fingerprint": fingerprint(values.title, values.excerpt),
    }


def _fields_of_row(row: object) -> Fields:
    r = row._mapping  # type: ignore[attr-defined]
    return Fields(
        title=r["title"],
        category=r["category"],
        categories=tuple(json.loads(r["categories"] or "[]")),
        tags=tuple(json.loads(r["tags"] or "[]")),
        published=r["published"],
        published_at=r["published_at"],
        excerpt=r["excerpt"],
        truncated=bool(r["truncated"]),
    )
