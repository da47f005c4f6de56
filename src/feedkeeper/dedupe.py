"""Identity and change: which post a card is, and whether it shows anything new.

Pure functions. A post is known by its canonical URL. A card under another URL is a
repost of a known post only on strong evidence (``is_repost_evidence``, ``contradicts``):
the same title and the same substantial excerpt, and no sign of two posts. A false
merge loses a post, a missed repost only costs an alias, so doubt keeps two posts. A field
a card does not show is unknown, never a change; a field learned for the first
time fills in the current version; a different value makes a new version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from enum import Enum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feedkeeper.cards import Card
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
