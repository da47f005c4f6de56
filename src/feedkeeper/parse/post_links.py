"""The page's post links: same-site links that may lead to a post, each with its title.

A link leads to a post by its URL's shape (worked out once a URL in ``link_targets``);
one naming a person's page, hidden, or leading back to the page itself is none. Each is
read with what card detection asks of it: its title's element and text, and whether it
sits in a heading.
"""

from __future__ import annotations

from collections.abc import Iterable

from feedkeeper.parse.blocks import PostLink
from feedkeeper.parse.cardlink import title_node
from feedkeeper.parse.dom import in_heading
from feedkeeper.parse.main_links import without_counts
from feedkeeper.parse.page import PEOPLE_CSS, Page
from feedkeeper.parse.page_links import Link


def post_links(page: Page, links: Iterable[tuple[int, Link]] | None = None) -> list[PostLink]:
    """Return the post links among ``links`` (each with its place in the page's links), or
    among all the page's links."""
    found: list[PostLink] = []
    site, url_key = page.post_site, page.url_key
    people = page.ids_of(PEOPLE_CSS)  # an author's page, named so by its link's markup
    for order, link in enumerate(page.links) if links is None else links:
        # The URL's facts were found once for all links to it: checked before the tree.
        target, url = link.target, link.url
        if url is None or not target.post_shape or target.site != site or link.kind:
            continue
        if target.key == url_key or not link.visible or link.node.mem_id in people:
            continue
        title = title_node(page, link.node)
        text = page.text_of(title)
        found.append(
            PostLink(link.node, url, target.key, order, in_heading(link.node), text, title)
        )
    # A folder above another URL the page links is no post: an author's page (dev.to/ada
    # beside dev.to/ada/a-post), a tag's (dev.to/t/python beside dev.to/t/python/top); nor
    # is a post's comments page beside it. A post that has pages below it (Hexo Shoka's
    # series, linked from a sidebar) is still one where a heading names it.
    found = without_counts(found)
    not_posts = page.not_posts()
    if not not_posts:
        return found
    titled = {x.key for x in found if x.in_heading and x.key in not_posts}
    return [x for x in found if x.key not in not_posts or x.key in titled]
