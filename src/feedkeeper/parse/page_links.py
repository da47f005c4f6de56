"""A listing page's links: each ``<a href>`` (and each element a script opens a page from)
with its target, its kind and its way up the tree, worked out once for the stages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.markup import check_time
from feedkeeper.parse.link_markup import bracketed_name, is_author_labelled, markup_kind
from feedkeeper.parse.link_targets import NO_TARGET, Target, TaxonomyKind, link_kind, target_of
from feedkeeper.parse.urls import origin_of, resolve_at

# Links, the badges a script opens a page from (Blowfish's categories), and the items a
# script opens their post from (WeChat's album: ``<li data-link="…">``).
LINKING = "a[href], [onclick*='window.open'], [onclick*='location'], [data-link]"


@dataclass(slots=True)
class LinkWalks:
    """What the page's links learn on their way up the tree, kept by element for them all."""

    hidden: frozenset[int]
    chains: dict[int, list[LexborNode]] = field(default_factory=dict)  # ancestors
    shown: dict[int, bool] = field(default_factory=dict)  # no hidden element from it up

    def is_shown(self, node: LexborNode) -> bool:
        """Tell whether neither the node nor an ancestor is hidden.

        The walk up stops at the first element answered before: links share their wrappers.
        """
        check_time()
        path: list[int] = []
        found = True
        current: LexborNode | None = node
        while current is not None and current.tag not in ("html", "-document"):
            key = current.mem_id
            known = self.shown.get(key)
            if known is not None:
                found = known
                break
            if key in self.hidden:
                found = False
                break
            path.append(key)
            current = current.parent
        for key in path:
            self.shown[key] = found
        return found

    def forget(self) -> None:
        """Drop what was learnt, after the tree was restructured."""
        self.chains.clear()
        self.shown.clear()


@dataclass(slots=True)
class Link:
    """An ``<a href>`` of the page with what the stages ask of it, each computed once."""

    node: LexborNode
    url: str | None  # absolute; None for javascript:, mailto: and bare fragments
    rel: str
    target: Target  # the URL's facts, shared by the links to it
    kind: TaxonomyKind | None  # whether it leads to a category or a tag page (None for neither)
    walks: LinkWalks  # shared by the page's links
    _chain: list[LexborNode] | None = None

    @property
    def chain(self) -> list[LexborNode]:
        """Return the link's ancestors, parent first."""
        if self._chain is None:
            check_time()
            self._chain = ancestry(self.node, self.walks.chains)
        return self._chain

    @property
    def visible(self) -> bool:
        """Tell whether neither the link nor an ancestor is hidden."""
        return not self.walks.hidden or self.walks.is_shown(self.node)


def collect_links(
    anchors: list[LexborNode], base_url: str, hidden: frozenset[int], site: str
) -> tuple[list[Link], bool]:
    """Return the page's links, and whether every anchor is an ``a[href]``."""
    found: list[Link] = []
    bare = True  # every anchor an <a href>: no item a script opens
    walks = LinkWalks(hidden)
    targets: dict[str, Target] = {}  # a card links its post twice, a page its tags often
    # Links given a kind by a label before them; lists (by negative id) and their label's.
    labelled: dict[int, TaxonomyKind | None] = {}
    origin = origin_of(base_url)
    for node in anchors:
        attrs = node.attributes
        is_anchor = node.tag == "a"
        bare = bare and is_anchor and "href" in attrs
        href = attrs.get("href") or "" if is_anchor else clicked_url(attrs)
        if href is None:
            continue
        target = targets.get(href)
        if target is None:
            url = resolve_at(href, base_url, origin)
            target = targets[href] = NO_TARGET if url is None else target_of(url)
        rel = attrs.get("rel")
        rel = rel.lower() if rel else ""
        # (Without a rel, the kind is the path's: NO_TARGET, the one target without a URL,
        # has none.)
        kind = link_kind(target, rel) if rel else target.path_kind
        if kind is None and target.post_shape and target.site == site:
            kind = markup_kind(node, labelled)  # else it could be taken for a post
            if kind is None and is_author_labelled(node):  # "作者:<a href="/?auth=1">"
                target = target._replace(post_shape=False, person=True)
        elif (
            kind is None
            and target.site == site
            and (_is_forum_node(target, attrs) or bracketed_name(node))
        ):
            kind = "category"  # "[技术文章]" leading to the listing itself (DedeCMS)
        if is_anchor or kind is not None or _opens_post(node, target, site):
            found.append(Link(node, target.url, rel, target, kind, walks))
    return found, bare


def _is_forum_node(target: Target, attrs: dict[str, str | None]) -> bool:
    """Tell whether a link leads to a forum's node, the section its topics are filed in
    (V2EX's ``<a class="node" href="/go/python">``); its class tells it from a redirect of
    the same shape (``/go/amazon``), which names no section."""
    return "/go/" in target.key and "node" in (attrs.get("class") or "").split()


_ONCLICK_URL_RE = re.compile(r"""(?:window\.open\s*\(|location(?:\.href)?\s*=)\s*["']([^"']+)""")


def clicked_url(attrs: dict[str, str | None]) -> str | None:
    """Return the address an element's ``onclick`` opens, or its ``data-link`` names."""
    match = _ONCLICK_URL_RE.search(attrs.get("onclick") or "")
    return match.group(1) if match else attrs.get("data-link")


def _opens_post(node: LexborNode, target: Target, site: str) -> bool:
    """Tell whether an element that is no link opens a post of the site by script: an
    item naming it in ``data-link``, with no link of its own inside (a script's badge
    linking a page is a link only as a category or a tag)."""
    return (
        "data-link" in node.attributes
        and target.post_shape
        and target.site == site
        and node.css_first("a[href]") is None
    )


def links_beside_body(tree: LexborHTMLParser) -> bool:
    """Tell whether an element outside the body (the head, ``<html>`` itself) may match
    ``LINKING``: where none does and every match in the body is an ``a[href]``, a card's
    query for ``a[href]`` finds what one for ``LINKING`` would, at half the cost."""
    root = tree.root
    if root is None:
        return False
    if "onclick" in root.attributes or "data-link" in root.attributes:
        return True
    return any(child.tag != "body" and child.css_matches(LINKING) for child in root.iter())


def ancestry(node: LexborNode, known: dict[int, list[LexborNode]]) -> list[LexborNode]:
    """Return the node's ancestors, parent first, reusing and filling ``known`` (by element)."""
    path: list[LexborNode] = []
    tail: list[LexborNode] = []
    current = node.parent
    while current is not None and current.tag not in ("html", "-document"):
        above = known.get(current.mem_id)
        if above is not None:
            tail = [current, *above]
            break
        path.append(current)
        current = current.parent
    for index, element in enumerate(path):
        known[element.mem_id] = path[index + 1 :] + tail
    return path + tail
