"""Identity and change: which post a card is, and whether it shows anything new.

Pure functions. A post is known by its canonical URL. A card under another URL is a
repost of a known post only on strong evidence (``is_repost_evidence``, ``contradicts``):
the same title and the same substantial excerpt, and no sign of two posts. A false
merge loses a post, a missed repost only costs an alias, so doubt keeps two posts. A field
a card does not show is unknown, never a change; a field learned for the first
time fills in the current version; a different value makes a new version.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, replace
from enum import Enum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feedkeeper.cards import Card, pickled_by_fields
from feedkeeper.text import fold_for_fingerprint


@dataclass(slots=True)
class PageOutcome:
    """What storing one page's cards changed in the archive."""

    cards: int = 0
    cards_skipped: int = 0
    new_posts: int = 0
    new_versions: int = 0
    filled_in: int = 0
    reposts: int = 0
    placeholders_found: int = 0

    @property
    def is_news(self) -> bool:
        """True when the page brought a new post, a new version or a filled-in value."""
        return bool(self.new_posts or self.new_versions or self.filled_in)


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


# Fewer letters and digits than this, once folded, is too little text to tell two
# posts apart ("Read more", "TBD", a one-line teaser shared by a series).
MIN_EVIDENCE_CHARS = 12


def is_repost_evidence(title: str | None, excerpt: str | None) -> bool:
    """Tell whether a title and excerpt say enough to recognise a post under another URL."""
    folded_title = fold_for_fingerprint(title or "")
    folded_excerpt = fold_for_fingerprint(excerpt or "")
    if not folded_title or len(folded_excerpt) < MIN_EVIDENCE_CHARS:
        return False
    return folded_excerpt != folded_title  # an excerpt that only repeats the title adds nothing


def contradicts(known: Fields, seen: Fields) -> bool:
    """Tell whether two sightings with the same text must still be two posts (other dates)."""
    return (
        known.published is not None
        and seen.published is not None
        and (known.published != seen.published)
    )


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


@pickled_by_fields
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
    # Of the posts a fingerprint points to: their URLs; of all found: those this run sighted.
    urls_of: dict[int, set[str]] = field(default_factory=dict)
    sighted_in_run: set[int] = field(default_factory=set)
    # Of the posts a URL points to: the aliases this run took for them as reposts, and
    # this run's sightings of them, for splitting off a repost the crawl contradicts.
    fresh_aliases: dict[int, set[str]] = field(default_factory=dict)
    run_sightings: dict[int, list[RunSighting]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunSighting:
    """A sighting the current run stored earlier (in another page)."""

    sighting_id: int
    version: int
    card_url: str | None
    seen_at: str


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


@dataclass(frozen=True, slots=True)
class Split:
    """An alias taken back from a post: a post of its own, with its version and sightings."""

    post_id: int  # the new post
    alias: str
    source_post_id: int
    source_version: int  # the version of the source post its sightings saw
    version_id: int  # the new post's version 1, a copy of that version
    first_seen: str
    last_seen: str
    sighting_ids: tuple[int, ...]


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
    splits: list[Split] = field(default_factory=list)  # reposts of this run taken back
    outcome: PageOutcome = field(default_factory=PageOutcome)


def dedupe_page(keyed: list[KeyedCard], known: Known, skipped: int = 0) -> PageChanges:
    """Decide for every card: a new post, a repost, a new version, a fill-in, or nothing new.

    ``known`` is updated as the cards are read, so a post shown twice on a page is one post.
    """
    changes = PageChanges()
    page = _Survey.of(keyed)
    for position, item in enumerate(keyed, start=1):
        if item.url is None and item.fingerprint is None:
            skipped += 1  # nothing to know the post by
            continue
        post_id = _identify(item, known, changes, page)
        current = known.current[post_id]
        if post_id not in known.sighted_in_run:  # its first card in the run tells
            changes.pinned.setdefault(post_id, item.card.pinned)
        changes.touched.add(post_id)
        changes.sightings.append(Sighting(post_id, current.version, position, item.card.url))
        changes.outcome.cards += 1
    changes.outcome.cards_skipped = skipped
    return changes


@dataclass(frozen=True, slots=True)
class _Survey:
    """What the whole page shows: its card URLs, and excerpts it shows under two URLs."""

    urls: frozenset[str]
    shared_excerpts: frozenset[str]  # stock text, folded: no evidence of a repost

    @classmethod
    def of(cls, keyed: list[KeyedCard]) -> _Survey:
        urls_by_excerpt: dict[str, set[str]] = {}
        for item in keyed:
            if item.url is not None:
                excerpt = fold_for_fingerprint(item.card.excerpt or "")
                urls_by_excerpt.setdefault(excerpt, set()).add(item.url)
        shared = {text for text, urls in urls_by_excerpt.items() if len(urls) > 1}
        urls = {item.url for item in keyed if item.url is not None}
        return cls(frozenset(urls), frozenset(shared))


def _identify(item: KeyedCard, known: Known, changes: PageChanges, page: _Survey) -> int:
    post_id = known.by_url.get(item.url) if item.url else None
    fp = item.fingerprint
    if post_id is None and fp is not None and fp in known.by_fingerprint:
        if item.url is None:  # a capture without links: the text is all there is to go by
            post_id = known.by_fingerprint[fp]
        elif _is_repost(item, item.url, known.by_fingerprint[fp], known, changes, page):
            post_id = known.by_fingerprint[fp]
            _add_url(item.url, post_id, known, changes)
            changes.outcome.reposts += 1
    if post_id is None:
        return _new_post(item, known, changes)
    if item.url is not None:
        _undo_contradicted_reposts(post_id, item.url, known, changes)
    _update(post_id, fields_of(item.card), known, changes)
    if fp is not None and fp not in known.by_fingerprint:
        _add_fingerprint(fp, post_id, known, changes)
    return post_id


def _is_repost(
    item: KeyedCard, url: str, post_id: int, known: Known, changes: PageChanges, page: _Survey
) -> bool:
    """Tell whether a card shows the known post ``post_id`` under another URL.

    Only on strong evidence: a title and a substantial excerpt that are not stock text
    of this page, the same date if both show one, and the known post not listed as a
    card of its own in this crawl.
    """
    card = item.card
    if not is_repost_evidence(card.title, card.excerpt):
        return False
    if fold_for_fingerprint(card.excerpt or "") in page.shared_excerpts:
        return False
    if contradicts(known.current[post_id].fields, fields_of(card)):
        return False
    if post_id in changes.touched or post_id in known.sighted_in_run:
        return False
    return not (known.urls_of.get(post_id, set()) - {url}) & page.urls


def _undo_contradicted_reposts(post_id: int, url: str, known: Known, changes: PageChanges) -> None:
    """Split off the reposts this run inferred for a post now listed under its own URL.

    A card seen earlier in the run under another URL was taken for this post; the
    post's own card in the same crawl says they are two posts after all.
    """
    for alias in sorted(known.fresh_aliases.pop(post_id, set()) - {url}):
        _split_off(post_id, alias, known, changes)
    known.fresh_aliases[post_id] = set()


def _split_off(post_id: int, alias: str, known: Known, changes: PageChanges) -> None:
    """Make ``alias`` a post of its own with the version and sightings it had this run."""
    sightings = [
        s
        for s in known.run_sightings.get(post_id, [])
        if s.card_url and canonical_url(s.card_url) == alias
    ]
    if not sightings:
        return
    new_id, version_id = known.next_post_id, known.next_version_id
    known.next_post_id, known.next_version_id = new_id + 1, version_id + 1
    seen = [s.seen_at for s in sightings]
    changes.splits.append(
        Split(
            new_id, alias, post_id, sightings[0].version, version_id, min(seen), max(seen),
            tuple(s.sighting_id for s in sightings),
        )
    )  # fmt: skip
    if alias in known.by_url:
        known.by_url[alias] = new_id
    changes.outcome.reposts -= 1
    changes.outcome.new_posts += 1


def _new_post(item: KeyedCard, known: Known, changes: PageChanges) -> int:
    post_id = known.next_post_id
    known.next_post_id += 1
    key = item.url if item.url is not None else f"excerpt:{item.fingerprint}"
    changes.posts.append(NewPost(post_id, key, item.url))
    if item.url is not None:
        _add_url(item.url, post_id, known, changes)
    if item.fingerprint is not None and item.fingerprint not in known.by_fingerprint:
        _add_fingerprint(item.fingerprint, post_id, known, changes)  # a look-alike keeps its
    # The card's fields are its first version's: the fingerprint it was keyed by is theirs.
    _new_version(post_id, 1, fields_of(item.card), known, changes, item.fingerprint)
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
    post_id: int,
    version: int,
    values: Fields,
    known: Known,
    changes: PageChanges,
    fp: str | None = None,
) -> None:
    """Add a version of ``values``; ``fp`` is their fingerprint when the caller knows it."""
    version_id = known.next_version_id
    known.next_version_id += 1
    if fp is None:
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
