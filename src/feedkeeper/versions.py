"""What a sighting changes in a post's current version, field by field.

A field a card does not show is unknown, never a change; a field learned for the first
time fills in the current version; a different value makes a new version. A shortened
excerpt that agrees with the longer one already known changes nothing. Pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from feedkeeper.cards import Card
from feedkeeper.text import fold_for_comparison


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
    """A value shown again, the same but for spacing, full-width forms or Unicode's
    composition (NFC, NFD), is unchanged: no version for what no reader sees."""
    if seen is None or seen == current:
        return current, Change.UNCHANGED
    if current is None:
        return seen, Change.FILLED
    if fold_for_comparison(seen) == fold_for_comparison(current):
        return current, Change.UNCHANGED
    return seen, Change.CHANGED


def _merge_excerpt(current: Fields, seen: Fields) -> tuple[str | None, bool, Change]:
    """Excerpts cut at another length, with or without an ellipsis, are the same text, not
    an edit (a listing's featured block cuts at 64 characters, its page shows more): the
    longer one is kept. So is one differing in spacing, full-width forms or composition."""
    if seen.excerpt is None or seen.excerpt == current.excerpt:
        return current.excerpt, current.truncated, Change.UNCHANGED
    if current.excerpt is None:
        return seen.excerpt, seen.truncated, Change.FILLED
    old, new = fold_for_comparison(current.excerpt), fold_for_comparison(seen.excerpt)
    if old.startswith(new):  # the same text, or less of it
        return current.excerpt, current.truncated, Change.UNCHANGED
    if new.startswith(old):  # more of it
        return seen.excerpt, seen.truncated, Change.FILLED
    return seen.excerpt, seen.truncated, Change.CHANGED
