"""Read one detected card's fields: url, title, categories, tags, dates and excerpt.

The title is read in ``titles.py``, the categories and tags in ``terms.py``; this module
puts them together with the date and the excerpt into the card.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from feedkeeper.cards import Card, find_placeholders
from feedkeeper.parse.badges import pin_marks, title_pin_marks
from feedkeeper.parse.beside_title import badges_beside_title, opens_with_badge
from feedkeeper.parse.blocks import Block
from feedkeeper.parse.date_context import context_date, group_heading, published_date
from feedkeeper.parse.excerpt import find_excerpt
from feedkeeper.parse.link_roles import (
    is_cut_mark,
    is_ellipsis,
    is_in_prose,
    meta_links,
    script_links,
    without_comments_anchor,
)
from feedkeeper.parse.machine_dates import url_date
from feedkeeper.parse.page import BYLINE_RE, Page
from feedkeeper.parse.page_links import Link
from feedkeeper.parse.terms import class_named_terms, labelled_terms, linked_terms
from feedkeeper.parse.titles import (
    read_title,
    title_not_cut,
    title_without_count,
    title_without_date,
)
from feedkeeper.parse.vocab import CATEGORY_ICON_RE, CATEGORY_LABEL_RE, TAG_ICON_RE, TAG_LABEL_RE
from feedkeeper.parse.when import DateHit, choose_date, scan_card
from feedkeeper.text import drop_invisible, split_ellipsis


@dataclass(slots=True)
class CardParts:
    """A card and the nodes each of its fields came from (for explanations and profiles)."""

    card: Card
    root: LexborNode
    link: LexborNode | None = None
    title: LexborNode | None = None
    date: DateHit | None = None
    categories: list[LexborNode] = field(default_factory=list)
    tags: list[LexborNode] = field(default_factory=list)
    excerpt: list[LexborNode] = field(default_factory=list)


def read_card(page: Page, block: Block, links: list[Link]) -> CardParts:
    """Read the fields of a detected card block, given every link inside it."""
    root = block.node
    (title_text, pinned), title_node, link = read_title(page, block)
    linked_categories, linked_tags, skip = linked_terms(page, links)
    skip = [*skip, *script_links(links)]
    # Terms shown after a label ("分类: x") count only where links name none: only then
    # does the scan look for labels.
    scan = scan_card(page, root, title_node, linked_categories is None or linked_tags is None)
    categories = linked_categories or labelled_terms(scan, CATEGORY_ICON_RE, CATEGORY_LABEL_RE)
    tags = linked_tags or labelled_terms(scan, TAG_ICON_RE, TAG_LABEL_RE)
    if not categories.names or not tags.names:
        named = class_named_terms(page, root, title_node)
        categories = categories if categories.names else named["category"]
        tags = tags if tags.names else named["tag"]
    hit = choose_date(scan.dates)
    if hit is not None and title_node is not None:
        title_text = title_without_date(page, title_text, title_node, hit.node)
    if title_text and title_node is not None:
        title_text = title_without_count(page, title_text, title_node)
        title_text = title_not_cut(title_text, title_node, link.node if link else None)
    indicators = [h.node for h in scan.dates if not h.in_prose or h is hit]
    indicators += scan.relative
    indicators += categories.nodes
    indicators += tags.nodes
    indicators += meta_links(page, block, link, links)
    indicators += [
        other.node
        for other in block.links
        if other.key and other.key != block.key and not is_in_prose(page, other.node)
    ]
    indicators += _bylines(page, root)
    pins = pin_marks(page, root)
    if title_node is not None and not (pinned or pins):
        pins = title_pin_marks(page, root, title_node)
    indicators += [node for node in pins if node is not root]
    excerpt, excerpt_nodes = _read_excerpt(page, root, title_node, indicators, skip, title_text)
    excerpt, truncated = _split_ellipsis(drop_invisible(excerpt) if excerpt else excerpt)
    truncated = truncated or any(
        is_ellipsis(page.text_of(node)) or is_cut_mark(page, node) for node in skip
    )
    url = without_comments_anchor(link.url) if link else None
    hit = hit or context_date(page, root)
    stated: tuple[str | None, str | None] = (None, None)
    if hit is None:
        stated = page.jsonld.get(block.key or "", stated)
    category_names = tuple(map(drop_invisible, categories.names))
    card = Card(
        url=url,
        title=drop_invisible(title_text) or None if title_text else None,
        category=category_names[0] if category_names else None,
        categories=category_names,
        tags=tuple(map(drop_invisible, tags.names)),
        published=published_date(hit, url, group_of(page, root, hit)) or stated[0] or url_date(url),
        published_at=hit.stamp if hit else stated[1],
        excerpt=excerpt or None,
        truncated=truncated and bool(excerpt),
        placeholders=find_placeholders(excerpt) if excerpt else (),
        pinned=pinned or bool(pins),
    )
    return CardParts(
        card, root, link.node if link else None, title_node, hit,
        list(categories.nodes), list(tags.nodes), excerpt_nodes,
    )  # fmt: skip


def _read_excerpt(
    page: Page,
    root: LexborNode,
    title: LexborNode | None,
    indicators: list[LexborNode],
    skip: list[LexborNode],
    title_text: str | None,
) -> tuple[str | None, list[LexborNode]]:
    """Return the card's excerpt and its nodes; one opening with a badge that stands beside
    the title ("原创" after its heading) is read again without the badge."""
    found = find_excerpt(page, root, title, indicators, skip, title_text)
    if found[0] is None or title is None or not opens_with_badge(found[0]):
        return found
    beside = badges_beside_title(page, root, title)
    if not beside:
        return found
    return find_excerpt(page, root, title, indicators, [*skip, *beside], title_text)


# A byline is a name and a role, a date at most: an element "named" as the author's that
# holds more text than this wraps the card's content, and is no meta line.
MAX_BYLINE_CHARS = 100


def _bylines(page: Page, root: LexborNode) -> list[LexborNode]:
    """Return the card's bylines: its elements named as the author's that hold a few words."""
    found = page.marks_under(root)
    if not found:  # most cards
        return found
    return [
        node
        for node in found
        if BYLINE_RE.search(node.attributes.get("class") or "")
        and len(node.text(strip=True)) <= MAX_BYLINE_CHARS
    ]


def _split_ellipsis(text: str | None) -> tuple[str | None, bool]:
    """Split a trailing ellipsis off; only the tail is searched, excerpts can be whole posts."""
    if not text:
        return None, False
    tail, truncated = split_ellipsis(text[-80:])
    return (text[:-80] + tail).strip() or None, truncated


def group_of(page: Page, root: LexborNode, hit: DateHit | None) -> tuple[int, int | None] | None:
    """Return the group heading above a card whose date shows no year, if any."""
    if hit is None or hit.date or hit.month_day is None:
        return None
    return group_heading(page, root)
