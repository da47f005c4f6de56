"""How a card without a URL (a text capture's) is known: by its text's fingerprint; by
that and its date where the parts of a series show one text; failing both, by the head of
its text, which captures that cut its excerpt at other lengths share. Pure functions of
the dedupe stage, on the keys the archive holds (``Known``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from feedkeeper.identity import contradicts, head_key, is_cut_of, shared_head_key
from feedkeeper.text import fold_for_fingerprint
from feedkeeper.versions import fields_of

if TYPE_CHECKING:
    from feedkeeper.dedupe import KeyedCard
    from feedkeeper.page_changes import Known


def dated_fingerprint(item: KeyedCard) -> str | None:
    """The key of a card without a URL whose text another post of another date shows (the
    parts of a series with one teaser, in a capture): its fingerprint and its date."""
    if item.url is not None or item.fingerprint is None or item.card.published is None:
        return None
    return f"{item.fingerprint}@{item.card.published}"


def heads_of(item: KeyedCard) -> tuple[str, ...]:
    """The head keys of a card without a URL (``head_key``), which the captures of its post
    that cut the excerpt at other lengths share: with its date first (the parts of a series
    with one teaser have their own), then without."""
    head = None if item.url is not None else head_key(item.card.title, item.folded_excerpt)
    if head is None:
        return ()
    day = item.card.published
    return (f"{head}@{day}", head) if day is not None else (head,)


def by_text(item: KeyedCard, known: Known) -> tuple[int | None, str | None]:
    """The post a card without a URL shows, and the key its text is known by: its
    fingerprint, or with its date where a post of another date shows the same text (the
    parts of a series); failing both, the post whose excerpt it shows cut otherwise."""
    fp = item.fingerprint
    post_id = known.by_fingerprint.get(fp) if fp is not None else None
    if post_id is not None:
        dated = dated_fingerprint(item)
        shown = known.current[post_id].fields.published
        if dated is not None and shown is not None and shown != item.card.published:
            fp, post_id = dated, known.by_fingerprint.get(dated)
    if post_id is None:
        post_id = _cut_alike(item, known)
    return post_id, fp


def _cut_alike(item: KeyedCard, known: Known) -> int | None:
    """The post whose excerpt a card without a URL shows cut at another length: the one
    post whose text begins as the card's, of no other date or category."""
    owners = [(head, known.by_fingerprint.get(head)) for head in heads_of(item)]
    head, owner = next(((h, o) for h, o in owners if o is not None), ("", None))
    if owner is None or shared_head_key(head, owner) in known.by_fingerprint:
        return None  # no post begins so, or more than one does
    fields = known.current[owner].fields
    if contradicts(fields, fields_of(item.card)):
        return None
    told = fold_for_fingerprint(fields.excerpt or "")
    if not is_cut_of(told, item.folded_excerpt):
        return None
    if len(told) < len(item.folded_excerpt):
        shorter = (fields.excerpt, fields.truncated)
    else:
        shorter = (item.card.excerpt, item.card.truncated)
    return None if _is_whole(*shorter) else owner


# How a whole excerpt ends: a sentence, and no ellipsis.
_SENTENCE_ENDS = ("。", "！", "？", ".", "!", "?")


def _is_whole(excerpt: str | None, truncated: bool) -> bool:
    """Tell whether an excerpt is the whole of its text, no cut of a longer one: it ends a
    sentence, with no ellipsis (a post whose teaser another post's excerpt begins with)."""
    return not truncated and (excerpt or "").rstrip().endswith(_SENTENCE_ENDS)


def heads_to_note(item: KeyedCard, post_id: int, by_fingerprint: Mapping[str, int]) -> list[str]:
    """The keys to keep for post ``post_id`` shown by ``item``: the heads of its text no
    post holds yet, and a mark on each head another post holds (``shared_head_key``)."""
    keys = []
    for head in heads_of(item):
        owner = by_fingerprint.get(head)
        if owner is None:
            keys.append(head)
        elif owner != post_id and (shared := shared_head_key(head, owner)) not in by_fingerprint:
            keys.append(shared)
    return keys
