"""What the listing parser and the article reader both know about HTML elements.

One list of block elements, one rule for "hidden from readers" and one for a code block's
line-number gutter, so that a card's excerpt and the article it is aligned with are read
the same way.
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
# A cheap CSS prefilter for ``is_gutter``: the gutters' class names hold one of these, or
# the gutter is a bare ``<pre>`` in a table cell.
GUTTER_SELECTOR = (
    "[class*='gutter'], [class*='lin'], [class*='ln'], [class*='numbering'], td pre, th pre"
)
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


# Class names highlighters give line-number gutters (Hexo, Pygments, Rouge, Chroma,
# highlight.js, Prism, CSDN); the numbers are not part of the code.
_GUTTER_CLASSES = frozenset(
    {
        "gutter",
        "linenos",
        "lineno",
        "linenodiv",
        "line-numbers-rows",
        "line-numbers-wrapper",
        "rouge-gutter",
        "hljs-ln-numbers",
        "pre-numbering",
        "lnt",
        "ln",
    }
)
# A class naming line numbers on an element that holds numbers alone (Org's ``linenr``
# "1: ", CodeRay's inline ``line-numbers``): the name alone does not tell, Prism puts
# ``line-numbers`` on the ``<pre>`` (whose code may be numbers) and VuePress
# ``line-numbers-mode`` on its wrapper.
_NUMBERS_CLASS_RE = re.compile(r"line-?(?:numbers?|nums?|nr|nos?)(?![a-z])", re.I)
_NUMBERING_RE = re.compile(r"\s*(?:\d+[:.]?\s*)+")


def is_gutter(node: LexborNode) -> bool:
    """Tell whether an element is a highlighter's line-number gutter."""
    names = frozenset((node.attributes.get("class") or "").split())
    if names & _GUTTER_CLASSES:
        return True
    if node.tag == "pre":
        return _is_unmarked_gutter(node)
    if node.tag == "code" or not any(_NUMBERS_CLASS_RE.search(name) for name in names):
        return False
    return _NUMBERING_RE.fullmatch(node.text()) is not None and node.css_first("pre, code") is None


def _is_unmarked_gutter(pre: LexborNode) -> bool:
    """Tell a digits-only ``<pre>`` in a table cell followed by a cell of code."""
    if not is_digits_and_space(pre.text()):
        return False
    cell = pre.parent
    while cell is not None and cell.tag not in {"td", "th", "table", "body"}:
        cell = cell.parent
    if cell is None or cell.tag not in {"td", "th"}:
        return False
    sibling = cell.next
    while sibling is not None and not sibling.is_element_node:
        sibling = sibling.next
    return sibling is not None and sibling.css_first("pre") is not None


def is_digits_and_space(text: str) -> bool:
    """Tell whether text holds digits and nothing but whitespace besides."""
    return any(ch.isdigit() for ch in text) and all(ch.isdigit() or ch.isspace() for ch in text)
