"""What the walkers need to know about HTML elements: layout, visibility, class names."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

# Elements a browser lays out as blocks: their edges separate words like whitespace.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
        "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
        "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li",
        "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
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


def is_hidden(node: LexborNode) -> bool:
    """Tell whether an element is hidden from readers by markup or inline style."""
    style = (node.attributes.get("style") or "").replace(" ", "").lower()
    return "hidden" in node.attributes or "display:none" in style
