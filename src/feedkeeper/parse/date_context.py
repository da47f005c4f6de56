"""The dates a card takes from around it: a group header above it (``<h2>2024-03-01</h2>``
over a day's posts), an archive's year or month heading for a year-less date, the year in
the post's address."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.parse.dates import DATE_RE, parse_date, parse_group_heading, with_year
from feedkeeper.parse.dom import collapse
from feedkeeper.parse.page import LookedBack, Page
from feedkeeper.parse.when import MAX_DATE_TEXT, DateHit

# A group's date header sits right before the card or one of its nearest ancestors.
MAX_CONTEXT_LEVELS = 4
MAX_CONTEXT_SIBLINGS = 2
# An archive's group heading ("2025", "2025年5月") is a short text before the rows.
MAX_GROUP_HEADING = 16
# A date header holds a date and little else ("Saturday, " and punctuation).
MAX_HEADER_EXTRA = 4
_WEEKDAY_RE = re.compile(r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|星期.|周.|[,，.]", re.I)
_ONE_WORD_RE = re.compile(r"[^\W\d_]{2,14}(?:-[^\W\d_]{2,8})?")


def context_date(page: Page, root: LexborNode) -> DateHit | None:
    """Return the date a group header shows for the cards under it (``<h2>date</h2>``).

    Looks at the few elements just before the card and before its ancestors; only an
    element that is a date and nothing else counts, so another card's date never does.
    """
    node = root
    for _ in range(MAX_CONTEXT_LEVELS):
        sibling = node.prev
        for _ in range(MAX_CONTEXT_SIBLINGS):
            while sibling is not None and sibling.tag in ("-text", "-comment"):
                sibling = sibling.prev
            if sibling is None:
                break
            hit = _header_date(page, sibling)
            if hit is not None:
                return hit
            sibling = sibling.prev
        parent = node.parent
        if parent is None or parent.tag in ("body", "html"):
            return None
        node = parent
    return None


def _header_date(page: Page, node: LexborNode) -> DateHit | None:
    text = page.text_of(node)
    seen = parse_date(text, page.day_first) if len(text) <= MAX_DATE_TEXT else None
    if seen is None or node.css_first("a[href]") is not None:
        return None
    leftover = collapse(_WEEKDAY_RE.sub("", DATE_RE.sub("", text)))
    # A weekday in any language ("sexta-feira, ", "Sabtu, ") is one word before the date.
    if len(leftover) > MAX_HEADER_EXTRA and not _ONE_WORD_RE.fullmatch(leftover):
        return None
    return DateHit(node, seen, None, None, updated=False, published=True)


def group_heading(page: Page, root: LexborNode) -> tuple[int, int | None] | None:
    """Return (year, month) of the archive group heading above a row (``<h3>2025</h3>``).

    The nearest heading above wins: the row's earlier siblings are looked through,
    then its ancestors' (rows sit in a list after the heading); another row's full
    date header ends the search, its group being a date, not a year.
    """
    node = root
    for _ in range(MAX_CONTEXT_LEVELS):
        if node.prev is not None:
            heading, stopped = _looked_back(page, node.prev)
            if heading is not None or stopped:
                return heading
        parent = node.parent
        if parent is None or parent.tag in ("body", "html"):
            return None
        node = parent
    return None


def _looked_back(page: Page, first: LexborNode) -> LookedBack:
    """Return what ``first`` and the siblings before it show first, nearest first: a group
    heading, or another row's date header (True), or neither (None, False).

    The answer is kept for every sibling walked through, so that the rows of a long
    archive page, which share their siblings, walk them once between them.
    """
    kept = page.looked_back
    walked: list[int] = []
    sibling: LexborNode | None = first
    found: LookedBack = (None, False)
    while sibling is not None:
        key = sibling.mem_id
        known = kept.get(key)
        if known is not None:
            found = known
            break
        walked.append(key)
        if not (sibling.tag or "-").startswith("-"):
            text = page.text_of(sibling)
            if len(text) <= MAX_GROUP_HEADING and (heading := parse_group_heading(text)):
                found = (heading, False)
                break
            if _header_date(page, sibling) is not None:
                found = (None, True)
                break
        sibling = sibling.prev
    for key in walked:
        kept[key] = found
    return found


# A year in a post's address (/2024/…): a year-less date shown on its card takes it.
_URL_YEAR_RE = re.compile(r"/((?:19|20)\d{2})/")


def published_date(
    hit: DateHit | None, url: str | None, group: tuple[int, int | None] | None = None
) -> str | None:
    """Return the published ISO date; a year-less one takes the group heading's year, or the URL's.

    The group heading is the archive's "2025" or "2025年5月" above the card.
    """
    if hit is None:
        return None
    if hit.date or hit.month_day is None:
        return hit.date
    if group is not None:
        return with_year(group[0], hit.month_day)
    match = _URL_YEAR_RE.search(url or "")
    return with_year(int(match.group(1)), hit.month_day) if match else None
