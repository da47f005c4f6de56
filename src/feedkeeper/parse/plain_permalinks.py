"""WordPress's plain permalinks where WordPress lives below the site's root.

Without pretty permalinks WordPress names a post ``?p=412`` at its home, and its listing's
pages ``?paged=2``. At the site's root ``page_numbers`` reads ``/?p=412`` as a post; below
it, ``?p=2`` is how other sites number their pages (``/list?p=3``), so the URL cannot tell
``/blog/?p=2``, the post, from a page. The page can: where it shows WordPress (links to its
home with WordPress's own queries, ``?paged=2``, ``?cat=4``, ``?page_id=3``, or its files
under ``wp-content``), a ``?p=N`` link reading as a title names a post, and so do the other
links to it (its date, its picture). A pager's "2" or "Next" reads as no title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser

from feedkeeper.parse.page_labels import MAX_DIGITS, label_number
from feedkeeper.parse.vocab import reads_pager_word

if TYPE_CHECKING:
    from feedkeeper.parse.page_links import Link

# Queries only WordPress's home answers: a listing's page, a category, a tag, an author, a
# month, a page (``?page_id=3``), a feed.
_WORDPRESS_QUERIES = frozenset({"paged", "cat", "tag", "author", "m", "page_id", "feed"})
# A document WordPress made: its generator tag, its stylesheets, scripts and uploads.
_WORDPRESS_FILES = (
    "meta[name='generator'][content^='WordPress'], [href*='/wp-content/'],"
    " [src*='/wp-content/'], [href*='/wp-includes/'], [src*='/wp-includes/']"
)


def mark_plain_posts(tree: LexborHTMLParser, links: list[Link]) -> frozenset[str]:
    """Mark the links to WordPress's posts that read as a listing's pages (``/blog/?p=2``)
    as post links; return those posts' URLs (without fragment)."""
    # Most pages link no such URL: one test of each link's key tells.
    shaped = [link for link in links if not link.target.post_shape and "?p=" in link.target.key]
    posts = {key for link in shaped if (key := _titled_post(link)) is not None}
    if not posts:
        return frozenset()
    homes = {key.partition("?")[0] for key in posts}
    if not any(_shows_wordpress(home, links) for home in homes) and not tree.css_first(
        _WORDPRESS_FILES
    ):
        return frozenset()
    for link in shaped:
        if link.target.key in posts:
            link.target = link.target._replace(post_shape=True)
    return frozenset(posts)


def _titled_post(link: Link) -> str | None:
    """Return a link's URL when it is ``?p=N`` alone and the link reads as a title: some
    letters, and no pager's word ("Next", "下一页", "第二页")."""
    key = link.target.key
    query = key.partition("?")[2]
    number = query.removeprefix("p=")
    if not (number.isdecimal() and len(number) <= MAX_DIGITS and len(query) == len(number) + 2):
        return None
    text = link.node.text(strip=True)
    if not any(char.isalpha() for char in text) or label_number(text) is not None:
        return None
    return None if reads_pager_word(text) else key


def _shows_wordpress(home: str, links: list[Link]) -> bool:
    """Tell whether the page links ``home`` with a query only WordPress answers."""
    start = f"{home}?"
    for link in links:
        key = link.target.key
        if key.startswith(start):
            name = key[len(start) :].partition("=")[0]
            if name in _WORDPRESS_QUERIES:
                return True
    return False
