"""A card's excerpt: its main run of text, without the title, meta lines and "Read more".

The card is cut into regions along the path to its title. A region that holds a
meta *indicator* (a date, a category or tag link, a comment count, an author link)
and little text besides is a meta line; one that also holds a clean block of text is
split further. Meta lines and the title break the card into runs of text regions,
and the longest run is the excerpt: stray bits such as reading times or badges lose.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from selectolax.lexbor import LexborNode

from feedkeeper.cards import PLACEHOLDER_RE, with_plain_tokens
from feedkeeper.elements import BLOCK_TAGS
from feedkeeper.parse.dom import (
    UNREAD_IN_EXCERPT,
    ancestors,
    collapse,
    contains,
    has_element_sibling,
    render_into,
)
from feedkeeper.parse.node_text import stripped_text
from feedkeeper.parse.page import Page
from feedkeeper.parse.read_more import BUTTON_CLOSERS, strip_read_more, without_empty_brackets
from feedkeeper.parse.vocab import (
    EXCERPT_LABEL_RE,
    HASHTAGS_RE,
    NO_EXCERPT_RE,
    is_count_words,
    reads_as_count,
)

# A region with an indicator and at most this much other text is a meta line.
MAX_META_RESIDUAL = 50
# Text above the title this short is a label (a section name, a tag shown as a kicker),
# not the excerpt, which comes below the title.
MAX_LABEL_CHARS = 24
# A line of counts and times ("1.2k 36 8", "2d ago · 7 min read · 214", "3天前 · 1.5w 阅读"),
# with the buttons beside them ("Save"): its words, each a number (with a unit: 2d, 1.2k,
# 1.5w) or one of STATS_WORDS.
MAX_STATS_RAW_CHARS = 400  # with the markup's indentation
MAX_STATS_WORDS = 16
MAX_STATS_WORD_CHARS = 12
# Longer than this, a text is no count's words left over (a few words, each short).
MAX_COUNT_WORDS_CHARS = 48
# What themes write where a post has no excerpt (NO_EXCERPT_RE): no excerpt either.
MAX_FILLER_CHARS = 24
# No excerpt in Latin letters is this short: "in", "by", "on" are a meta line's words.
MAX_LABEL_WORD = 3
_LEADING_SEPARATORS = "—–·|｜•"


def find_excerpt(
    page: Page,
    root: LexborNode,
    title: LexborNode | None,
    indicators: Collection[LexborNode],
    skip_nodes: Collection[LexborNode],
    title_text: str | None = None,
) -> tuple[str | None, list[LexborNode]]:
    """Return the card's excerpt text (None when it shows none) and the nodes it came from.

    A short text sharing a wrapper with a meta line is part of the meta line (an
    author's headline beside their name), unless the card shows no other text: then
    it is looked for however deep the wrappers are ("A short note." beside its date).
    """
    skip = {node.mem_id for node in skip_nodes}
    marked = _mark(root, indicators)
    # The title's wrappers inside the card, found once for every reading below.
    above = list(ancestors(title, root)) if title is not None else []
    titled = _Titled(title, title_text, {node.mem_id for node in above})
    found = _read_excerpt(page, root, titled, skip, marked, deep=False)
    if found[0] is None and marked:
        return _read_excerpt(page, root, titled, skip, marked, deep=True)
    link = _title_link(root, above) if found[1] else None
    if link is not None and all(contains(link, node) for node in found[1]):
        # A subtitle in the title's link (Beautiful Jekyll's ``h3.post-subtitle``) gives
        # way to the excerpt the card shows outside it, if any.
        outside = skip | {node.mem_id for node in found[1]}
        other = _read_excerpt(page, root, titled, outside, marked, deep=False)
        return other if other[0] is not None else found
    return found


class _Titled(NamedTuple):
    """The card's title: its node, its text as read (None: not known), and the ids of the
    elements between it and the card."""

    node: LexborNode | None
    text: str | None
    path: set[int]


def _title_link(root: LexborNode, above: list[LexborNode]) -> LexborNode | None:
    """Return the link holding the title inside the card (``above``: the title's wrappers
    there, nearest first), unless it holds the whole card."""
    for node in above:
        if node.tag == "a":
            whole = node.mem_id == root.mem_id or contains(node, root) or _wraps_all(node, root)
            return None if whole else node
    return None


def _wraps_all(link: LexborNode, root: LexborNode) -> bool:
    """Tell a link that is all the card holds (CSDN's ``article > a`` around the whole
    card): it and each wrapper up to the card stand alone among their siblings."""
    node = link
    while node.mem_id != root.mem_id:
        if has_element_sibling(node) or node.parent is None:
            return False
        node = node.parent
    return True


def _read_excerpt(
    page: Page,
    root: LexborNode,
    titled: _Titled,
    skip: set[int],
    marked: dict[int, int],
    *,
    deep: bool,
) -> tuple[str | None, list[LexborNode]]:
    title, title_path = titled.node, titled.path
    title_id = title.mem_id if title is not None else None
    hidden = page.hidden
    unshown = hidden.union(skip) if skip else hidden
    run = _Run(page, title, titled.text)
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
        elif tag in UNREAD_IN_EXCERPT or tag == "-text" or key in skip or key in hidden:
            continue
        elif key in title_path or (key in marked and _needs_split(node, marked, skip, deep)):
            if key not in title_path:
                run.close()  # a region holding a meta line: no excerpt runs into it
            children = list(node.iter(include_text=True))
            children.reverse()
            stack += children
        elif key in marked:
            run.close()
        else:
            start = len(run.parts)
            render_into(node, unshown, run.parts, UNREAD_IN_EXCERPT)
            if _is_stats_line(run.parts, start):  # "1.2k 36 8", "2d ago · 7 min read"
                del run.parts[start:]
                run.close()
            elif run.shows_title(node, start):  # the title again, for another screen
                del run.parts[start:]
                run.close(before_title=True)
            else:
                run.nodes.append(node)
    run.close()
    text = clean_excerpt(run.best_text)
    return (text, run.best_nodes) if text is not None else (None, [])


def clean_excerpt(text: str) -> str | None:
    """Return an excerpt's text without a leading label ("摘要：") or a trailing "Read more";
    None for what is no excerpt: a theme's "暂无简介", or text without a letter (counts)."""
    text = with_plain_tokens(strip_read_more(_strip_label(text)))
    if text[-1:] in BUTTON_CLOSERS:
        text = without_empty_brackets(text)
    if text[:1] in _LEADING_SEPARATORS:  # what parted it from a date on its line: "— 摘要"
        text = text.lstrip(_LEADING_SEPARATORS).lstrip()
    if len(text) <= MAX_FILLER_CHARS and NO_EXCERPT_RE.fullmatch(text):
        return None
    if len(text) <= MAX_LABEL_WORD and text.isascii():
        return None  # a meta line's word left over: WordPress's "in" before the categories
    if len(text) <= MAX_COUNT_WORDS_CHARS and is_count_words(text):
        return None  # a count's words whose number is a link: "<a>3</a> comments"
    # Most excerpts open with a letter: the walk over the characters is then not set up.
    return text if text[:1].isalpha() or any(char.isalpha() for char in text) else None


class _Run:
    """The run of text regions being read, and the longest one closed so far."""

    __slots__ = ("best_nodes", "best_text", "nodes", "page", "parts", "title", "title_text")

    def __init__(self, page: Page, title: LexborNode | None, title_text: str | None) -> None:
        self.page = page
        self.title = title  # a link over the whole card showing it again is no excerpt
        self.title_text = title_text  # the card's title, as read (None: not known)
        self.parts: list[str] = []
        self.nodes: list[LexborNode] = []  # the elements among the regions
        self.best_text = ""
        self.best_nodes: list[LexborNode] = []

    def close(self, before_title: bool = False) -> None:
        """End the run at a break (the title or a meta line), keeping it if the longest.

        A short run above the title is a label, and a link over the whole card showing the
        title again is the title: neither is ever the excerpt."""
        text = "".join(self.parts)
        if len(text) > len(self.best_text):  # collapsing only shortens: else it cannot win
            text = collapse(text)
            if len(text) > len(self.best_text) and not (
                (before_title and len(text) <= MAX_LABEL_CHARS) or self._repeats_title(text)
            ):
                self.best_text, self.best_nodes = text, self.nodes
        self.parts, self.nodes = [], []

    def shows_title(self, node: LexborNode, start: int) -> bool:
        """Tell whether the region, an element classed as a title rendered from
        ``parts[start]`` on, shows the title's text: a theme showing the title twice, for
        phones and for desktops. (An excerpt repeating the title, a post that opens with
        its own name, is the excerpt.)"""
        if self.title is None:
            return False
        title = self.title_text
        if title is None:
            title = self.title_text = self.page.text_of(self.title)
        size = 0
        for part in self.parts[start:]:
            size += len(part)
        if not title or size < len(title) or size > 2 * len(title) + MAX_LABEL_CHARS:
            return False  # most regions: the length alone tells
        if "title" not in (node.attributes.get("class") or "").lower():
            return False
        return collapse("".join(self.parts[start:])) == title

    def _repeats_title(self, text: str) -> bool:
        """Tell whether the run is links alone that show the title's text."""
        if self.title is None:
            return False
        for node in self.nodes:  # a loop: a generator costs more than the few nodes
            if node.tag != "a":
                return False  # most runs: text of other elements
        return bool(self.nodes) and text == self.page.text_of(self.title)


def _mark(root: LexborNode, indicators: Collection[LexborNode]) -> dict[int, int]:
    """Map each element holding indicators to their text length, indicators included."""
    marked: dict[int, int] = {}
    root_id = root.mem_id
    for indicator in indicators:
        size = len(stripped_text(indicator))
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


def _needs_split(
    node: LexborNode, marked: dict[int, int], skip: Collection[int], deep: bool
) -> bool:
    """Tell whether a marked region also holds excerpt text, so it must be split further:
    much text besides its marks, or a block of text of its own (``deep``: at any depth)."""
    residual = len(stripped_text(node)) - marked[node.mem_id]
    if residual > MAX_META_RESIDUAL or (deep and _says_a_sentence(node)):
        return True
    for child in node.iter():
        key = child.mem_id
        if key in skip:
            continue
        if child.tag not in BLOCK_TAGS:
            if deep and key not in marked and _holds_placeholder(child):
                return True  # "<time>…</time> — <span>[代码] 的写法</span>": a short excerpt
            continue
        if key in marked:  # a wrapper of the meta line and the excerpt, one level down
            if (
                deep
                and marked[key] < len(stripped_text(child))
                and _needs_split(child, marked, skip, deep)
            ):
                return True
        elif stripped_text(child):
            return True
    return False


def _says_a_sentence(node: LexborNode) -> bool:
    """Tell whether text of the element's own, beside its meta line, ends as a sentence
    ("<span>2024-03-12</span> · 为什么卢曼的编号是分叉的。"): a short excerpt, where a
    headline beside a name ends with no stop."""
    for child in node.iter(include_text=True):
        if child.tag != "-text":
            continue
        text = (child.text_content or "").strip().lstrip(_LEADING_SEPARATORS).strip()
        if len(text) >= MIN_SENTENCE_CHARS and text.endswith(_SENTENCE_ENDS):
            return True
    return False


# A sentence's text, at least, and how it ends (a cut one with an ellipsis).
MIN_SENTENCE_CHARS = 10
_SENTENCE_ENDS = ("。", "！", "？", ".", "!", "?", "…", "⋯")


def _holds_placeholder(node: LexborNode) -> bool:
    """Tell whether an element shows a placeholder: text of an excerpt, never a meta line's."""
    text = node.text()
    return "[" in text and PLACEHOLDER_RE.search(text) is not None


def _is_stats_line(parts: list[str], start: int) -> bool:
    """Tell whether the text rendered from ``parts[start]`` on is a line of counts and
    times (at least one number among them) or of hashtags: a meta line, whatever element
    shows it."""
    raw = 0
    for part in parts[start:]:
        raw += len(part)
        if raw > MAX_STATS_RAW_CHARS or (len(part) > 80 and len(part.strip()) > 60):
            return False  # most regions: prose, or a long text node
    text = "".join(parts[start:])
    if "#" in text and HASHTAGS_RE.fullmatch(text):
        return True
    words = text.split()  # without the markup's indentation
    if len(words) > MAX_STATS_WORDS or any(len(word) > MAX_STATS_WORD_CHARS for word in words):
        return False  # prose: many words, or long ones (a sentence of Chinese is one)
    return reads_as_count(text)


def _strip_label(text: str) -> str:
    """Drop a leading "摘要：" or "Summary:" label."""
    if ":" not in text[:16] and "：" not in text[:16]:  # most excerpts: no label to look for
        return text
    return EXCERPT_LABEL_RE.sub("", text, count=1)
