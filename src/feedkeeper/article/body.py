"""Finding an article page's main content by where its prose is, not by class names."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.article.dom import SKIP_TAGS, class_tokens

# Elements that can hold a whole article; a paragraph or list never does.
_CONTAINER_TAGS = frozenset({"body", "main", "article", "section", "div", "td", "center", "form"})
# The body is the deepest container still holding this share of the page's prose; a
# high share keeps a post split into sections whole, at the cost of keeping comments.
_BODY_SHARE = 0.75
# Text that is not prose: links (menus, tag clouds) and code.
_NOT_PROSE_TAGS = SKIP_TAGS | {"a", "pre", "math"}
# Regions that hold other people's words or other posts: a long comment thread must
# not outweigh the article it hangs under.
_NOT_ARTICLE_RE = re.compile(
    r"^(?:comments?|comment-?(?:list|area|section|wrapper)s?|comments-(?:area|section|wrapper|list)"
    r"|disqus_thread|respond|related(?:-posts?)?|sidebar)$",
    re.IGNORECASE,
)


def find_body(tree: LexborHTMLParser) -> LexborNode | None:
    """Return the element holding the article's main content, or None for an empty page."""
    root = tree.body
    if root is None:
        return None
    prose = _prose_totals(root)
    marked = [n for n in tree.css("[itemprop=articleBody]") if prose.get(n, 0) > 0]
    if marked:
        return max(marked, key=lambda node: prose[node])
    return _descend(root, prose)


def _descend(root: LexborNode, prose: dict[LexborNode, int]) -> LexborNode:
    """Walk down from the root into the one container that holds most of the prose."""
    threshold = _BODY_SHARE * prose.get(root, 0)
    current = root
    while threshold > 0:
        inner = [
            child
            for child in current.iter()
            if child.tag in _CONTAINER_TAGS and prose.get(child, 0) >= threshold
        ]
        if not inner:
            break
        current = inner[0]
    return current


def _prose_totals(root: LexborNode) -> dict[LexborNode, int]:
    """Count, for every element under ``root``, the prose characters it holds."""
    order: list[LexborNode] = []
    parent_of: dict[LexborNode, LexborNode] = {}
    own: dict[LexborNode, int] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        for child in node.iter(include_text=True):
            if child.is_text_node:
                text = child.text_content or ""
                own[node] = own.get(node, 0) + sum(not ch.isspace() for ch in text)
            elif child.is_element_node and _is_prose_holder(child):
                parent_of[child] = node
                stack.append(child)
    totals = dict(own)
    for node in reversed(order):
        parent = parent_of.get(node)
        if parent is not None:
            totals[parent] = totals.get(parent, 0) + totals.get(node, 0)
    return totals


def _is_prose_holder(node: LexborNode) -> bool:
    """Tell whether an element's text may count as the article's prose."""
    if node.tag in _NOT_PROSE_TAGS:
        return False
    names = {*class_tokens(node), node.attributes.get("id") or ""}
    return not any(_NOT_ARTICLE_RE.match(name) for name in names)
