"""Reading code out of the DOM: a ``<pre>``'s text without its highlighter's gutters, line
numbers, prompts and buttons."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.article.dom import SKIP_TAGS, class_tokens
from feedkeeper.article.model import Block
from feedkeeper.elements import (
    is_digits_and_space,
    is_gutter,
    is_hidden,
    next_element,
    previous_element,
)

# A code widget's chrome, inside its ``<pre>`` or beside it: toolbars, copy buttons,
# language labels, headers (juejin's ``code-block-extension-header`` "代码解读 复制代码",
# Butterfly's ``highlight-tools``, Prism's ``toolbar``, a gist's "view raw" line). Never code.
_CHROME_RE = re.compile(
    r"(?:^|[-_])(?:toolbar|highlight-tools|copy|copy-?btn|copy-?button|copy-?code|btn|button"
    r"|code-?lang|code-?header|code-block-extension-header|code-block-extension-lang"
    r"|gist-meta)(?:$|[-_])",
    re.I,
)
# Elements that start a new line inside a ``<pre>`` when highlighters wrap lines in them.
_LINE_TAGS = frozenset({"div", "p", "li", "tr", "pre"})  # CodeMirror: a pre a line
# An inline element a theme's style shows as a line of its own (a span a line, no newline
# written between them).
_BLOCK_STYLE_RE = re.compile(r"(?:^|;)\s*display\s*:\s*(?:block|flex|grid|list-item)\b", re.I)
# A style keeping an element out of what a reader selects and copies.
_UNSELECTABLE_RE = re.compile(r"(?:^|[;\s])user-select\s*:\s*none", re.I)
_LEADING_BLANK_LINES_RE = re.compile(r"^(?:[ \t]*\n)+")
_BLANK_LINE_RE = re.compile(r"(?m)^[ \t]+$")


def is_code_chrome(node: LexborNode) -> bool:
    """Tell whether an element is a code widget's toolbar, button or language label: what
    wraps the code itself (Prism's ``div.code-toolbar``, Quarto's copy scaffold) is not."""
    names = node.attributes.get("class")
    if not names or not any(_CHROME_RE.search(name) for name in names.split()):
        return False
    return node.tag != "pre" and node.css_first("pre, code") is None


def code_block(pre: LexborNode) -> Block | None:
    """Return a ``<pre>``'s code with its lines and indentation, or None when it is empty."""
    # (Editors write indentation as no-break spaces, CodeMirror a blank line as a zero-width
    # space: spaces and an empty line in the code.)
    raw = _pre_text(pre).replace("\r\n", "\n").replace("\u00a0", " ").replace("\u200b", "")
    raw = _BLANK_LINE_RE.sub("", raw)  # a line of spaces alone (a blank line's no-break space)
    text = _without_line_numbers(_LEADING_BLANK_LINES_RE.sub("", raw).rstrip(), pre)
    if not text.strip() or _PROMPT_RE.fullmatch(text):  # a notebook's "[1]:" in a <pre> of its own
        return None
    return Block("code", text)


# A notebook cell's prompt (nbsphinx writes it in a <pre> beside the cell's): no code.
_PROMPT_RE = re.compile(r"\s*(?:In|Out)?\s*\[\s*\d*\s*\]\s*:?\s*")


# A line opening with its number: cnblogs's "插入代码" writes ``<span style="color:
# #008080">1</span> static …`` with no class to tell the number from the code.
_NUMBERED_LINE_RE = re.compile(r"^( *)(\d{1,5})(?: |$)")


def _without_line_numbers(text: str, pre: LexborNode) -> str:
    """Drop the numbers every line opens with, counting up from 1 each in an element of its
    own (an unmarked gutter written into the code): code whose lines merely start with a
    number keeps them."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    numbers = [_NUMBERED_LINE_RE.match(line) for line in lines]
    if any(m is None for m in numbers):
        return text
    if [int(m.group(2)) for m in numbers if m] != list(range(1, len(lines) + 1)):
        return text
    if all(m and m.end() >= len(line.rstrip()) for line, m in zip(lines, numbers, strict=True)):
        return text  # numbers alone, no code after them: the output of `seq 3`
    shown = {node.text().strip() for node in pre.css("span, a") if not node.attributes.get("class")}
    if not {"1", "2"} <= shown:  # the numbers are marked up apart from the code (no class)
        return text
    return "\n".join(line[m.end() :] if m else line for line, m in zip(lines, numbers, strict=True))


def _pre_text(pre: LexborNode) -> str:
    """Flatten the highlighting inside a ``<pre>``, turning line wrappers into newlines."""
    parts: list[str] = []
    stack: list[tuple[LexborNode, bool, int]] = [(pre, True, 0)]
    # WeChat writes a line a <code>: several in the <pre>, counted once for them all
    codes = pre if sum(1 for child in pre.iter() if child.tag == "code") > 1 else None
    while stack:
        node, entering, started = stack.pop()
        if not entering:
            # A line element ends its line; an empty one is a blank line of its own.
            if parts and (not parts[-1].endswith("\n") or len(parts) == started):
                parts.append("\n")
        elif node.is_text_node and node.text_content:
            parts.append(node.text_content)
        elif node.tag == "br":
            parts.append("\n")
        elif node.is_element_node and not _is_noise_in_pre(node, pre):
            if _is_line_element(node, codes):
                stack.append((node, False, len(parts)))
            children = reversed(list(node.iter(include_text=True)))
            stack.extend((child, True, 0) for child in children)
    return "".join(parts)


def _is_line_element(node: LexborNode, codes: LexborNode | None) -> bool:
    """Tell an element that holds one line of the code: a block element, one a style shows
    as a block, or one of the several ``<code>`` the ``<pre>`` ``codes`` holds (None where
    it holds one or none)."""
    if node.tag in _LINE_TAGS or _BLOCK_STYLE_RE.search(node.attributes.get("style") or ""):
        return True
    return codes is not None and node.tag == "code" and node.parent == codes


def _is_noise_in_pre(node: LexborNode, pre: LexborNode) -> bool:
    """Tell line numbers, copy buttons and hidden helpers that highlighters put in code."""
    if node == pre:
        return False
    if node.tag in SKIP_TAGS or is_hidden(node) or is_gutter(node) or is_code_chrome(node):
        return True
    if _UNSELECTABLE_RE.search(node.attributes.get("style") or ""):
        return True  # kept out of a copy: Hugo's line numbers (noClasses), prompts
    if _is_hidden_by_its_theme(node):
        return True
    if node.tag == "td":  # Zola: a row a line, its first cell the line's number
        return (
            previous_element(node) is None
            and next_element(node) is not None
            and is_digits_and_space(node.text())
        )
    return bool(class_tokens(node) & _EDITOR_HELPERS)


# What engines' stylesheets hide in code, or their copy buttons leave out.
_THEME_HIDDEN = frozenset(
    {"boring", "conum", "twoslash-popup-container", "twoslash-meta-line", "vp-copy-ignore"}
)


def _is_hidden_by_its_theme(node: LexborNode) -> bool:
    """Tell what an engine's own stylesheet hides in code: mdBook's "boring" lines
    (``code.hide-boring .boring``), Asciidoctor's callout numbers (``i.conum`` and the
    ``<b>(1)</b>`` after it), Shiki's twoslash type popups and query lines (shown on
    hover, left out of VitePress's copies: ``vp-copy-ignore``)."""
    names = class_tokens(node)
    if names & _THEME_HIDDEN:
        return True
    if node.tag == "b":
        before = previous_element(node)
        return before is not None and "conum" in class_tokens(before)
    return False


# What a code editor writes into its page beside the code (Typora's CodeMirror): a text
# it measures characters with, its cursors, its gutters.
_EDITOR_HELPERS = frozenset(
    {"CodeMirror-measure", "CodeMirror-cursors", "CodeMirror-gutters", "CodeMirror-linenumber"}
)
