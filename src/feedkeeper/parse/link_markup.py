"""The kind a link's markup gives it, whatever its path: a hashtag is a tag, a label
before a link ("分类：", "Tags:") or above a list of them names their kind."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.elements import previous_element
from feedkeeper.parse.dom import in_heading
from feedkeeper.parse.link_targets import TaxonomyKind
from feedkeeper.parse.vocab import AUTHOR_LABEL_END_RE, LIST_LABEL_RE, TERM_LABEL_END_RE

# The elements that label a list below them ("Tags" above the tag links).
_LABEL_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "dt", "div", "span", "p", "strong"})
# A link showing "#" and one word this long at most is a hashtag.
MAX_HASHTAG_CHARS = 32
# A label ending the text before a link is read in this many of its last characters.
MAX_TERM_LABEL = 24
# Between two term links after one label ("标签: <a>x</a>, <a>y</a>").
_TERM_SEPARATORS = " \t\n\r,，、"


def markup_kind(node: LexborNode, labelled: dict[int, TaxonomyKind | None]) -> TaxonomyKind | None:
    """Return the kind a link's markup gives it whatever its path: a hashtag ("#MySQL") is
    a tag; a label just before it ("分类：", "Tags:", "Posted in") names its kind, and so
    does the labelled link before it in the same list ("a, b"). Labelled links are
    recorded in ``labelled``."""
    before = node.prev
    child = node.child
    if child is not None and child.tag == "-text" and child.next is None:
        text = (child.text_content or "").strip()
        if text[:1] in ("#", "＃") and _is_hashtag(text) and not in_heading(node):
            return "tag"  # (a heading's "#100DaysOfCode" is a post's title)
        if _bracketed(node, _opening(before), text) is not None:
            return "category"  # DedeCMS's "[技术文章]", Discuz's "[<a>求助</a>]"
    if before is None:
        return _list_label_kind(node, labelled)
    if before.tag != "-text":
        return None
    text = before.text_content or ""
    # (Every label holds a word: the spaces between a meta line's elements hold none.)
    start = max(0, len(text) - MAX_TERM_LABEL)
    match = None if text.isspace() else TERM_LABEL_END_RE.search(text, start)
    kind: TaxonomyKind | None = None
    if match is not None:
        kind = "category" if match.group("category") else "tag"
    elif not text.strip(_TERM_SEPARATORS) and before.prev is not None:
        kind = labelled.get(before.prev.mem_id)
    if kind is not None:
        labelled[node.mem_id] = kind
    return kind


# A short name in brackets: a Chinese CMS's or forum's section before a title.
_BRACKETED_RE = re.compile(r"^(?:\[([^\[\]]{1,24})\]|【([^【】]{1,24})】)$")
# Status words bracketed before a title are its badges ("[置顶]", "【原创】"), no section.
_STATUS_RE = re.compile(
    r"^\s*(?:已?置[顶頂]|顶|頂|精华?|原创|原創|原|转载|轉載|转|翻译|翻譯|译|推荐|荐|热门?|新"
    r"|top|pinned|sticky|hot|new|featured)\s*$",
    re.I,
)


def bracketed_name(node: LexborNode, text: str | None = None) -> str | None:
    """Return the name a link shows in brackets, its own ("[技术文章]", "【随笔】") or the
    text's around it (``[<a>求助</a>]``); None for other links and for a badge ("[置顶]").
    ``text`` is the link's, read here when not given (only for a link a bracket may open:
    most links are asked, few are so)."""
    opened = _opening(node.prev)
    if text is None:
        child = node.child
        first = (child.text_content or "").lstrip()[:1] if child is not None else ""
        if not opened and first not in ("[", "【"):
            return None
        text = node.text()
    return _bracketed(node, opened, text)


def _opening(before: LexborNode | None) -> str:
    """Return the bracket the text before a link ends with ("[", "【"), or ""."""
    if before is None or before.tag != "-text":
        return ""
    opened = (before.text_content or "").rstrip()[-1:]
    return opened if opened in ("[", "【") else ""


def _bracketed(node: LexborNode, opened: str, text: str) -> str | None:
    """Return the bracketed name a link showing ``text`` gives, after ``opened``."""
    text = text.strip()
    if not opened and text[:1] not in ("[", "【"):
        return None  # most links: no bracket, which every name needs, opens them
    match = _BRACKETED_RE.match(text)
    if match is None and opened:
        after = node.next
        closed = (after.text_content or "").lstrip()[:1] if after is not None else ""
        match = _BRACKETED_RE.match(f"{opened}{text}{closed}")
    if match is None:
        return None
    name = (match.group(1) or match.group(2)).strip()
    return name if name and not _STATUS_RE.match(name) else None


def _list_label_kind(
    node: LexborNode, labelled: dict[int, TaxonomyKind | None]
) -> TaxonomyKind | None:
    """Return the kind a label heading gives a list of term links (Drupal's
    ``<h3>Tags</h3><ul><li><a>news</a></li>…``), asked once a list; None elsewhere."""
    item = node.parent
    if item is None or item.tag != "li" or item.parent is None:
        return None
    key = -item.parent.mem_id  # the list's verdict, kept beside the links' (negative ids)
    if key not in labelled:
        label = list_label(node)
        match = LIST_LABEL_RE.match(label.text(strip=True)) if label is not None else None
        if match is not None:
            labelled[key] = "category" if match.group("category") else "tag"
        else:
            labelled[key] = None
    return labelled[key]


def list_label(node: LexborNode) -> LexborNode | None:
    """Return the short element labelling the list a link is an item of (a heading, a
    ``dt``: "Tags" above the tag links), if it reads as a category or tag label."""
    item = node.parent
    listing = item.parent if item is not None and item.tag == "li" else None
    before = previous_element(listing) if listing is not None else None
    if before is None or before.tag not in _LABEL_TAGS:
        return None
    return before if LIST_LABEL_RE.match(before.text(strip=True)) else None


def _is_hashtag(text: str) -> bool:
    """Tell whether a link's text, starting with "#", is a hashtag: one short word."""
    return (
        1 < len(text) <= MAX_HASHTAG_CHARS
        and text[1] not in "#＃ "
        and not any(char.isspace() for char in text)
    )


def is_author_labelled(node: LexborNode) -> bool:
    """Tell whether the text just before a link labels it its author's ("作者:", "By")."""
    before = node.prev
    if before is None or before.tag != "-text":
        return False
    text = before.text_content or ""
    if text.isspace():
        return False  # every label holds a word: the spaces between elements hold none
    return AUTHOR_LABEL_END_RE.search(text, max(0, len(text) - MAX_TERM_LABEL)) is not None
