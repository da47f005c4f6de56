"""The write stage: what the dedupe stage decided, and the page itself, into the archive.

Pages are written in batches: one transaction holds several pages, and the pipeline
commits it before it waits for the network (and every ``BATCH_PAGES`` pages), so a
process killed mid-crawl loses at most the pages it had not yet committed; the next
crawl walks the whole listing and stores them. A page is never half written: its
statements all run between two awaits. Statements are SQLAlchemy Core, compiled once
and cached, with rows sent as ``executemany`` batches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    String,
    bindparam,
    delete,
    insert,
    literal,
    select,
    update,
)

from feedkeeper.cards import find_placeholders
from feedkeeper.dedupe import KeyedCard
from feedkeeper.kept import keep_short
from feedkeeper.page_changes import Known, PageChanges, PageOutcome, Split, VersionRow
from feedkeeper.records import PageCapture, PageKind
from feedkeeper.store.compiled import execute_rows
from feedkeeper.store.dialect import (
    insert_unless_present,
    is_index_deferred,
    lock_for_writing,
    refresh_indexes,
    rows_inserted,
)
from feedkeeper.store.known import KnownReader
from feedkeeper.store.ready_words import offer_words
from feedkeeper.store.tables import (
    page_body_t,
    page_fetch_t,
    placeholder_t,
    post_fingerprint_t,
    post_t,
    post_url_t,
    post_version_t,
    sighting_t,
)
from feedkeeper.stored_body import pack_body

# Pages per transaction at most: a crash loses no more than these, and a batch
# never holds the write lock for long.
BATCH_PAGES = 16
# New or changed posts a writer lets wait in the queue before it indexes them, in the
# transaction of a commit; the rest are indexed as the writer finishes. FTS5 then merges
# a few large segments rather than many small ones.
INDEX_BATCH_POSTS = 2000

_VERSION_COLUMNS = (
    "title", "category", "categories", "tags", "published", "published_at", "excerpt",
    "truncated", "fingerprint",
)  # fmt: skip
_p, _v, _u, _f = post_t.c, post_version_t.c, post_url_t.c, post_fingerprint_t.c
_INSERT_POST = insert(post_t)
_INSERT_VERSION = insert(post_version_t)
_FILL_VERSION = (
    update(post_version_t)
    .where(_v.id == bindparam("b_id"))
    .values({name: bindparam(f"b_{name}") for name in _VERSION_COLUMNS})
)
_COPY_VERSION = insert(post_version_t).from_select(
    ["id", "post_id", "version", "observed_at", "run_id", *_VERSION_COLUMNS],
    select(
        bindparam("b_vid", type_=Integer), bindparam("b_new", type_=Integer), literal(1),
        bindparam("b_at", type_=String), bindparam("b_run", type_=Integer),
        *(_v[name] for name in _VERSION_COLUMNS),
    ).where(_v.post_id == bindparam("b_src"), _v.version == bindparam("b_ver")),
)  # fmt: skip
_MOVE_URL = (
    update(post_url_t)
    .where(_u.site_id == bindparam("b_site"), _u.url == bindparam("b_url"))
    .values(post_id=bindparam("b_new"))
)
_MOVE_SIGHTING = (
    update(sighting_t)
    .where(sighting_t.c.id == bindparam("b_id"))
    .values(post_id=bindparam("b_new"), version=1)
)
_EXCERPT_OF = select(_v.excerpt).where(_v.id == bindparam("b_vid"))
_INSERT_URL = insert(post_url_t)
_FREE_URL = delete(post_url_t).where(
    _u.site_id == bindparam("b_site"), _u.url == bindparam("b_url")
)
_INSERT_FINGERPRINT = insert(post_fingerprint_t)
_INSERT_SIGHTING = insert(sighting_t)
_INSERT_PLACEHOLDER = insert_unless_present(placeholder_t)
_INSERT_BODY = insert_unless_present(page_body_t)
_INSERT_FETCH = insert(page_fetch_t)
_TOUCH_POST = update(post_t).where(_p.id == bindparam("b_id")).values(last_seen=bindparam("b_at"))
# A post known by its text alone (a capture imported) is known by the first URL found for it.
_NAME_POST = (
    update(post_t)
    .where(_p.id == bindparam("b_id"), _p.url.is_(None))
    .values(url=bindparam("b_url"))
)
# A post is pinned as the first card of it in a run shows it (dedupe_page keeps only
# posts the run had not seen): the listing's top shows pinned posts again further down,
# without their badge, in the same run.
_PIN_POST = (
    update(post_t)
    .where(_p.id == bindparam("b_id"), _p.pinned.is_distinct_from(bindparam("b_pinned")))
    .values(pinned=bindparam("b_pinned"))
)
_MOVE_POST = (
    update(post_t).where(_p.id == bindparam("b_id")).values(current_version=bindparam("b_v"))
)


class PageWriter:
    """Writes pages of one site on one connection, several to a transaction.

    ``site_id`` is the site of the pages written next (a reparse sets it page by page).
    """

    def __init__(self, conn: Connection, site_id: int | None) -> None:
        self.conn = conn
        self.site_id = site_id
        self.pending = 0  # pages written since the last commit
        self.queued = 0  # posts queued for the full-text indexes since they were last refreshed
        self._reader = KnownReader(conn)
        self._next_ids: tuple[int, int] | None = None  # post, version: known in a transaction

    def known(self, keyed: Sequence[KeyedCard], run_id: int) -> Known:
        """Return what the archive holds for the keys of a page's cards, for run ``run_id``."""
        return self._reader.read(keyed, self.site_id, run_id, self._take_turn())

    def known_listed(self, page_url: str, run_id: int) -> tuple[list[str], Known]:
        """Return the card URLs a page that answered 304 listed when last read, and what the
        archive holds for them, for run ``run_id``."""
        urls = self._reader.last_listed(self.site_id, page_url, run_id)
        return urls, self._reader.read_listed(urls, self.site_id, run_id, self._take_turn())

    def _take_turn(self) -> tuple[int, int]:
        """Return the next free post and version ids; the transaction's first page takes
        the writer's turn."""
        if self._next_ids is None:
            lock_for_writing(self.conn)
            self._next_ids = self._reader.next_ids()
        return self._next_ids

    def write_changes(
        self, run_id: int, seen_at: str, page_url: str, changes: PageChanges, known: Known
    ) -> None:
        """Apply what the dedupe stage decided for one page."""
        self._next_ids = (known.next_post_id, known.next_version_id)
        for split in changes.splits:
            self._split_off(run_id, split)
        rows = _ChangeRows(self._site(), run_id, seen_at, page_url, changes)
        for statement, params in rows:
            execute_rows(self.conn, statement, params)
        sighted = self._reader.sighted_in(run_id)
        sighted.update(sighting.post_id for sighting in changes.sightings)
        sighted.update(split.post_id for split in changes.splits)
        listed = self._reader.listed_in(run_id)
        for url, post_id in changes.listed:
            listed.setdefault(post_id, set()).add(url)
        excerpts = [
            (v.version_id, v.fields.excerpt)
            for v in [*changes.versions.values(), *changes.filled.values()]
        ]
        changes.outcome.placeholders_found += self._flag_placeholders(excerpts)
        self.queued += len(changes.versions) + len(changes.filled) + len(changes.splits)

    def _split_off(self, run_id: int, split: Split) -> None:
        """Give a contradicted alias its own post: a copy of the version it was seen at,
        its URL and its sightings of this run."""
        self.conn.execute(
            _INSERT_POST,
            {"id": split.post_id, "site_id": self._site(), "key": split.alias, "url": split.alias,
             "current_version": 1,
             "first_seen": split.first_seen, "last_seen": split.last_seen},
        )  # fmt: skip
        params = {
            "b_vid": split.version_id, "b_new": split.post_id, "b_at": split.first_seen,
            "b_run": run_id, "b_src": split.source_post_id, "b_ver": split.source_version,
        }  # fmt: skip
        self.conn.execute(_COPY_VERSION, params)
        self.conn.execute(
            _MOVE_URL, {"b_site": self._site(), "b_url": split.alias, "b_new": split.post_id}
        )
        moves = [{"b_id": sid, "b_new": split.post_id} for sid in split.sighting_ids]
        execute_rows(self.conn, _MOVE_SIGHTING, moves)
        excerpt = self.conn.execute(_EXCERPT_OF, {"b_vid": split.version_id}).scalar_one()
        self._flag_placeholders([(split.version_id, excerpt)])

    def _flag_placeholders(self, excerpts: Sequence[tuple[int, str | None]]) -> int:
        """Flag the placeholders of new or re-read excerpts; known ones are kept as they are."""
        rows = [
            {"version_id": version_id, "kind": ph.kind, "ordinal": ph.ordinal,
             "position": ph.position, "status": "pending", "attempts": 0}
            for version_id, excerpt in excerpts
            for ph in find_placeholders(excerpt or "")
        ]  # fmt: skip
        if not rows:
            return 0
        statement = _INSERT_PLACEHOLDER[self.conn.dialect.name]
        return rows_inserted(execute_rows(self.conn, statement, rows))

    def offer_words(self, words: Mapping[str, str]) -> None:
        """Take cards' text segmented ahead (text -> words) for the word index's next refresh."""
        offer_words(self.conn, words)

    def write_fetch(self, run_id: int, capture: PageCapture, outcome: PageOutcome) -> None:
        """Keep the page (its body once, compressed) and what became of it."""
        packed = capture.packed
        if packed is None and capture.body is not None:
            packed = pack_body(capture.body)
        if packed is not None:
            body = {"sha256": packed.sha256, "size": packed.size, "data": packed.data}
            rows_inserted(self.conn.execute(_INSERT_BODY[self.conn.dialect.name], body))
        sha = packed.sha256 if packed is not None else None
        row = _fetch_row(run_id, capture, sha, outcome) | {"site_id": self._site()}
        self.conn.execute(_INSERT_FETCH, row)
        self.pending += 1

    def accept_page(self, run_id: int, url: str, cards: int, confidence: float | None) -> None:
        """Record a page a crawl refused as suspect as parsed, its cards now archived (by
        ``reparse``): the next crawl compares the page with this parse, not the older one."""
        f = page_fetch_t.c
        self.conn.execute(
            update(page_fetch_t)
            .where(f.run_id == run_id, f.url == url, f.outcome == str(PageKind.SUSPECT))
            .values(outcome=str(PageKind.PARSED), cards=cards, confidence=confidence, error=None)
        )

    def _site(self) -> int:
        if self.site_id is None:
            raise ValueError("PageWriter.site_id: set the site before writing a page")
        return self.site_id

    def commit(self) -> None:
        """Commit the pages written so far (nothing to do when there are none).

        The full-text indexes are refreshed first when ``INDEX_BATCH_POSTS`` posts wait.
        """
        if self.conn.in_transaction():
            if self.queued >= INDEX_BATCH_POSTS:
                self._refresh_indexes()
            self.conn.commit()
        if not is_index_deferred(self.conn):  # the commit refreshed them
            self.queued = 0
        self.pending = 0
        self._next_ids = None

    def finish(self) -> None:
        """Commit, and index every post still waiting: the writer's pages are all written."""
        if self.queued and not self.conn.in_transaction():
            self.conn.begin()
            lock_for_writing(self.conn)
        if self.conn.in_transaction():
            self._refresh_indexes()
        self.commit()

    def _refresh_indexes(self) -> None:
        refresh_indexes(self.conn)
        self.queued = 0

    def commit_if_full(self) -> None:
        """Commit when the transaction holds ``BATCH_PAGES`` pages."""
        if self.pending >= BATCH_PAGES:
            self.commit()


class _ChangeRows:
    """The statements and parameter rows that apply one page's changes, in order."""

    def __init__(
        self, site_id: int, run_id: int, seen_at: str, page_url: str, changes: PageChanges
    ) -> None:
        self.site_id, self.run_id, self.seen_at = site_id, run_id, seen_at
        self.page_url, self.c = page_url, changes

    def __iter__(self) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        c, at, site = self.c, self.seen_at, self.site_id
        new = {p.post_id for p in c.posts}  # inserted already pinned and seen at ``at``
        batches = [
            (_INSERT_POST, [
                {"id": p.post_id, "site_id": site, "key": p.key, "url": p.url, "current_version": 1,
                 "first_seen": at, "last_seen": at, "pinned": c.pinned.get(p.post_id, False)}
                for p in c.posts]),
            (_INSERT_VERSION, [self._version(v) for v in c.versions.values()]),
            (_FILL_VERSION, [_prefixed(_version_values(v)) | {"b_id": v.version_id}
                             for v in c.filled.values()]),
            (_FREE_URL, [{"b_site": site, "b_url": u} for u in c.freed_urls]),
            (_INSERT_URL, [{"site_id": site, "url": u, "post_id": pid, "first_seen": at}
                           for u, pid in c.urls]),
            (_NAME_POST, [{"b_id": pid, "b_url": u} for u, pid in c.urls if pid not in new]),
            (_INSERT_FINGERPRINT, [{"site_id": site, "fingerprint": fp, "post_id": pid}
                                   for fp, pid in c.fingerprints]),
            # Before this page's sightings: they are not earlier ones of the run.
            (_PIN_POST, [{"b_id": pid, "b_pinned": pinned}
                         for pid, pinned in c.pinned.items() if pid not in new]),
            (_INSERT_SIGHTING, [
                {"run_id": self.run_id, "post_id": s.post_id, "version": s.version,
                 "page_url": self.page_url, "position": s.position, "card_url": s.card_url,
                 "seen_at": at} for s in c.sightings]),
            (_TOUCH_POST, [{"b_id": pid, "b_at": at} for pid in c.touched if pid not in new]),
            # Only posts with a new version: the full-text index follows current_version.
            (_MOVE_POST, [{"b_id": pid, "b_v": v} for pid, v in c.moved.items()]),
        ]  # fmt: skip
        return iter([(statement, rows) for statement, rows in batches if rows])

    def _version(self, v: VersionRow) -> dict[str, Any]:
        return {
            "id": v.version_id,
            "post_id": v.post_id,
            "version": v.version,
            "observed_at": self.seen_at,
            "run_id": self.run_id,
            **_version_values(v),
        }


def _version_values(v: VersionRow) -> dict[str, Any]:
    f = v.fields
    return {
        "title": f.title,
        "category": f.category,
        "categories": _json_list(f.categories),
        "tags": _json_list(f.tags),
        "published": f.published,
        "published_at": f.published_at,
        "excerpt": f.excerpt,
        "truncated": f.truncated,
        "fingerprint": v.fingerprint,
    }


# Lists of terms longer than this are encoded afresh each time, not kept (a hostile page's
# could be megabytes).
KEPT_TERMS_CHARS = 1024


def _terms_chars(values: tuple[str, ...]) -> int:
    return sum(map(len, values))


@keep_short(maxsize=4096, chars=KEPT_TERMS_CHARS, size=_terms_chars)
def _json_list(values: tuple[str, ...]) -> str:
    """The JSON text a list of terms is stored as: a site's few categories and tags recur,
    so each short list is encoded once."""
    return json.dumps(list(values), ensure_ascii=False)


def _prefixed(values: dict[str, Any]) -> dict[str, Any]:
    return {f"b_{name}": value for name, value in values.items()}


def _fetch_row(
    run_id: int, capture: PageCapture, sha: str | None, outcome: PageOutcome
) -> dict[str, object]:
    return {
        "run_id": run_id,
        "url": capture.url,
        "fetched_at": capture.fetched_at,
        "outcome": str(capture.outcome),
        "status_code": capture.status_code,
        "etag": capture.etag,
        "last_modified": capture.last_modified,
        "content_type": capture.content_type,
        "encoding": capture.encoding,
        "body_sha256": sha,
        "next_url": capture.next_url,
        "cards": outcome.cards,
        "cards_skipped": outcome.cards_skipped,
        "confidence": capture.confidence,
        "error": capture.error,
    }
