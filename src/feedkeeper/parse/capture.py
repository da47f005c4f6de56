"""Read plain-text captures of a listing (what a reader copied off the page) into cards.

A capture is a sequence of lines: header lines, then cards, then a pager line.
A card is an optional category line directly followed by a date line, an
optional date line, and one excerpt line. There are no titles or URLs, so
captured cards are identified by their excerpt alone.
"""

from __future__ import annotations

import re

from feedkeeper.cards import Card, ParsedPage, find_placeholders, with_plain_tokens
from feedkeeper.errors import ParseError
from feedkeeper.parse.dates import parse_date
from feedkeeper.text import drop_invisible, normalize_space, split_ellipsis

# Shorter lines without an ellipsis are headers, pager or category lines:
# every excerpt in real captures runs to dozens of characters.
MIN_EXCERPT_CHARS = 24
# Category names are short labels; anything longer is text.
MAX_CATEGORY_CHARS = 40
# The most cards one capture may hold: about what the largest HTML page parsed gives (the
# 60,000-element limit). Each card costs some kilobytes on its way into the archive; a
# larger capture is refused before it is read further, and splits into smaller files.
MAX_CAPTURE_CARDS = 20_000
_PAGER_RE = re.compile(r"^(?:\d+\s*)+$|^(?:上一页|下一页|next|prev|previous|«|»|\s|\d)+$", re.I)


def parse_capture(text: str) -> ParsedPage:
    """Parse a text capture into cards; raise ParseError when it holds none."""
    if "\x00" in text:
        raise ParseError("not a text capture: it contains binary data")
    lines = [drop_invisible(normalize_space(line)) for line in text.splitlines()]
    lines = [line for line in lines if line]
    page = ParsedPage()
    category: str | None = None
    date: str | None = None
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if parse_date(line) is not None and len(line) <= MAX_CATEGORY_CHARS:
            date = parse_date(line)
        elif _is_category_line(line, following):
            category = line
        elif _is_excerpt_line(line, after_meta=date is not None or category is not None):
            if len(page.cards) == MAX_CAPTURE_CARDS:
                raise ParseError(
                    f"the capture holds more than the {MAX_CAPTURE_CARDS} cards a page may hold:"
                    " split it into smaller files"
                )
            page.cards.append(_card_from(line, category, date))
            category = date = None
        else:
            category = date = None  # a header or pager line ends any pending meta
    if not page.cards:
        raise ParseError("not a text capture of a listing: no post cards found")
    if not any(card.published or card.category for card in page.cards):
        # A listing shows when its posts were published; lines of any text file do not.
        raise ParseError("not a text capture of a listing: no card shows a date or category")
    return page


def _is_category_line(line: str, following: str) -> bool:
    is_date_next = parse_date(following) is not None and len(following) <= MAX_CATEGORY_CHARS
    return is_date_next and len(line) <= MAX_CATEGORY_CHARS and not _PAGER_RE.match(line)


def _is_excerpt_line(line: str, *, after_meta: bool) -> bool:
    if _PAGER_RE.match(line):
        return False
    return after_meta or len(line) >= MIN_EXCERPT_CHARS or split_ellipsis(line)[1]


def _card_from(line: str, category: str | None, date: str | None) -> Card:
    excerpt, truncated = split_ellipsis(with_plain_tokens(line))
    return Card(
        category=category,
        categories=(category,) if category else (),
        published=date,
        excerpt=excerpt,
        truncated=truncated,
        placeholders=find_placeholders(excerpt),
    )
