"""Listings without a wrapper per card: a heading, then the card's lines as its siblings.

Some themes write ``<h2><a>Title</a></h2><p>date</p><p>excerpt</p><h2>…`` straight into
one container. The headings repeat, so detection finds them; the lines after each
heading, up to the next card heading (or the pager, or a landmark), belong to its card.
Each such run is wrapped in a ``<div>`` of its own, so that the card is one element.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from feedkeeper.parse.dom import HEADINGS, LANDMARK_TAGS, element_children
from feedkeeper.parse.page import Page
from feedkeeper.parse.urls import page_number

Groups = dict[int, list[LexborNode]]  # card heading id -> the elements that follow it


def heading_groups(page: Page, container: LexborNode, headings: list[LexborNode]) -> Groups:
    """Return the elements that follow each card heading in the container (empty if none)."""
    wanted = {node.mem_id for node in headings}
    groups: Groups = {}
    current: list[LexborNode] | None = None
    for child in element_children(container):
        if child.mem_id in wanted:
            current = groups.setdefault(child.mem_id, [])
        elif current is not None and _ends_card(page, child):
            current = None
        elif current is not None:
            current.append(child)
    return groups if any(groups.values()) else {}


def _ends_card(page: Page, node: LexborNode) -> bool:
    """Tell whether an element after a card's lines is no part of it: a heading, nav, pager."""
    if node.tag in HEADINGS or node.tag in LANDMARK_TAGS or node.tag == "hr":
        return True
    for anchor in node.css("a[href]"):
        link = page.link(anchor)
        if link is not None and link.url is not None and page_number(link.url) is not None:
            return True
    return False


def wrap_groups(page: Page, heading: LexborNode, lines: list[LexborNode]) -> LexborNode:
    """Move a card heading and its lines into a new ``<div>`` in their place; return it."""
    wrapper = page.tree.create_node("div")
    heading.insert_before(wrapper, move=True)
    for node in [heading, *lines]:
        wrapper.insert_child(node, move=True)
    page.forget_ancestry()
    return wrapper
