"""Read one detected card's fields: url, title, categories, tags, dates and excerpt."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from selectolax.lexbor import LexborNode

from feedkeeper.cards import Card, find_placeholders
from feedkeeper.elements import HEADINGS
from feedkeeper.parse.badges import BADGE_RE, pin_marks, title_without_badges
from feedkeeper.parse.blocks import Block, PostLink
from feedkeeper.parse.date_context import context_date, group_heading, published_date
from feedkeeper.parse.dates import parse_date
from feedkeeper.parse.dom import ancestors, attr, classes, contains, is_visible
from feedkeeper.parse.excerpt import find_excerpt
from feedkeeper.parse.link_markup import bracketed_name, list_label
from feedkeeper.parse.link_roles import (
    is_cut_mark,
    is_ellipsis,
    is_in_prose,
    is_more_mark,
    meta_links,
)
from feedkeeper.parse.link_targets import TaxonomyKind
from feedkeeper.parse.machine_dates import url_date
from feedkeeper.parse.page import BYLINE_RE, Link, Page
from feedkeeper.parse.score import shows_date
from feedkeeper.parse.vocab import (
    CATEGORY_ICON_RE,
    CATEGORY_LABEL_RE,
    LIST_SPLIT_RE,
    TAG_ICON_RE,
    TAG_LABEL_RE,
    is_control,
    is_read_more,
)
from feedkeeper.parse.when import CardScan, DateHit, choose_date, scan_card
from feedkeeper.text import drop_invisible, normalize_space, split_ellipsis

Title = tuple[str | None, bool]  # the title's text, and whether a badge in it is a pin
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
_HEADING_CSS = "h1, h2, h3, h4, h5, h6"


@dataclass(slots=True)
class CardParts:
    """A card and the nodes each of its fields came from (for explanations and profiles)."""

    card: Card
    root: LexborNode
    link: LexborNode | None = None
    title: LexborNode | None = None
    date: DateHit | None = None
    categories: list[LexborNode] = field(default_factory=list)
    tags: list[LexborNode] = field(default_factory=list)
    excerpt: list[LexborNode] = field(default_factory=list)


@dataclass(slots=True)  # not frozen: a page builds many, and frozen ones build slowly
class Terms:
    """Category or tag names shown on a card, with the nodes that show them."""

    names: tuple[str, ...] = ()
    nodes: tuple[LexborNode, ...] = ()


def read_card(page: Page, block: Block, links: list[Link]) -> CardParts:
    """Read the fields of a detected card block, given every link inside it."""
    root = block.node
    (title_text, pinned), title_node, link = _title(page, block)
    linked_categories, linked_tags, skip = _linked_terms(page, links)
    # Terms shown after a label ("分类: x") count only where links name none: only then
    # does the scan look for labels.
    scan = scan_card(page, root, title_node, linked_categories is None or linked_tags is None)
    categories = linked_categories or _labelled(scan, CATEGORY_ICON_RE, CATEGORY_LABEL_RE)
    tags = linked_tags or _labelled(scan, TAG_ICON_RE, TAG_LABEL_RE)
    if not categories.names or not tags.names:
        named = _class_named(page, root, title_node)
        categories = categories if categories.names else named["category"]
        tags = tags if tags.names else named["tag"]
    hit = choose_date(scan.dates)
    if hit is not None and title_node is not None:
        title_text = _title_without_date(page, title_text, title_node, hit.node)
    if title_text and title_node is not None:
        title_text = title_not_cut(title_text, title_node, link.node if link else None)
    indicators = [h.node for h in scan.dates if not h.in_prose or h is hit]
    indicators += scan.relative
    indicators += categories.nodes
    indicators += tags.nodes
    indicators += meta_links(page, block, link, links)
    indicators += _bylines(page, root)
    pins = pin_marks(page, root)
    indicators += [node for node in pins if node is not root]
    excerpt, excerpt_nodes = find_excerpt(page, root, title_node, indicators, skip, title_text)
    excerpt, truncated = _split_ellipsis(drop_invisible(excerpt) if excerpt else excerpt)
    truncated = truncated or any(
        is_ellipsis(page.text_of(node)) or is_cut_mark(page, node) for node in skip
    )
    url = link.url if link else None
    hit = hit or context_date(page, root)
    stated: tuple[str | None, str | None] = (None, None)
    if hit is None:
        stated = page.jsonld.get(block.key or "", stated)
    card = Card(
        url=url,
        title=drop_invisible(title_text) or None if title_text else None,
        category=drop_invisible(categories.names[0]) if categories.names else None,
        categories=tuple(map(drop_invisible, categories.names)),
        tags=tuple(map(drop_invisible, tags.names)),
        published=published_date(hit, url, group_of(page, root, hit)) or stated[0] or url_date(url),
        published_at=hit.stamp if hit else stated[1],
        excerpt=excerpt or None,
        truncated=truncated and bool(excerpt),
        placeholders=find_placeholders(excerpt) if excerpt else (),
        pinned=pinned or bool(pins),
    )
    return CardParts(
        card, root, link.node if link else None, title_node, hit,
        list(categories.nodes), list(tags.nodes), excerpt_nodes,
    )  # fmt: skip


def _title(page: Page, block: Block) -> tuple[Title, LexborNode | None, PostLink | None]:
    """Return the title (badges apart), the node showing it, and the link that gives the URL."""
    key = block.key
    post_links = [link for link in block.links if link.key == key]
    for link in post_links:
        if link.in_heading and link.text:
            heading = _heading_inside(block.node, link.node)
            return title_without_badges(page, link.title), heading, link
    url_link = _url_link(post_links)
    main = block.main
    named = (
        main is not None
        and bool(main.text)
        and not is_control(main.text)
        and not shows_date(main.text)
    )  # an untitled post's card links it by its date (Tumblr, Write.as)
    first = _first_heading(page, block.node)
    if first is not None and not (named and main and _link_comes_first(block.node, main, first)):
        return title_without_badges(page, first), first, url_link
    if named and main is not None:
        return title_without_badges(page, main.title), main.title, main
    return (None, False), None, url_link


# What sets a date shown in a title's element apart from the title ("15 Mar — Title").
_DATE_SEPARATORS = " -–—|·:：,，/"


def _title_without_date(
    page: Page, title: str | None, shown_in: LexborNode, date: LexborNode
) -> str | None:
    """Return the title without the date an element of its own shows at its start or end
    (``<h2><span class="date"><span>15</span><span>Mar</span></span> Title</h2>``)."""
    if not title or date.mem_id == shown_in.mem_id or not contains(shown_in, date):
        return title
    shown = page.text_of(date)
    if not shown or len(shown) >= len(title):
        return title  # the date is the title's own text, or holds it
    if title.startswith(shown):
        return title[len(shown) :].lstrip(_DATE_SEPARATORS) or title
    if title.endswith(shown):
        return title[: -len(shown)].rstrip(_DATE_SEPARATORS) or title
    return title


def title_not_cut(title: str, shown_in: LexborNode, link: LexborNode | None = None) -> str:
    """Return the whole title the ``title`` attribute of the element showing it, or of its
    link, holds where the text shown is it cut short ("…类型化类常量与 json_valid...":
    DedeCMS, PHPCMS, Discuz)."""
    cut, was_cut = split_ellipsis(title)
    if not was_cut or not cut:
        return title
    for node in (shown_in, link):
        whole = normalize_space(attr(node, "title")) if node is not None else ""
        if len(whole) > len(cut) and whole.startswith(cut):
            return whole
    return title


def _heading_inside(root: LexborNode, link: LexborNode) -> LexborNode:
    """Return the heading around a link when it lies inside the card, else the link."""
    for node in ancestors(link):
        if node.tag in HEADINGS:
            return node if contains(root, node) else link
    return link


def _url_link(links: list[PostLink]) -> PostLink | None:
    """Return the link whose href best names the post: one without a fragment if any."""
    plain = [link for link in links if "#" not in link.url]
    if plain:
        return plain[0]
    return links[0] if links else None


def _first_heading(page: Page, root: LexborNode) -> LexborNode | None:
    if root.tag in HEADINGS:
        return root
    for heading in root.css(_HEADING_CSS):
        if page.text_of(heading) and is_visible(heading, page.hidden):
            return heading
    return None


def _link_comes_first(root: LexborNode, link: PostLink, heading: LexborNode) -> bool:
    """Tell whether the link comes before the heading, rather than around or after it."""
    if contains(link.node, heading):
        return False  # a whole-card link wrapping the heading: the heading names the post
    wanted = {link.node.mem_id, heading.mem_id}
    for node in root.traverse():
        if node.mem_id in wanted:
            return node.mem_id == link.node.mem_id
    return False


def _linked_terms(
    page: Page, links: list[Link]
) -> tuple[Terms | None, Terms | None, list[LexborNode]]:
    """Return the categories and tags the card's links name, and its "Read more" links."""
    found: dict[TaxonomyKind, tuple[list[str], list[LexborNode]]] = {
        "category": ([], []),
        "tag": ([], []),
    }
    read_more: list[LexborNode] = []
    for link in links:
        node = link.node
        text = page.text_of(node)
        if is_read_more(text) or is_more_mark(text):
            read_more.append(node)
            continue  # never a term, whatever its rel (Drupal marks it rel="tag")
        if link.url is None or not link.visible:
            continue
        kind = link.kind
        if kind == "category" and (name := bracketed_name(node, text)):
            text = name  # DedeCMS's "[技术文章]", Discuz's "[<a>求助</a>]": no brackets
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


def _terms(names: list[str], nodes: list[LexborNode]) -> Terms | None:
    return Terms(tuple(names), tuple(nodes)) if names else None


def _labelled(scan: CardScan, icon_re: re.Pattern[str], label_re: re.Pattern[str]) -> Terms:
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


def _class_named(
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


# A byline is a name and a role, a date at most: an element "named" as the author's that
# holds more text than this wraps the card's content, and is no meta line.
MAX_BYLINE_CHARS = 100


def _bylines(page: Page, root: LexborNode) -> list[LexborNode]:
    """Return the card's bylines: its elements named as the author's that hold a few words."""
    found = page.marks_under(root)
    if not found:  # most cards
        return found
    return [
        node
        for node in found
        if BYLINE_RE.search(node.attributes.get("class") or "")
        and len(node.text(strip=True)) <= MAX_BYLINE_CHARS
    ]


def _split_ellipsis(text: str | None) -> tuple[str | None, bool]:
    """Split a trailing ellipsis off; only the tail is searched, excerpts can be whole posts."""
    if not text:
        return None, False
    tail, truncated = split_ellipsis(text[-80:])
    return (text[:-80] + tail).strip() or None, truncated


def group_of(page: Page, root: LexborNode, hit: DateHit | None) -> tuple[int, int | None] | None:
    """Return the group heading above a card whose date shows no year, if any."""
    if hit is None or hit.date or hit.month_day is None:
        return None
    return group_heading(page, root)
