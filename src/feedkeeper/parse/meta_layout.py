"""Where a card's one meta line stands, and which lines around it are the card's.

When each card of a capture shows its date (and its category) on one meta line, the
capture repeats one pattern of lines, a card's title, its excerpt and its meta line in
the order its theme shows them:

- the meta line **opens** the card: meta, title, excerpt (``Python · 2026-01-10`` above);
- it stands **inside** it: title, meta, excerpt;
- it **closes** it: title, excerpt, meta (CSDN's lists, themes showing it under the excerpt).

A capture of one card shows no pattern: its meta line closes it when it is the last of its
text, after a line reading as an excerpt; else the card is read line by line.

The place is read off the capture as a whole, not off each line: text reading as an
excerpt stands before the first meta line and none after the last when the meta closes
the card; else, between two meta lines, the excerpt is the last of the lines when it opens
the card (the title comes before it) and the first when it stands inside (the next card's
title follows it). The cards' lines are then given by where the meta lines fall: a line
that would be taken for a title or an excerpt by its look alone (a short excerpt, a title
ending as a sentence) is what its place in the pattern says it is.

The module works on the lines' roles (``Line``), which the capture reader tells; it knows
nothing of the text.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise


class Kind(enum.Enum):
    """What a capture's line is, by its look."""

    META = "meta"  # a date or meta line
    PROSE = "prose"  # text reading as an excerpt even with nothing of a card before it
    TEXT = "text"  # any other text: a title, a header, a short excerpt
    BADGE = "badge"  # a status badge ("原创", "转载"), no title
    PIN = "pin"  # a pin line ("置顶"): the next card is pinned
    CONTROL = "control"  # a pager, "read more" or menu line: no card's
    ROW = "row"  # a row of a table's cells, a card of its own


class Place(enum.Enum):
    """Where a card's meta line stands among its lines."""

    OPENS = "opens"
    INSIDE = "inside"
    CLOSES = "closes"


@dataclass(frozen=True, slots=True)
class Line:
    """A line's role: its kind, and whether it is as long as excerpts are."""

    kind: Kind
    long: bool = False
    title_sized: bool = True  # short enough for a title


@dataclass(frozen=True, slots=True)
class CardLines:
    """Which lines (indices) make one card."""

    meta: int
    excerpt: int
    title: int | None
    pinned: bool


def find_place(lines: list[Line], *, one_line_metas: bool) -> Place | None:
    """The place of each card's meta line in the capture's pattern, or None when the
    capture's cards are not one meta line each (a category line above a date line)."""
    metas = [i for i, line in enumerate(lines) if line.kind is Kind.META]
    if not metas:
        return None
    if len(metas) == 1:
        # One card shows no pattern; its meta line closes it only when no text follows it
        # (a meta line above or inside a card has the excerpt below it).
        return Place.CLOSES if _closes_alone(lines, metas[0]) else None
    if _closes(lines, metas):
        return Place.CLOSES
    if not one_line_metas:
        return None
    votes = Counter(_gap_place(lines, gap) for gap in _gaps(lines, metas) if gap)
    return Place.INSIDE if votes[Place.INSIDE] > votes[Place.OPENS] else Place.OPENS


def assign_lines(lines: list[Line], place: Place) -> list[CardLines]:
    """Each card's lines, as the meta lines' place in the pattern gives them."""
    metas = [i for i, line in enumerate(lines) if line.kind is Kind.META]
    starts = [-1, *metas[:-1]]
    if place is Place.CLOSES:
        found = [_closing(lines, start, meta) for start, meta in zip(starts, metas, strict=True)]
    else:
        width = _width(lines, metas)
        bounds = zip(starts, metas, [*metas[1:], len(lines)], strict=True)
        found = [
            _opening(lines, meta, end, width)
            if place is Place.OPENS
            else _inside(lines, start, meta, end)
            for start, meta, end in bounds
        ]
    cards = [card for card in found if card is not None]
    return _with_pins(lines, cards)


def _closes(lines: list[Line], metas: list[int]) -> bool:
    """Each card's meta line closes it: text reads as excerpts before the first, none
    after the last; or text before the first and none at all after the last, where a card
    the meta line opened, or stood inside, would have its lines (short excerpts read as
    text, not prose, by their look)."""
    before = lines[: metas[0]]
    after = lines[metas[-1] + 1 :]
    if any(line.kind is Kind.PROSE for line in after):
        return False
    if not any(line.kind is Kind.TEXT for line in after):
        return any(line.kind in (Kind.PROSE, Kind.TEXT) for line in before)
    return any(line.kind is Kind.PROSE and line.long for line in before)


def _closes_alone(lines: list[Line], meta: int) -> bool:
    """The one card's meta line closes it: no text after it, and text reading as an
    excerpt before it."""
    after = lines[meta + 1 :]
    if any(line.kind in (Kind.PROSE, Kind.TEXT) for line in after):
        return False
    return any(line.kind is Kind.PROSE for line in lines[:meta])


def _content(lines: list[Line], start: int, end: int) -> list[int]:
    """The indices of the lines from ``start`` to ``end`` that may be a card's title or
    excerpt (a badge is neither)."""
    return [i for i in range(start, end) if lines[i].kind in (Kind.PROSE, Kind.TEXT)]


def _gaps(lines: list[Line], metas: list[int]) -> list[list[int]]:
    return [_content(lines, a + 1, b) for a, b in pairwise(metas)]


def _gap_place(lines: list[Line], gap: list[int]) -> Place:
    """Where the excerpt stands between two meta lines: the last line when the meta opens
    the card (its title above the excerpt), else the first (the next card's title after
    it). The excerpt is the line reading as prose, else the last."""
    prose = [at for at, i in enumerate(gap) if lines[i].kind is Kind.PROSE]
    excerpt = prose[-1] if prose else len(gap) - 1
    return Place.OPENS if excerpt == len(gap) - 1 else Place.INSIDE


def _width(lines: list[Line], metas: list[int]) -> int:
    """How many lines a card shows besides its meta line: the gaps' most common length
    (the last card's lines are followed by the page's own)."""
    lengths = Counter(len(gap) for gap in _gaps(lines, metas) if gap)
    return lengths.most_common(1)[0][0] if lengths else 1


def _opening(lines: list[Line], meta: int, end: int, width: int) -> CardLines | None:
    """The card a meta line opens: its title, then its excerpt."""
    own = _content(lines, meta + 1, end)[:width]
    if not own:
        return None
    head = own[0] if len(own) > 1 and _is_title(lines[own[0]]) else None
    return CardLines(meta=meta, excerpt=own[-1], title=head, pinned=False)


def _inside(lines: list[Line], start: int, meta: int, end: int) -> CardLines | None:
    """The card a meta line stands inside: the excerpt below it, and the title above it
    unless that line is the card's before's excerpt (the first line after its meta)."""
    own = _content(lines, meta + 1, end)
    if not own:
        return None
    above = _content(lines, start + 1, meta)[1 if start >= 0 else 0 :]
    head = above[-1] if above and _is_title(lines[above[-1]]) else None
    return CardLines(meta=meta, excerpt=own[0], title=head, pinned=False)


def _closing(lines: list[Line], start: int, meta: int) -> CardLines | None:
    """The card a meta line closes: the line nearest before it that reads as an excerpt,
    the line before that its title."""
    own = _content(lines, start + 1, meta)
    prose = [at for at, i in enumerate(own) if lines[i].kind is Kind.PROSE]
    if not prose:
        return None
    heads = own[: prose[-1]]
    head = heads[-1] if heads and lines[heads[-1]].title_sized else None
    return CardLines(meta=meta, excerpt=own[prose[-1]], title=head, pinned=False)


def _is_title(line: Line) -> bool:
    return line.kind in (Kind.TEXT, Kind.PROSE) and line.title_sized


def _with_pins(lines: list[Line], cards: list[CardLines]) -> list[CardLines]:
    """Pin each card a pin line stands among its lines or just before them."""
    pinned: list[CardLines] = []
    after = -1
    for card in cards:
        first = min(i for i in (card.meta, card.excerpt, card.title) if i is not None)
        last = max(i for i in (card.meta, card.excerpt, card.title) if i is not None)
        span = range(after + 1, max(first, card.excerpt))
        pin = any(lines[i].kind is Kind.PIN for i in span)
        pinned.append(CardLines(card.meta, card.excerpt, card.title, pin))
        after = last
    return pinned
