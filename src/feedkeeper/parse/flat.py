"""Cards that are not one element each: flat runs of lines, and groups of several posts.

Some themes write ``<h2><a>Title</a></h2><p>date</p><p>excerpt</p><h2>…`` straight into
one container. The headings repeat, so detection finds them; the lines after each
heading, up to the next card heading (or the pager, a landmark, a heading of a higher
level), belong to its card: a whole post's own section headings stay in its body.
Each such run is wrapped in a ``<div>`` of its own, so that the card is one element.

Others group posts under a date header (``<div class="day"><h2>date</h2><div>post</div>
<div>post</div></div>``): a block that holds several titled posts is split into them.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from feedkeeper.elements import HEADINGS
from feedkeeper.parse.blocks import Block
from feedkeeper.parse.dom import LANDMARK_TAGS, ancestors, contains, element_children
from feedkeeper.parse.page import Page
from feedkeeper.parse.urls import page_number

Groups = dict[int, list[LexborNode]]  # card heading id -> the elements that follow it


def heading_groups(page: Page, container: LexborNode, headings: list[LexborNode]) -> Groups:
    """Return the elements that follow each card heading in the container (empty if none)."""
    wanted = {node.mem_id for node in headings}
    top = min((node.tag or "h6") for node in headings)  # "h1" < "h2": the cards' level
    groups: Groups = {}
    current: list[LexborNode] | None = None
    for child in element_children(container):
        if child.mem_id in wanted:
            current = groups.setdefault(child.mem_id, [])
        elif current is not None and _ends_card(page, child, top):
            current = None
        elif current is not None:
            current.append(child)
    return groups if any(groups.values()) else {}


def _ends_card(page: Page, node: LexborNode, level: str) -> bool:
    """Tell whether an element after a card's lines is no part of it: a heading, nav, pager.

    Only a heading above the cards' own level ends one: the post's body has headings of
    its own (``<h2>`` post titles over ``<h2>``/``<h3>`` sections), and they are no posts.
    """
    if node.tag in HEADINGS:
        return (node.tag or "") < level
    if node.tag in LANDMARK_TAGS or node.tag == "hr":
        return True
    for anchor in node.css("a[href]"):
        link = page.link(anchor)
        if link is not None and link.url is not None and page_number(link.url) is not None:
            return True
    return False


def wrap_groups(page: Page, heading: LexborNode, lines: list[LexborNode]) -> LexborNode:
    """Move a card heading and its lines into a new ``<div>`` in their place; return it.

    The page's links keep their old ancestors until ``page.forget_ancestry()``: a caller
    wrapping many groups calls it once, after the last.
    """
    wrapper = page.tree.create_node("div")
    heading.insert_before(wrapper, move=True)
    for node in [heading, *lines]:
        wrapper.insert_child(node, move=True)
    return wrapper


def split_groups(blocks: list[Block]) -> list[Block]:
    """Split blocks that hold several titled posts into one block per post."""
    found: list[Block] = []
    for block in blocks:
        titled = list(dict.fromkeys(link.key for link in block.links if link.in_heading))
        if len(titled) < 2:
            found.append(block)
            continue
        for key in titled:
            heading_link = next(x for x in block.links if x.key == key and x.in_heading)
            others = [x.node for x in block.links if x.in_heading and x.key != key]
            root = heading_link.node
            for ancestor in ancestors(heading_link.node, block.node):
                if any(contains(ancestor, other) for other in others):
                    break
                root = ancestor
            inside = [x for x in block.links if contains(root, x.node)]
            found.append(Block(root, inside, heading_link))
    return found
