"""The dedupe stage: which post each card of a page is, and whether it shows anything new.

Pure functions, on the keys the archive holds (``Known``). A post is known by its
canonical URL (``identity``). A card under another URL is a
repost of a known post only on strong evidence (``is_repost_evidence``, ``contradicts``):
the same title and the same substantial excerpt, and no sign of two posts. A false
merge loses a post, a missed repost only costs an alias, so doubt keeps two posts. A field
a card does not show is unknown, never a change; a field learned for the first
time fills in the current version; a different value makes a new version (``versions``).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from feedkeeper.cards import Card, pickled_by_fields
from feedkeeper.identity import TextKey, canonical_url, contradicts, spelling_key, text_key
from feedkeeper.kept import keep_short
from feedkeeper.page_changes import (
    Current,
    Known,
    NewPost,
    PageChanges,
    Sighting,
    Split,
    VersionRow,
)
from feedkeeper.text_identity import by_text, heads_to_note
from feedkeeper.versions import Change, Fields, fields_of, merge

# The dedupe stage: a page's cards against what the archive knows of their keys.


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class KeyedCard:
    """A card with the keys a post is known by: canonical URL and title+excerpt fingerprint,
    and what dedupe weighs a possible repost by (its text folded once, in the parse stage)."""

    card: Card
    url: str | None
    fingerprint: str | None
    folded_excerpt: str
    is_evidence: bool  # ``is_repost_evidence`` of its title and excerpt


def key_cards(cards: list[Card]) -> list[KeyedCard]:
    """Return each card with its canonical URL, fingerprint and folded text."""
    return [_keyed(card, _text_key(card.title, card.excerpt)) for card in cards]


def _keyed(card: Card, key: TextKey) -> KeyedCard:
    url = canonical_url(card.url) if card.url else None
    return KeyedCard(card, url, key.fingerprint, key.folded_excerpt, key.is_evidence)


def dedupe_page(keyed: list[KeyedCard], known: Known, skipped: int = 0) -> PageChanges:
    """Decide for every card: a new post, a repost, a new version, a fill-in, or nothing new.

    ``known`` is updated as the cards are read, so a post shown twice on a page is one post.
    """
    changes = PageChanges()
    page = _Survey(keyed)
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


def dedupe_unchanged(urls: list[str], known: Known) -> PageChanges:
    """Decide what a page that answered 304 shows: the posts it listed when last read,
    under their own URLs (``urls``, canonical), as their own cards would. The reposts this
    run took for them are split off; the URLs are noted, for the run's later pages."""
    changes = PageChanges()
    for url in urls:
        post_id = known.by_url.get(url)
        # An alias stays: its card, not read again, is not there to be made a post of.
        if post_id is not None and url not in known.aliases.get(post_id, ()):
            _undo_contradicted_reposts(post_id, url, known, changes)
            changes.listed.append((url, post_id))
    return changes


class _Survey:
    """What the whole page shows: its card URLs, and excerpts it shows under two URLs."""

    def __init__(self, keyed: list[KeyedCard]) -> None:
        self._keyed = keyed
        self.urls = frozenset(item.url for item in keyed if item.url is not None)

    @functools.cached_property
    def shared_excerpts(self) -> frozenset[str]:
        """Excerpts (folded, in the parse stage) the page shows under two URLs: stock text,
        no evidence of a repost. Worked out only for a page with a repost to weigh."""
        urls_by_excerpt: dict[str, set[str]] = {}
        for item in self._keyed:
            if item.url is not None:
                urls_by_excerpt.setdefault(item.folded_excerpt, set()).add(item.url)
        return frozenset(text for text, urls in urls_by_excerpt.items() if len(urls) > 1)


def _identify(item: KeyedCard, known: Known, changes: PageChanges, page: _Survey) -> int:
    if item.url is None:  # a capture without links: the text is all there is to go by
        post_id, fp = by_text(item, known)
    else:
        post_id, fp = known.by_url.get(item.url), item.fingerprint
        if post_id is not None and item.url in known.moved_urls:  # its address spelt anew
            known.moved_urls.discard(item.url)
            _add_url(item.url, post_id, known, changes)
        holder = known.by_fingerprint.get(fp) if post_id is None and fp is not None else None
        if holder is not None and _is_other_spelling(item.url, holder, known):
            post_id = holder  # its own card, its address spelt otherwise
            _add_url(item.url, holder, known, changes)
        elif holder is not None and _is_repost(item, item.url, holder, known, changes, page):
            _add_url(item.url, holder, known, changes)
            changes.outcome.reposts += 1
            # Sighted only: what it shows besides the text waits until the alias has
            # outlived this run, where the post's own card may still split it off.
            return holder
    if post_id is None:
        return _new_post(item, known, changes, fp)
    if item.url is not None:
        if _is_listed_apart(post_id, item.url, known, changes, page):
            return _take_apart(item, post_id, known, changes)
        _undo_contradicted_reposts(post_id, item.url, known, changes)
    _update(post_id, fields_of(item.card), known, changes)
    if fp is not None and fp not in known.by_fingerprint:
        _add_fingerprint(fp, post_id, known, changes)
    _note_heads(item, post_id, known, changes)
    return post_id


def _is_other_spelling(url: str, post_id: int, known: Known) -> bool:
    """Tell whether ``url`` spells an address of the post ``post_id`` otherwise (``/p/x``
    beside ``/p/x/``, ``/p/x/index.html``, ``%2f`` beside ``%2F``): its stored URLs and
    those this page gave it."""
    key = spelling_key(url)
    listed = (known_url for known_url, owner in known.by_url.items() if owner == post_id)
    stored = known.urls_of.get(post_id, ())
    return any(spelling_key(known_url) == key for known_url in itertools.chain(stored, listed))


def _is_repost(
    item: KeyedCard, url: str, post_id: int, known: Known, changes: PageChanges, page: _Survey
) -> bool:
    """Tell whether a card shows the known post ``post_id`` under another URL.

    Only on strong evidence: a title and a substantial excerpt that are not stock text
    of this page, the same date if both show one, and the known post not listed as a
    card of its own in this crawl.
    """
    if not item.is_evidence or item.folded_excerpt in page.shared_excerpts:
        return False
    if contradicts(known.current[post_id].fields, fields_of(item.card)):
        return False
    if post_id in changes.touched or post_id in known.sighted_in_run:
        return False
    if post_id in known.listed_unchanged:
        return False
    return not (known.urls_of.get(post_id, set()) - {url}) & page.urls


def _undo_contradicted_reposts(post_id: int, url: str, known: Known, changes: PageChanges) -> None:
    """Split off the reposts of a post now listed under its own URL, whose cards the crawl
    showed earlier.

    A card under another URL was taken for this post, in this crawl or an earlier one;
    the post's own card in the same crawl says they are two posts after all. Another
    spelling of the card's address (``/p/x`` beside ``/p/x/``) is that post whatever the
    crawl shows.
    """
    aliases = known.aliases.get(post_id)
    if not aliases:
        return
    key = spelling_key(url)
    for alias in sorted(aliases):
        if spelling_key(alias) != key and _split_off(post_id, alias, known, changes):
            aliases.discard(alias)


def _is_listed_apart(
    post_id: int, url: str, known: Known, changes: PageChanges, page: _Survey
) -> bool:
    """Tell whether ``url``, an alias a crawl took the post for, is listed apart from the
    post's own card in this crawl: on this page, or on a page before (where the alias's
    card came second, so that the post's own card found nothing to split off)."""
    aliases = known.aliases.get(post_id)
    if not aliases or url not in aliases:
        return False
    key = spelling_key(url)
    shown = [u for u in page.urls if known.by_url.get(u) == post_id]
    shown += [s.card_url for s in known.run_sightings.get(post_id, ()) if s.card_url]
    shown += [s.card_url for s in changes.sightings if s.post_id == post_id and s.card_url]
    shown += known.listed_unchanged.get(post_id, ())
    return any(
        (own := canonical_url(card_url)) not in aliases and spelling_key(own) != key
        for card_url in shown
    )


def _take_apart(item: KeyedCard, post_id: int, known: Known, changes: PageChanges) -> int:
    """Make the card's URL, an alias of ``post_id``, a post of its own as the card shows it;
    the alias's sightings of earlier crawls stay with the post it was taken for."""
    assert item.url is not None
    known.aliases[post_id].discard(item.url)
    changes.freed_urls.append(item.url)
    return _new_post(item, known, changes, item.fingerprint)


def _split_off(post_id: int, alias: str, known: Known, changes: PageChanges) -> bool:
    """Make ``alias`` a post of its own with the version and sightings it had this run
    (none: the crawl did not show it, nothing to split); its sightings of earlier runs
    stay with the post it was taken for."""
    sightings = [
        s
        for s in known.run_sightings.get(post_id, [])
        if s.card_url and canonical_url(s.card_url) == alias
    ]
    if not sightings:
        return False
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
    if alias in known.fresh_aliases:  # counted as a repost by this run
        changes.outcome.reposts -= 1
    changes.outcome.new_posts += 1
    return True


def _new_post(item: KeyedCard, known: Known, changes: PageChanges, fingerprint: str | None) -> int:
    """Add a post; ``fingerprint`` is its key's: the card's own, or the card's with its
    date when another post of another date holds the card's own (``dated_fingerprint``)."""
    post_id = known.next_post_id
    known.next_post_id += 1
    key = item.url if item.url is not None else f"excerpt:{fingerprint}"
    changes.posts.append(NewPost(post_id, key, item.url))
    if item.url is not None:
        _add_url(item.url, post_id, known, changes)
    if fingerprint is not None and fingerprint not in known.by_fingerprint:
        _add_fingerprint(fingerprint, post_id, known, changes)  # a look-alike keeps its
    # The card's fields are its first version's: the fingerprint it was keyed by is theirs.
    _new_version(post_id, 1, fields_of(item.card), known, changes, item.fingerprint)
    _note_heads(item, post_id, known, changes)
    changes.outcome.new_posts += 1
    return post_id


def _update(post_id: int, seen: Fields, known: Known, changes: PageChanges) -> None:
    current = known.current[post_id]
    merged, change = merge(current.fields, seen)
    if change is Change.CHANGED:
        if _is_shown_beside(post_id, seen, known):
            return
        # the versions this run made of the post, beside the one it makes now
        beside = current.in_run and known.one_moment
        made = [*known.siblings.get(post_id, []), current.fields] if beside else []
        known.siblings[post_id] = made
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


def _is_shown_beside(post_id: int, seen: Fields, known: Known) -> bool:
    """Tell whether a card shows a version the crawl of the post's current one made beside
    it: a post a crawl shows two ways (a pinned block's card and the listing's) is no new
    version in every crawl after, as each card of it comes round again."""
    return any(
        merge(fields, seen)[1] is Change.UNCHANGED for fields in known.siblings.get(post_id, ())
    )


def _note_heads(item: KeyedCard, post_id: int, known: Known, changes: PageChanges) -> None:
    for key in heads_to_note(item, post_id, known.by_fingerprint):
        _add_fingerprint(key, post_id, known, changes)


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


def _fp(title: str | None, excerpt: str | None) -> str | None:
    return _text_key(title, excerpt).fingerprint


# Text longer than this is keyed afresh each time, not kept: a listing's titles and excerpts
# are a few hundred characters, and a hostile page's could be megabytes.
KEPT_TEXT_CHARS = 4096


def _text_chars(title: str | None, excerpt: str | None) -> int:
    return len(title or "") + len(excerpt or "")


@keep_short(maxsize=4096, chars=KEPT_TEXT_CHARS, size=_text_chars)
def _text_key(title: str | None, excerpt: str | None) -> TextKey:
    """The text's keys, worked out once for the same title and excerpt (pinned posts, versions)."""
    return text_key(title, excerpt)
