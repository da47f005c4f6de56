"""The elements above a page's post links, and which links each of their children holds.

Every ancestor of a post link is a *container*; its children that hold post links are
its *blocks*. The links' paths up the tree are walked once, each only up to where an
earlier link's path joins it, into one tree of element ids. The links come in
document order, so the links inside any element are a run of consecutive ones: a
block's links are a slice, taken only for the containers that are scored.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from feedkeeper.markup import check_time
from feedkeeper.parse.blocks import Block, PostLink

_TOP = 0  # above the root element: no element has this id


class LinkTree:
    """The union of the post links' paths up to the root, as a tree of element ids."""

    def __init__(self, links: list[PostLink]) -> None:
        """Walk up from each link, given in document order."""
        self.links = links
        self.nodes: dict[int, LexborNode] = {}
        self.parent: dict[int, int] = {}
        self.children: dict[int, list[int]] = {}  # in the order first reached, as the keys
        self.start: dict[int, int] = {}  # the first link inside (or being) the element
        self.position: dict[int, int] = {}  # the element's place among its parent's children
        for index, link in enumerate(links):
            check_time()
            self._add(index, link.node)
        self.containers = [
            key for key, children in self.children.items() if len(children) >= 2 and key != _TOP
        ]

    def _add(self, index: int, node: LexborNode) -> None:
        """Add the path from a link's node up, to where it joins one added before."""
        parent, children_of, start = self.parent, self.children, self.start
        child_id = node.mem_id
        self.nodes[child_id] = node
        start.setdefault(child_id, index)
        current = node.parent
        while child_id not in parent:
            is_top = current is None or current.tag in ("html", "-document")
            key = _TOP if is_top or current is None else current.mem_id
            children = children_of.get(key)
            known = children is not None  # on an earlier path: the rest is known
            if children is None:
                children = children_of[key] = []
            parent[child_id] = key
            self.position[child_id] = len(children)
            children.append(child_id)
            if known or current is None or is_top:
                return
            self.nodes[key] = current
            start.setdefault(key, index)  # a link holding a link starts at itself
            child_id = key
            current = current.parent

    def count(self, key: int) -> int:
        """Return how many of the container's children hold post links."""
        return len(self.children[key])

    def node(self, key: int) -> LexborNode:
        """Return the element of an id in the tree."""
        return self.nodes[key]

    def blocks(self, key: int) -> list[Block]:
        """Return the container's children that hold post links, with their links, in order."""
        return [
            Block(self.nodes[child], self.links[self.start[child] : self._end(child)])
            for child in self.children[key]
        ]

    def _end(self, key: int) -> int:
        """Return where the run of links inside the element ends: where the next one starts."""
        while key != _TOP:
            parent = self.parent[key]
            siblings = self.children[parent]
            following = self.position[key] + 1
            if following < len(siblings):
                return self.start[siblings[following]]
            key = parent
        return len(self.links)
