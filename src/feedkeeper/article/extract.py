"""Turning an article page into its body's text runs and blocks, in reading order."""

from __future__ import annotations

import html as html_escapes
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.article.body import find_body
from feedkeeper.article.code_blocks import code_block, is_code_chrome
from feedkeeper.article.delimiters import split_delimited_math
from feedkeeper.article.dom import SKIP_TAGS, class_tokens, is_content_holder
from feedkeeper.article.model import Article, Block, BlockKind
from feedkeeper.article.pasted_code import (
    MONOSPACE_RE,
    is_inside_pasted_code,
    may_hold_pasted_code,
    pasted_code_block,
    pasted_code_run,
)
from feedkeeper.article.tex_blocks import (
    TEX_ATTRIBUTES,
    eeimg_block,
    is_math_rendering,
    is_mathjax_script,
    is_mjx_container,
    is_pandoc_katex_math,
    katex_block,
    katex_error_block,
    mathjax_block,
    mjx_block,
    raw_katex_block,
    reads_asciimath,
    substack_block,
    tex_element_block,
)
from feedkeeper.elements import BLOCK_TAGS, is_gutter, is_hidden, next_element
from feedkeeper.markup import check_markup, check_time
from feedkeeper.text import normalize_space

# CSDN's and Halo's KaTeX spans (TeX inside where no script rendered it), Substack's blocks;
# pandoc's for KaTeX are told apart by more than a class (``is_pandoc_katex_math``).
_RAW_KATEX = frozenset({"katex--inline", "katex--display", "latex-rendered"})
# Inline elements whose text is shown verbatim: a ``$`` in them never opens math.
_LITERAL_TAGS = frozenset({"code", "kbd", "samp", "tt", "var"})


@dataclass
class _Segments:
    """Collects text and blocks; text is scanned for delimited TeX one paragraph at a time."""

    segments: list[str | Block] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    paragraph: list[tuple[str, bool] | Block] = field(default_factory=list)
    backticks: bool = False  # the page reads AsciiMath between backticks
    pasted: bool = False  # the page may hold code pasted from a word processor

    def add_text(self, text: str, *, literal: bool) -> None:
        """Append text to the current paragraph."""
        self.paragraph.append((text, literal))

    def add_inline(self, block: Block) -> None:
        """Append a block that sits inside the current paragraph."""
        self.paragraph.append(block)

    def add_display(self, block: Block) -> None:
        """Append a block that stands on its own between paragraphs."""
        self.break_paragraph()
        self._emit_block(block)
        self.break_paragraph()

    def break_paragraph(self) -> None:
        """End the current paragraph, as the edge of a block-level element does."""
        pending: list[str] = []
        for piece in [*self.paragraph, ("", True)]:
            if isinstance(piece, tuple) and not piece[1]:
                pending.append(piece[0])
                continue
            self._emit_scanned("".join(pending))
            pending = []
            if isinstance(piece, Block):
                self._emit_block(piece)
            else:
                self.text.append(piece[0])
        self.paragraph = []
        self.text.append(" ")

    def finish(self) -> Article:
        """Return the article collected so far."""
        self.break_paragraph()
        self._flush_text()
        return Article(tuple(self.segments))

    def _emit_scanned(self, text: str) -> None:
        """Emit ordinary text, turning the TeX delimited in it into blocks."""
        for piece in split_delimited_math(text, backticks=self.backticks) if text else []:
            if isinstance(piece, Block):
                self._emit_block(piece)
            else:
                self.text.append(piece)

    def _emit_block(self, block: Block) -> None:
        """Close the running text and emit a block after it."""
        self._flush_text()
        self.segments.append(block)

    def _flush_text(self) -> None:
        """Emit the running text, whitespace collapsed, unless it is blank."""
        text = normalize_space("".join(self.text))
        if text:
            self.segments.append(text)
        self.text = []


def extract_article(html: str) -> Article:
    """Return the body of an article page as text runs and code/formula blocks.

    Raise ParseError when the page is too deep or too big to parse (see ``markup``).
    """
    check_markup(html)
    tree = LexborHTMLParser(_with_cdata_as_text(html))
    body = find_body(tree)
    out = _Segments(backticks=reads_asciimath(tree), pasted=may_hold_pasted_code(html))
    if body is not None:
        _walk(body, out)
    return out.finish()


# What the HTML parser reads as raw text or a comment, where ``<![CDATA[`` is no section;
# and a CDATA section elsewhere. (Each alternative ends at its closer or at the end of
# the page, as the parser's would: one pass, however many are left open.)
_CDATA_CONTEXT_RE = re.compile(
    r"<(script|style|xmp|textarea|title)\b.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)"
    r"|<!\[CDATA\[(.*?)(?:\]\]>|\Z)",
    re.DOTALL | re.IGNORECASE,
)


def _with_cdata_as_text(html: str) -> str:
    """Write an XHTML page's CDATA sections (code in a ``<pre>`` unescaped) as the text
    they hold: an HTML parser reads ``<![CDATA[`` as a comment that ends at the code's
    first ``>``, the rest of it left as text."""
    if "<![CDATA[" not in html:
        return html
    return _CDATA_CONTEXT_RE.sub(_cdata_text, html)


def _cdata_text(match: re.Match[str]) -> str:
    """Return a CDATA section's text escaped, and raw text or a comment as it is."""
    section = match.group(2)
    return match.group(0) if section is None else html_escapes.escape(section, quote=False)


def _walk(root: LexborNode, out: _Segments) -> None:
    """Visit the body in document order, feeding text and blocks to ``out``."""
    stack: list[tuple[LexborNode, bool, bool]] = [(root, True, False)]
    while stack:
        check_time()
        node, entering, literal = stack.pop()
        if not entering:
            out.break_paragraph()
        elif node.is_text_node:
            out.add_text(node.text_content or "", literal=literal)
        elif node.is_element_node and not _visit_block(node, out):
            if node.tag in BLOCK_TAGS:
                out.break_paragraph()
                stack.append((node, False, literal))
            literal = literal or node.tag in _LITERAL_TAGS
            children = list(node.iter(include_text=True))
            stack.extend((child, True, literal) for child in reversed(children))


def _visit_block(node: LexborNode, out: _Segments) -> bool:
    """Handle an element that is a block, a line break or skipped; False to descend into it."""
    tag = node.tag
    if tag == "script" and is_mathjax_script(node):
        _add(out, mathjax_block(node))
    elif is_mjx_container(node) and not _is_skipped_element(node):
        following = next_element(node)
        if following is None or not is_mathjax_script(following):
            _add(out, mjx_block(node))  # else Typora's: the script after it keeps the TeX
    elif (
        tag in SKIP_TAGS  # WeChat's formulas: an <svg> keeping its TeX in data-formula
        and any(name in node.attributes for name in TEX_ATTRIBUTES)
        and not is_hidden(node)
        and (block := tex_element_block(node)) is not None
    ):
        _add(out, block)
    elif (raw := _raw_code_block(node)) is not None:
        _add(out, raw)
    elif tag == "iframe" and _CODE_EMBED_RE.search(node.attributes.get("src") or ""):
        _add(out, Block("code", ""))  # Carbon's or CodePen's frame: code, its text elsewhere
    elif _is_skipped(node):
        pass
    elif tag == "br":
        out.add_text("\n", literal=False)
    elif tag == "pre":
        _add(out, code_block(node))
    elif (names := class_tokens(node) & _RAW_KATEX) or is_pandoc_katex_math(node):
        _add(out, raw_katex_block(node) if "latex-rendered" not in names else substack_block(node))
    elif "katex-error" in class_tokens(node):
        _add(out, katex_error_block(node))
    elif "katex-display" in class_tokens(node):
        _add(out, katex_block(node, "formula") or Block("formula", ""))  # HTML alone: no TeX
    elif "katex" in class_tokens(node):
        _add(out, katex_block(node, "math") or Block("math", ""))
    elif tag == "math":
        kind: BlockKind = "formula" if node.attributes.get("display") == "block" else "math"
        _add(out, katex_block(node, kind) or Block(kind, ""))  # MathML alone: no TeX
    elif tag == "img" and "eeimg" in node.attributes:
        _add(out, eeimg_block(node))
    elif (tag == "img" or any(name in node.attributes for name in TEX_ATTRIBUTES)) and (
        block := tex_element_block(node)
    ) is not None:
        _add(out, block)
    elif (crayon := _crayon_block(node)) is not None:
        _add(out, crayon)
    elif out.pasted and node.tag in _PASTED_TAGS and is_inside_pasted_code(node):
        pass  # read with the paragraph that opened the code
    elif out.pasted and node.tag in _PASTED_TAGS and (run := pasted_code_run(node)) is not None:
        _add(out, pasted_code_block(run))
    else:
        return False
    return True


# Frames that show code kept on another site: a placeholder there has no text to recover,
# but it stands there (and the next code block is the next placeholder's).
_CODE_EMBED_RE = re.compile(
    r"^(?:https?:)?//(?:[\w-]+\.)*(?:carbon\.now\.sh|gist\.github\.com|codepen\.io|jsfiddle\.net"
    r"|codesandbox\.io|stackblitz\.com|replit\.com|repl\.it|ideone\.com|glot\.io|jsbin\.com"
    r"|plnkr\.co|play\.golang\.org|go\.dev/play|play\.rust-lang\.org)[/?]",
    re.I,
)


def _add(out: _Segments, block: Block | None) -> None:
    """Add a block inline or on its own, by its kind."""
    if block is None:
        return
    if block.kind == "math":
        out.add_inline(block)
    else:
        out.add_display(block)


# A style keeping the code's spaces and lines (in a monospaced font, ``MONOSPACE_RE``).
_KEPT_SPACING_RE = re.compile(r"white-space\s*:\s*pre(?:-wrap)?\s*(?:;|$|!)", re.I)
# Elements pasted code is written in, with no <pre> (``pasted_code``): cheap to test first.
_PASTED_TAGS = frozenset({"p", "div", "table"})
# Evernote's code block (its exported notes): marked in its style, ``-en-codeblock:true``.
_EVERNOTE_CODE_RE = re.compile(r"-en-codeblock\s*:\s*true", re.I)


def _is_skipped(node: LexborNode) -> bool:
    """Tell elements a reader never sees as body text."""
    return _is_skipped_element(node) or is_math_rendering(node)


def _is_skipped_element(node: LexborNode) -> bool:
    if is_content_holder(node):
        return is_hidden(node)
    role = node.attributes.get("role")
    hidden = is_hidden(node) and role != "tabpanel"  # a tab not shown
    if node.tag in SKIP_TAGS and (node.tag != "button" or role != "tab"):
        return True  # but a tab's label that is a button (VuePress's code groups) is read
    return hidden or is_gutter(node) or is_code_chrome(node)


def _is_code_without_pre(node: LexborNode) -> bool:
    """Tell code shown without a ``<pre>``: a monospaced element whose style keeps its
    spacing (code copied out of an editor as HTML), Evernote's code block, or a ``<code>``
    broken into lines that is all its block holds (Blogger's)."""
    style = node.attributes.get("style") or ""
    if node.tag in BLOCK_TAGS and _KEPT_SPACING_RE.search(style) and MONOSPACE_RE.search(style):
        return True  # (a span is inline code in prose: Google Docs styles every span so)
    if _EVERNOTE_CODE_RE.search(style):  # a div a line, indented with no-break spaces
        return True
    if "cm-content" in class_tokens(node):  # CodeMirror 6 (语雀): a div.cm-line a line
        return True
    if node.tag != "code" or node.css_first("br") is None or node.parent is None:
        return False
    return node.parent.tag in BLOCK_TAGS and node.parent.text(strip=True) == node.text(strip=True)


# Elements whose text is code as written: old HTML's raw-text ones.
_RAW_CODE_TAGS = frozenset({"xmp", "listing", "plaintext"})


def _raw_code_block(node: LexborNode) -> Block | None:
    """Return the code an element keeps as raw text, shown: ``<xmp>``, ``<listing>``,
    SyntaxHighlighter 1.5's ``<textarea name="code">``, Prism's unescaped markup in a
    ``<script type="text/plain" class="language-…">``; None for any other element."""
    tag = node.tag
    if tag not in _RAW_CODE_TAGS and tag not in ("textarea", "script"):
        return None  # most elements: asked no attribute (each costs a dictionary)
    attrs = node.attributes
    if tag == "textarea":
        names = f"{attrs.get('name') or ''} {attrs.get('class') or ''}"
        if "code" not in names and "brush" not in names and "language-" not in names:
            return None
    elif tag == "script":
        if (attrs.get("type") or "").lower() != "text/plain":
            return None
        if "language-" not in (attrs.get("class") or ""):
            return None
    if is_hidden(node) and tag != "script":  # a source kept hidden beside its rendering
        return None
    text = _LEADING_NEWLINE_RE.sub("", node.text().replace("\r\n", "\n")).rstrip()
    return Block("code", text) if text.strip() else None


_LEADING_NEWLINE_RE = re.compile(r"^(?:[ \t]*\n)+")


def _crayon_block(node: LexborNode) -> Block | None:
    """Return the code of a highlighter that writes no ``<pre>``: Crayon keeps its source
    in ``textarea.crayon-plain``, SyntaxHighlighter its lines in ``td.code div.line``, a
    gist's table its lines in ``td.blob-code``, Discuz's ``div.blockcode`` in ``<li>``s
    (beside its "复制代码" button); and code shown without one at all."""
    names = node.attributes.get("class") or ""
    if "crayon-syntax" in names:
        plain = node.css_first("textarea.crayon-plain")
        lines = (
            [plain.text()]
            if plain is not None
            else [line.text() for line in node.css("div.crayon-line")]
        )
    elif "syntaxhighlighter" in names.split():
        lines = [line.text() for line in node.css("td.code div.line")]
    elif "blockcode" in names.split():  # Discuz: a line an <li>, its <br> and its newline
        lines = [line.text().strip("\r\n") for line in node.css("li")]
    elif node.tag == "table" and node.css_first("td.blob-code") is not None:
        lines = [line.text().strip("\n") for line in node.css("td.blob-code")]  # a gist's
    elif _is_code_without_pre(node):
        return code_block(node)
    else:
        return None
    text = "\n".join(line.rstrip() for line in "\n".join(lines).replace("\u00a0", " ").split("\n"))
    text = text.strip("\n")
    return Block("code", text) if text.strip() else None
