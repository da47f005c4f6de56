"""Finding an article page's main content by where its prose is, not by class names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.article.dom import SKIP_TAGS, class_tokens, is_content_holder

# Elements that can hold a whole article; a paragraph or list never does.
_CONTAINER_TAGS = frozenset({"body", "main", "article", "section", "div", "td", "center", "form"})
# Descend into a child only if it leaves behind no paragraph and little other text (a
# title, a date line): furniture ahead of the article is harmless to alignment, while
# losing the article's first paragraph is not.
_LEFT_BEHIND_SHARE, _LEFT_BEHIND_CHARS, _LEFT_BEHIND_CAP = 0.1, 80, 0.25
# Text in these is the article's own prose, never furniture to leave behind.
_PARAGRAPH_TAGS = frozenset({"p", "blockquote", "li", "dd"})
# Text that is not prose: links (menus, tag clouds) and code.
_NOT_PROSE_TAGS = SKIP_TAGS | {"a", "pre", "math"}
# Regions that hold other people's words or other posts: a long comment thread must
# not outweigh the article it hangs under.
_NOT_ARTICLE_RE = re.compile(
    r"^(?:comments?|comment-?(?:list|area|section|wrapper)s?|comments-(?:area|section|wrapper|list)"
    r"|disqus_thread|respond|related(?:-posts?)?|sidebar|widget-area)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Prose:
    """Prose characters under each element: in all, and inside paragraphs."""

    total: dict[LexborNode, int]
    in_paragraphs: dict[LexborNode, int]

    def left_behind(self, parent: LexborNode, child: LexborNode) -> tuple[int, int]:
        """Return the prose, and the paragraph prose, of ``parent`` outside ``child``."""
        return (
            self.total.get(parent, 0) - self.total.get(child, 0),
            self.in_paragraphs.get(parent, 0) - self.in_paragraphs.get(child, 0),
        )


def find_body(tree: LexborHTMLParser) -> LexborNode | None:
    """Return the element holding the article's main content, or None for an empty page."""
    root = tree.body
    if root is None:
        return None
    prose = _count_prose(root)
    marked = [n for n in tree.css("[itemprop=articleBody]") if prose.total.get(n, 0) > 0]
    if marked:
        return max(marked, key=lambda node: prose.total[node])
    return _descend(root, prose)


def _descend(root: LexborNode, prose: _Prose) -> LexborNode:
    """Walk down while one container holds all paragraphs and nearly all other prose."""
    current = root
    while True:
        total = prose.total.get(current, 0)
        slack = min(max(total * _LEFT_BEHIND_SHARE, _LEFT_BEHIND_CHARS), total * _LEFT_BEHIND_CAP)
        inner = [
            child
            for child in current.iter()
            if child.tag in _CONTAINER_TAGS
            and prose.total.get(child, 0) > 0
            and _is_small(prose.left_behind(current, child), slack)
        ]
        if not inner:
            return current
        current = max(inner, key=lambda child: prose.total.get(child, 0))


def _is_small(left_behind: tuple[int, int], slack: float) -> bool:
    """Tell furniture (a title, a date line) from prose that belongs to the article."""
    text, paragraphs = left_behind
    return text <= slack and paragraphs == 0


def _count_prose(root: LexborNode) -> _Prose:
    """Count, for every element under ``root``, the prose characters it holds."""
    order: list[LexborNode] = []
    parent_of: dict[LexborNode, LexborNode] = {}
    own: dict[LexborNode, int] = {}
    own_in_paragraphs: dict[LexborNode, int] = {}
    stack = [(root, False)]
    while stack:
        node, in_paragraph = stack.pop()
        order.append(node)
        for child in node.iter(include_text=True):
            if child.is_text_node:
                count = sum(not ch.isspace() for ch in child.text_content or "")
                own[node] = own.get(node, 0) + count
                if in_paragraph:
                    own_in_paragraphs[node] = own_in_paragraphs.get(node, 0) + count
            elif child.is_element_node and _is_prose_holder(child):
                parent_of[child] = node
                stack.append((child, in_paragraph or child.tag in _PARAGRAPH_TAGS))
    return _Prose(_sum_up(own, order, parent_of), _sum_up(own_in_paragraphs, order, parent_of))


def _sum_up(
    own: dict[LexborNode, int], order: list[LexborNode], parent_of: dict[LexborNode, LexborNode]
) -> dict[LexborNode, int]:
    """Add every element's count into its ancestors' (``order`` lists parents first)."""
    totals = dict(own)
    for node in reversed(order):
        parent = parent_of.get(node)
        if parent is not None:
            totals[parent] = totals.get(parent, 0) + totals.get(node, 0)
    return totals


def _is_prose_holder(node: LexborNode) -> bool:
    """Tell whether an element's text may count as the article's prose."""
    if node.tag in _NOT_PROSE_TAGS and not is_content_holder(node):
        return False
    names = {*class_tokens(node), node.attributes.get("id") or ""}
    return not any(_NOT_ARTICLE_RE.match(name) for name in names)
