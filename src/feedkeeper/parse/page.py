"""One parsed listing page: the tree, the URL links resolve against, and what is hidden."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.errors import ParseError
from feedkeeper.markup import check_time, parse_markup
from feedkeeper.parse.dates import reads_day_first
from feedkeeper.parse.dom import find_hidden, render_text
from feedkeeper.parse.jsonld import Stated, jsonld_dates
from feedkeeper.parse.link_targets import not_posts
from feedkeeper.parse.page_links import LINKING, Link, collect_links, links_beside_body
from feedkeeper.parse.plain_permalinks import mark_plain_posts
from feedkeeper.parse.urls import (
    is_sibling_site,
    resolve,
    site_of,
    strip_fragment,
)

# What an archive row's earlier siblings show first, nearest first: a group heading's
# (year, month), and whether another row's date header came first instead.
LookedBack = tuple[tuple[int, int | None] | None, bool]

# Elements named as the author's (a card's meta line however its links are made, to a
# profile on another site or none, never its excerpt), and pin marks shown as an icon
# (NexT's <span class="post-sticky-flag" title="置顶">, FixIt's <span title="置顶">):
# "marks" of a card.
BYLINE_RE = re.compile("author|avatar|byline", re.I)
# A pin shown as an icon: ``fa-thumbtack`` (Font Awesome 4's ``fa-thumb-tack``), Fluid's
# ``index-pin``, Volantis's ``div.pin``, ``title="置顶"``, ``icon-zhiding`` (置顶 in
# pinyin); "pin" is a word of its own (no "spinner", no "pinyin").
PIN_MARK_RE = re.compile(
    r"sticky|thumb-?tack|pinned|置顶|zhiding|(?:^|[\s_-])pin(?:$|[\s_-])", re.I
)
# Few alternatives: each costs every card's query a test of every element. (``tack``: a
# thumbtack, Font Awesome 4's ``thumb-tack`` too; ``zhiding``: 置顶 in pinyin.)
MARKS_SELECTOR = (
    "[class*='author'], [class*='avatar'], [class*='byline'], [class*='sticky'],"
    " [class*='pin'], [class*='tack'], [class*='zhiding'], [title*='置顶'],"
    " img[alt*='置顶'], img[alt*='ticky']"
)
_LINKS_AND_MARKS = f"{LINKING}, {MARKS_SELECTOR}"
# Links named as a person's: an author's page, whatever its path (Yuque's ``/zhangsan``).
PEOPLE_CSS = "a[class*='author'], a[class*='avatar'], a[rel~='author']"
# (The data- attributes: dates a page's scripts show, in elements sent empty, as jianshu's
# <span data-shared-at="2026-01-11T08:00:00+08:00">, or beside their text, as cnblogs's.)
MACHINE_DATE_ATTRIBUTES = ("datetime", "date", "data-date", "data-shared-at", "data-post-date")
_DATED_SELECTOR = ", ".join(
    ["time", *(f"[{name}]" for name in MACHINE_DATE_ATTRIBUTES), "[itemprop*='date' i]"]
)


@dataclass(frozen=True, slots=True)
class Page:
    """A listing page parsed once, with everything the stages below share."""

    tree: LexborHTMLParser
    url: str  # the page's own URL
    base_url: str  # what relative links resolve against (the page URL or <base href>)
    hidden: frozenset[int]
    dated: frozenset[int]  # elements that may carry a date: <time>, datetime=, microdata
    links: list[Link]  # every <a href> in the body, in document order
    jsonld: dict[str, Stated]  # post URL -> (date, timestamp) stated in JSON-LD
    post_site: str  # the site whose links can be posts: the page's, or a sibling's
    plain_posts: frozenset[str] = frozenset()  # WordPress's posts shaped as pages: /blog/?p=2
    linking: str = LINKING  # what finds the links in a card: "a[href]" where it is all
    _texts: dict[int, str] = field(default_factory=dict)
    _links_by_id: dict[int, Link] = field(default_factory=dict)
    _link_order: dict[int, int] = field(default_factory=dict)  # place among the page's links
    _mentioned: dict[Callable[[str], bool], bool] = field(default_factory=dict)
    _inside: dict[int, list[Link]] = field(default_factory=dict)  # links below each element
    _marks: dict[int, list[LexborNode]] = field(default_factory=dict)  # bylines, pins below it
    looked_back: dict[int, LookedBack] = field(default_factory=dict)  # by element, for when.py
    _not_posts: list[frozenset[str]] = field(default_factory=list)  # worked out once, if asked
    _selected: dict[str, frozenset[int]] = field(default_factory=dict)  # by ``ids_of``
    _day_first: list[bool] = field(default_factory=list)  # worked out once, if asked
    _lang: list[str] = field(default_factory=list)  # read once, if asked
    _marked: list[bool] = field(default_factory=list)  # whether any element is a mark

    @property
    def url_key(self) -> str:
        """Return the page URL without fragment."""
        return strip_fragment(self.url)

    def text_of(self, node: LexborNode, skip: Collection[int] = ()) -> str:
        """Return the node's visible text, leaving out hidden elements and ``skip``."""
        if skip:
            return render_text(node, self.hidden.union(skip))
        key = node.mem_id
        text = self._texts.get(key)
        if text is None:
            check_time()
            text = self._texts[key] = render_text(node, self.hidden)
        return text

    def ids_of(self, selector: str) -> frozenset[int]:
        """Return the ids of the elements a CSS selector matches (asked once a page)."""
        if selector not in self._selected:
            self._selected[selector] = frozenset(n.mem_id for n in self.tree.css(selector))
        return self._selected[selector]

    def mentions(self, test: Callable[[str], bool]) -> bool:
        """Tell whether the body's text, shown or not, passes ``test`` (asked once a page)."""
        if test not in self._mentioned:
            body = self.tree.body
            self._mentioned[test] = body is not None and test(body.text())
        return self._mentioned[test]

    def lang(self) -> str:
        """Return the page's language as its ``<html lang>`` names it, lowered ("" if none)."""
        if not self._lang:
            root = self.tree.root
            lang = root.attributes.get("lang") if root is not None else None
            self._lang.append((lang or "").strip().lower())
        return self._lang[0]

    def day_first(self) -> bool:
        """Tell whether the page writes ``03/04/2026`` day first (asked only for such a date)."""
        if not self._day_first:
            body = self.tree.body
            text = body.text(separator="\n") if body else ""
            self._day_first.append(reads_day_first(text, self.lang()))
        return self._day_first[0]

    def not_posts(self) -> frozenset[str]:
        """Return the URLs the page links that are no posts though shaped like one: folders
        above other URLs it links (``/ada`` beside ``/ada/a-post``), and a post's own pages
        beside it (``/317/comments/``, ``/317?comments``)."""
        if not self._not_posts:
            keys = {x.target.key for x in self.links if x.target.post_shape}  # no images
            self._not_posts.append(not_posts(sorted(keys)))
        return self._not_posts[0]

    def link(self, node: LexborNode) -> Link | None:
        """Return what the page knows of an ``<a href>`` node."""
        return self._by_id().get(node.mem_id)

    def link_order(self) -> dict[int, int]:
        """Map each ``<a href>`` element's id to its place among the page's links."""
        if not self._link_order:
            self._link_order.update((link.node.mem_id, n) for n, link in enumerate(self.links))
        return self._link_order

    def _by_id(self) -> dict[int, Link]:
        if not self._links_by_id:
            self._links_by_id.update((link.node.mem_id, link) for link in self.links)
        return self._links_by_id

    def links_in(self, roots: list[LexborNode]) -> dict[int, list[Link]]:
        """Map each root's id to the links inside it, in document order."""
        found = {root.mem_id: self.links_under(root) for root in roots}
        claimed = sum(len(links) for links in found.values())
        if claimed == len({id(link) for links in found.values() for link in links}):
            return found
        return self._links_nearest(roots)  # nested roots: each link to its nearest one

    def links_under(self, root: LexborNode) -> list[Link]:
        """Return the links inside ``root`` (not ``root`` itself), in document order."""
        key = root.mem_id
        found = self._inside.get(key)
        if found is None:
            by_id = self._by_id()
            found = self._inside[key] = []
            marks = self._marks[key] = []
            # One walk finds both: a second query of the card would cost as much again. Where
            # the page holds no mark at all, links alone are asked for (``linking``), at a
            # fraction of the cost.
            selector = _LINKS_AND_MARKS if self._has_marks() else self.linking
            for node in root.css(selector):
                link = by_id.get(node.mem_id)
                if link is None:
                    marks.append(node)
                elif node.mem_id != key:
                    found.append(link)
        return found

    def marks_under(self, root: LexborNode) -> list[LexborNode]:
        """Return the elements inside ``root`` (links aside) named as the author's
        (``post-author``, ``avatar``, ``byline``) or marked as a pin, in document order."""
        key = root.mem_id
        found = self._marks.get(key)
        if found is None:
            found = self._marks[key] = root.css(MARKS_SELECTOR) if self._has_marks() else []
        return found

    def _has_marks(self) -> bool:
        """Tell whether any element of the page matches ``MARKS_SELECTOR`` (asked once: the
        answer stops at the first, and wrapping cards in new ``<div>`` adds none)."""
        if not self._marked:
            self._marked.append(self.tree.css_matches(MARKS_SELECTOR))
        return self._marked[0]

    def _links_nearest(self, roots: list[LexborNode]) -> dict[int, list[Link]]:
        wanted = {root.mem_id for root in roots}
        found: dict[int, list[Link]] = {key: [] for key in wanted}
        for link in self.links:
            holder = next((a.mem_id for a in link.chain if a.mem_id in wanted), None)
            if holder is not None:
                found[holder].append(link)
        return found

    def forget_ancestry(self) -> None:
        """Drop the links' cached ancestors, after the tree was restructured."""
        for link in self.links:
            link._chain = None
        if self.links:
            self.links[0].walks.forget()
        self._inside.clear()
        self._marks.clear()
        self.looked_back.clear()

    def resolve(self, href: str) -> str | None:
        """Return ``href`` made absolute against the page's base."""
        return resolve(href, self.base_url)


def load_page(html: str, url: str, post_site: str | None = None) -> Page:
    """Parse ``html`` once; raise ParseError when it cannot be read as a document.

    ``post_site`` is the site whose links can be posts, when not the page's own
    (``sibling_post_site``).
    """
    tree = parse_markup(html)
    if tree.body is None:
        raise ParseError("not an HTML page: it has no body")
    base_node = tree.css_first("base[href]")
    base_url = url
    if base_node is not None:
        base_url = resolve(base_node.attributes.get("href") or "", url) or url
    anchors = tree.body.css(LINKING)
    hidden = find_hidden(tree, len(anchors))
    dated = frozenset(node.mem_id for node in tree.css(_DATED_SELECTOR))
    site = site_of(base_url) if post_site is None else post_site
    links, bare = collect_links(anchors, base_url, hidden, site)
    plain = mark_plain_posts(tree, links)
    jsonld = jsonld_dates(tree, base_url)
    linking = "a[href]" if bare and not links_beside_body(tree) else LINKING
    return Page(tree, url, base_url, hidden, dated, links, jsonld, site, plain, linking)


def sibling_post_site(page: Page) -> str | None:
    """Return the host of another of the domain's sites that the page links posts on, when
    the page shows no posts of its own site (a Zhihu column on ``www.zhihu.com`` listing
    ``zhuanlan.zhihu.com/p/…``, a company's ``www`` listing its ``blog.`` host's posts);
    a link carrying the number of one of the page's own posts is no post of the sibling's."""
    own = page.post_site
    others = {link.target.site for link in page.links if link.target.site != own}
    siblings = {site for site in others if is_sibling_site(own, site)}
    if not siblings:
        return None  # most pages: their links' few other sites looked at once each
    counts: dict[str, int] = {}
    own_ids: set[str] | None = None
    for link in page.links:
        target = link.target
        if target.site in siblings and target.post_shape and link.visible:
            if own_ids is None:
                own_ids = _post_ids(page, own)
            if own_ids.isdisjoint(_ID_RE.findall(target.key)):
                counts[target.site] = counts.get(target.site, 0) + 1
    if not counts:
        return None
    site, count = max(counts.items(), key=lambda pair: pair[1])
    return site if count >= 2 else None


# A post's number in its URL: long enough to be no page's, year's or month's.
_ID_RE = re.compile(r"(?<!\d)\d{5,}(?!\d)")


def _post_ids(page: Page, site: str) -> set[str]:
    """Return the numbers the site's own post links carry: a sibling host's link carrying
    one acts on that post (cnblogs' ``i.cnblogs.com/EditPosts.aspx?postid=17892341`` beside
    ``/wanghui/p/17892341.html``), and names no post of its own."""
    return {
        number
        for link in page.links
        if link.target.site == site and link.target.post_shape
        for number in _ID_RE.findall(link.target.key)
    }
