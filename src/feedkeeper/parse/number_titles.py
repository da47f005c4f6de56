"""A link showing a bare number: the title of a post named so ("2023", "42", "1984"), or a
count beside a card's title ("42" comments, "阅读 1984"), which names no post.

A card's title comes first among its links and leads to the post itself; a count comes
after it, leads to its comments' anchor often, and stands beside its word, its brackets,
its icon or a class naming it.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.parse.blocks import Block, PostLink
from feedkeeper.parse.vocab import STATS_WORDS

# The classes of a count's link or of its wrapper: ``a.comment-count``, ``span.views``,
# Discuz's ``td.num``.
_COUNT_CLASS_RE = re.compile(r"count|comment|view|like|repl|hit|stat|vote|score|num", re.I)
# What a title stands after in its card: a date, a category, a badge; not an excerpt.
MAX_TEXT_BEFORE = 40
# Icons shown beside a count: a speech bubble, an eye, a heart.
_ICON_TAGS = frozenset({"i", "svg", "img"})
# What stands between a count and its word ("阅读：1984", "Hits: 388", "评论(12)").
_PUNCTUATION = " \t\r\n\xa0:：·|,，"
# A count in brackets ("评论(12)", "Comments [3]").
_OPENING = ("(", "（", "[", "【")


def names_its_post(block: Block, link: PostLink) -> bool:
    """Tell whether a link showing a bare number is its post's title ("2023"), not a count."""
    # A title is the card's first link showing text, to the post itself, before any
    # excerpt; a count stands beside its word, brackets, icon or a class naming it.
    first = next((other for other in block.links if other.text), None)
    if first is not link or "#" in link.url:
        return False  # a count comes after the title, and leads to the comments often
    node = link.node
    if _text_before(block.node, node) > MAX_TEXT_BEFORE:
        return False  # after an excerpt: a count on the card's last line
    return not (_marked_as_count(node) or _worded_as_count(node))


def _text_before(root: LexborNode, node: LexborNode) -> int:
    """Count the characters a card shows before a link, up to just past the limit."""
    count = 0
    current: LexborNode | None = node
    while current is not None and current.mem_id != root.mem_id:
        sibling = current.prev
        while sibling is not None and count <= MAX_TEXT_BEFORE:
            count += len(sibling.text(deep=True).strip())
            sibling = sibling.prev
        current = current.parent
    return count


def _marked_as_count(node: LexborNode) -> bool:
    """Tell whether a link's class, its wrapper's, or an icon in or before it shows a count."""
    for element in (node, node.parent):
        if element is not None:
            names = f"{element.attributes.get('class') or ''} {element.attributes.get('id') or ''}"
            if _COUNT_CLASS_RE.search(names):
                return True
    if any(inner.tag in _ICON_TAGS for inner in node.traverse(include_text=False)):
        return True
    before = _beside(node.prev, backwards=True)
    return before is not None and before.tag in _ICON_TAGS and not before.text(deep=True).strip()


def _worded_as_count(node: LexborNode) -> bool:
    """Tell whether the words beside a link make it a count ("42 comments", "阅读 1984")."""
    # ("1984 次阅读", "评论(12)" too: a bracket opened right before the number.)
    before = _beside(node.prev, backwards=True)
    if before is not None and before.tag != "a":
        text = before.text(deep=True).rstrip(_PUNCTUATION)
        if text.endswith(_OPENING) or _is_stats_word(text.rsplit(None, 1)[-1:]):
            return True
    after = _beside(node.next, backwards=False)
    if after is not None and after.tag != "a":
        text = after.text(deep=True).lstrip(_PUNCTUATION + ")）]】")
        return _is_stats_word(text.split(None, 1)[:1])
    return False


def _is_stats_word(words: list[str]) -> bool:
    return bool(words) and words[0].casefold().strip(_PUNCTUATION) in STATS_WORDS


def _beside(node: LexborNode | None, backwards: bool) -> LexborNode | None:
    """Return the nearest sibling, text or element, past blank text."""
    while node is not None and node.tag == "-text" and not (node.text_content or "").strip():
        node = node.prev if backwards else node.next
    return node
