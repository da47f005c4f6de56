"""Code pasted from a word processor (Google Docs, Word): no ``<pre>``, only a monospaced
font on the text of consecutive paragraphs, or of a table of one cell.

Google Docs writes a line a ``<p>`` whose ``<span>`` says ``font-family:'Courier New',
monospace; white-space:pre-wrap``; Word a ``<p class=MsoNormal>`` a line whose ``<span>``
says ``font-family:Consolas``, indentation as ``&nbsp;``, its HTML source wrapped at any
space; an older editor one ``<p>`` broken by ``<br>``s in ``<font face="Courier New">``.
A paragraph counts only when all its text is monospaced: inline code in prose is prose.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.article.model import Block
from feedkeeper.elements import next_element, previous_element

# A font-family naming a monospaced face (not Word's ``mso-bidi-font-family``, which
# names the face of text the page does not show in it).
MONOSPACE_RE = re.compile(
    r"(?<![-\w])font-family\s*:[^;]*(?:mono|consolas|courier|menlo|lucida console)", re.I
)
_KEPT_SPACING_RE = re.compile(r"white-space\s*:\s*(?:pre|break-spaces)", re.I)
# A monospaced face set anywhere in a page's markup: without one, no paragraph of it is
# pasted code, and none is looked into (each look walks the paragraph's whole subtree).
# Bounded to an attribute's room, so that a page of unclosed styles is one pass.
_PAGE_MONOSPACE_RE = re.compile(
    r"font-family\s*:[^;<>]{0,200}?(?:mono|consolas|courier|menlo|lucida console)"
    r"|<font\b[^>]{0,200}?\bface\s*=",
    re.I,
)
# Where a monospaced face may be set below a paragraph: the Python walk of its letters
# (``_is_all_monospaced``) runs only where one of these is.
_FACE_SET = "[style*='font-family'], [style*='FONT-FAMILY'], font[face]"
# Elements a pasted line or a pasted box of code is.
_PARAGRAPH_TAGS = frozenset({"p", "div"})
# Inside a paragraph, what starts a new line of its text.
_LINE_TAGS = frozenset({"p", "div", "li", "tr"})
# A paragraph holding these is no pasted code: they are blocks of their own.
_NOT_PASTED = "pre, table, img, ul, ol, h1, h2, h3, h4, h5, h6, blockquote"
_COLLAPSIBLE_RE = re.compile(r"[ \t\r\n\f]+")


def is_monospaced(node: LexborNode) -> bool:
    """Tell an element whose own style or face sets a monospaced font."""
    if node.tag == "font" and MONOSPACE_RE.search(f"font-family:{node.attributes.get('face')}"):
        return True
    return MONOSPACE_RE.search(node.attributes.get("style") or "") is not None


def may_hold_pasted_code(html: str) -> bool:
    """Tell a page whose markup sets a monospaced face somewhere: only there may a run of
    paragraphs be pasted code."""
    return _PAGE_MONOSPACE_RE.search(html) is not None


def pasted_code_run(node: LexborNode) -> list[LexborNode] | None:
    """Return the paragraphs (and ``<br>``s between) of the pasted code ``node`` opens, or
    None when it opens none."""
    if not _may_set_face(node):  # the cheapest look first: most paragraphs stop here
        return None
    if not _has_text(node) or not _is_pasted_line(node) or _follows_pasted_text(node):
        return None
    run = [node]
    sibling = next_element(node)
    while sibling is not None and (sibling.tag == "br" or _is_pasted_line(sibling)):
        run.append(sibling)
        sibling = next_element(sibling)
    while not _has_text(run[-1]):
        run.pop()  # blank lines after the code are the page's spacing
    return run


def is_inside_pasted_code(node: LexborNode) -> bool:
    """Tell a paragraph (or ``<br>``) that goes on pasted code a sibling before it opened."""
    return _follows_pasted_text(node) and (node.tag == "br" or _is_pasted_line(node))


def pasted_code_block(run: list[LexborNode]) -> Block | None:
    """Return the code a run of pasted paragraphs shows, a line a paragraph or ``<br>``."""
    lines: list[str] = []
    for node in run:
        own = [""] if node.tag == "br" else _lines_of(node)
        while len(own) > 1 and not own[-1].strip():
            own.pop()  # the line its last line element ended
        lines.extend(own)
    text = "\n".join(line.replace("\u00a0", " ").rstrip() for line in lines).strip("\n")
    return Block("code", text) if text.strip() else None


def _follows_pasted_text(node: LexborNode) -> bool:
    """Tell whether a pasted paragraph with text stands before ``node``, with nothing but
    pasted paragraphs and ``<br>``s between."""
    sibling = previous_element(node)
    while sibling is not None and (sibling.tag == "br" or _is_pasted_line(sibling)):
        if _has_text(sibling):
            return True
        sibling = previous_element(sibling)
    return False


def _is_pasted_line(node: LexborNode) -> bool:
    """Tell a paragraph whose text is all monospaced (or blank), or a table of one cell
    whose text is (Google Docs' box of code)."""
    if node.tag == "table":
        if len(node.css("td, th")) != 1:
            return False
    elif node.tag not in _PARAGRAPH_TAGS or node.css_first(_NOT_PASTED) is not None:
        return False
    if not _may_set_face(node):
        return not _has_text(node)  # a blank paragraph goes with the code around it
    return _is_all_monospaced(node)


def _may_set_face(node: LexborNode) -> bool:
    """Tell an element that sets a face, or holds one that does (one look in C, where
    ``_is_all_monospaced`` walks the letters in Python)."""
    return is_monospaced(node) or node.css_first(_FACE_SET) is not None


def _has_text(node: LexborNode) -> bool:
    return node.tag != "br" and bool(node.text().strip())


def _is_all_monospaced(root: LexborNode) -> bool:
    """Tell an element whose every visible letter is set in a monospaced font."""
    stack = [(root, is_monospaced(root))]
    while stack:
        node, monospaced = stack.pop()
        for child in node.iter(include_text=True):
            if child.is_text_node:
                if not monospaced and (child.text_content or "").strip():
                    return False
            elif child.is_element_node:
                stack.append((child, monospaced or is_monospaced(child)))
    return True


def _lines_of(root: LexborNode) -> list[str]:
    """Return a pasted paragraph's lines: spacing kept where its style keeps it (Google
    Docs' ``pre-wrap``), else collapsed as a browser does, ``&nbsp;`` kept (Word's)."""
    parts: list[str] = []
    stack: list[tuple[LexborNode, bool, bool]] = [(root, True, False)]
    while stack:
        node, entering, kept = stack.pop()
        if not entering:
            parts.append("\n")
        elif node.is_text_node:
            parts.append(_shown_text(node.text_content or "", kept, parts))
        elif node.tag == "br":
            parts.append("\n")
        elif node.is_element_node:
            kept = kept or _KEPT_SPACING_RE.search(node.attributes.get("style") or "") is not None
            if node.tag in _LINE_TAGS and node != root:
                stack.append((node, False, kept))
            children = reversed(list(node.iter(include_text=True)))
            stack.extend((child, True, kept) for child in children)
    return "".join(parts).split("\n")


def _shown_text(text: str, kept: bool, before: list[str]) -> str:
    """Return a text node as shown: as written where spacing is kept, else spaces and
    newlines collapsed, none at a line's start, and a blank node between tags dropped."""
    if kept:
        return text
    if not text.strip(" \t\r\n\f"):
        return ""
    text = _COLLAPSIBLE_RE.sub(" ", text)
    last = next((part for part in reversed(before) if part), "")
    return text.lstrip(" ") if not last or last.endswith("\n") else text
