"""Aligning an excerpt with its article to fill each placeholder from the block at its place.

The excerpt is folded into text chunks split at its placeholders; the chunks are
fitted to the article one after the other. A chunk starts right after the block the
previous placeholder met and ends before the block its own placeholder meets, so the
k-th placeholder is filled from the block at its place, never from the k-th block of
its kind. A placeholder is filled only when the chunk before it matches (and, for the
last one, the excerpt's remaining text matches as a prefix). After a chunk that does
not match, the block it ends at is unknown, so the next chunk is looked up afresh by
an exact run of its text and only has to match the text right before its block; a
chunk too short to be found that way is not guessed. After a chunk that matches where no
block of its kind stands (the page wrote the code as text), the next chunk is fitted
where the last one ended, else looked up afresh past the stray text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from feedkeeper.article.fit import BLOCK_COST, Fit, fit_chunk, is_close
from feedkeeper.article.fold import (
    LITERAL_TOKENS,
    MARKERS,
    ArticleStream,
    Stream,
    fold_article,
    fold_excerpt,
)
from feedkeeper.article.locate import SPREAD_SLACK, fit_at, fit_first, reach, spread
from feedkeeper.article.model import (
    REASON_LITERAL_TOKEN,
    REASON_NO_BLOCK,
    REASON_NO_TEX,
    REASON_TEXT_CHANGED,
    REASON_TOO_LONG,
    Article,
    Block,
    Recovery,
    fills,
)
from feedkeeper.cards import Placeholder, find_placeholders

# An excerpt longer than this (a whole post shown in the listing is some tens of
# thousands of characters) is not aligned: folding it alone would take gigabytes.
MAX_ALIGNED_EXCERPT = 200_000
# Text that matches exactly on both sides of a block, this much of it on each (letters; a
# CJK character counts two), places a placeholder whose chunk differs elsewhere.
_ANCHOR = 16
_CJK_START = 0x2E80
# A chunk after the block this short (fewer letters) is too little to place it by.
_SHORT_CHUNK = 4
_MARKER_KINDS = {marker: kind for kind, marker in MARKERS.items()}
# How far into the next chunk a label's text may start and still be that chunk's text.
_LABEL_DRIFT = 4


@dataclass(frozen=True, slots=True)
class _Place:
    """What the alignment says about one placeholder."""

    block: Block | None
    text_matches: bool


def recover_placeholders(excerpt: str, article: Article) -> list[Recovery]:
    """Fill each placeholder of ``excerpt`` from the article block standing at its place."""
    placeholders = find_placeholders(excerpt)
    if not placeholders:
        return []
    if len(excerpt) > MAX_ALIGNED_EXCERPT:  # a hostile card's megabytes: no memory for it
        return [
            Recovery(p.kind, p.ordinal, "unrecoverable", None, REASON_TOO_LONG)
            for p in placeholders
        ]
    chunks = fold_excerpt(excerpt, placeholders)
    places = _place_all(fold_article(article), chunks, [p.kind for p in placeholders])
    return [_outcome(p, place) for p, place in zip(placeholders, places, strict=True)]


def _outcome(placeholder: Placeholder, place: _Place) -> Recovery:
    """Return the recovery of one placeholder from what the alignment found."""
    kind, ordinal = placeholder.kind, placeholder.ordinal
    if not place.text_matches:
        return Recovery(kind, ordinal, "unrecoverable", None, REASON_TEXT_CHANGED)
    if place.block is not None and place.block is LITERAL_TOKENS[place.block.kind]:
        return Recovery(kind, ordinal, "unrecoverable", None, REASON_LITERAL_TOKEN)
    if place.block is None or not fills(place.block.kind, kind):
        return Recovery(kind, ordinal, "unrecoverable", None, REASON_NO_BLOCK)
    if not place.block.text:
        return Recovery(kind, ordinal, "unrecoverable", None, REASON_NO_TEX)
    return Recovery(kind, ordinal, "recovered", place.block.text, None)


def _place_all(article: ArticleStream, chunks: list[Stream], kinds: list[str]) -> list[_Place]:
    """Fit the chunks in order and read off the block each placeholder meets."""
    places: list[_Place] = []
    position, synced, stray, anchored, labelled = 0, True, False, False, False
    for index, chunk in enumerate(chunks):
        next_kind = kinds[index] if index < len(kinds) else None
        if next_kind is None and not synced:
            break  # the last placeholder already failed on the text before it
        if index == 0:
            following_kind = kinds[1] if len(kinds) > 1 else None
            fit = fit_first(article, chunk, next_kind, chunks[1], following_kind)
        else:
            fit = fit_at(article, chunk, next_kind, position, first=False, synced=synced)
        matches = fit is not None and is_close(chunk, fit)
        if not matches and stray:
            # The last placeholder found no block where its text ended: what stood for it
            # may follow as text (code the page wrote as prose). Look this chunk up afresh,
            # or, too short to be looked up, just past that text.
            fit = fit_at(article, chunk, next_kind, position, first=False, synced=False)
            if fit is None:
                span = (position, reach(article, position, spread(len(chunk.tokens))))
                fit = fit_chunk(article, chunk, span, None, next_kind)
            matches = fit is not None and is_close(chunk, fit)
        if fit is not None and index + 1 < len(chunks):
            # What looked like a widget's label may be how the excerpt goes on after the
            # placeholder: its block is gone, the block after the label is the next one's.
            fit = _without_next_text_as_label(article, fit, chunks[index + 1 :])
        if (
            matches
            and fit is not None
            and next_kind is not None
            and _may_end_sooner(article, fit, chunk, chunks[index + 1])
        ):
            following_kind = kinds[index + 1] if index + 1 < len(kinds) else None
            plain = fit_at(article, chunk, None, position, first=index == 0, synced=synced)
            fit = _sooner_if_next_fits_better(
                article, fit, plain, chunks[index + 1], following_kind
            )
        if next_kind is None:
            last = places[-1]
            # A block passed over a label to needs the excerpt's words after it to confirm it.
            confirmed = (matches or anchored) and not (labelled and not chunk.tokens)
            places[-1] = _Place(last.block, last.text_matches and confirmed)
            break
        anchored = False
        if index == 0 and not chunk.tokens and (fit is None or fit.end not in article.blocks):
            # The excerpt opens with the placeholder, the article with more furniture than
            # the lead's slack (a notice, a meta line): its block is the one right before
            # where the excerpt's text goes on.
            end = _block_before(article, chunks[index + 1], next_kind)
            if end is not None:
                fit, matches = Fit(end, 0, 0, ()), True
        if not matches:
            # A sentence added or dropped in the middle: the text right around the
            # placeholder still places it, on both sides of the block standing there.
            end = _anchored_end(article, chunk, chunks[index + 1], next_kind, position)
            if end is not None:
                fit, matches, anchored = Fit(end, 0, 0, ()), True, True
        block = article.blocks.get(fit.end) if fit is not None else None
        places.append(_Place(block, matches))
        labelled = fit is not None and fit.label_from is not None
        if matches and fit is not None:
            position, synced = fit.end + (block is not None), True
            stray = block is None or not fills(block.kind, next_kind)
        else:
            synced, stray = False, False
    return places


def _anchored_end(
    article: ArticleStream, chunk: Stream, following: Stream, kind: str, position: int
) -> int | None:
    """Find where a chunk too different to fit still ends, by the words right around its
    placeholder: its own last words, then a block of the placeholder's kind, then the next
    chunk's first words (all of it, when short), once only in the stretch the chunk may
    cover from ``position``."""
    tail = _last_words(chunk.tokens)
    head = _last_words(following.tokens[::-1])[::-1] or following.tokens
    if not tail or _weight(head) < _SHORT_CHUNK:
        return None
    stop = min(len(article.tokens), position + 2 * len(chunk.tokens) + SPREAD_SLACK)
    found: list[int] = []
    for marker, block_kind in _MARKER_KINDS.items():
        if not fills(block_kind, kind):
            continue
        needle = tail + marker + head
        at = article.tokens.find(needle, position, stop)
        while at != -1:
            found.append(at + len(tail))
            at = article.tokens.find(needle, at + 1, stop)
    return found[0] if len(found) == 1 else None


def _block_before(article: ArticleStream, following: Stream, kind: str) -> int | None:
    """Find the first block of ``kind`` the next chunk's first words follow (all of it,
    when short), or None."""
    head = _last_words(following.tokens[::-1])[::-1] or following.tokens
    if _weight(head) < _SHORT_CHUNK:
        return None
    found = [
        at
        for marker, block_kind in _MARKER_KINDS.items()
        if fills(block_kind, kind) and (at := article.tokens.find(marker + head)) != -1
    ]
    return min(found, default=None)


def _last_words(tokens: str, enough: int = _ANCHOR) -> str:
    """The shortest end of a token run that says ``enough``, or none of it."""
    weight = 0
    for start in range(len(tokens) - 1, -1, -1):
        weight += _weight(tokens[start])
        if weight >= enough:
            return tokens[start:]
    return ""


def _weight(tokens: str) -> int:
    """How much a run of folded text says: a CJK character as much as two letters."""
    return sum(2 if ord(token) >= _CJK_START else 1 for token in tokens)


def _may_end_sooner(article: ArticleStream, fit: Fit, chunk: Stream, following: Stream) -> bool:
    """Tell a fit that may have passed over article text to reach its block: its last edit
    is at the chunk's last letter or past it (text deleted there, or the letter matched
    against it), unless that text was a label (weighed on its own:
    ``_without_next_text_as_label``)."""
    return (
        bool(fit.events)
        and fit.events[-1][0] >= len(chunk.tokens) - 1
        and fit.label_from is None
        and bool(following.tokens)
        and fit.end in article.blocks
    )


def _sooner_if_next_fits_better(
    article: ArticleStream,
    fit: Fit,
    plain: Fit | None,
    following: Stream,
    following_kind: str | None,
) -> Fit:
    """End a chunk where its text ends, with no block there, when the fit passed over
    article text to reach its block and the next chunk fits for less from there: the block
    is the next placeholder's, the text passed over what stood for this one (a formula
    written as plain text, an embed, a formula with no TeX)."""
    if plain is None or plain.end >= fit.end or plain.end in article.blocks:
        return fit  # the text ends there, or at a block too: the fit's choice stands
    taken = fit.cost + fit.penalty + _cost_from(article, following, fit.end + 1, following_kind)
    # Ended sooner, the next chunk starts past the text that stood for this placeholder
    # (free to pass over, as "no block" is paid for), before the block the fit took.
    span = (plain.end, reach(article, fit.end, spread(len(following.tokens))))
    next_fit = fit_chunk(article, following, span, None, following_kind)
    if next_fit is None or not is_close(following, next_fit):
        return fit
    if next_fit.end > fit.end + len(following.tokens) + _LABEL_DRIFT:
        return fit  # found further on: not the text right before the block the fit took
    sooner = plain.cost + BLOCK_COST + next_fit.cost + next_fit.penalty
    return replace(plain, penalty=BLOCK_COST) if sooner < taken else fit


# What a chunk that does not fit at all costs.
_NO_FIT = 1 << 20


def _cost_from(article: ArticleStream, chunk: Stream, position: int, kind: str | None) -> int:
    """What fitting ``chunk`` right from ``position`` costs, if it fits closely at all."""
    span = (position, reach(article, position, spread(len(chunk.tokens))))
    fit = fit_chunk(article, chunk, span, position, kind)
    if fit is None or not is_close(chunk, fit):
        return _NO_FIT
    return fit.cost + fit.penalty


def _without_next_text_as_label(article: ArticleStream, fit: Fit, following: list[Stream]) -> Fit:
    """End the fit where its text ends when what it passed over as a label is how the
    excerpt goes on: it opens the next chunk, or it ends as a chunk ahead ends before its
    placeholder (text that stood for this placeholder, then that chunk: the block is a
    later placeholder's)."""
    if fit.label_from is None:
        return fit
    label = article.tokens[fit.label_from : fit.end]
    if label and (
        label in following[0].tokens[: len(label) + _LABEL_DRIFT]
        or _ends_as_a_chunk_ahead(label, following)
    ):
        return replace(fit, end=fit.label_from, label_from=None)
    return fit


def _ends_as_a_chunk_ahead(label: str, following: list[Stream]) -> bool:
    """Tell a label that ends with the last words of a chunk ahead that a placeholder
    follows (all of a short one, not too short), among as many tokens as the label holds."""
    seen = 0
    for chunk in following[:-1]:
        if seen > len(label):
            break
        words = _last_words(chunk.tokens, _ANCHOR // 2) or chunk.tokens
        if _weight(words) >= _SHORT_CHUNK and label.endswith(words):
            return True
        seen += len(chunk.tokens)
    return False
