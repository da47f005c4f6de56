"""The pager: the link to the following listing page, and the other page links.

The next page is, in order of trust: a visible ``rel=next`` link; a visible link
reading like "Next"/"下一页"/"»"/"较早的博文" (text, aria-label or title), unless its URL
leads back from this numbered page; a ``<link rel=next>`` in the head naming a numbered
page or a cursor (not a documentation site's next document); the numbered link after
the current page ("1 2" pagers); a link to the page after the current one, whatever it
shows (an arrow, or "Previous" meaning older posts); a link to a larger offset; a
script's "load more" button naming the next page in a ``data-`` attribute; and finally
the option after the chosen one in a ``<select>`` of pages.
Hidden or disabled links and links to other sites never count. Page numbers are read from
the URLs as ``page_numbers.py`` knows them, or in the site's own pattern that its numbered
links show (``pager_numbers.py``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from selectolax.lexbor import LexborNode

from feedkeeper.cards import PagePattern
from feedkeeper.elements import is_hidden
from feedkeeper.parse.dom import ancestors, attr, classes, is_visible
from feedkeeper.parse.link_targets import is_site_root
from feedkeeper.parse.page import Page
from feedkeeper.parse.page_labels import label_number
from feedkeeper.parse.page_numbers import first_page
from feedkeeper.parse.pager_fallbacks import (
    has_query,
    load_more,
    next_button,
    next_by_offset,
    select_next,
)
from feedkeeper.parse.pager_numbers import Numbering, PagerLink, number_links
from feedkeeper.parse.urls import is_same_site, site_of, strip_fragment
from feedkeeper.parse.vocab import (
    CURRENT_CLASSES,
    FIRST_LAST_RE,
    MAX_PAGER_TEXT,
    NEXT_HINT_RE,
    NEXT_RE,
    PREV_RE,
)

# A class naming a link the older posts' (``blog-pager-older-link``, ``nav-older``).
_OLDER_HINT_RE = re.compile(r"(?:^|[-_])older(?:$|[-_])", re.I)

_DISABLED_CLASSES = frozenset({"disabled", "is-disabled"})
# Every element ``_is_disabled`` can be true of matches this (a class token holds the
# word, so the attribute does; any aria-disabled value is tried).
_MAY_BE_DISABLED = "[disabled], [aria-disabled], [class*='disabled']"


@dataclass(slots=True)
class Pager:
    """The page's pager: the next listing page, why, and every other page link."""

    next_url: str | None = None
    reason: str = "no next link"
    numbered: bool = False  # the next page was inferred from a numbered pager
    page_urls: list[str] = field(default_factory=list)
    patterns: list[PagePattern] = field(default_factory=list)  # the site's own numbering


def find_pager(page: Page, cards: Collection[LexborNode], selector: str | None = None) -> Pager:
    """Find the next page and the pager links among the links outside the cards.

    ``selector`` (a profile's ``next``) names the next link outright.
    """
    links = _pager_links(page, cards)
    here = page.url_key
    numbering = number_links(links, here)
    shown = _Shown(links, [link for link in links if link.number is not None], numbering)
    if selector:
        pager = Pager(_selected_next(page, selector), f"profile selector {selector!r}")
    else:
        pager = _next(page, shown)
    pager.patterns = numbering.patterns
    first = first_page(here).rstrip("/")
    wanted = [link.url for link in links if _is_page_link(link, shown, first)]
    if pager.next_url:
        # "/page/2/#content-inner": where the theme scrolls to is no part of the page
        pager.next_url = strip_fragment(pager.next_url)
        wanted.append(pager.next_url)
    for url in map(strip_fragment, wanted):
        if url not in pager.page_urls and url != here:
            pager.page_urls.append(url)
    return pager


def _pager_links(page: Page, cards: Collection[LexborNode]) -> list[PagerLink]:
    disabled = _disabled(page)
    in_cards = {link.node.mem_id for card in cards for link in page.links_under(card)}
    in_cards.update(card.mem_id for card in cards if card.tag == "a" and "href" in card.attributes)
    found: list[PagerLink] = []
    here, site, posts = page.url_key, site_of(page.url), page.plain_posts
    for link in page.links:
        url = link.url
        if url is None or link.target.site != site or link.node.mem_id in in_cards:
            continue
        if posts and link.target.key in posts:  # WordPress's /blog/?p=2: a post, no page 2
            continue
        if link.target.key == here or not link.visible:
            continue
        node = link.node
        # The link and its two nearest wrappers, without the whole ancestry of every link.
        if disabled and not disabled.isdisjoint(
            element.mem_id for element in [node, *islice(ancestors(node), 2)]
        ):
            continue
        attrs = node.attributes
        hint = f"{attrs.get('aria-label') or ''} {attrs.get('title') or ''}".strip()
        found.append(PagerLink(node, url, page.text_of(node), tuple(link.rel.split()), hint))
    return found


def _disabled(page: Page) -> set[int]:
    """Return the ids of the page's greyed-out elements (a pager's arrow on its last page).

    The query finds every element that may be disabled, in C; most pages have none.
    """
    return {node.mem_id for node in page.tree.css(_MAY_BE_DISABLED) if _is_disabled(node)}


def _is_disabled(node: LexborNode) -> bool:
    attrs = node.attributes
    return bool(
        "disabled" in attrs
        or attrs.get("aria-disabled") == "true"
        or _DISABLED_CLASSES.intersection((attrs.get("class") or "").split())
    )


@dataclass(slots=True)
class _Shown:
    """The pager links a page shows, those reading page numbers, and how its listing
    numbers its pages."""

    links: list[PagerLink]
    numbered: list[PagerLink]
    numbering: Numbering


def _next(page: Page, shown: _Shown) -> Pager:
    for link in shown.links:
        if "next" in link.rel:
            return Pager(link.url, "rel=next link")
    for link in shown.links:
        if _reads_next(link, shown.numbering):
            return _read_next(page, shown, link)
    head_next = _head_next(page, shown.numbering)
    if head_next:
        return Pager(head_next, "<link rel=next> in the head")
    found = _page_after(shown, _current_number(page, shown))
    if found is not None:
        return found
    fallback = (
        next_by_offset(page, shown.links)
        or load_more(page)
        or next_button(page)
        or select_next(page)
    )
    return Pager(*fallback) if fallback else Pager()


def _read_next(page: Page, shown: _Shown, link: PagerLink) -> Pager:
    """Return the next page a link reading "Next" leads to, unless the numbers tell
    otherwise."""
    reading = Pager(link.url, f"link reading {(link.text or link.hint)!r}")
    number = _number_led_to(page, shown.numbering, link)
    here_number = shown.numbering.here
    if number is None and shown.numbered and not _beside(link, shown.numbered):
        # a widget's own "下一页" (its comments' next page) away from the listing's
        # numbers: the numbered link after the current page is the listing's
        return _numbered_after(shown.numbered, _current_number(page, shown)) or reading
    if number is None or number == (here_number or 1) + 1:
        return reading  # most pagers: no number to weigh, or the expected one
    # WordPress's "Previous" (older posts) and "Next" (newer), a "»" to the last
    # page: where the reading leads elsewhere than the page after, the numbers tell.
    current = _current_number(page, shown)
    if number == current + 1 or (here_number is not None and current != here_number):
        return reading
    return _page_after(shown, current) or reading


def _number_led_to(page: Page, numbering: Numbering, link: PagerLink) -> int | None:
    """Return the page number a link leads to: its URL's, 1 for the listing's first page."""
    number = numbering.number(link.url)
    if number is None and (is_site_root(link.url) or page.url_key.startswith(link.url)):
        return 1
    return number


def _page_after(shown: _Shown, current: int) -> Pager | None:
    """Return the link to the page after ``current``: a numbered one, else any other."""
    return _numbered_after(shown.numbered, current) or _next_by_url(shown, current)


def _numbered_after(numbered: list[PagerLink], current: int) -> Pager | None:
    """Return the numbered link to the page after ``current``, if the pager shows one."""
    for link in numbered:
        if link.number == current + 1:
            reason = f"numbered link {current + 1} after the current page {current}"
            return Pager(link.url, reason, numbered=True)
    return None


def _beside(link: PagerLink, numbered: list[PagerLink], reach: int = 2) -> bool:
    """Tell whether a link stands in the same pager as the numbered links: one of its two
    nearest wrappers (``<li>`` and ``<ul>``) is one of their ``reach`` nearest."""
    near = {a.mem_id for a in islice(ancestors(link.node), 2)}
    return any(
        not near.isdisjoint(a.mem_id for a in islice(ancestors(other.node), reach))
        for other in numbered
    )


def _next_by_url(shown: _Shown, current: int) -> Pager | None:
    """Return the link whose URL is the page after this one, whatever it shows.

    An icon shows nothing, and a label may read backwards: WordPress's
    ``next_posts_link(' Previous')`` leads to the older posts, the following page.
    """
    for link in shown.links:
        if link.shown is not None:  # a number its URL disagrees with
            continue
        if shown.numbering.number(link.url) == current + 1:
            reason = f"link to page {current + 1} after the current page {current}"
            return Pager(link.url, reason, numbered=True)
    return None


def _selected_next(page: Page, selector: str) -> str | None:
    node = page.tree.css_first(selector)
    if node is not None and node.tag != "a":
        node = node.css_first("a[href]")
    if node is None or not is_visible(node, page.hidden):
        return None
    url = page.resolve(attr(node, "href"))
    return url if url and is_same_site(url, page.url) else None


def _reads_next(link: PagerLink, numbering: Numbering) -> bool:
    if link.hint and FIRST_LAST_RE.match(link.hint):  # "»" titled "尾页": the last page
        return False
    if _reads("next", link.text) or (link.hint and _reads("next", link.hint)):
        return True
    parent = link.node.parent
    # Most links: neither class names the link next, told by one search of both (a token
    # holds no space, and the pattern finds a word only between a token's edges).
    said = f"{attr(link.node, 'class')} {attr(parent, 'class') if parent is not None else ''}"
    if NEXT_HINT_RE.search(said) is None:
        return False
    tokens = said.split()
    hints = [token for token in tokens if NEXT_HINT_RE.search(token)]
    # Words the vocabulary lacks ("Старые сообщения", "이전 게시물"): a class naming the link
    # the older posts' (Blogger's ``blog-pager-older-link``) says what it is, a "next" one
    # does not (WordPress's ``nav-next`` holds "Newer posts").
    if (
        link.text
        and not _reads("next", link.text.strip("»›→> "))
        and not any(_OLDER_HINT_RE.search(token) for token in hints)
    ):
        return False
    # A listing's next page is numbered, or a cursor (Blogger's ``?updated-max=``); a
    # "next-post" link leads to a post.
    return numbering.number(link.url) is not None or has_query(link.url)


def _head_next(page: Page, numbering: Numbering) -> str | None:
    head = page.tree.head
    node = head.css_first("link[rel~='next'][href]") if head is not None else None
    if node is None or is_hidden(node):
        return None
    url = page.resolve(attr(node, "href"))
    if url is None or not is_same_site(url, page.url) or strip_fragment(url) == page.url_key:
        return None
    # Documentation generators (MkDocs, Sphinx) name the next document of their navigation
    # so: only a numbered page, or a cursor in the query, is a listing's next page.
    if numbering.number(url) is None and not has_query(url):
        return None
    return url


def _current_number(page: Page, shown: _Shown) -> int:
    """Return the current page's number: the pager's marked number, else the URL's."""
    pager_parents = {a.mem_id for link in shown.numbered for a in islice(ancestors(link.node), 3)}
    for node in page.tree.css("[aria-current], [class*='current'], [class*='active']"):
        number = label_number(node.text(strip=True))  # "3", "第三页"
        is_marked = "aria-current" in node.attributes or CURRENT_CLASSES.intersection(classes(node))
        near = any(a.mem_id in pager_parents for a in list(ancestors(node))[:3])
        if number is not None and is_marked and near:
            return number
    return shown.numbering.here or 1


def _is_page_link(link: PagerLink, shown: _Shown, first: str) -> bool:
    """Tell whether a link leads to a page of this listing; ``first`` is its first page
    (without a trailing slash)."""
    if link.number is not None:
        return not _is_marked_current(link)
    # Where the link leads is asked first: most links lead to no listing page at all.
    # Unnumbered, only this listing's first page: a nav's "首页" (home) to the site's root,
    # on a category or a blog below it, is no page of it.
    numbering = shown.numbering
    unnumbered = numbering.number(link.url) is None
    if unnumbered and strip_fragment(link.url).rstrip("/") != first:
        return False
    reads_pager = "next" in link.rel or "prev" in link.rel or _reads_next(link, numbering)
    # "»" titled "尾页" (the last page) is a page link, though no next one.
    reads_edge = FIRST_LAST_RE.match(link.text) or (link.hint and FIRST_LAST_RE.match(link.hint))
    # An icon to the last page (``<a class="last"><svg/></a>``), "… 57": whatever it shows,
    # a link to a page standing among the pager's numbers (in its ``<nav>`` around their
    # ``<ul>``) is one of its pages.
    return (
        reads_pager
        or bool(_reads("previous", link.text) or reads_edge)
        or _beside(link, shown.numbered, reach=3)
    )


def _is_marked_current(link: PagerLink) -> bool:
    """Tell whether a numbered link is marked as the page itself, under another URL of it:
    Typecho's ``<li class="current"><a href="/page/1/">1</a></li>`` on its home page."""
    parent = link.node.parent
    return any(
        "aria-current" in node.attributes or CURRENT_CLASSES.intersection(classes(node))
        for node in (link.node, parent)
        if node is not None
    )


# The words a pager link's text is read for, by name: the answers are kept by that name,
# since a key holding a compiled pattern hashes the pattern's whole program at every call.
_PAGER_WORDS = {"next": NEXT_RE, "previous": PREV_RE}


def _reads(word: str, text: str) -> bool:
    """Tell whether a pager link's text reads as ``_PAGER_WORDS[word]`` says: a title,
    longer than any pager's word, is not matched."""
    return len(text) <= MAX_PAGER_TEXT and _matches(word, text)


@lru_cache(maxsize=4096)  # a site's nav, sidebar and pager show the same texts on every page
def _matches(word: str, text: str) -> bool:
    return _PAGER_WORDS[word].match(text) is not None
