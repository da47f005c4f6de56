"""Whole-card links: one ``<a href>`` around a card's title, excerpt and meta line.

Such a link's text is the whole card, so it cannot be the title. The element inside
it that names the post is its heading, else the element classed as its title
(``strong.tit_subject``), else the first part of it that shows text and
is not a date or a badge: the parts are the children of the innermost wrapper that holds more
than one of them (``<a><div><div class="title">…</div><div>2022-07-17</div></div></a>``).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.elements import HEADINGS
from feedkeeper.parse.badges import BADGE_RE
from feedkeeper.parse.dates import parse_date, parse_month_day
from feedkeeper.parse.dom import UNRENDERED_TAGS, contains, element_children, is_visible
from feedkeeper.parse.page import Page
from feedkeeper.parse.when import split_date_of

# Text this short that reads as a date is the card's date, never its title.
MAX_DATE_PART = 40


def title_node(page: Page, link: LexborNode) -> LexborNode:
    """Return the element inside a link that shows the post's title (the link itself if plain)."""
    if link.child is None or (link.child.next is None and link.child.tag == "-text"):
        return link  # the common case: a link around its text alone
    # A walk over the link's few elements costs less than compiling a selector.
    for heading in link.traverse():
        if heading.tag in HEADINGS and page.text_of(heading) and is_visible(heading, page.hidden):
            return heading
    node = link
    while not _has_own_text(node):
        parts = _text_parts(page, node)
        if len(parts) > 1 and (classed := _title_classed(page, node)) is not None:
            return classed
        if len(parts) != 1:
            # A badge beside the title ("<span>原</span><span>Title</span>") names nothing.
            titled = [
                part
                for part in parts
                if not _is_date(page, part) and not BADGE_RE.match(page.text_of(part))
            ]
            return titled[0] if len(parts) > 1 and titled else node
        node = parts[0]
    return node


# A class naming an element a title: ``post-title``, ``entry_title``, Daum's ``tit_subject``.
_TITLE_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:title|tit|headline)(?:$|[\s_-])", re.I)


def _title_classed(page: Page, node: LexborNode) -> LexborNode | None:
    """Return the element below ``node`` classed as the post's title, the innermost of
    nested ones (Brunch's ``div.post_title > strong.tit_subject``), if it shows text."""
    classed: LexborNode | None = None
    walk = node.traverse()
    next(walk)
    for element in walk:
        if (classed is None or contains(classed, element)) and _TITLE_CLASS_RE.search(
            element.attributes.get("class") or ""
        ):
            classed = element
    if classed is None or not page.text_of(classed) or not is_visible(classed, page.hidden):
        return None
    return classed


def _has_own_text(node: LexborNode) -> bool:
    """Tell whether text sits directly in the node (it then names the post as a whole)."""
    children = node.iter(include_text=True)
    return any(child.tag == "-text" and (child.text_content or "").strip() for child in children)


def _text_parts(page: Page, node: LexborNode) -> list[LexborNode]:
    return [
        child
        for child in element_children(node)
        if child.tag not in UNRENDERED_TAGS
        and child.mem_id not in page.hidden
        and page.text_of(child)
    ]


def _is_date(page: Page, part: LexborNode) -> bool:
    """Tell whether a part shows a date and nothing else, whole or split over its elements."""
    text = page.text_of(part)
    if len(text) > MAX_DATE_PART:
        return False
    return bool(parse_date(text) or parse_month_day(text) or any(split_date_of(page, part)))
