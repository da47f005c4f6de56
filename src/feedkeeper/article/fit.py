"""Fitting one chunk of excerpt text to a stretch of the article by weighted edit distance.

Costs are in half-characters so that a block of the wrong kind costs between one and
two characters. Where the chunk may start is given; where it ends is chosen together
with what stands right after it, so that text followed by a placeholder prefers to
end just before a block of the placeholder's kind.

A long chunk is aligned in two parts: rapidfuzz's Levenshtein opcodes (C, bit-parallel)
align all of it but its last ``TAIL`` characters, up to an exact match; the weighted
alignment here finishes the tail, where the end and the block after it are chosen.
Pure-Python edit distance over a whole 3,000-character excerpt took seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein, Opcode, Opcodes

from feedkeeper.article.fold import MARKER_TOKENS, ArticleStream, Stream, is_marker
from feedkeeper.article.model import fills

_CHAR_COST = 2
_KIND_COST = 3  # the block after the text is of another kind than the placeholder
BLOCK_COST = 4  # a block inside the text, or no block where the placeholder is
# A code widget's label or title between the text and its block ("ts", "src/reader.rs",
# a file name the excerpt never shows): up to this many characters are passed over to the
# code block right after them, for less than no block there costs. A formula has none:
# text before it stood for a formula the page shows unread (AsciiMath), or is the next words.
_LABEL = 24
_LABEL_COST = 3
_IMPOSSIBLE = 1 << 30  # a letter of the excerpt never stands for a block
_START, _DIAG, _UP, _LEFT = 0, 1, 2, 3
# A chunk of n characters may differ by 2 + n/12 characters in all...
_GAP_SLACK, _GAP_RATE = 2, 12
# ...and by at most this many in any window of this many of its characters.
_WINDOW, _WINDOW_SLACK = 32, 6
# The weighted alignment keeps a row of costs an excerpt character: a chunk is aligned
# cell by cell only up to this many cells (about 25 MB; an ordinary chunk or tail needs
# some thousands); a longer one that rapidfuzz could not place is no fit. (A hostile
# excerpt of megabytes took gigabytes.)
MAX_CELLS = 1_000_000
# Chunks longer than this are aligned by rapidfuzz but for their last TAIL characters.
TAIL = 24
# How many article characters past the tail's own length the tail may cover.
_TAIL_SLACK = 16
# An exact match this long places text for sure; shorter ones may be chance letters.
_SOLID = 4
# Matches of one stretch of text lie on diagonals this close (edits shift them a little).
_DRIFT = 16


@dataclass(frozen=True, slots=True)
class Fit:
    """Where a chunk of excerpt text lies in the article and what the differences cost."""

    end: int  # article index just after the chunk: the block of the next placeholder
    cost: int  # text edits only
    penalty: int  # what stands at ``end`` costs for the next placeholder
    events: tuple[tuple[int, int], ...]  # (chunk index, cost) of every edit, in order
    # Where the text ended when a label was passed over to reach the block at ``end``.
    label_from: int | None = None


def fit_chunk(
    article: ArticleStream,
    chunk: Stream,
    span: tuple[int, int],
    anchor: int | None,
    next_kind: str | None,
) -> Fit | None:
    """Fit ``chunk`` into ``article[span]``, starting at ``anchor`` (None: anywhere)."""
    if len(chunk.tokens) > 2 * TAIL:
        head = _fit_head(article, chunk, span, anchor)
        if head is not None:
            return _fit_tail(article, chunk, head, span[1], next_kind)
    if len(chunk.tokens) * (span[1] - span[0] + 1) > MAX_CELLS:
        return None  # a long chunk no exact run places: no fit, rather than gigabytes of cells
    return _fit_exactly(article, chunk, span, anchor, next_kind)


@dataclass(frozen=True, slots=True)
class _Head:
    """A chunk's first ``size`` tokens aligned up to article index ``end`` by rapidfuzz."""

    size: int
    end: int
    cost: int
    events: tuple[tuple[int, int], ...]


def _fit_head(
    article: ArticleStream, chunk: Stream, span: tuple[int, int], anchor: int | None
) -> _Head | None:
    """Align all of a long chunk but its tail, ending on a solid exact match; None if none."""
    limit = len(chunk.tokens) - TAIL
    head = chunk.tokens[:limit]
    start = span[0] if anchor is not None else _start_of(head, article.tokens, span)
    if start is None:
        return None
    # Deletions cost the same anywhere to a plain edit distance: a window not much longer
    # than the head keeps it from matching the head's last letters far away.
    stop = min(span[1], start + limit + limit // 4 + _TAIL_SLACK)
    ops = Levenshtein.opcodes(head, article.tokens[start:stop])
    solid = [op for op in ops if op.tag == "equal" and op.src_end - op.src_start >= _SOLID]
    if not solid:
        return None
    first = _first_agreeing(ops)
    last = _last_in_line(solid, first)
    size, end = last.src_end, start + last.dest_end
    first = first if anchor is None else None
    events: list[tuple[int, int]] = []
    for op in ops:
        if op.src_start >= size and not (op.tag == "insert" and op.dest_end + start <= end):
            continue
        if first is not None and op.dest_end <= first.dest_start and op.src_end <= first.src_start:
            # Before the first solid match the head may start anywhere: article text
            # there is skipped for free, the head's own letters still count.
            events.extend((i, 0 if chunk.optional[i] else _CHAR_COST) for i in range(*_src(op)))
            continue
        events.extend(_op_events(article, chunk, op, start, size))
    return _Head(size, end, sum(cost for _, cost in events), tuple(e for e in events if e[1]))


def _src(op: Opcode) -> tuple[int, int]:
    """Return the chunk range an opcode covers."""
    return op.src_start, op.src_end


def _start_of(head: str, tokens: str, span: tuple[int, int]) -> int | None:
    """Return where in the span the head starts, a little early (leading text is free).

    The longest exact match places the head; the start goes back a little from there
    for the edits before it, but never back over a block: the text between two
    placeholders holds none.
    """
    ops = Levenshtein.opcodes(head, tokens[span[0] : span[1]])
    solid = [op for op in ops if op.tag == "equal" and op.src_end - op.src_start >= _SOLID]
    if not solid:
        return None
    longest = max(solid, key=lambda op: op.src_end - op.src_start)
    placed = max(span[0], span[0] + longest.dest_start - longest.src_start)
    start = max(span[0], placed - _DRIFT)
    blocks = [i for i in range(start, placed) if is_marker(tokens[i])]
    return blocks[-1] + 1 if blocks else start


def _last_in_line(solid: list[Opcode], first: Opcode | None) -> Opcode:
    """Return the last solid match that continues the line of those before it.

    The head's last letters may match far past its end (a plain edit distance skips
    article text as cheaply there): such a jump off the line is not followed.
    """
    last = first or solid[0]
    for op in solid:
        if op.src_start < last.src_end:
            continue
        jump = (op.dest_start - op.src_start) - (last.dest_start - last.src_start)
        if abs(jump) <= _DRIFT:
            last = op
    return last


def _first_agreeing(ops: Opcodes) -> Opcode | None:
    """Return the first solid match on the diagonal most of the solid matches share.

    A plain edit distance places leading letters of the head anywhere before their real
    place (skipping article text costs the same there as later): the head's place is
    read off the run of solid matches that agree, not off the first match.
    """
    solid = [op for op in ops if op.tag == "equal" and op.src_end - op.src_start >= _SOLID]
    diagonals = [op.dest_start - op.src_start for op in solid]

    def support(diagonal: int) -> int:
        return sum(
            op.src_end - op.src_start
            for op, d in zip(solid, diagonals, strict=True)
            if abs(d - diagonal) <= _DRIFT
        )

    if not solid:
        return None
    best = max(diagonals, key=support)
    return next(op for op, d in zip(solid, diagonals, strict=True) if abs(d - best) <= _DRIFT)


def _op_events(
    article: ArticleStream, chunk: Stream, op: Opcode, offset: int, stop: int
) -> list[tuple[int, int]]:
    """Return the weighted edits of one rapidfuzz opcode, as the exact alignment counts them."""
    tag, c0, c1 = op.tag, op.src_start, min(op.src_end, stop)
    w0, w1 = offset + op.dest_start, offset + op.dest_end
    inserted = [(i, 0 if chunk.optional[i] else _CHAR_COST) for i in range(c0, c1)]
    skipped = [(c0, _skip_cost(article.tokens[j], article.optional[j])) for j in range(w0, w1)]
    if tag == "delete":
        return inserted
    if tag == "insert":
        return skipped
    if tag == "replace":
        marked = any(is_marker(article.tokens[j]) for j in range(w0, w0 + c1 - c0))
        return inserted + skipped if marked else [(i, _CHAR_COST) for i in range(c0, c1)]
    return []


def _fit_tail(
    article: ArticleStream, chunk: Stream, head: _Head, stop: int, next_kind: str | None
) -> Fit | None:
    """Finish a chunk whose head rapidfuzz aligned: the tail and its end, exactly."""
    tail = Stream(chunk.tokens[head.size :], chunk.optional[head.size :])
    reach = min(stop, head.end + len(tail.tokens) + _TAIL_SLACK)
    fit = _fit_exactly(article, tail, (head.end, max(reach, head.end)), head.end, next_kind)
    if fit is None:
        return None
    events = head.events + tuple((i + head.size, cost) for i, cost in fit.events)
    return Fit(fit.end, head.cost + fit.cost, fit.penalty, events, fit.label_from)


def _fit_exactly(
    article: ArticleStream,
    chunk: Stream,
    span: tuple[int, int],
    anchor: int | None,
    next_kind: str | None,
) -> Fit | None:
    """Fit a chunk by the weighted alignment, every cell of it (short chunks and tails)."""
    window = Stream(article.tokens[span[0] : span[1]], article.optional[span[0] : span[1]])
    deletions = [_skip_cost(t, o) for t, o in zip(window.tokens, window.optional, strict=True)]
    rows = [_first_row(span[0], deletions, anchor)]
    for index, token in enumerate(chunk.tokens):
        rows.append(_next_row(rows[-1][0], window.tokens, deletions, token, chunk.optional[index]))
    last = rows[-1][0]
    penalties = [_end_penalty(article, span[0] + j, next_kind) for j in range(len(last))]
    end = min(range(len(last)), key=lambda j: (last[j] + penalties[j], j))
    if last[end] >= _IMPOSSIBLE:
        return None
    events = _trace(rows, chunk, deletions, end)
    if penalties[end] > _LABEL_COST and next_kind == "code":  # a formula has no label
        block_at = _block_after_label(article, span[0] + end, next_kind)
        if block_at is not None:  # the text ends, a widget's label, then the block
            return Fit(block_at, last[end], _LABEL_COST, events, span[0] + end)
    return Fit(span[0] + end, last[end], penalties[end], events)


def _block_after_label(article: ArticleStream, index: int, next_kind: str) -> int | None:
    """Return the index of a block of ``next_kind`` within ``_LABEL`` characters after
    ``index`` with no other block between, or None."""
    for at in range(index + 1, min(index + 1 + _LABEL, len(article.tokens))):
        if is_marker(article.tokens[at]):
            block = article.blocks.get(at)
            return at if block is not None and fills(block.kind, next_kind) else None
    return None


def is_close(chunk: Stream, fit: Fit) -> bool:
    """Tell whether a fitted chunk differs from the article by no more than lossy noise."""
    length = sum(not optional for optional in chunk.optional)
    if fit.cost > _CHAR_COST * (_GAP_SLACK + length // _GAP_RATE):
        return False
    first, total = 0, 0
    for position, cost in fit.events:
        total += cost
        while fit.events[first][0] <= position - _WINDOW:
            total -= fit.events[first][1]
            first += 1
        if total > _CHAR_COST * _WINDOW_SLACK:
            return False
    return True


Row = tuple[list[int], bytearray]


def _first_row(offset: int, deletions: list[int], anchor: int | None) -> Row:
    """Costs before any excerpt token: zero at the anchor (or anywhere), then skips."""
    costs = [0 if anchor in (None, offset) else _IMPOSSIBLE]
    moves = bytearray([_START])
    for j, deletion in enumerate(deletions, start=1):
        cost, move = (0, _START) if anchor in (None, offset + j) else (_IMPOSSIBLE, _START)
        if costs[j - 1] + deletion < cost:
            cost, move = costs[j - 1] + deletion, _LEFT
        costs.append(min(cost, _IMPOSSIBLE))
        moves.append(move)
    return costs, moves


def _next_row(
    previous: list[int], window: str, deletions: list[int], token: str, is_optional: bool
) -> Row:
    """Extend the alignment by one excerpt token."""
    insert = 0 if is_optional else _CHAR_COST
    costs = [previous[0] + insert]
    moves = bytearray([_UP])
    for j, article_token in enumerate(window):
        if article_token == token:
            best, move = previous[j], _DIAG
        else:
            best = previous[j] + (_IMPOSSIBLE if article_token in MARKER_TOKENS else _CHAR_COST)
            move = _DIAG
        if previous[j + 1] + insert < best:
            best, move = previous[j + 1] + insert, _UP
        if costs[j] + deletions[j] < best:
            best, move = costs[j] + deletions[j], _LEFT
        costs.append(min(best, _IMPOSSIBLE))
        moves.append(move)
    return costs, moves


def _skip_cost(token: str, is_optional: bool) -> int:
    """Return what leaving an article token unmatched costs."""
    if is_optional:
        return 0
    return BLOCK_COST if is_marker(token) else _CHAR_COST


def _end_penalty(article: ArticleStream, index: int, next_kind: str | None) -> int:
    """Return what the token at ``index`` costs as the block of the next placeholder."""
    if next_kind is None:
        return 0
    block = article.blocks.get(index)
    if block is None:
        return BLOCK_COST
    return 0 if fills(block.kind, next_kind) else _KIND_COST


def _trace(
    rows: list[Row], chunk: Stream, deletions: list[int], end: int
) -> tuple[tuple[int, int], ...]:
    """Follow the moves back from ``end`` and return the edits on the way, in order."""
    events: list[tuple[int, int]] = []
    i, j = len(rows) - 1, end
    while True:
        move = rows[i][1][j]
        if move == _START:
            break
        if move == _LEFT:
            events.append((i, deletions[j - 1]))
            j -= 1
        elif move == _UP:
            events.append((i - 1, 0 if chunk.optional[i - 1] else _CHAR_COST))
            i -= 1
        else:
            events.append((i - 1, rows[i][0][j] - rows[i - 1][0][j - 1]))
            i, j = i - 1, j - 1
    events.reverse()
    return tuple(event for event in events if event[1])
