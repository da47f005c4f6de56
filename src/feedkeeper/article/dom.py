"""What the article walkers need to know about HTML elements: what to skip, class names."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

# Page furniture, controls and non-rendered elements: never part of an article's text.
SKIP_TAGS = frozenset(
    {
        "header", "nav", "footer", "aside", "script", "style", "noscript", "template",
        "head", "title", "iframe", "svg", "canvas", "object", "embed", "button", "select",
        "textarea", "input", "option", "dialog",
    }
)  # fmt: skip


def class_tokens(node: LexborNode) -> frozenset[str]:
    """Return the element's class names."""
    return frozenset((node.attributes.get("class") or "").split())


# Furniture elsewhere, but within an article a callout (``<aside>``), the post's header
# with its lead, or what a page shows without scripts (``<noscript>``: jekyll-gist's code)
# when they hold code or a formula.
_CONTENT_HOLDER_TAGS = frozenset({"aside", "header", "noscript"})
_BLOCK_SELECTOR = "pre, .katex, math, script[type^='math/tex']"


def is_content_holder(node: LexborNode) -> bool:
    """Tell a furniture element (``SKIP_TAGS``) that holds the article's code or formulas."""
    return node.tag in _CONTENT_HOLDER_TAGS and node.css_first(_BLOCK_SELECTOR) is not None
