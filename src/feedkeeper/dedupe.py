"""Identity and change: which post a card is, and whether it shows anything new.

Pure functions. A post is known by its canonical URL; a card under another URL
whose title+excerpt fingerprint matches a known post is a repost of it. A field
a card does not show is unknown, never a change; a field learned for the first
time fills in the current version; a different value makes a new version.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, replace
from enum import Enum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feedkeeper.cards import Card
from feedkeeper.records import PageOutcome
from feedkeeper.text import fold_for_fingerprint

# Query parameters that say where a click came from, not what is on the page.
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid"}
    | {"_hsenc", "_hsmi", "spm", "ref_src"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, fragment and tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(sorted(query)), ""))


def _is_tracking(param: str) -> bool:
    name = param.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def fingerprint(title: str | None, excerpt: str | None) -> str | None:
    """Return a stable digest of the normalised title and excerpt, None when both are empty."""
    folded_title = fold_for_fingerprint(title or "")
    folded_excerpt = fold_for_fingerprint(excerpt or "")
    if not folded_title and not folded_excerpt:
        return None
    digest = hashlib.sha256(f"{folded_title}\x1f{folded_excerpt}".encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Fields:
    """The values of a post version; None or () means not known yet."""

    title: str | None = None
    category: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    published: str | None = None
    published_at: str | None = None
    excerpt: str | None = None
    truncated: bool = False


def fields_of(card: Card) -> Fields:
    """Return the versioned fields a card shows."""
    return Fields(
        title=card.title,
        category=card.category,
        categories=card.categories,
        tags=card.tags,
        published=card.published,
        published_at=card.published_at,
        excerpt=card.excerpt,
        truncated=card.truncated,
    )


class Change(Enum):
    """What a sighting tells about a known post."""

    UNCHANGED = "unchanged"
    FILLED = "filled"  # learned a value that was unknown: update the current version
    CHANGED = "changed"  # a known value differs: a new version


def merge(current: Fields, seen: Fields) -> tuple[Fields, Change]:
    """Combine the current version with what a card shows; say what kind of change it is."""
    change = Change.UNCHANGED
    values: dict[str, str | None] = {}
    for name in ("title", "category", "published"):
        values[name], field_change = _merge_value(getattr(current, name), getattr(seen, name))
        change = max(change, field_change, key=_RANK.__getitem__)
    merged = replace(
        current, title=values["title"], category=values["category"], published=values["published"]
    )
    if merged.published != current.published or (seen.published_at and not current.published_at):
        merged = replace(merged, published_at=seen.published_at or current.published_at)
    excerpt, truncated, excerpt_change = _merge_excerpt(current, seen)
    merged = replace(merged, excerpt=excerpt, truncated=truncated)
    change = max(change, excerpt_change, key=_RANK.__getitem__)
    # Categories and tags are kept as last shown; a different set alone is no new version.
    for name in ("categories", "tags"):
        if getattr(seen, name) and getattr(seen, name) != getattr(current, name):
            merged = replace(merged, **{name: getattr(seen, name)})
            change = max(change, Change.FILLED, key=_RANK.__getitem__)
    return merged, change


_RANK = {Change.UNCHANGED: 0, Change.FILLED: 1, Change.CHANGED: 2}


def _merge_value(current: str | None, seen: str | None) -> tuple[str | None, Change]:
    if seen is None or seen == current:
        return current, Change.UNCHANGED
    if current is None:
        return seen, Change.FILLED
    return seen, Change.CHANGED


def _merge_excerpt(current: Fields, seen: Fields) -> tuple[str | None, bool, Change]:
    """Excerpts cut at another length are the same text, not an edit."""
    if seen.excerpt is None or seen.excerpt == current.excerpt:
        return current.excerpt, current.truncated, Change.UNCHANGED
    if current.excerpt is None:
        return seen.excerpt, seen.truncated, Change.FILLED
    old, new = fold_for_fingerprint(current.excerpt), fold_for_fingerprint(seen.excerpt)
    if seen.truncated and old.startswith(new):
        return current.excerpt, current.truncated, Change.UNCHANGED
    if current.truncated and new.startswith(old):
        return seen.excerpt, seen.truncated, Change.FILLED
    return seen.excerpt, seen.truncated, Change.CHANGED


# The dedupe stage: a page's cards against what the archive knows of their keys.


@dataclass(frozen=True, slots=True)
class KeyedCard:
    """A card with the keys a post is known by: canonical URL and title+excerpt fingerprint."""

    card: Card
    url: str | None
    fingerprint: str | None


def key_cards(cards: list[Card]) -> list[KeyedCard]:
    """Return each card with its canonical URL and fingerprint."""
    return [
        KeyedCard(
            card, canonical_url(card.url) if card.url else None, _fp(card.title, card.excerpt)
        )
        for card in cards
    ]


@dataclass(slots=True)
class Current:
    """A post's current version, as the dedupe of a page sees it."""

    post_id: int
    version_id: int
    version: int
    fields: Fields


@dataclass(slots=True)
class Known:
    """What the archive holds for a page's keys, and the next free ids: the stage's input."""

    by_url: dict[str, int]
    by_fingerprint: dict[str, int]
    current: dict[int, Current]
    next_post_id: int
    next_version_id: int


@dataclass(frozen=True, slots=True)
class NewPost:
    """A post seen for the first time; ``key`` is its URL, or its fingerprint without one."""

    post_id: int
    key: str
    url: str | None


@dataclass(frozen=True, slots=True)
class VersionRow:
    """The values of a version to insert (new) or to update in place (filled in)."""

    version_id: int
    post_id: int
    version: int
    fields: Fields
    fingerprint: str | None


@dataclass(frozen=True, slots=True)
class Sighting:
    """One card occurrence: which post, at which of its versions, where on the page."""

    post_id: int
    version: int
    position: int
    card_url: str | None


@dataclass(slots=True)
class PageChanges:
    """Everything one page changes in the archive: the dedupe stage's output."""

    posts: list[NewPost] = field(default_factory=list)
    versions: dict[int, VersionRow] = field(default_factory=dict)  # new, by version id
    filled: dict[int, VersionRow] = field(default_factory=dict)  # stored, by version id
    urls: list[tuple[str, int]] = field(default_factory=list)  # (url, post id)
    fingerprints: list[tuple[str, int]] = field(default_factory=list)  # (fingerprint, post id)
    sightings: list[Sighting] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # posts sighted
    pinned: dict[int, bool] = field(default_factory=dict)  # post id -> its first card's badge
    moved: dict[int, int] = field(default_factory=dict)  # post id -> its new current version
    outcome: PageOutcome = field(default_factory=PageOutcome)


def dedupe_page(keyed: list[KeyedCard], known: Known, skipped: int = 0) -> PageChanges:
    """Decide for every card: a new post, a repost, a new version, a fill-in, or nothing new.

    ``known`` is updated as the cards are read, so a post shown twice on a page is one post.
    """
    changes = PageChanges()
    for position, item in enumerate(keyed, start=1):
        if item.url is None and item.fingerprint is None:
            skipped += 1  # nothing to know the post by
            continue
        post_id = _identify(item, known, changes)
        current = known.current[post_id]
        changes.pinned.setdefault(post_id, item.card.pinned)
        changes.touched.add(post_id)
        changes.sightings.append(Sighting(post_id, current.version, position, item.card.url))
        changes.outcome.cards += 1
    changes.outcome.cards_skipped = skipped
    return changes


def _identify(item: KeyedCard, known: Known, changes: PageChanges) -> int:
    post_id = known.by_url.get(item.url) if item.url else None
    fp = item.fingerprint
    if post_id is None and fp is not None and fp in known.by_fingerprint:
        post_id = known.by_fingerprint[fp]
        if item.url is not None:  # the same post under a second URL: a repost
            _add_url(item.url, post_id, known, changes)
            changes.outcome.reposts += 1
    if post_id is None:
        return _new_post(item, known, changes)
    _update(post_id, fields_of(item.card), known, changes)
    if fp is not None and fp not in known.by_fingerprint:
        _add_fingerprint(fp, post_id, known, changes)
    return post_id


def _new_post(item: KeyedCard, known: Known, changes: PageChanges) -> int:
    post_id = known.next_post_id
    known.next_post_id += 1
    key = item.url if item.url is not None else f"excerpt:{item.fingerprint}"
    changes.posts.append(NewPost(post_id, key, item.url))
    if item.url is not None:
        _add_url(item.url, post_id, known, changes)
    if item.fingerprint is not None:
        _add_fingerprint(item.fingerprint, post_id, known, changes)
    _new_version(post_id, 1, fields_of(item.card), known, changes)
    changes.outcome.new_posts += 1
    return post_id


def _update(post_id: int, seen: Fields, known: Known, changes: PageChanges) -> None:
    current = known.current[post_id]
    merged, change = merge(current.fields, seen)
    if change is Change.CHANGED:
        _new_version(post_id, current.version + 1, merged, known, changes)
        changes.moved[post_id] = current.version + 1
        changes.outcome.new_versions += 1
    elif change is Change.FILLED:
        current.fields = merged
        row = VersionRow(
            current.version_id, post_id, current.version, merged, _fp(merged.title, merged.excerpt)
        )
        if current.version_id in changes.versions:  # still to insert: insert the filled values
            changes.versions[current.version_id] = row
        else:
            changes.filled[current.version_id] = row
        changes.outcome.filled_in += 1


def _new_version(
    post_id: int, version: int, values: Fields, known: Known, changes: PageChanges
) -> None:
    version_id = known.next_version_id
    known.next_version_id += 1
    fp = _fp(values.title, values.excerpt)
    changes.versions[version_id] = VersionRow(version_id, post_id, version, values, fp)
    known.current[post_id] = Current(post_id, version_id, version, values)


def _add_url(url: str, post_id: int, known: Known, changes: PageChanges) -> None:
    known.by_url[url] = post_id
    changes.urls.append((url, post_id))


def _add_fingerprint(fp: str, post_id: int, known: Known, changes: PageChanges) -> None:
    known.by_fingerprint[fp] = post_id
    changes.fingerprints.append((fp, post_id))


@functools.lru_cache(maxsize=4096)
def _fp(title: str | None, excerpt: str | None) -> str | None:
    """The fingerprint, computed once for the same title and excerpt (pinned posts, versions)."""
    return fingerprint(title, excerpt)
