"""What the archive knows of a page's cards, read for the dedupe stage.

Read in the page writer's transaction, just before the page is written: the posts the
cards' URLs and fingerprints point to, their current versions, and what the run has
already seen of them. Statements are SQLAlchemy Core, compiled once and cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
from sqlalchemy import Connection, bindparam, func, select

from feedkeeper.dedupe import KeyedCard
from feedkeeper.identity import canonical_url, other_spellings, shared_head_key, spelling_key
from feedkeeper.page_changes import Current, Known, RunSighting
from feedkeeper.records import PageKind, RunKind
from feedkeeper.store.compiled import fetch_rows
from feedkeeper.store.tables import (
    page_fetch_t,
    post_fingerprint_t,
    post_t,
    post_url_t,
    post_version_t,
    run_t,
    sighting_t,
)
from feedkeeper.text_identity import dated_fingerprint, heads_of
from feedkeeper.versions import Fields

_p, _v, _u, _f = post_t.c, post_version_t.c, post_url_t.c, post_fingerprint_t.c
# A post is known by its URL or fingerprint within its own site only.
_BY_URL = select(_u.url, _u.post_id).where(
    _u.site_id == bindparam("site"), _u.url.in_(bindparam("keys", expanding=True))
)
_BY_FINGERPRINT = select(_f.fingerprint, _f.post_id).where(
    _f.site_id == bindparam("site"), _f.fingerprint.in_(bindparam("keys", expanding=True))
)
_VERSION_FIELDS = (_v.title, _v.category, _v.categories, _v.tags, _v.published,
                   _v.published_at, _v.excerpt, _v.truncated)  # fmt: skip
_CURRENT = (
    select(_v.id, _v.post_id, _v.version, _v.run_id, *_VERSION_FIELDS)
    .join(post_t, (_v.post_id == _p.id) & (_v.version == _p.current_version))
    .where(_p.id.in_(bindparam("keys", expanding=True)))
)
# The other versions the crawl that made a post's current version made of it: the same
# post shown two ways in one crawl (a pinned block's card and the listing's). Not those of
# an import, whose captures are of several moments.
_cv = post_version_t.alias("cv")
_SIBLINGS = (
    select(_v.post_id, *_VERSION_FIELDS)
    .join(post_t, _v.post_id == _p.id)
    .join(_cv, (_cv.c.post_id == _p.id) & (_cv.c.version == _p.current_version))
    .join(run_t, run_t.c.id == _cv.c.run_id)
    .where(
        _p.id.in_(bindparam("keys", expanding=True)),
        _v.run_id == _cv.c.run_id,
        _v.version != _p.current_version,
        run_t.c.kind == RunKind.CRAWL.value,
    )
    .order_by(_v.post_id, _v.version)
)
_RUN_KIND = select(run_t.c.kind).where(run_t.c.id == bindparam("run"))
_SIGHTED_IN_RUN = (
    select(sighting_t.c.post_id).distinct().where(sighting_t.c.run_id == bindparam("run"))
)
_URLS_OF_POSTS = select(_u.url, _u.post_id).where(_u.post_id.in_(bindparam("keys", expanding=True)))
# A post's aliases (reposts a later card of a crawl may contradict), and whether this run
# took each.
_ALIASES = (
    select(
        _u.post_id,
        _u.url,
        _u.first_seen
        >= select(run_t.c.started_at).where(run_t.c.id == bindparam("run")).scalar_subquery(),
    )
    .join(post_t, _p.id == _u.post_id)
    .where(_u.post_id.in_(bindparam("keys", expanding=True)), _u.url.is_distinct_from(_p.url))
)
_RUN_SIGHTINGS = select(
    sighting_t.c.post_id, sighting_t.c.id, sighting_t.c.version, sighting_t.c.card_url,
    sighting_t.c.seen_at,
).where(
    sighting_t.c.run_id == bindparam("run"),
    sighting_t.c.post_id.in_(bindparam("keys", expanding=True)),
)  # fmt: skip
# The sightings a page's last parse before a run made: the cards it listed, as a 304 says
# it still does (a reparse rebuilds the runs in order: those after are not there yet).
# The page's fetches are found by its URL's index, newest first: the site is checked on
# each (``+ 0`` keeps a planner without statistics from walking every fetch of the site's
# instead, some 0.9 ms a page after a crawl of 2,000 pages).
_pf = page_fetch_t.c
_LAST_READ_RUN = (
    select(_pf.run_id)
    .where(_pf.url == bindparam("url"), _pf.site_id + 0 == bindparam("site"))
    .where(_pf.outcome == PageKind.PARSED.value, _pf.run_id < bindparam("run"))
    .order_by(_pf.id.desc())
    .limit(1)
    .scalar_subquery()
)
_LAST_LISTED = (
    select(sighting_t.c.card_url)
    .where(sighting_t.c.run_id == _LAST_READ_RUN, sighting_t.c.page_url == bindparam("url"))
    .where(sighting_t.c.card_url.is_not(None))
    .order_by(sighting_t.c.position)
)
# The listing URLs a site's crawls started at: its addresses, the one it moved to among them.
_CRAWL_URLS = (
    select(run_t.c.source)
    .distinct()
    .where(run_t.c.site_id == bindparam("site"), run_t.c.kind == RunKind.CRAWL.value)
)
_MAX_POST_ID = select(func.coalesce(func.max(_p.id), 0))
_MAX_VERSION_ID = select(func.coalesce(func.max(_v.id), 0))


class KnownReader:
    """Reads what the archive knows of pages' cards, on the page writer's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # By run: the posts it has sighted, read once and kept up to date as pages are written.
        self._sighted: dict[int, set[int]] = {}
        self._kinds: dict[int, str] = {}  # by run: what it is, read once
        self._listed: dict[int, dict[int, set[str]]] = {}  # by run: see ``listed_in``
        self._site_origins: dict[int | None, list[str]] = {}  # by site: see ``_origins``

    def next_ids(self) -> tuple[int, int]:
        """The ids the next new post and the next new version take (under the writer's lock)."""
        posts = self.conn.execute(_MAX_POST_ID).scalar_one()
        versions = self.conn.execute(_MAX_VERSION_ID).scalar_one()
        return int(posts) + 1, int(versions) + 1

    def read(
        self,
        keyed: Sequence[KeyedCard],
        site_id: int | None,
        run_id: int,
        next_ids: tuple[int, int],
    ) -> Known:
        """Return what the archive holds for the keys of a page's cards, for run ``run_id``."""
        urls = list({k.url for k in keyed if k.url})
        fps = list({k.fingerprint for k in keyed if k.fingerprint})
        fps += {dated for k in keyed if (dated := dated_fingerprint(k)) is not None}
        heads = {head for k in keyed for head in heads_of(k)}
        by_url = self._by_url(urls, site_id)
        moved = self._by_former_address([url for url in urls if url not in by_url], site_id)
        by_fp = self._pairs(_BY_FINGERPRINT, fps + list(heads), site_id)
        # whether another post's text begins as the one each head is held by
        shared = [shared_head_key(head, by_fp[head]) for head in heads if head in by_fp]
        by_fp |= self._pairs(_BY_FINGERPRINT, shared, site_id)
        known = self._known(by_url | moved, by_fp, run_id, next_ids)
        known.moved_urls = set(moved)
        return known

    def read_listed(
        self, urls: list[str], site_id: int | None, run_id: int, next_ids: tuple[int, int]
    ) -> Known:
        """Return what the archive holds for the card URLs a page that answered 304 lists.

        Only a post with aliases can have a repost to split off: without one, the posts the
        URLs name are all the page needs (most 304s of a re-crawl)."""
        by_url = self._by_url(urls, site_id)
        lean = Known(by_url, {}, {}, *next_ids)
        self._load_aliases(lean, run_id)
        return self._known(by_url, {}, run_id, next_ids) if lean.aliases else lean

    def last_listed(self, site_id: int | None, page_url: str, run_id: int) -> list[str]:
        """Return the card URLs (canonical) the page listed when a run before ``run_id``
        last read it."""
        params = {"site": site_id, "url": page_url, "run": run_id}
        return [canonical_url(url) for url in self.conn.execute(_LAST_LISTED, params).scalars()]

    def listed_in(self, run_id: int) -> dict[int, set[str]]:
        """Return, by post, the URLs pages of run ``run_id`` that answered 304 list: kept
        here as those pages are written (they leave no sightings)."""
        return self._listed.setdefault(run_id, {})

    def _known(
        self,
        by_url: dict[str, int],
        by_fp: dict[str, int],
        run_id: int,
        next_ids: tuple[int, int],
    ) -> Known:
        current = self._current(set(by_url.values()) | set(by_fp.values()), run_id)
        known = Known(by_url, by_fp, current, *next_ids)
        known.one_moment = self._kind(run_id) == RunKind.CRAWL
        self._load_siblings(known)
        self._load_candidates(known, run_id)
        self._load_aliases(known, run_id)
        listed = self.listed_in(run_id)
        known.listed_unchanged = {p: set(listed[p]) for p in current.keys() & listed.keys()}
        return known

    def sighted_in(self, run_id: int) -> set[int]:
        """Return the posts run ``run_id`` has sighted (read from the archive the first time);
        the writer adds the posts of every page it writes."""
        if run_id not in self._sighted:
            rows = self.conn.execute(_SIGHTED_IN_RUN, {"run": run_id}).scalars()
            self._sighted[run_id] = set(rows)
        return self._sighted[run_id]

    def _kind(self, run_id: int) -> str:
        if run_id not in self._kinds:
            self._kinds[run_id] = self.conn.execute(_RUN_KIND, {"run": run_id}).scalar_one()
        return self._kinds[run_id]

    def _load_candidates(self, known: Known, run_id: int) -> None:
        """Which known posts the run has sighted; the URLs of those a fingerprint points to."""
        found = list(set(known.by_fingerprint.values()) | set(known.by_url.values()))
        if not found:
            return
        known.sighted_in_run = self.sighted_in(run_id) & set(found)
        candidates = list(set(known.by_fingerprint.values()) - set(known.by_url.values()))
        if candidates:
            for url, post_id in fetch_rows(self.conn, _URLS_OF_POSTS, {"keys": candidates}):
                # as this version spells it: an earlier one kept escaped non-ASCII paths
                plain = url if url.isascii() and "%" not in url else canonical_url(url)
                known.urls_of.setdefault(post_id, set()).add(plain)

    def _load_aliases(self, known: Known, run_id: int) -> None:
        """For the posts a URL points to: their aliases, those taken this run, and the
        run's sightings."""
        listed = list(set(known.by_url.values()))
        if not listed:
            return
        params = {"run": run_id, "keys": listed}
        for post_id, alias, is_fresh in fetch_rows(self.conn, _ALIASES, params):
            known.aliases.setdefault(post_id, set()).add(alias)
            if is_fresh:
                known.fresh_aliases.add(alias)
        if not known.aliases:
            return
        params = {"run": run_id, "keys": list(known.aliases)}
        for post_id, *sighting in fetch_rows(self.conn, _RUN_SIGHTINGS, params):
            known.run_sightings.setdefault(post_id, []).append(RunSighting(*sighting))

    def _by_url(self, urls: list[str], site_id: int | None) -> dict[str, int]:
        """Return the posts the URLs name, found too under the spelling an archive of an
        earlier version stored them in (a non-ASCII path escaped)."""
        spelt = {other: url for url in urls if not url.isascii() for other in other_spellings(url)}
        found = self._pairs(_BY_URL, urls + list(spelt), site_id)
        for other, url in spelt.items():
            if other in found:
                found.setdefault(url, found[other])
        return found

    def _by_former_address(self, urls: list[str], site_id: int | None) -> dict[str, int]:
        """Return the posts the URLs name at another address the site was crawled at (it
        moved from ``http:`` to ``https:``, or to ``www.``): the same path there."""
        origins = self._origins(site_id)
        if len(origins) < 2 or not urls:  # the site never moved: most, and no query
            return {}
        at = {
            other: url
            for url in urls
            for origin in origins
            if _is_spelt_otherwise(url, other := _at_origin(url, origin))
        }
        return {at[other]: post_id for other, post_id in self._by_url(list(at), site_id).items()}

    def _origins(self, site_id: int | None) -> list[str]:
        """The origins (scheme and host) the site's crawls started at, read once."""
        if site_id not in self._site_origins:
            rows = self.conn.execute(_CRAWL_URLS, {"site": site_id}).scalars()
            self._site_origins[site_id] = sorted({_origin(url) for url in rows})
        return self._site_origins[site_id]

    def _pairs(self, query: Any, keys: list[str], site_id: int | None) -> dict[str, int]:
        if not keys:
            return {}
        params = {"keys": keys, "site": site_id}
        return {key: post_id for key, post_id in fetch_rows(self.conn, query, params)}

    def _current(self, post_ids: set[int], run_id: int) -> dict[int, Current]:
        if not post_ids:
            return {}
        rows = fetch_rows(self.conn, _CURRENT, {"keys": list(post_ids)})
        return {
            row[1]: Current(row[1], row[0], row[2], fields_of_row(row[4:]), row[3] == run_id)
            for row in rows
        }

    def _load_siblings(self, known: Known) -> None:
        """The fields of the versions made beside each post's current one, in its crawl."""
        edited = [post_id for post_id, current in known.current.items() if current.version > 1]
        if not edited:  # a post of one version has none beside it: most, and no query
            return
        for post_id, *fields in fetch_rows(self.conn, _SIBLINGS, {"keys": edited}):
            known.siblings.setdefault(post_id, []).append(fields_of_row(fields))


def fields_of_row(row: Sequence[Any]) -> Fields:
    """Return the fields of a version row's columns title .. truncated."""
    title, category, categories, tags, published, published_at, excerpt, truncated = row
    return Fields(
        title=title,
        category=category,
        categories=tuple(orjson.loads(categories or "[]")),
        tags=tuple(orjson.loads(tags or "[]")),
        published=published,
        published_at=published_at,
        excerpt=excerpt,
        truncated=bool(truncated),
    )


def _origin(url: str) -> str:
    """The scheme and host of a URL, as a canonical URL spells them."""
    parts = urlsplit(canonical_url(url))
    return f"{parts.scheme}://{parts.netloc}"


def _is_spelt_otherwise(url: str, other: str) -> bool:
    """Tell whether ``other`` is ``url`` spelt otherwise, not another host's address."""
    return other != url and spelling_key(other) == spelling_key(url)


def _at_origin(url: str, origin: str) -> str:
    """Return a canonical ``url`` with the scheme and host of ``origin``."""
    scheme, _, netloc = origin.partition("://")
    return urlunsplit(urlsplit(url)._replace(scheme=scheme, netloc=netloc))
