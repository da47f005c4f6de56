"""A card's categories and tags: the names its links give, the names shown after an icon
or a label ("分类:"), and those shown in elements classed as a category or a tag."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from selectolax.lexbor import LexborNode

from feedkeeper.parse.badges import BADGE_RE
from feedkeeper.parse.dates import parse_date
from feedkeeper.parse.dom import ancestors, classes, contains, is_visible
from feedkeeper.parse.link_markup import bracketed_name, list_label
from feedkeeper.parse.link_roles import is_in_prose, reads_more
from feedkeeper.parse.link_targets import TaxonomyKind
from feedkeeper.parse.page import Page
from feedkeeper.parse.page_links import Link
from feedkeeper.parse.vocab import LIST_SPLIT_RE
from feedkeeper.parse.when import CardScan
from feedkeeper.text import drop_invisible, normalize_space

# A class naming a category or a tag: a whole token, or a part of one set apart by - or _.
# A card's breadcrumb is its category (Hexo Stellar's ``span.cap.breadcrumb``).
# A pill or a chip (Notion's ``notion-pill``, Tailwind themes) shows a term too: the
# category when it is the card's one, its tags when several stand side by side.
_TERM_CLASS_RE = re.compile(
    r"(?:^|[-_])(?:(?P<category>categor(?:y|ies)|breadcrumbs?)|(?P<pill>pills?|chips?)|tags?)"
    r"(?:$|[-_])",
    re.I,
)
_TERM_CLASS_CSS = (
    "[class*='categor'], [class*='tag'], [class*='breadcrumb'], [class*='pill'], [class*='chip']"
)
_DIGIT_RE = re.compile(r"\d")
# A name shown as a term is short; longer text is a sentence.
MAX_TERM_CHARS = 24


@dataclass(slots=True)  # not frozen: a page builds many, and frozen ones build slowly
class Terms:
    """Category or tag names shown on a card, with the nodes that show them."""

    names: tuple[str, ...] = ()
    nodes: tuple[LexborNode, ...] = ()


def linked_terms(
    page: Page, links: list[Link]
) -> tuple[Terms | None, Terms | None, list[LexborNode]]:
    """Return the categories and tags the card's links name, and its "Read more" links."""
    found: dict[TaxonomyKind, tuple[list[str], list[LexborNode]]] = {
        "category": ([], []),
        "tag": ([], []),
    }
    read_more: list[LexborNode] = []
    posts: set[str] | None = None  # where the card's other links lead, asked when needed
    for link in links:
        node = link.node
        text = page.text_of(node)
        if reads_more(link, text):
            read_more.append(node)
            continue  # never a term, whatever its rel (Drupal marks it rel="tag")
        if link.url is None or not link.visible:
            continue
        kind = link.kind
        if kind == "category" and (name := bracketed_name(node, text)):
            # DedeCMS's "[技术文章]", Discuz's "[<a>求助</a>]": no brackets. A bracketed
            # word leading where the title does is an action on the post (Sina's
            # "[<a>阅读</a>](126)", "[评论]"), no section.
            posts = _post_keys(links) if posts is None else posts
            if link.target.key in posts:
                continue
            text = name
        if kind and is_in_prose(page, node):
            # "本文是 <a>机器学习</a> 系列的第 3 篇…": a word of the excerpt; a hashtag there
            # (WriteFreely's only tags) is the post's tag too.
            name = text.strip().lstrip("#＃").strip()
            if kind == "tag" and name != text.strip() and name not in found["tag"][0]:
                found["tag"][0].append(name)
            continue
        if kind:
            # Marks beside a name: a tag's "#", Habr's "*" after a hub it profiles.
            text = (text.lstrip("#＃") if kind == "tag" else text).rstrip("*").strip()
        if kind and text:
            names, nodes = found[kind]
            if text not in names:
                names.append(text)
            nodes.append(node)
            in_list = node.parent is not None and node.parent.tag == "li"
            label = list_label(node) if in_list else None
            if label is not None and all(n.mem_id != label.mem_id for n in nodes):
                nodes.append(label)  # "Tags" above the list: no excerpt
    return _terms(*found["category"]), _terms(*found["tag"]), read_more


def _post_keys(links: list[Link]) -> set[str]:
    """Return where a card's links of no kind lead (its post, its comments)."""
    return {link.target.key for link in links if link.kind is None and link.url is not None}


def _terms(names: list[str], nodes: list[LexborNode]) -> Terms | None:
    return Terms(tuple(names), tuple(nodes)) if names else None


def labelled_terms(scan: CardScan, icon_re: re.Pattern[str], label_re: re.Pattern[str]) -> Terms:
    """Return names shown as text after an icon (a folder) or a label ("分类:")."""
    for icon in scan.icons:
        if icon_re.search(" ".join(classes(icon))):
            sibling = _next_content(icon)
            if sibling is not None and sibling.tag not in ("a", "time"):
                names = split_names(sibling.text() or sibling.text_content or "")
                if names:
                    return Terms(names, (icon, sibling))
    for label in scan.labels:
        text = normalize_space(label.text_content or "")
        match = label_re.match(text)
        parent = label.parent
        if match and parent is not None and match.end() > 0:
            rest = text[match.end() :] or normalize_space(_following_text(label))
            names = split_names(rest)
            if names:
                return Terms(names, (parent,))
    return Terms()


def class_named_terms(
    page: Page, root: LexborNode, title: LexborNode | None
) -> dict[TaxonomyKind, Terms]:
    """Return the names shown, with no link, in elements classed as a category or a tag:
    Ghost's ``span.post-card-primary-tag``, VuePress hope's ``span.page-tag-item``.

    A list of them gives its items; a badge ("置顶", "原创") or a date is no name.
    """
    found: dict[TaxonomyKind, Terms] = {"category": Terms(), "tag": Terms()}
    matched = root.css(_TERM_CLASS_CSS)  # in document order: what a node holds follows it
    for index, node in enumerate(matched):
        kind = _term_class(node)
        if kind is None or node.mem_id == root.mem_id:
            continue
        if kind == "pill":  # one is the category, several side by side the tags
            pills = _siblings_alike(node, kind)
            if any(_DIGIT_RE.search(page.text_of(n)) for n in pills):
                continue  # "5 min read", "阅读 300": counts, not names
            kind = "category" if len(pills) == 1 else "tag"
        if found[kind].names:
            continue
        after = matched[index + 1] if index + 1 < len(matched) else None
        if after is not None and contains(node, after):
            continue  # a list of them
        # Linked names are read as links; one to a page of no known shape is read here
        # (Bilibili's span.article-category > a[href=/read/technology]).
        if any(_names_term(page, a) for a in node.css("a[href]")):
            continue
        text = page.text_of(node).lstrip("#＃").strip()
        if not text or len(text) > MAX_TERM_CHARS or BADGE_RE.match(text) or parse_date(text):
            continue
        if (title is not None and contains(node, title)) or not is_visible(node, page.hidden):
            continue
        if any(a.tag == "a" and _names_term(page, a) for a in ancestors(node, root)):
            continue  # a term link's part: the link names it (WriteFreely's hashtag spans)
        items = [
            n
            for n in _siblings_alike(node, _term_class(node))
            if (shown := page.text_of(n).strip()) and not BADGE_RE.match(shown)
        ]
        names = tuple(dict.fromkeys(page.text_of(n).lstrip("#＃").strip() for n in items))
        found[kind] = Terms(names, tuple(items))
    return found


def _names_term(page: Page, anchor: LexborNode) -> bool:
    link = page.link(anchor)
    return link is not None and link.kind is not None


def _term_class(node: LexborNode) -> TaxonomyKind | Literal["pill"] | None:
    for token in classes(node):
        match = _TERM_CLASS_RE.search(token)
        if match is not None:
            return (
                "category" if match.group("category") else "pill" if match.group("pill") else "tag"
            )
    return None


def _siblings_alike(node: LexborNode, kind: str | None) -> list[LexborNode]:
    """Return the element and its siblings of the same tag classed as the same kind."""
    parent = node.parent
    if parent is None:
        return [node]
    return [n for n in parent.iter() if n.tag == node.tag and _term_class(n) == kind]


def _next_content(node: LexborNode) -> LexborNode | None:
    sibling = node.next
    while sibling is not None and sibling.tag in ("-text", "-comment"):
        if sibling.tag == "-text" and (sibling.text_content or "").strip():
            return sibling
        sibling = sibling.next
    return sibling


def _following_text(node: LexborNode) -> str:
    texts: list[str] = []
    sibling = node.next
    while sibling is not None and len(texts) < 8:
        texts.append((sibling.text_content if sibling.tag == "-text" else sibling.text()) or "")
        sibling = sibling.next
    return " ".join(texts)


def split_names(text: str) -> tuple[str, ...]:
    """Return the names a text lists ("A, B", "A | B", "A / B"), each of at most 40 characters."""
    names = [
        normalize_space(name) for name in LIST_SPLIT_RE.split(normalize_space(drop_invisible(text)))
    ]
    return tuple(name for name in names if name and len(name) <= 40)
