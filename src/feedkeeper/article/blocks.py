"""Reading single blocks out of the DOM: code in ``<pre>``, and TeX behind rendered math."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.article.dom import SKIP_TAGS, class_tokens
from feedkeeper.article.model import Block, BlockKind
from feedkeeper.elements import BLOCK_TAGS, is_hidden

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
# Elements that start a new line inside a ``<pre>`` when highlighters wrap lines in them.
_LINE_TAGS = frozenset({"div", "p", "li", "tr"})
_CDATA_RE = re.compile(r"^%?\s*<!\[CDATA\[(.*?)%?\s*\]\]>$", re.DOTALL)
_LEADING_BLANK_LINES_RE = re.compile(r"^(?:[ \t]*\n)+")
_TEX_ANNOTATION = 'annotation[encoding="application/x-tex"]'
# Zhihu ends the TeX of a display formula with a line break, ``\\``: no part of it.
_ZHIHU_BREAK_RE = re.compile(r"(?:\s*\\\\)+\s*$")


def is_gutter(node: LexborNode) -> bool:
    """Tell whether an element is a highlighter's line-number gutter."""
    return bool(class_tokens(node) & _GUTTER_CLASSES) or (
        node.tag == "pre" and _is_unmarked_gutter(node)
    )


def code_block(pre: LexborNode) -> Block | None:
    """Return a ``<pre>``'s code with its lines and indentation, or None when it is empty."""
    text = _LEADING_BLANK_LINES_RE.sub("", _pre_text(pre).replace("\r\n", "\n")).rstrip()
    return Block("code", text) if text else None


def _pre_text(pre: LexborNode) -> str:
    """Flatten the highlighting inside a ``<pre>``, turning line wrappers into newlines."""
    parts: list[str] = []
    stack: list[tuple[LexborNode, bool]] = [(pre, True)]
    while stack:
        node, entering = stack.pop()
        if not entering:
            if parts and not parts[-1].endswith("\n"):
                parts.append("\n")
        elif node.is_text_node and node.text_content:
            parts.append(node.text_content)
        elif node.tag == "br":
            parts.append("\n")
        elif node.is_element_node and not _is_noise_in_pre(node, pre):
            if node.tag in _LINE_TAGS:
                stack.append((node, False))
            stack.extend((child, True) for child in reversed(list(node.iter(include_text=True))))
    return "".join(parts)


def _is_noise_in_pre(node: LexborNode, pre: LexborNode) -> bool:
    """Tell line numbers, copy buttons and hidden helpers that highlighters put in code."""
    if node == pre:
        return False
    return node.tag in SKIP_TAGS or is_hidden(node) or is_gutter(node)


def _is_unmarked_gutter(pre: LexborNode) -> bool:
    """Tell a digits-only ``<pre>`` in a table cell followed by a cell of code."""
    if not _is_digits_and_space(pre.text()):
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


def _is_digits_and_space(text: str) -> bool:
    """Tell whether text holds digits and nothing but whitespace besides."""
    return any(ch.isdigit() for ch in text) and all(ch.isdigit() or ch.isspace() for ch in text)


def katex_block(node: LexborNode, kind: BlockKind) -> Block | None:
    """Return the TeX a KaTeX (or MathML) rendering keeps in its annotation."""
    annotation = node.css_first(_TEX_ANNOTATION)
    source = annotation.text().strip() if annotation is not None else ""
    if not source:
        return None
    return Block(kind, source)


def mathjax_block(script: LexborNode) -> Block | None:
    """Return the TeX of a MathJax ``script[type^="math/tex"]``."""
    source = script.text().strip()
    cdata = _CDATA_RE.match(source)
    if cdata:
        source = cdata.group(1).strip()
    if not source:
        return None
    is_display = "mode=display" in (script.attributes.get("type") or "")
    return Block("formula" if is_display else "math", source)


def is_mathjax_script(node: LexborNode) -> bool:
    """Tell whether an element is a MathJax TeX script."""
    kind = (node.attributes.get("type") or "").strip().lower()
    return node.tag == "script" and kind.startswith("math/tex")


def is_math_rendering(node: LexborNode) -> bool:
    """Tell MathJax's rendered output and previews, which repeat a script's TeX as glyphs."""
    tag = node.tag or ""
    if tag.startswith("mjx-"):
        return True
    return any(name.startswith(("MathJax", "MJX", "mjx-")) for name in class_tokens(node))


def eeimg_block(img: LexborNode) -> Block | None:
    """Return a Zhihu formula image's TeX: display when alone in its block or ended by the
    line break ``\\`` Zhihu writes after display formulas (dropped), else inline."""
    alt = (img.attributes.get("alt") or "").strip()
    source = _ZHIHU_BREAK_RE.sub("", alt)
    if not source:
        return None
    is_display = source != alt or _is_alone_in_block(img)
    return Block("formula" if is_display else "math", source)


def mjx_block(container: LexborNode) -> Block:
    """Return the TeX a MathJax 3 ``<mjx-container>`` keeps, or an empty block when none.

    MathJax 3 output is glyphs; TeX survives only in a ``data-tex``-style attribute, an
    ``aria-label`` or the TeX annotation of its assistive MathML.
    """
    attrs = container.attributes
    kind: BlockKind = "formula" if attrs.get("display") in ("true", "block") else "math"
    for name in ("data-tex", "data-latex", "data-formula", "aria-label"):
        if value := (attrs.get(name) or "").strip():
            return Block(kind, value)
    annotated = katex_block(container, kind)
    return annotated if annotated is not None else Block(kind, "")


def is_mjx_container(node: LexborNode) -> bool:
    """Tell whether an element is MathJax 3's output for one formula."""
    return node.tag == "mjx-container"


def _is_alone_in_block(node: LexborNode) -> bool:
    """Tell whether an element is the only content of its nearest block-level ancestor."""
    block = node.parent
    while block is not None and block.tag not in BLOCK_TAGS:
        block = block.parent
    if block is None:
        return True
    return not block.text().strip() and len(block.css("img")) == 1
