"""What the listing parser and the article reader both know about HTML elements.

One list of block elements and one rule for "hidden from readers", so that a card's
excerpt and the article it is aligned with are read the same way.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements a browser lays out as blocks (and ``br``): their edges separate words.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "center",
        "dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "footer", "form", "header", "hgroup", "hr", "html", "li", "main", "nav", "ol", "p",
        "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
        "ul", *HEADINGS,
    }
)  # fmt: skip
# A cheap CSS prefilter for ``is_hidden``: every element it can be true of matches this.
HIDDEN_SELECTOR = (
    "[hidden], [style], [class*='hid'], [class*='invisible'], [class*='d-none'], "
    "[class*='sr-only'], [class*='screen-reader'], [class*='display-none'], "
    "[class*='tab-pane'], input[type='hidden']"
)
_HIDDEN_CLASSES = frozenset(
    {"hidden", "is-hidden", "hide", "d-none", "invisible", "is-invisible", "sr-only",
     "screen-reader-text", "visually-hidden", "display-none"}
)  # fmt: skip
_SHOWN_TAB = frozenset({"active", "show", "is-active"})
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# A class showing the element from a screen width on (Bootstrap's ``d-none d-md-block``,
# Tailwind's ``hidden md:block``): hidden on phones only, shown to a desktop reader.
_SHOWN_FROM_WIDTH_RE = re.compile(
    r"^(?:d-(?:sm|md|lg|xl|xxl)-(?!none$)|(?:sm|md|lg|xl|2xl):(?!hidden$))"
)


def is_hidden(node: LexborNode) -> bool:
    """Tell whether the element itself (not its ancestors) is hidden from readers."""
    attrs = node.attributes
    if "hidden" in attrs or (node.tag == "input" and (attrs.get("type") or "").lower() == "hidden"):
        return True
    if _HIDDEN_STYLE_RE.search(attrs.get("style") or ""):
        return True
    tokens = (attrs.get("class") or "").split()
    if "tab-pane" in tokens and _SHOWN_TAB.isdisjoint(tokens):
        return True  # Bootstrap's tabs: only the active pane is shown
    if not any(token in _HIDDEN_CLASSES or token.startswith("display-none") for token in tokens):
        return False
    return not any(_SHOWN_FROM_WIDTH_RE.match(token) for token in tokens)


def previous_element(node: LexborNode) -> LexborNode | None:
    """Return the element just before the node among its siblings (text and comments
    passed over), if any."""
    sibling = node.prev
    while sibling is not None and (sibling.tag or "-").startswith("-"):
        sibling = sibling.prev
    return sibling


def next_element(node: LexborNode) -> LexborNode | None:
    """Return the element just after the node among its siblings (text and comments
    passed over), if any."""
    sibling = node.next
    while sibling is not None and (sibling.tag or "-").startswith("-"):
        sibling = sibling.next
    return sibling
