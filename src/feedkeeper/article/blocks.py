"""Reading single blocks out of the DOM: code in ``<pre>``, and TeX behind rendered math."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborNode

from feedkeeper.article.delimiters import split_delimited_math
from feedkeeper.article.dom import SKIP_TAGS, class_tokens
from feedkeeper.article.model import Block, BlockKind
from feedkeeper.elements import BLOCK_TAGS, is_hidden, next_element, previous_element

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
_CDATA_RE = re.compile(r"^%?\s*<!\[CDATA\[(.*?)%?\s*\]\]>$", re.DOTALL)
_LEADING_BLANK_LINES_RE = re.compile(r"^(?:[ \t]*\n)+")
_BLANK_LINE_RE = re.compile(r"(?m)^[ \t]+$")
# A MathML annotation's encoding that names TeX or LaTeX.
_TEX_ENCODING_RE = re.compile(r"(?:^|[/-])(?:x-)?(?:la)?tex$", re.I)
# Zhihu ends the TeX of a display formula with a line break, ``\\``: no part of it.
_ZHIHU_BREAK_RE = re.compile(r"(?:\s*\\\\)+\s*$")


def is_code_chrome(node: LexborNode) -> bool:
    """Tell whether an element is a code widget's toolbar, button or language label: what
    wraps the code itself (Prism's ``div.code-toolbar``, Quarto's copy scaffold) is not."""
    names = node.attributes.get("class")
    if not names or not any(_CHROME_RE.search(name) for name in names.split()):
        return False
    return node.tag != "pre" and node.css_first("pre, code") is None


def is_gutter(node: LexborNode) -> bool:
    """Tell whether an element is a highlighter's line-number gutter."""
    return bool(class_tokens(node) & _GUTTER_CLASSES) or (
        node.tag == "pre" and _is_unmarked_gutter(node)
    )


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
            and _is_digits_and_space(node.text())
        )
    return bool(class_tokens(node) & _EDITOR_HELPERS)


def _is_hidden_by_its_theme(node: LexborNode) -> bool:
    """Tell what an engine's own stylesheet hides in code: mdBook's "boring" lines
    (``code.hide-boring .boring``), Asciidoctor's callout numbers (``i.conum`` and the
    ``<b>(1)</b>`` after it)."""
    names = class_tokens(node)
    if "boring" in names or "conum" in names:
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
    """Return the TeX a KaTeX (or MathML) rendering keeps: its annotation in TeX (named
    ``application/x-tex``, ``TeX``, ``application/x-latex``…), or MathML's ``alttext``."""
    source = ""
    for annotation in node.css("annotation[encoding]"):
        if _TEX_ENCODING_RE.search(annotation.attributes.get("encoding") or ""):
            source = annotation.text().strip()
            break
    if not source:
        math = node if node.tag == "math" else node.css_first("math[alttext]")
        source = ((math.attributes.get("alttext") if math is not None else None) or "").strip()
    if not source:
        return None
    return Block(kind, source)


def katex_error_block(node: LexborNode) -> Block | None:
    """Return the TeX KaTeX could not render, which it shows as it was written."""
    return _tex_block(node, node.text())


def raw_katex_block(node: LexborNode) -> Block | None:
    """Return the TeX of CSDN's and Halo's ``span.katex--inline`` / ``katex--display``:
    KaTeX's rendering inside, or the TeX itself where the page's scripts render it."""
    kind: BlockKind = "formula" if "katex--display" in class_tokens(node) else "math"
    rendered = katex_block(node, kind)
    if rendered is not None or node.css_first(".katex, math") is not None:
        return rendered
    source = node.text().strip()
    return Block(kind, source) if source else None


def substack_block(node: LexborNode) -> Block | None:
    """Return the TeX Substack keeps in a LaTeX block's ``data-attrs`` JSON."""
    try:
        attrs = json.loads(node.attributes.get("data-attrs") or "{}")
    except ValueError:
        return None
    source = attrs.get("persistentExpression") if isinstance(attrs, dict) else None
    return Block("formula", source.strip()) if isinstance(source, str) and source.strip() else None


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
    return _tex_block(img, img.attributes.get("alt") or "")


def _tex_block(node: LexborNode, tex: str, display: bool = False) -> Block | None:
    """Return the TeX an element stands for: display when alone in its block, marked so,
    or ended by Zhihu's line break ``\\`` (dropped), else inline."""
    given = tex.strip()
    source = _ZHIHU_BREAK_RE.sub("", given)
    pieces = split_delimited_math(source)
    if len(pieces) == 1 and isinstance(pieces[0], Block):  # QuickLaTeX's alt="\[ s^2 … \]"
        source, display = pieces[0].text, display or pieces[0].kind == "formula"
    if not source:
        return None
    is_display = display or source != given or _is_alone_in_block(node)
    return Block("formula" if is_display else "math", source)


# Images of formulas: their alt holds the TeX (juejin's ``img.equation``, Jetpack's
# ``img.latex``, QuickLaTeX's ``ql-img-inline-formula``, codecogs and latex.php sources).
# MediaWiki's ``mwe-math-fallback-image-inline``, Google Charts' ``cht=tx`` are formulas.
_TEX_IMAGE_RE = re.compile(
    r"latex|equation|formula|mathtex|codecogs|[?&]tex=|mwe-math|cht=tx", re.I
)


def tex_element_block(node: LexborNode) -> Block | None:
    """Return the TeX an element shows as an image or a span (None when it shows none):
    its ``data-tex``, ``data-formula`` or ``data-latex`` (Zhihu's ``span.ztext-math``,
    WeChat's mdnice, AMP's ``amp-mathml``), or a formula image's TeX in its ``alt`` (when it
    reads as TeX) or its address (codecogs)."""
    attrs = node.attributes
    for name in TEX_ATTRIBUTES:
        if tex := (attrs.get(name) or "").strip():
            return _tex_block(node, tex, "inline" not in attrs and _is_display_element(node))
    if node.tag != "img":
        return None
    names = f"{attrs.get('class') or ''} {attrs.get('src') or ''}"
    if not _TEX_IMAGE_RE.search(names) and not _is_math_image(node):
        return None
    display = "displayed" in (attrs.get("class") or "")
    alt = (attrs.get("alt") or "").strip()
    if alt and _reads_as_tex(alt):
        return _tex_block(node, alt, display)
    return _tex_block(node, tex_of_address(attrs.get("src") or ""), display)


# The attributes a formula's element keeps its TeX in.
TEX_ATTRIBUTES = ("data-tex", "data-latex", "data-formula")


def _is_display_element(node: LexborNode) -> bool:
    """Tell an element that shows a formula on its own: a block one, or marked a display."""
    names = class_tokens(node)
    return node.tag in BLOCK_TAGS or any("block" in name or "display" in name for name in names)


def _is_math_image(node: LexborNode) -> bool:
    """Tell Sphinx's formula images: ``img.math``, or any image in a ``div.math``."""
    if "math" in class_tokens(node):
        return True
    parent = node.parent
    for _ in range(2):  # <div class="math"><p><img …></p></div>
        if parent is None:
            return False
        if "math" in class_tokens(parent):
            return True
        parent = parent.parent
    return False


# An alt text that is TeX: a command, a script, a brace or an operator; or a lone symbol.
_TEX_SIGNS_RE = re.compile(r"[\\^_{}=+<>|]|^[A-Za-z0-9]{1,2}$")


def _reads_as_tex(alt: str) -> bool:
    """Tell an image's alternative text that is TeX from a word ("公式", "image")."""
    return _TEX_SIGNS_RE.search(alt) is not None


# Formula image services that take the TeX as the address's query or last part.
_TEX_ADDRESS_RE = re.compile(
    r"^https?://(?:latex\.codecogs\.com|www\.zhihu\.com/equation|i\.upmath\.me/\w+|"
    r"math\.now\.sh|chart\.googleapis\.com/chart)[^?]*[?/](.+)$",
    re.I,
)


# The query parameter a formula image service reads its TeX from: Google Charts' ``chl=``,
# WordPress.com's ``latex.php?latex=``, Jianshu's ``math?formula=``.
_TEX_PARAM_RE = re.compile(r"(?:^|&)(?:chl|tex|from|latex|formula|eq)=([^&]*)", re.I)


def tex_of_address(src: str) -> str:
    """Return the TeX a formula image's address carries (a known service's path or query,
    any other's named query parameter), or ""."""
    src = src.strip()
    match = _TEX_ADDRESS_RE.match(src)
    query = match.group(1) if match is not None else urlsplit(src).query
    if match is None or "=" in query.split("&", 1)[0]:  # named parameters
        found = _TEX_PARAM_RE.search(query)
        query = found.group(1) if found else ""
    tex = unquote(query).replace("&space;", " ").replace("&plus;", "+")
    return re.sub(r"^\\(?:inline|dpi\{\d+\}|bg_\w+|fg_\w+)\s*", "", tex).strip()


def mjx_block(container: LexborNode) -> Block:
    """Return the TeX a MathJax 3 ``<mjx-container>`` keeps, or an empty block when none.

    MathJax 3 output is glyphs; TeX survives only in a ``data-tex``-style attribute, on
    its assistive MathML (MathJax 4's ``math[data-latex]``) or in that MathML's TeX
    annotation. Its ``aria-label`` is speech ("f of a t"), never TeX.
    """
    attrs = container.attributes
    kind: BlockKind = "formula" if attrs.get("display") in ("true", "block") else "math"
    for name in TEX_ATTRIBUTES:
        if value := (attrs.get(name) or "").strip():
            return Block(kind, value)
    marked = container.css_first("math[data-latex]")
    if marked is not None and (value := (marked.attributes.get("data-latex") or "").strip()):
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
    if node.tag == "img":
        return not block.text().strip() and len(block.css("img")) == 1
    return block.text().strip() == node.text().strip() and not block.css_first("img")
