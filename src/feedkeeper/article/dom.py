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
