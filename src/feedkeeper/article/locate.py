"""Locating a chunk of excerpt text in the article: from the start of the body, from where
the last chunk ended, or afresh by exact runs of its text."""

from __future__ import annotations

from feedkeeper.article.fit import Fit, fit_chunk, is_close
from feedkeeper.article.fold import ArticleStream, Stream, is_marker

# Exact runs of this many folded characters locate a chunk in a long article.
SEED = 8
_MAX_HITS = 4
# How far past a chunk's own length its text may spread in the article.
_SPREAD_NUM, _SPREAD_DEN, SPREAD_SLACK = 3, 2, 32
# Where the excerpt starts, page furniture may come first: look this far for it, and at
# this many places a short opening's words stand there.
_LEAD_SLACK, _LEAD_HITS = 64, 8


def fit_at(
    article: ArticleStream,
    chunk: Stream,
    next_kind: str | None,
    position: int,
    *,
    first: bool,
    synced: bool,
) -> Fit | None:
    """Fit one chunk: from the start of the body, from where the last one ended, or afresh."""
    size = len(chunk.tokens)
    if first:
        spans = seed_spans(article, chunk, 0) or [
            (0, reach(article, 0, spread(size) + _LEAD_SLACK))
        ]
        return cheapest(article, chunk, spans, next_kind)
    if synced:
        span = (position, reach(article, position, spread(size)))
        return fit_chunk(article, chunk, span, position, next_kind)
    return cheapest(article, chunk, seed_spans(article, chunk, position), next_kind)


def fit_first(
    article: ArticleStream,
    chunk: Stream,
    next_kind: str | None,
    following: Stream,
    following_kind: str | None,
) -> Fit | None:
    """Fit the excerpt's first chunk: by an exact run of it, or, too short for one, where
    its text stands in the lead: the one place, or the first of several after which the
    next chunk goes on (the words "对于" in "相对于" followed by a formula are not the
    excerpt's opening "对于 [Math]")."""
    lead = (0, reach(article, 0, spread(len(chunk.tokens)) + _LEAD_SLACK))
    spans = seed_spans(article, chunk, 0)
    hits = (
        [] if spans or not chunk.tokens else _find_all(article.tokens, chunk.tokens, 0, _LEAD_HITS)
    )
    hits = [hit for hit in hits if hit < lead[1]]
    if not hits:
        return cheapest(article, chunk, spans or [lead], next_kind)
    size = spread(len(chunk.tokens))
    fits = [fit_chunk(article, chunk, (at, reach(article, at, size)), at, next_kind) for at in hits]
    if len(fits) == 1:
        return fits[0]
    return next(
        (fit for fit in fits if fit and _goes_on(article, fit, following, following_kind)), None
    )


def _goes_on(article: ArticleStream, fit: Fit, following: Stream, kind: str | None) -> bool:
    """Tell whether the next chunk fits after ``fit``: right after its block, or after the
    text standing where the block would be, before any other block; an empty one (the next
    placeholder right after this one), whether a block follows the block."""
    block = fit.end in article.blocks
    start = fit.end + block
    if not following.tokens:
        return block and start < len(article.tokens) and is_marker(article.tokens[start])
    stop = reach(article, start, spread(len(following.tokens)))
    stop = next((at for at in range(start, stop) if is_marker(article.tokens[at])), stop)
    after = fit_chunk(article, following, (start, stop), start if block else None, kind)
    return after is not None and is_close(following, after)


def cheapest(
    article: ArticleStream,
    chunk: Stream,
    spans: list[tuple[int, int]],
    next_kind: str | None,
) -> Fit | None:
    """Return the cheapest fit of ``chunk``, starting anywhere in the candidate spans."""
    fits = [fit_chunk(article, chunk, span, None, next_kind) for span in spans]
    found = [fit for fit in fits if fit is not None]
    return min(found, key=lambda fit: fit.cost + fit.penalty, default=None)


def seed_spans(article: ArticleStream, chunk: Stream, origin: int) -> list[tuple[int, int]]:
    """Return article spans around exact hits of a run of the chunk's text after ``origin``."""
    seed_at, hits = _locate_seed(article, chunk, origin)
    before, after = spread(seed_at), spread(len(chunk.tokens) - seed_at)
    spans: list[tuple[int, int]] = []
    for hit in hits:
        start, end = max(origin, reach(article, hit, -before)), reach(article, hit, after)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)  # overlapping spans are fitted as one
        else:
            spans.append((start, end))
    return spans


def _locate_seed(article: ArticleStream, chunk: Stream, origin: int) -> tuple[int, list[int]]:
    """Return a run of the chunk found in the article and where; rare runs are preferred."""
    fallback: tuple[int, list[int]] = (0, [])
    for seed_at in _seed_positions(chunk):
        seed = chunk.tokens[seed_at : seed_at + SEED]
        hits = _find_all(article.tokens, seed, origin, _MAX_HITS + 1)
        if 0 < len(hits) <= _MAX_HITS:
            return seed_at, hits
        if hits and not fallback[1]:
            fallback = (seed_at, hits[:_MAX_HITS])
    return fallback


def _seed_positions(chunk: Stream) -> list[int]:
    """Return where the chunk has runs of required text fit to search for, in order."""
    positions: list[int] = []
    run = 0
    for index, token in enumerate(chunk.tokens):
        run = 0 if chunk.optional[index] or is_marker(token) else run + 1
        if run == SEED:
            positions.append(index - SEED + 1)
            run = 0
    return positions


def _find_all(text: str, needle: str, origin: int, limit: int) -> list[int]:
    """Return the first ``limit`` indexes of ``needle`` in ``text`` from ``origin`` on."""
    hits: list[int] = []
    index = text.find(needle, origin)
    while index != -1 and len(hits) < limit:
        hits.append(index)
        index = text.find(needle, index + 1)
    return hits


def spread(size: int) -> int:
    """Return how many article tokens a stretch of ``size`` excerpt tokens may cover."""
    return size * _SPREAD_NUM // _SPREAD_DEN + SPREAD_SLACK


def reach(article: ArticleStream, start: int, count: int) -> int:
    """Return the index ``count`` required tokens away from ``start`` (back when negative)."""
    index, left = start, abs(count)
    if count < 0:
        while index > 0 and left > 0:
            index -= 1
            left -= not article.optional[index]
    else:
        while index < len(article.tokens) and left > 0:
            left -= not article.optional[index]
            index += 1
    return index
