"""A node's text with each of its text nodes trimmed, read without its indentation."""

from __future__ import annotations

from selectolax.lexbor import LexborNode


def stripped_text(node: LexborNode) -> str:
    """Return ``node.text(strip=True)``: the text of each text node inside, trimmed, joined.

    Text nodes of ASCII whitespace alone, which trimming leaves empty, are passed over
    unread (``skip_empty``): half of a pretty-printed card's text nodes are its markup's
    indentation, each decoded, trimmed and joined for nothing.
    """
    return node.text(strip=True, skip_empty=True)
