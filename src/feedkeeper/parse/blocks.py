"""The blocks card detection works with: post links and the blocks that hold them."""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode


@dataclass(slots=True)  # not frozen: a page builds many, and frozen ones build slowly
class PostLink:
    """A link that may lead to a post."""

    node: LexborNode
    url: str  # absolute, as written
    key: str  # the URL without fragment: the post's identity on the page
    order: int  # position among the page's links
    in_heading: bool
    text: str  # the title it shows: a whole-card link's heading or title part, not all of it
    title: LexborNode  # the element showing that text: the link, or a part of a whole-card link


@dataclass(slots=True)
class Block:
    """A child of a container that holds post links: a card when it passes the checks."""

    node: LexborNode
    links: list[PostLink] = field(default_factory=list)
    main: PostLink | None = None  # the link that names the post

    @property
    def key(self) -> str | None:
        """Return the block's post URL without fragment."""
        return self.main.key if self.main else None
