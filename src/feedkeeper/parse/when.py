"""The dates a card shows, and which one is its published date.

A card may show a published and an updated date, in ``<time>`` elements, in
attributes (``datetime``, ``date``, microdata ``content``) or as plain text. The
date a reader sees wins over the machine-readable one when it has a year (Hexo
writes ``datetime`` in UTC, which can fall on the neighbouring day); a visible date
without a year takes the attribute's local date instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from feedkeeper.elements import HEADINGS
from feedkeeper.parse.date_labels import MAX_LABEL_TEXT, date_labels, label_before, labelled_dates
from feedkeeper.parse.date_parts import is_date_part, parse_split_date
from feedkeeper.parse.dates import is_placeholder_date, parse_date, parse_month_day
from feedkeeper.parse.dom import (
    UNRENDERED_TAGS,
    attr,
    collapse,
    first_element_child,
    following_shown_id,
    text_pieces,
)
from feedkeeper.parse.link_roles import stands_in_prose
from feedkeeper.parse.machine_dates import epoch_attribute, parse_machine_value, parse_timestamp
from feedkeeper.parse.node_text import stripped_text
from feedkeeper.parse.page import MACHINE_DATE_ATTRIBUTES, Page
from feedkeeper.parse.vocab import (
    CATEGORY_LABEL_RE,
    PUBLISHED_RE,
    RELATIVE_START_RE,
    TAG_LABEL_RE,
    UPDATED_MARK_RE,
    UPDATED_RE,
    reads_relative_date,
)

# A text node longer than this is prose that mentions a date, not a date line.
MAX_DATE_TEXT = 40
# A date said relative to the day it was read ("3天前", "2 days ago") is this short.
MAX_RELATIVE_DATE = 20
# A date split over elements ("<span>15</span><span>Mar</span><span>2024</span>") is read
# from an element this few levels above one of its parts, that shows this few texts, each
# one a date's part (so a badge's wrapper is looked at, a meta line's is not).
MAX_SPLIT_LEVELS = 3
MAX_SPLIT_PIECES = 6
MAX_SPLIT_PIECE = 16
# Paragraphs, lists and code with more text than this are a post's body: not scanned.
MAX_SCANNED_TEXT = 200
_DIGIT_RE = re.compile(r"\d")
_PROSE_TAGS = frozenset({"p", "pre", "blockquote", "table", "figure", "code", "ul", "ol"})
# A plain-text date under one of these is part of the text, not a meta line.
_CONTENT_TAGS = _PROSE_TAGS | HEADINGS
_ICON_TAGS = frozenset({"i", "svg", "span"})
# Elements of these kinds may be passed over or recorded whatever their id.
_WATCHED_TAGS = UNRENDERED_TAGS | _PROSE_TAGS | _ICON_TAGS
_LABEL_RE = re.compile(f"{CATEGORY_LABEL_RE.pattern}|{TAG_LABEL_RE.pattern}", re.I)


@dataclass(slots=True)  # not frozen: a page builds many, and frozen ones build slowly
class DateHit:
    """One date shown (or encoded) on a card."""

    node: LexborNode
    date: str | None  # ISO date when the year is known
    month_day: tuple[int, int] | None  # a visible date without a year
    stamp: str | None  # full timestamp from an attribute
    updated: bool  # labelled as the updated / last-modified date
    published: bool  # labelled as the published date
    in_prose: bool = False  # plain text in a paragraph or heading: a date the text mentions


@dataclass(slots=True)
class CardScan:
    """What a walk over a card's short elements found: dates and icon-labelled text."""

    dates: list[DateHit]
    icons: list[LexborNode]  # empty <i>/<span> icons, for icon-labelled categories and tags
    labels: list[LexborNode]  # text nodes that start with a "分类"/"Tags:" style label
    relative: list[LexborNode] = field(default_factory=list)  # "3天前": a meta line, no date


def scan_card(
    page: Page, root: LexborNode, title: LexborNode | None, labels: bool = True
) -> CardScan:
    """Look through the card once, collecting dates, icons and labels in document order.

    Hidden and unrendered parts, the title link and long runs of prose (a whole post's
    body) are not looked into: meta lines are short and visible. Dates and icons are
    not looked into either. Labels are looked for only when ``labels`` is true.
    """
    scan = CardScan([], [], [])
    title_id = title.mem_id if title is not None and title.tag == "a" else None
    root_id = root.mem_id
    hidden, dated = page.hidden, page.dated
    resume: int | None = None  # inside a subtree passed over until this node comes up
    # Whitespace-only text is never a date or a label: lexbor leaves it out of the walk.
    walk = root.traverse(include_text=True, skip_empty=True)
    next(walk)  # the root itself, always looked into
    for node in walk:
        if resume is not None:
            if node.mem_id != resume:
                continue
            resume = None
        raw = node.text_content  # None for an element: one read tells text from elements
        if raw is not None:
            # Worth a closer look: every date has a digit but those said in words ("昨天",
            # "an hour ago"), and labels lead (``^\s*`` passes over the spaces
            # ``str.strip`` would, the Unicode ones too).
            if len(raw) <= 4 * MAX_DATE_TEXT and (
                _DIGIT_RE.search(raw)
                or "年" in raw
                or (labels and _LABEL_RE.match(raw))
                or (RELATIVE_START_RE.match(raw) and reads_relative_date(raw, MAX_RELATIVE_DATE))
            ):
                badge = _scan_text(page, node, scan, root_id)
                if badge is not None:  # a date split over its elements: read whole
                    resume = following_shown_id(badge, root_id)
                    if resume is None:
                        break
            continue
        tag = node.tag or ""
        key = node.mem_id
        if tag not in _WATCHED_TAGS and key not in hidden and key not in dated and key != title_id:
            continue  # an element none of whose checks can apply: looked into
        if _is_looked_into(page, node, tag, key, title_id, scan):
            continue
        if node.child is not None:
            resume = following_shown_id(node, root_id)
            if resume is None:
                break  # the rest of the card lies inside the subtree passed over
    return scan


def _in_content(node: LexborNode, root_id: int) -> bool:
    """Tell whether an element between the node and the card's root is text content."""
    parent = node.parent
    while parent is not None and parent.mem_id != root_id:
        if parent.tag in _CONTENT_TAGS:
            return True
        parent = parent.parent
    return False


def _is_looked_into(
    page: Page, node: LexborNode, tag: str, key: int, title_id: int | None, scan: CardScan
) -> bool:
    """Tell whether the walk goes on below ``node``, recording it when it is a date or icon."""
    if tag in UNRENDERED_TAGS or key in page.hidden or key == title_id:
        return False
    if tag in _PROSE_TAGS and len(stripped_text(node)) > MAX_SCANNED_TEXT:
        return False
    hit = _element_date(page, node) if key in page.dated else None
    if hit is not None:
        scan.dates.append(hit)
        return False
    if tag in _ICON_TAGS and _is_icon(node):
        scan.icons.append(node)
        return False
    return True


def choose_date(hits: list[DateHit]) -> DateHit | None:
    """Return the card's published date: the first one shown, never an updated one.

    Dates written inside paragraphs count only when the card shows no other date.
    """
    if len(hits) == 1 and not hits[0].updated and (hits[0].date or hits[0].month_day):
        return hits[0]  # most cards: one date, the first of every group it is in
    fresh = [hit for hit in hits if not hit.updated and (hit.date or hit.month_day)]
    meta = [hit for hit in fresh if not hit.in_prose]
    labelled = [hit for hit in meta if hit.published]
    for group in (labelled, meta, fresh):
        if group:
            # A date shown beats one a <meta> states for machines, often in UTC: Zhihu's
            # datePublished "2024-04-14T23:30Z" of a post shown as published 04-15 07:30.
            return _with_year([hit for hit in group if hit.node.tag != "meta"] or group)
    # The card's only dates are marked "updated" by class alone (hAtom's ``updated`` on the
    # one date a theme shows, as tagDiv's Newspaper writes it): that is the date shown.
    for hit in hits:
        if (hit.date or hit.month_day) and not hit.in_prose and _marked_updated_only(hit.node):
            return hit
    return None


def _with_year(group: list[DateHit]) -> DateHit:
    """The group's first date; where it shows no year (a calendar badge "Mar 12" at the top
    of the card), the same day shown whole further on (``<time>2024-03-12``)."""
    first = group[0]
    if first.date is None and first.month_day is not None:
        for hit in group[1:]:
            if hit.date is not None and _month_day_of(hit.date) == first.month_day:
                return hit
    return first


def _month_day_of(iso: str) -> tuple[int, int]:
    return int(iso[5:7]), int(iso[8:10])


def _marked_updated_only(node: LexborNode) -> bool:
    """Tell whether only the element's class calls its date updated (no word says so)."""
    shown = f"{node.text(strip=True)} {node.attributes.get('title') or ''}"
    return (
        UPDATED_MARK_RE.search(node.attributes.get("class") or "") is not None
        and UPDATED_RE.search(shown) is None
        and label_before(node) is None
    )


def _element_date(page: Page, node: LexborNode) -> DateHit | None:
    attrs = node.attributes  # built anew on every read: read once for all the checks
    value = _machine_value(attrs)
    if value is None and node.tag != "time":
        return None
    machine, stamp = parse_machine_value(value) if value else (None, None)
    text = page.text_of(node)
    # An ISO date shown as the attribute has it (the usual <time>) reads as that date.
    seen = machine if text == machine else parse_date(text, page.day_first)
    month_day = None if seen else parse_month_day(text)
    if not (seen or month_day):
        seen, month_day = split_date_of(page, node)
    if not (seen or machine or month_day or is_placeholder_date(f"{value} {text}")):
        return None
    stamp = stamp or parse_timestamp(attrs.get("title") or "")
    updated, published = date_labels(node, text, attrs)
    date = seen or machine
    return DateHit(node, date, None if date else month_day, stamp, updated, published)


def _machine_value(attrs: dict[str, str | None]) -> str | None:
    """Return the machine-readable date an element's attributes carry, if any."""
    for name in MACHINE_DATE_ATTRIBUTES:
        if attrs.get(name):
            return attrs[name]
    if "date" in (attrs.get("itemprop") or "").lower() and attrs.get("content"):
        return attrs["content"]
    return None


def _is_icon(node: LexborNode) -> bool:
    """Tell whether an element is an empty icon (``<i class="fa fa-folder">``)."""
    tag = node.tag
    if tag not in _ICON_TAGS:
        return False
    return (tag != "span" or node.child is None) and not node.text(strip=True)


def _scan_text(page: Page, node: LexborNode, scan: CardScan, root_id: int) -> LexborNode | None:
    """Record what a short text shows: a date, a label or a relative date.

    Return the element around it that shows a date split over its elements, whose other
    parts the walk then passes over.
    """
    text = collapse(node.text_content or "")
    parent = node.parent
    if not text or parent is None or _scan_dates_line(page, text, parent, scan, root_id):
        return None
    # A longer line is a date line when it opens with the date's label ("Posted on
    # January 11, 2025 by ada in Notes", "发表于 2025-01-11 | 分类于 …").
    if len(text) > MAX_DATE_TEXT and PUBLISHED_RE.search(text, 0, MAX_LABEL_TEXT) is None:
        return None
    # Every date shows a digit, or a year in Chinese numerals ("二〇二四年").
    seen = parse_date(text, page.day_first) if _DIGIT_RE.search(text) or "年" in text else None
    month_day = None if seen or not _DIGIT_RE.search(text) else parse_month_day(text)
    if seen is None and len(text) <= MAX_SPLIT_PIECE and is_date_part(text):
        badge = _scan_split_date(page, parent, scan, root_id)
        if badge is not None:
            return badge
    relative, stamp = False, None
    if not (seen or month_day) and len(text) <= MAX_DATE_TEXT:
        relative = reads_relative_date(text, MAX_RELATIVE_DATE)
        if relative:
            seen, stamp = _behind_relative(parent)
    if seen or (month_day and len(text) <= 12) or is_placeholder_date(text):
        updated, published = date_labels(parent, text)
        stamp = stamp or parse_timestamp(attr(parent, "title"))
        in_content = _in_content(node, root_id)
        hit = DateHit(parent, seen, month_day, stamp, updated, published, in_content)
        scan.dates.append(hit)
        if updated and (first := _published_in_tooltip(parent)) is not None:
            # Zhihu: "编辑于 04-16" over a tooltip "发布于 2024-04-15 07:30": the first date
            scan.dates.append(DateHit(parent, first, None, None, False, True, in_content))
    elif len(text) <= 24 and _LABEL_RE.match(text):
        scan.labels.append(node)
    elif relative and not stands_in_prose(page, parent):  # "I did it <em>yesterday</em>."
        scan.relative.append(parent)
    return None


def _scan_dates_line(
    page: Page, text: str, parent: LexborNode, scan: CardScan, root_id: int
) -> bool:
    """Record the dates of a line that shows a published and an updated one; tell whether
    it is such a line ("Mar 5, 2024 (updated Mar 9, 2024)")."""
    dates = labelled_dates(text, page.day_first)
    for seen, updated, published in dates:
        hit = DateHit(parent, seen, None, None, updated, published, _in_content(parent, root_id))
        scan.dates.append(hit)
    return bool(dates)


SplitDate = tuple[LexborNode, str | None, tuple[int, int] | None]


def _scan_split_date(
    page: Page, parent: LexborNode, scan: CardScan, root_id: int
) -> LexborNode | None:
    """Record the date split over the elements around a date's part; return its element."""
    split = _split_date(page, parent, root_id)
    if split is None:
        return None
    badge, seen, month_day = split
    updated, published = date_labels(badge, page.text_of(badge))
    stamp = parse_timestamp(attr(badge, "title"))
    in_content = _in_content(badge, root_id)
    scan.dates.append(DateHit(badge, seen, month_day, stamp, updated, published, in_content))
    return badge


def _split_date(page: Page, parent: LexborNode, root_id: int) -> SplitDate | None:
    """Return the element above a date's part that shows the date whole, and the date.

    The nearest element whose parts hold a year wins; failing one, the nearest that shows
    a month and a day. The climb stops at the card, or at an element showing anything
    besides a date's parts.
    """
    found: SplitDate | None = None
    node: LexborNode | None = parent
    for _ in range(MAX_SPLIT_LEVELS):
        if node is None or node.mem_id == root_id:
            break
        pieces = text_pieces(node, page.hidden, MAX_SPLIT_PIECES, _is_split_piece)
        if pieces is None:
            break
        if len(pieces) > 1:
            seen, month_day = parse_split_date(" ".join(pieces), page.day_first)
            if seen:
                return node, seen, None
            if month_day and found is None:
                found = node, None, month_day
        node = node.parent
    return found


def _is_split_piece(text: str) -> bool:
    return len(text) <= MAX_SPLIT_PIECE and is_date_part(text)


def split_date_of(page: Page, node: LexborNode) -> tuple[str | None, tuple[int, int] | None]:
    """Read a date an element shows split over its children (``<span>15</span><span>Mar
    </span>``): (ISO date, None), (None, (month, day)) without a year, or (None, None)."""
    if first_element_child(node) is None:
        return None, None
    pieces = text_pieces(node, page.hidden, MAX_SPLIT_PIECES, _is_split_piece)
    if pieces is None or len(pieces) < 2:
        return None, None
    return parse_split_date(" ".join(pieces), page.day_first)


def date_of(page: Page, node: LexborNode) -> DateHit | None:
    """Read the date an element shows or encodes (for a profile's ``date`` selector)."""
    first = _published_in_tooltip(node)
    if first is not None and UPDATED_RE.search(page.text_of(node)):  # "编辑于 …" over "发布于 …"
        return DateHit(node, first, None, None, updated=False, published=True)
    hit = _element_date(page, node)
    if hit is not None:
        return hit
    text = page.text_of(node)
    seen = parse_date(text, page.day_first)
    month_day = None if seen else parse_month_day(text)
    if not (seen or month_day):
        seen, month_day = split_date_of(page, node)
    stamp = None
    if not (seen or month_day) and reads_relative_date(text, MAX_DATE_TEXT):
        seen, stamp = _behind_relative(node)
    if not (seen or month_day):
        return None
    stamp = stamp or parse_timestamp(attr(node, "title"))
    return DateHit(node, seen, month_day, stamp, updated=False, published=True)


def _published_in_tooltip(node: LexborNode) -> str | None:
    """Return the publication date an element's tooltip (``data-tooltip``, ``title``) gives
    behind the update it shows, where a label says so."""
    for name in ("data-tooltip", "title"):
        tip = attr(node, name)
        if tip and PUBLISHED_RE.search(tip) is not None:
            return parse_date(tip)
    return None


def _behind_relative(node: LexborNode) -> tuple[str | None, str | None]:
    """Return the date (and timestamp) behind a relative one ("3天前") its element gives:
    its title's in full (Zibll), or the time since the epoch an attribute holds
    (``data-time="1712649600"``, a "timeago" script's)."""
    seen = parse_date(attr(node, "title"))
    if seen:
        return seen, parse_timestamp(attr(node, "title"))
    return epoch_attribute(node.attributes) or (None, None)
