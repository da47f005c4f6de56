"""Badges standing beside a card's title in its row: ``<h4>title</h4><span>原创</span>``.

Such a badge is an element of its own next to the title (or to the heading holding it),
showing a badge word alone ("原创", "置顶", "Pinned"). It is no part of the excerpt, which
would otherwise open with it: an excerpt read so is read again without it.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from feedkeeper.elements import next_element, previous_element
from feedkeeper.parse.badges import BADGE_RE, MAX_BADGE_CHARS
from feedkeeper.parse.dom import has_element_sibling
from feedkeeper.parse.page import Page


def badges_beside_title(page: Page, root: LexborNode, title: LexborNode) -> list[LexborNode]:
    """Return the badges beside the title in its row, nearest first after it, then before."""
    node = title
    while node.mem_id != root.mem_id and not has_element_sibling(node):
        if node.parent is None:
            return []
        node = node.parent
    if node.mem_id == root.mem_id:
        return []
    found: list[LexborNode] = []
    for step in (next_element, previous_element):
        beside = step(node)
        while beside is not None and _is_badge(page, beside):
            found.append(beside)
            beside = step(beside)
    return found


def opens_with_badge(excerpt: str) -> bool:
    """Tell whether an excerpt opens with a badge word set apart ("原创 两次握手…"): only
    then are the title's neighbours looked at."""
    end = excerpt.find(" ", 0, MAX_BADGE_CHARS + 1)
    return end > 0 and BADGE_RE.match(excerpt, 0, end) is not None


def _is_badge(page: Page, node: LexborNode) -> bool:
    """Tell whether an element shows a badge word alone, and no link or button."""
    if node.tag in ("a", "button") or not _shows_short_text(node):
        return False
    return BADGE_RE.match(page.text_of(node)) is not None and node.css_first("a[href]") is None


def _shows_short_text(node: LexborNode) -> bool:
    """Tell whether an element shows some text, no longer than a badge's: read no further
    than that (the excerpt beside a title is long)."""
    size = 0
    for inner in node.traverse(include_text=True):
        if inner.tag == "-text":
            size += len((inner.text_content or "").strip())
            if size > MAX_BADGE_CHARS:
                return False
    return size > 0
