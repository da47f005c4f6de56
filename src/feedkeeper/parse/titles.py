"""A card's title: the heading or the link that names its post, its badges (a pin) set
apart, a date shown in it left out, and the whole title where the text shown is cut short."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from feedkeeper.elements import HEADINGS
from feedkeeper.parse.badges import title_without_badges
from feedkeeper.parse.blocks import Block, PostLink
from feedkeeper.parse.dom import attr, contains, heading_above, is_visible
from feedkeeper.parse.main_links import shows_date
from feedkeeper.parse.page import Page
from feedkeeper.parse.vocab import is_control, is_count_words, reads_as_count
from feedkeeper.text import normalize_space, split_ellipsis

Title = tuple[str | None, bool]  # the title's text, and whether a badge in it is a pin
_HEADING_CSS = "h1, h2, h3, h4, h5, h6"


def read_title(page: Page, block: Block) -> tuple[Title, LexborNode | None, PostLink | None]:
    """Return the title (badges apart), the node showing it, and the link that gives the URL."""
    key = block.key
    post_links = [link for link in block.links if link.key == key]
    headed = [link for link in post_links if link.in_heading and link.text]
    if headed:
        return _heading_title(page, block, headed)
    url_link = _url_link(post_links)
    main = block.main
    named = (
        main is not None
        and bool(main.text)
        and not is_control(main.text)
        and not shows_date(main.text)
    )  # an untitled post's card links it by its date (Tumblr, Write.as)
    first = _first_heading(page, block.node)
    if first is not None and named and main is not None and main.text.isdigit():
        named = not _is_worded_title(page.text_of(first))  # a rank or a count before it
    if first is not None and not (named and main and _link_comes_first(block.node, main, first)):
        return title_without_badges(page, first), first, url_link
    if named and main is not None:
        return title_without_badges(page, main.title), main.title, main
    return (None, False), None, url_link


def _heading_title(
    page: Page, block: Block, headed: list[PostLink]
) -> tuple[Title, LexborNode, PostLink]:
    """Return the title the heading's links to the post show: the first that is no bare
    number. A number alone (a rank, a count linked in the heading) yields to the heading's
    other text, and is the title where the heading shows none ("1984")."""
    link = next((link for link in headed if not link.text.isdigit()), headed[0])
    heading = _heading_inside(block.node, link.node)
    if link.text.isdigit() and heading is not link.node:
        numbers = {other.node.mem_id for other in headed}
        words = title_without_badges(page, heading, numbers)
        if _is_worded_title(words[0]):
            return words, heading, link
    return title_without_badges(page, link.title), heading, link


def _is_worded_title(text: str) -> bool:
    """Tell whether a heading's text beside a number is a title: words, not a count's
    ("12 comments", "(12)"), nor a date."""
    return (
        any(char.isalpha() for char in text)
        and not reads_as_count(text)
        and not is_count_words(text)
        and not shows_date(text)
    )


# What sets a date shown in a title's element apart from the title ("15 Mar — Title").
_DATE_SEPARATORS = " -–—|·:：,，/"


def title_without_date(
    page: Page, title: str | None, shown_in: LexborNode, date: LexborNode
) -> str | None:
    """Return the title without the date an element of its own shows at its start or end
    (``<h2><span class="date"><span>15</span><span>Mar</span></span> Title</h2>``)."""
    if not title or date.mem_id == shown_in.mem_id:
        return title
    shown = page.text_of(date)
    if not shown or len(shown) >= len(title):
        return title  # the date is the title's own text, or holds it
    # The texts are compared before the walk up from the date that tells whether it sits
    # in the title's element: most titles neither start nor end with their card's date.
    starts = title.startswith(shown)
    if not (starts or title.endswith(shown)) or not contains(shown_in, date):
        return title
    if starts:
        return title[len(shown) :].lstrip(_DATE_SEPARATORS) or title
    return title[: -len(shown)].rstrip(_DATE_SEPARATORS) or title


# How long a count shown at a title's end is, at most ("阅读 1.2k", "12 comments").
MAX_COUNT_CHARS = 16
# Where a title's count stands apart from it: a bare number, in a badge of its own, whose
# class says it counts (a number in a plain ``<span>`` may be the title's: "Chapter 12").
_BARE_COUNT_TAGS = frozenset({"span", "small", "sup"})
_COUNT_CLASS_RE = re.compile(r"badge|count|num|comment|repl|view|hits|like|stat", re.I)
_CLOSERS = ")]）】"


def title_without_count(page: Page, title: str, shown_in: LexborNode) -> str:
    """Return the title without the count an element of its own shows at its end (a
    Bootstrap badge ``<a>Title <span class="badge">14</span></a>``, ``<span>阅读 120</span>``):
    a bare number counts in a badge's element only, so a title's "Part <em>2</em>" stays."""
    if not title[-1:].isdigit() and title[-1:] not in _CLOSERS:
        return title  # most titles: no count can end them
    walk = shown_in.traverse()
    next(walk)  # the title's own element: its text is the title
    for node in walk:
        shown = page.text_of(node)
        if (
            shown
            and len(shown) <= MAX_COUNT_CHARS
            and len(shown) < len(title)
            and title.endswith(shown)
            and _is_count(node, shown)
        ):
            return title[: -len(shown)].rstrip(_DATE_SEPARATORS) or title
    return title


def _is_count(node: LexborNode, shown: str) -> bool:
    """Tell whether an element shows a count: its words and a number, or a number alone
    (bracketed, or in a badge's element classed as a count)."""
    bare = shown.strip("()[]（）【】 ")
    if bare.replace(",", "").replace(".", "").isdigit():
        if len(bare) == 4 and bare[:2] in ("19", "20"):
            return False  # a year: the title's ("Year in review <span>2025</span>")
        return bare != shown.strip() or (
            node.tag in _BARE_COUNT_TAGS and _COUNT_CLASS_RE.search(attr(node, "class")) is not None
        )
    return any(char.isalpha() for char in shown) and reads_as_count(shown)


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
    heading = heading_above(link)
    return heading if heading is not None and contains(root, heading) else link


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
