"""Reading TeX out of the DOM: behind KaTeX, MathJax and MathML, in attributes, scripts and
the addresses of formula images."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.article.delimiters import split_delimited_math
from feedkeeper.article.dom import class_tokens
from feedkeeper.article.model import Block, BlockKind
from feedkeeper.elements import BLOCK_TAGS

_CDATA_RE = re.compile(r"^%?\s*<!\[CDATA\[(.*?)%?\s*\]\]>$", re.DOTALL)
# A MathML annotation's encoding that names TeX or LaTeX.
_TEX_ENCODING_RE = re.compile(r"(?:^|[/-])(?:x-)?(?:la)?tex$", re.I)
# Zhihu ends the TeX of a display formula with a line break, ``\\``: no part of it.
_ZHIHU_BREAK_RE = re.compile(r"(?:\s*\\\\)+\s*$")


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
    """Return the TeX of CSDN's and Halo's ``span.katex--inline`` / ``katex--display`` and
    pandoc's ``span.math.inline`` / ``display``: KaTeX's rendering inside, or the TeX itself
    where the page's scripts render it."""
    names = class_tokens(node)
    kind: BlockKind = "formula" if {"katex--display", "display"} & names else "math"
    rendered = katex_block(node, kind)
    if rendered is not None or node.css_first(".katex, math") is not None:
        return rendered
    source = node.text().strip()
    return Block(kind, source) if source else None


def is_pandoc_katex_math(node: LexborNode) -> bool:
    """Tell pandoc's ``span.math.inline`` / ``span.math.display`` written for KaTeX
    (``--katex``): TeX with no delimiters, which ``--mathjax`` (Quarto, Hexo's pandoc
    renderer) writes around it as ``\\(…\\)``, read in the text."""
    if node.tag != "span":
        return False
    names = class_tokens(node)
    if "math" not in names or not {"inline", "display"} & names:
        return False
    return not node.text().lstrip().startswith(("\\(", "\\[", "$"))


def substack_block(node: LexborNode) -> Block | None:
    """Return the TeX Substack keeps in a LaTeX block's ``data-attrs`` JSON."""
    try:
        attrs = json.loads(node.attributes.get("data-attrs") or "{}")
    except ValueError:
        return None
    source = attrs.get("persistentExpression") if isinstance(attrs, dict) else None
    return Block("formula", source.strip()) if isinstance(source, str) and source.strip() else None


def mathjax_block(script: LexborNode) -> Block | None:
    """Return the source of a MathJax ``script[type^="math/tex"]`` (or ``math/asciimath``)."""
    source = script.text().strip()
    cdata = _CDATA_RE.match(source)
    if cdata:
        source = cdata.group(1).strip()
    if not source:
        return None
    is_display = "mode=display" in (script.attributes.get("type") or "")
    return Block("formula" if is_display else "math", source)


def is_mathjax_script(node: LexborNode) -> bool:
    """Tell whether an element is a MathJax script holding a formula's source: TeX, or
    AsciiMath (``math/asciimath``, what MathJax 2 leaves of `` `x^2` ``), recovered as the
    author wrote it since no TeX of it exists."""
    kind = (node.attributes.get("type") or "").strip().lower()
    return node.tag == "script" and kind.startswith(("math/tex", "math/asciimath"))


# What loads MathJax's AsciiMath input (its combined configs ``AM_CHTML``, ``TeX-MML-AM_…``;
# asciimath2jax in MathJax 2, ``input/asciimath`` in 3) or ASCIIMathML.js itself.
_ASCIIMATH_LOADED_RE = re.compile(r"[?,&=-]AM_|asciimath2jax|input/asciimath|ASCIIMathML", re.I)
# Delimiters set for AsciiMath; backticks are its default.
_ASCIIMATH_DELIMITERS_RE = re.compile(
    r"(?:asciimath2jax|asciimath)\s*:\s*\{[^}]*?delimiters\s*:\s*(\[[^}]*)", re.I
)


def reads_asciimath(tree: LexborHTMLParser) -> bool:
    """Tell a page whose scripts have AsciiMath between backticks rendered as math:
    MathJax with its AsciiMath input (its delimiters left at, or set to, backticks)."""
    loaded = False
    for script in tree.css("script"):
        source = f"{script.attributes.get('src') or ''}\n{script.text()}"
        loaded = loaded or _ASCIIMATH_LOADED_RE.search(source) is not None
        delimiters = _ASCIIMATH_DELIMITERS_RE.search(source)
        if delimiters is not None and "`" not in delimiters.group(1):
            return False  # other delimiters: backticks in the text are text
    return loaded


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
# Yuque's ``img.ne-math-img`` (``…/__latex/…``, ``…/math?…&code=…``).
_TEX_IMAGE_RE = re.compile(
    r"latex|equation|formula|mathtex|codecogs|[?&]tex=|mwe-math|cht=tx|ne-math|/math\?", re.I
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
    for name in ("alt", "title"):  # Yuque's image keeps it in either, when not elsewhere
        if (text := (attrs.get(name) or "").strip()) and _reads_as_tex(text):
            return _tex_block(node, text, display)
    kept = _card_tex(node) or tex_of_address(attrs.get("src") or "")
    return _tex_block(node, kept, display)


def _card_tex(img: LexborNode) -> str:
    """Return the TeX a Yuque (lake) math card keeps around its image: the ``code`` of its
    ``data-card-value``, ``data:`` and URL-encoded JSON; or ""."""
    card = img.parent
    for _ in range(4):  # <ne-card><div class="ne-card-container"><span class="ne-math"><img>
        if card is None or card.attributes.get("data-card-name") == "math":
            break
        card = card.parent
    value = (card.attributes.get("data-card-value") or "") if card is not None else ""
    if not value.startswith("data:"):
        return ""
    try:
        data = json.loads(unquote(value[len("data:") :]))
    except ValueError:
        return ""
    code = data.get("code") if isinstance(data, dict) else None
    return code.strip() if isinstance(code, str) else ""


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
# WordPress.com's ``latex.php?latex=``, Jianshu's ``math?formula=``, Yuque's ``math?code=``.
_TEX_PARAM_RE = re.compile(r"(?:^|&)(?:chl|tex|from|latex|formula|eq|code)=([^&]*)", re.I)
# Yuque's exported addresses: ``…/__latex?<TeX>`` or ``/gr/latex?<TeX>``, the whole query
# the TeX; and its card's ``#card=math&code=<TeX>`` after any address.
_QUERY_IS_TEX_RE = re.compile(r"/(?:__latex|gr/latex)$")
_CARD_FRAGMENT_RE = re.compile(r"(?:^|&)card=math(?:&|$)")


def tex_of_address(src: str) -> str:
    """Return the TeX a formula image's address carries (a known service's path or query,
    Yuque's card fragment, any other's named query parameter), or ""."""
    src = src.strip()
    parts = urlsplit(src)
    match = _TEX_ADDRESS_RE.match(src)
    if _CARD_FRAGMENT_RE.search(parts.fragment):
        query = parts.fragment  # named parameters, the TeX in ``code=``
    elif match is not None and "=" not in match.group(1).split("&", 1)[0]:
        return _decoded_tex(match.group(1))
    elif _QUERY_IS_TEX_RE.search(parts.path) and "=" not in parts.query:
        return _decoded_tex(parts.query)
    else:
        query = match.group(1) if match is not None else parts.query
    found = _TEX_PARAM_RE.search(query)
    return _decoded_tex(found.group(1)) if found else ""


def _decoded_tex(query: str) -> str:
    """Return TeX written into an address: percent-decoded, codecogs' escapes and options
    undone."""
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
