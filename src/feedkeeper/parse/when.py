"""The dates a card shows, and which one is its published date.

A card may show a published and an updated date, in ``<time>`` elements, in
attributes (``datetime``, ``date``, microdata ``content``) or as plain text. The
date a reader sees wins over the machine-readable one when it has a year (Hexo
writes ``datetime`` in UTC, which can fall on the neighbouring day); a visible date
without a year takes the attribute's local date instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from feedkeeper.parse.dates import (
    parse_date,
    parse_machine_date,
    parse_month_day,
    parse_timestamp,
)
from feedkeeper.parse.dom import UNRENDERED_TAGS, attr, element_children
from feedkeeper.parse.page import Page
from feedkeeper.parse.vocab import PUBLISHED_RE, UPDATED_MARK_RE, UPDATED_RE
from feedkeeper.text import normalize_space

# A text node longer than this is prose that mentions a date, not a date line.
MAX_DATE_TEXT = 40
# Prose elements longer than this are skipped when looking for dates (full-post bodies).
MAX_PROSE_SCAN = 80
_PROSE_TAGS = frozenset({"p", "pre", "blockquote", "table", "figure", "code", "ul", "ol"})


@dataclass(frozen=True, slots=True)
class DateHit:
    """One date shown (or encoded) on a card."""

    node: LexborNode
    date: str | None  # ISO date when the year is known
    month_day: tuple[int, int] | None  # a visible date without a year
    stamp: str | None  # full timestamp from an attribute
    updated: bool  # labelled as the updated / last-modified date
    published: bool  # labelled as the published date


@dataclass(slots=True)
class CardScan:
    """What a walk over a card's short elements found: dates and icon-labelled text."""

    dates: list[DateHit]
    icons: list[LexborNode]  # empty <i>/<span> icons, for icon-labelled categories and tags
    labels: list[LexborNode]  # text nodes that start with a "分类"/"Tags:" style label


def scan_card(page: Page, root: LexborNode, title: LexborNode | None) -> CardScan:
    """Walk the card's short elements once, collecting dates, icons and labels."""
    scan = CardScan([], [], [])
    title_id = title.mem_id if title is not None and title.tag == "a" else None
    stack = list(reversed(list(root.iter(include_text=True))))
    while stack:
        node = stack.pop()
        tag = node.tag
        if tag == "-text":
            _scan_text(node, scan)
            continue
        if tag in UNRENDERED_TAGS or node.mem_id in page.hidden or node.mem_id == title_id:
            continue
        if tag in _PROSE_TAGS and len(node.text(strip=True)) > MAX_PROSE_SCAN:
            continue
        hit = _element_date(page, node)
        if hit is not None:
            scan.dates.append(hit)
            continue
        if tag in ("i", "span", "svg") and not node.text(strip=True):
            scan.icons.append(node)
        stack.extend(reversed(list(node.iter(include_text=True))))
    return scan


def choose_date(hits: list[DateHit]) -> DateHit | None:
    """Return the card's published date: labelled published first, never an updated one."""
    fresh = [hit for hit in hits if not hit.updated and (hit.date or hit.month_day)]
    labelled = [hit for hit in fresh if hit.published]
    return (labelled or fresh or [None])[0]


def _element_date(page: Page, node: LexborNode) -> DateHit | None:
    value = _machine_value(node)
    if value is None and node.tag != "time":
        return None
    machine = parse_machine_date(value) if value else None
    text = page.text_of(node)
    seen = parse_date(text)
    month_day = None if seen else parse_month_day(text)
    if not (seen or machine or month_day):
        return None
    stamp = parse_timestamp(value or "") or parse_timestamp(attr(node, "title"))
    updated, published = _labels(node, text)
    date = seen or machine
    return DateHit(node, date, None if date else month_day, stamp, updated, published)


def _machine_value(node: LexborNode) -> str | None:
    """Return the machine-readable date an element carries in an attribute, if any."""
    attrs = node.attributes
    for name in ("datetime", "date"):
        if attrs.get(name):
            return attrs[name]
    if "date" in (attrs.get("itemprop") or "").lower() and attrs.get("content"):
        return attrs["content"]
    return None


def _scan_text(node: LexborNode, scan: CardScan) -> None:
    raw = node.text_content or ""
    if not raw.strip() or len(raw) > 4 * MAX_DATE_TEXT:
        return
    text = normalize_space(raw)
    if len(text) > MAX_DATE_TEXT:
        return
    parent = node.parent
    if parent is None:
        return
    seen = parse_date(text)
    month_day = None if seen else parse_month_day(text)
    if seen or (month_day and len(text) <= 12):
        updated, published = _labels(parent, text)
        stamp = parse_timestamp(attr(parent, "title"))
        scan.dates.append(DateHit(parent, seen, month_day, stamp, updated, published))
    elif len(text) <= 24:
        scan.labels.append(node)


def _labels(node: LexborNode, text: str) -> tuple[bool, bool]:
    """Tell whether the date is labelled as updated, and whether as published."""
    marks = " ".join(attr(node, name) for name in ("class", "itemprop", "id"))
    context = " ".join([text, attr(node, "title"), *_previous_texts(node)])
    updated = UPDATED_MARK_RE.search(marks) is not None or UPDATED_RE.search(context) is not None
    published = PUBLISHED_RE.search(marks + " " + context) is not None
    return updated, published and not updated


def _previous_texts(node: LexborNode) -> list[str]:
    """Return the text of up to three siblings before the node (where labels sit)."""
    texts: list[str] = []
    for _ in range(2):  # an only child's label may sit before its parent
        sibling = node.prev
        while sibling is not None and len(texts) < 3:
            text = (sibling.text_content if sibling.tag == "-text" else sibling.text()) or ""
            if text.strip():
                texts.append(text.strip())
                if _has_date(text):
                    return texts
            sibling = sibling.prev
        parent = node.parent
        if texts or parent is None or len(element_children(parent)) != 1:
            return texts
        node = parent
    return texts


def _has_date(text: str) -> bool:
    return parse_date(text) is not None


def date_of(page: Page, node: LexborNode) -> DateHit | None:
    """Read the date an element shows or encodes (for a profile's ``date`` selector)."""
    hit = _element_date(page, node)
    if hit is not None:
        return hit
    text = page.text_of(node)
    seen = parse_date(text)
    month_day = None if seen else parse_month_day(text)
    if not (seen or month_day):
        return None
    stamp = parse_timestamp(attr(node, "title"))
    return DateHit(node, seen, month_day, stamp, updated=False, published=True)
