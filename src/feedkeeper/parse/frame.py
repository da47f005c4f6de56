"""The page's frame around its content: landmarks (nav, header, footer, aside), sidebars
and widget areas, and the title of a widget-like list ("热门文章")."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from feedkeeper.elements import HEADINGS, previous_element
from feedkeeper.parse.dom import (
    LANDMARK_ROLES,
    LANDMARK_TAGS,
    ancestors,
    attr,
    contains,
    first_element_child,
)
from feedkeeper.parse.vocab import LAYOUT_STATE_RE, SIDEBAR_TOKEN_RE, WIDGET_TITLE_RE


def is_landmark(node: LexborNode) -> bool:
    """Tell whether an element is a landmark: a nav, header, footer or aside, by tag or role."""
    return node.tag in LANDMARK_TAGS or attr(node, "role").lower() in LANDMARK_ROLES


def is_frame(node: LexborNode) -> bool:
    """Tell whether an element is the page's frame around its content: a landmark (nav,
    header, footer, aside) or a sidebar or widget."""
    return is_landmark(node) or has_sidebar_token(node)


def are_columns(blocks: list[LexborNode], listings: list[LexborNode]) -> bool:
    """Tell whether blocks are the page's columns, not cards: a sidebar (cnblogs'
    ``div#sideBar``) beside a column holding one of the page's ``listings``."""
    if not any(is_frame(block) for block in blocks):
        return False
    return any(
        contains(block, listing) for block in blocks if not is_frame(block) for listing in listings
    )


def has_sidebar_token(node: LexborNode) -> bool:
    """Tell whether the element's id or class names it a sidebar or widget (``no-sidebar``
    or ``sidebar-collapsed`` name a layout's state, not the sidebar; on the page's
    ``body``, ``right-sidebar`` or ``ast-left-sidebar`` name its layout)."""
    if node.tag in ("body", "html"):
        return False
    names = attr(node, "id") + " " + attr(node, "class")
    if SIDEBAR_TOKEN_RE.search(names) is None:  # most elements: no token to look at
        return False
    tokens = [
        token
        for token in names.split()
        if SIDEBAR_TOKEN_RE.search(token) and not LAYOUT_STATE_RE.search(token)
    ]
    if tokens and all(token.lower() == "widget" for token in tokens):
        return not _in_main(node)  # Blogger's posts are its "widget Blog", in <main>
    return bool(tokens)


def _in_main(node: LexborNode) -> bool:
    """Tell whether the element sits in the page's main content (``<main>``, ``#main``)."""
    for ancestor in ancestors(node):
        if ancestor.tag == "main" or attr(ancestor, "role") == "main":
            return True
        if attr(ancestor, "id") == "main":
            return True
    return False


def widget_title(container: LexborNode) -> str | None:
    """Return the title of a widget-like list ("热门文章") right before or atop the container."""
    previous = previous_element(container)
    heads = [previous] if previous is not None else []
    parent = container.parent
    first = first_element_child(parent) if parent is not None else None
    if first is not None:
        heads.append(first)
    for head in heads:
        # The page's own h1 ("Archive", "归档") names the page, not a widget; nor does a
        # div that holds it or a menu (a site's header: its title and "首页 归档 标签").
        named = (head.tag in HEADINGS and head.tag != "h1") or (
            head.tag == "div" and head.css_first("h1") is None and len(head.css("a")) <= 1
        )
        text = head.text(strip=True) if named else ""
        if text and len(text) <= 30 and WIDGET_TITLE_RE.search(text):
            return text
    return None
