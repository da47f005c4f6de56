"""A card's excerpt: its main run of text, without the title, meta lines and "Read more".

The card is cut into regions along the path to its title. A region that holds a
meta *indicator* (a date, a category or tag link, a comment count, an author link)
and little text besides is a meta line; one that also holds a clean block of text is
split further. Meta lines and the title break the card into runs of text regions,
and the longest run is the excerpt: stray bits such as reading times or badges lose.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from selectolax.lexbor import LexborNode

from feedkeeper.elements import BLOCK_TAGS
from feedkeeper.parse.dom import (
    UNRENDERED_TAGS,
    ancestors,
    collapse,
    render_into,
)
from feedkeeper.parse.page import Page

# A region with an indicator and at most this much other text is a meta line.
MAX_META_RESIDUAL = 50
# Text above the title this short is a label (a section name, a tag shown as a kicker),
# not the excerpt, which comes below the title.
MAX_LABEL_CHARS = 24
# A label some sites put before the excerpt ("摘要：", "Summary:"): no part of the text.
_LEADING_LABEL_RE = re.compile(
    r"^\s*(?:摘要|简介|概要|导读|导语|summary|excerpt|abstract|tl;?dr)\s*[:：]\s*", re.I
)

# The lookahead lets the positions where no match can start fail at once.
_TRAILING_READ_MORE_RE = re.compile(
    r"(?=[\s阅继查rc])\s*(?:阅读全文|阅读更多|继续阅读|查看全文|read\s+more|continue\s+reading)"
    r"\s*[»›→>]*\s*$",
    re.I,
)
# The last letter of each word the pattern above ends with: a text ending otherwise
# (after trailing spaces and arrows) cannot match, and is not searched.
_READ_MORE_ENDS = frozenset("文多读eEgG")
_ARROWS = "»›→>"


def find_excerpt(
    page: Page,
    root: LexborNode,
    title: LexborNode | None,
    indicators: Collection[LexborNode],
    skip_nodes: Collection[LexborNode],
) -> tuple[str | None, list[LexborNode]]:
    """Return the card's excerpt text (None when it shows none) and the nodes it came from."""
    skip = {node.mem_id for node in skip_nodes}
    marked = _mark(root, indicators)
    title_path = {a.mem_id for a in ancestors(title, root)} if title is not None else set()
    title_id = title.mem_id if title is not None else None
    hidden = page.hidden
    unshown = hidden.union(skip) if skip else hidden
    run = _Run()
    stack = list(root.iter(include_text=True))
    stack.reverse()
    # The regions are rendered as the walk meets them, into the run they belong to.
    while stack:
        node = stack.pop()
        raw = node.text_content  # None unless a text node that holds some text
        if raw is not None:
            run.parts.append(raw)  # a text node renders as it is
            continue
        tag, key = node.tag, node.mem_id
        if key == title_id:
            run.close(before_title=True)
        elif tag in UNRENDERED_TAGS or tag == "-text" or key in skip or key in hidden:
            continue
        elif key in title_path or (key in marked and _needs_split(node, marked, skip)):
            children = list(node.iter(include_text=True))
            children.reverse()
            stack += children
        elif key in marked:
            run.close()
        else:
            render_into(node, unshown, run.parts)
            run.nodes.append(node)
    run.close()
    text = _strip_read_more(strip_label(run.best_text))
    if not any(char.isalpha() for char in text):  # counts, dates, punctuation: no excerpt
        return None, []
    return text, run.best_nodes


class _Run:
    """The run of text regions being read, and the longest one closed so far."""

    __slots__ = ("best_nodes", "best_text", "nodes", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.nodes: list[LexborNode] = []  # the elements among the regions
        self.best_text = ""
        self.best_nodes: list[LexborNode] = []

    def close(self, before_title: bool = False) -> None:
        """End the run at a break (the title or a meta line), keeping it if the longest.

        A short run above the title is a label, and never the excerpt."""
        text = "".join(self.parts)
        if len(text) > len(self.best_text):  # collapsing only shortens: else it cannot win
            text = collapse(text)
            if len(text) > len(self.best_text) and not (
                before_title and len(text) <= MAX_LABEL_CHARS
            ):
                self.best_text, self.best_nodes = text, self.nodes
        self.parts, self.nodes = [], []


def _mark(root: LexborNode, indicators: Collection[LexborNode]) -> dict[int, int]:
    """Map each element holding indicators to their text length, indicators included."""
    marked: dict[int, int] = {}
    root_id = root.mem_id
    for indicator in indicators:
        size = len(indicator.text(strip=True))
        key = indicator.mem_id
        marked[key] = marked.get(key, 0) + size
        parent = indicator.parent  # then its ancestors, as far as the root (not included);
        while parent is not None:  # were the root not above, the marks above it go unread
            key = parent.mem_id
            if key == root_id:
                break
            marked[key] = marked.get(key, 0) + size
            parent = parent.parent
    return marked


def _needs_split(node: LexborNode, marked: dict[int, int], skip: Collection[int]) -> bool:
    """Tell whether a marked region also holds excerpt text, so it must be split further."""
    residual = len(node.text(strip=True)) - marked[node.mem_id]
    if residual > MAX_META_RESIDUAL:
        return True
    for child in node.iter():
        key = child.mem_id
        if (
            child.tag in BLOCK_TAGS
            and key not in marked
            and key not in skip
            and child.text(strip=True)
        ):
            return True
    return False


def strip_label(text: str) -> str:
    """Drop a leading "摘要：" or "Summary:" label."""
    if ":" not in text[:16] and "：" not in text[:16]:  # most excerpts: no label to look for
        return text
    return _LEADING_LABEL_RE.sub("", text, count=1)


def _strip_read_more(text: str) -> str:
    """Drop a trailing "Read more" written as plain text rather than as a link."""
    if text.rstrip().rstrip(_ARROWS).rstrip()[-1:] not in _READ_MORE_ENDS:
        return text
    head, tail = text[:-80], text[-80:]  # the pattern is anchored at the end
    return head + _TRAILING_READ_MORE_RE.sub("", tail)
