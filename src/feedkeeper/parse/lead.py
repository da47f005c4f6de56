"""A lone post: the newest one shown apart before the listing (a "featured" lead), or the
one post a page shows (a blog's last page).

Pelican's default theme shows its newest post whole in ``<aside id="featured">``
above the list of the others; hero layouts put the newest post in a block of its
own. Detection needs a post repeated to see a listing, so a lone one is looked for
after: in the elements just before the listing's container and its nearest
ancestors, a block naming one post, by a heading link, and showing a date, or in a
section headed as pinned ("置顶文章").
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from feedkeeper.elements import previous_element
from feedkeeper.parse.badges import in_pinned_section, pin_marks
from feedkeeper.parse.blocks import Block, PostLink
from feedkeeper.parse.dom import ancestors, contains
from feedkeeper.parse.frame import has_sidebar_token, is_frame, is_landmark
from feedkeeper.parse.page import Page
from feedkeeper.parse.when import scan_card

# A lone post's card shows this much text besides its title (an excerpt), or a date.
MIN_LONE_TEXT = 20
# How far above the listing's container the lead's block may sit beside it.
MAX_LEAD_LEVELS = 3
# Elements before the listing looked at on each level, nearest first.
MAX_LEAD_SIBLINGS = 3


def lead_card(
    page: Page, container: LexborNode, links: list[PostLink], taken: set[str]
) -> Block | None:
    """Return the block of a lone post shown just before the listing, if there is one.

    A nav, header or footer (an ``aside`` is a featured post's wrapper too), a sidebar,
    or an element holding links to other posts ends the search.
    """
    post_links = {link.node.mem_id: link for link in links}
    node: LexborNode | None = container
    for _ in range(MAX_LEAD_LEVELS):
        if node is None or node.tag in ("body", "html"):
            return None
        sibling = previous_element(node)
        for _ in range(MAX_LEAD_SIBLINGS):
            if sibling is None:
                break
            if (is_landmark(sibling) and sibling.tag != "aside") or has_sidebar_token(sibling):
                return None
            inside = [
                post_links[a.mem_id] for a in sibling.css("a[href]") if a.mem_id in post_links
            ]
            if inside:
                return _lone_post(page, sibling, inside, taken)
            sibling = previous_element(sibling)
        node = node.parent
    return None


def _lone_post(
    page: Page, holder: LexborNode, inside: list[PostLink], taken: set[str]
) -> Block | None:
    """Return the block of the one post ``holder`` shows, titled by a heading and dated."""
    if len({link.key for link in inside}) != 1:
        return None
    if inside[0].key in taken:
        return _pinned_copy(page, holder, inside)
    title = next((link for link in inside if link.in_heading), None)
    if title is None:
        return _pinned_apart(page, holder, inside)
    root = next((a for a in ancestors(title.node, holder) if a.tag == "article"), holder)
    if not scan_card(page, root, title.node, labels=False).dates:
        return None  # an introduction or a notice with a link: no post
    return Block(root, inside, title)


def _pinned_copy(page: Page, holder: LexborNode, inside: list[PostLink]) -> Block | None:
    """Return the block of a post of the listing shown again apart before it with a pin
    (al-folio's ``div.featured-posts`` card with its thumbtack): it pins the post."""
    titled = [link for link in inside if link.text]
    if not titled or not pin_marks(page, holder):
        return None
    return Block(holder, inside, max(titled, key=lambda link: len(link.text)))


def _pinned_apart(page: Page, holder: LexborNode, inside: list[PostLink]) -> Block | None:
    """Return the block of the one post a section headed as pinned shows apart from the
    listing, its title in no heading (Hexo Matery's "置顶文章" above the articles)."""
    titled = [link for link in inside if link.text]
    if not titled:
        return None
    title = max(titled, key=lambda link: len(link.text))
    for root in ancestors(title.node, holder):
        if in_pinned_section(page, root, {}):
            return Block(root, inside, title)
    return None


def lone_card(page: Page, links: list[PostLink]) -> Block | None:
    """Return the card of the one post a page shows (a blog's last page), if it shows one.

    Detection sees a listing in posts repeated; a page of a single post has none. Its card
    is the post's heading link with what lies around it up to the page's frame (no nav,
    header, footer or sidebar, no link to another post), showing an excerpt or a date.
    """
    titled = [link for link in links if link.in_heading and not _in_frame(link.node)]
    if len({link.key for link in titled}) != 1:
        return None
    title = titled[0]
    root: LexborNode | None = None
    for ancestor in ancestors(title.node):
        if ancestor.tag in ("body", "html", "main") or is_frame(ancestor):
            break
        if any(link.key != title.key for link in links if contains(ancestor, link.node)):
            break
        root = ancestor
    if root is None:
        return None
    shown = len(page.text_of(root)) - len(title.text)
    if shown < MIN_LONE_TEXT and not scan_card(page, root, title.node, labels=False).dates:
        return None
    return Block(root, [link for link in links if contains(root, link.node)], title)


def _in_frame(node: LexborNode) -> bool:
    """Tell whether a nav, header, footer, aside or sidebar holds the node."""
    return any(is_frame(ancestor) for ancestor in ancestors(node))
