"""What a link's URL points at: a post's shape or a home, pager, feed, file or date
archive; a category or a tag page; a person's page. And the URLs of a page shaped like
posts that are none (folders above posts, a post's own comment pages)."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Literal, NamedTuple
from urllib.parse import SplitResult

from feedkeeper.identity import is_tracking
from feedkeeper.kept import keep_short
from feedkeeper.parse.page_numbers import PAGE_PATH_RE, is_offset_query, query_page
from feedkeeper.parse.people import is_profile, names_person
from feedkeeper.parse.urls import (
    KEPT_URL_CHARS,
    site_of_netloc,
    split_on_known_origin,
    split_url,
    strip_fragment,
)

TaxonomyKind = Literal["category", "tag"]

# In the languages blogs are written in too (WordPress translates its bases: /kategorie/,
# /etiqueta/), Habr's /hubs/python/ and emlog's /sort/tech.
_CATEGORY_SEGMENTS = frozenset(
    {
        "categories",
        "category",
        "kategorie",
        "kategorien",
        "categorie",
        "categoria",
        "categorias",
        "categoría",
        "categorías",
        "kategoria",
        "kategorii",
        "kategori",
        "rubrique",
        "rubrik",
        "rubriek",
        "hubs",
        "hub",
        "sort",
    }
)  # fmt: skip  (emlog's pretty /sort/tech)
_TAG_SEGMENTS = frozenset(
    {
        "tags",
        "tag",
        "label",
        "tagged",
        "schlagwort",
        "schlagworte",
        "stichwort",
        "etiquette",
        "etiqueta",
        "etiquetas",
        "etichetta",
        "tagi",
        "etiket",
        "etiketler",
        "metka",
    }
)  # fmt: skip  (Tumblr's /tagged/x)
# A term's page where a word names it, last in the path (``/topic/LLM``): a forum's thread
# is numbered instead (``/topic/123``, ``/topic/123/title``).
_TOPIC_SEGMENTS = frozenset({"topic"})
_ASSET_RE = re.compile(
    r"\.(?:png|jpe?g|gif|webp|svg|ico|pdf|zip|gz|css|js|xml|rss|atom|json|mp[34]|woff2?)$", re.I
)
_FEED_SEGMENTS = frozenset({"feed", "rss", "atom"})
# A site's own sections, named at its root (a nav's "/archives", "/tags"): listings, no post.
_SECTION_SEGMENTS = frozenset(
    {"archives", "archive", "tags", "categories", "search", "sitemap", "links", "friends"}
)
# A path that ends in a date (``/2025/11/``, ``/archive/2025/11/18``) lists that date's
# posts: a date archive, no post; so does a year at the root (``/2025/``: Dreamwidth links
# each entry's year, month and day), where a post titled "2023" sits below its date.
_DATE_ARCHIVE_RE = re.compile(
    r"/(?:19|20)\d{2}/\d{1,2}(?:/\d{1,2})?(?:/|\.html?)?$|^/(?:19|20)\d{2}/?$"
)
# Plain links to a category, a tag or a person (WordPress ``?cat=3``, ``?tag=x``,
# ``?author=1``; emlog's ``?sort=3``, ``?tag=x``): the first query parameter tells.
_QUERY_KINDS: dict[str, TaxonomyKind] = {
    "cat": "category",
    "category": "category",  # Astro and Next.js themes' /archive/?category=前端
    "categories": "category",
    "category_name": "category",
    "sort": "category",  # emlog's ?sort=3 (elsewhere ?sort=new orders a listing: no post either)
    "tag": "tag",
    "tags": "tag",
    "label": "tag",
}


def taxonomy_kind(url: str, rel: str = "") -> TaxonomyKind | None:
    """Tell whether a link points at a category or tag page (by rel, then by path)."""
    return link_kind(target_of(url), rel.lower())


def is_site_root(url: str) -> bool:
    """Tell whether the URL is the site's home page."""
    parts = split_url(url)
    return parts is not None and _is_root(parts)


def _is_root(parts: SplitResult) -> bool:
    return parts.path in ("", "/", "/index.html", "/index.htm") and not parts.query


class Target(NamedTuple):  # a tuple: many are built, and cached ones must not change
    """What the stages ask of a link's absolute URL, answered once for all links to it."""

    url: str | None  # None for javascript:, mailto: and bare fragments
    key: str  # the URL without fragment ("" without a URL)
    site: str  # site_of(url): "" without a URL
    post_shape: bool  # none of home, pager, feed, file or a person's page
    path_kind: TaxonomyKind | None  # what its path says: a category or a tag page
    person: bool = False  # a person's page: /author/ada/, /people/x, /@ada, ?author=2


@keep_short(maxsize=4096, chars=KEPT_URL_CHARS)
def target_of(url: str) -> Target:
    """Return the facts of ``url`` (kept: a site's tag and menu links recur on every page).

    The URL is split once for them all: each post URL is new to the caches, and
    splitting is the cost.
    """
    key = strip_fragment(url)
    parts = split_on_known_origin(url) or split_url(url)  # a new URL: no cache to ask
    if parts is None:
        return Target(url, key, "", not _is_asset(key.split("?")[0]), None)
    segments = [segment.lower() for segment in parts.path.split("/") if segment]
    kind = _segments_kind(segments) or (_query_kind(parts.query) if parts.query else None)
    person = is_profile(segments) or (
        bool(parts.query) and names_person(parts.query, _first_query_key(parts.query))
    )
    shape = not person and _has_shape(key, parts, segments)
    return Target(url, key, site_of_netloc(parts.netloc), shape, kind, person)


def _has_shape(key: str, parts: SplitResult, segments: list[str]) -> bool:
    """Tell whether a URL (no person's page) is none of home, pager, feed or file
    (whatever page links to it)."""
    if _is_asset(key.split("?")[0]) or _is_root(parts):
        return False
    if _DATE_ARCHIVE_RE.search(parts.path):  # /archive/2025/11/18: a day's posts, no post
        return False
    # The page number's patterns are searched only where they can match.
    if "page" in parts.path.lower() and PAGE_PATH_RE.search(parts.path):
        return False
    if query_page(parts) or (parts.query and is_offset_query(parts.query)):
        return False
    if parts.query and _LATEST_REPLY_RE.search(parts.query):
        return False
    if parts.query and _ANNOUNCEMENT_RE.search(parts.query):
        return False
    if len(segments) == 2 and segments[0] == "go":
        # A redirect (affiliate links' /go/amazon) or a forum's node (V2EX's /go/programmer):
        # no post, and no category either, since the redirects would read as one.
        return False
    last = segments[-1] if segments else ""
    if len(segments) == 1 and last.lower().removesuffix(".html") in _SECTION_SEGMENTS:
        return False
    return last not in _FEED_SEGMENTS


# A redirect to a thread's last or first unread reply (Discuz's and phpBB's
# ``?mod=redirect&tid=1&goto=lastpost``, ``?view=unread``): where the reading stopped, no post.
_LATEST_REPLY_RE = re.compile(r"(?:^|&)(?:goto=(?:lastpost|newpost)|view=unread)(?:&|$)", re.I)

# A forum's announcement, shown above its threads (Discuz's ``?mod=announcement&id=5``): a
# notice of the board's, no thread.
_ANNOUNCEMENT_RE = re.compile(r"(?:^|&)mod=announcements?(?:&|$)", re.I)

# The last part of a post's own pages: its comments, its AMP or print version, a reply form.
_SUBPAGE_RE = re.compile(
    r"/(?:comment-page-\d+|comments?|amp|print|embed|trackback|replytocom)(?:\.html?)?/?$", re.I
)


def is_subpage(key: str) -> bool:
    """Tell whether a URL (without fragment) is a post's own page, not another post:
    ``/archives/317/comment-page-1``, ``/a-post/amp/``."""
    return _SUBPAGE_RE.search(key.split("?", 1)[0]) is not None


def _is_asset(path: str) -> bool:
    """Tell whether ``_ASSET_RE`` finds a file extension, trying the last dot alone.

    No extension holds a dot, so a match can only start at the last one.
    """
    dot = path.rfind(".")
    return dot >= 0 and _ASSET_RE.match(path, dot) is not None


def _query_kind(query: str) -> TaxonomyKind | None:
    return _QUERY_KINDS.get(_first_query_key(query))


def _first_query_key(query: str) -> str:
    """The name of a query's first parameter, lower-cased: what plain links are told by."""
    return query.split("=", 1)[0].lower()


def _segments_kind(segments: list[str]) -> TaxonomyKind | None:
    if len(segments) == 2 and segments[0] == "t":
        # dev.to's /t/python (not /t/topic/123, nor a forum's numbered topic: V2EX's /t/1034567)
        return None if segments[1].isdigit() else "tag"
    if len(segments) >= 2 and segments[-2] in _TOPIC_SEGMENTS and not segments[-1].isdigit():
        return "tag"  # InfoQ's and 51CTO's /topic/python (not a forum's /topic/123)
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        stem = segment.split(".", 1)[0]
        if stem.startswith("tag:"):  # WriteFreely's /blog/tag:sqlite
            return "tag"
        if index == last and index:  # a post's slug ("/2024/05/sort.html", "/posts/tags/"),
            break  # where the word alone, or a term after it, names a taxonomy page
        if stem in _CATEGORY_SEGMENTS:
            return "category"
        if stem in _TAG_SEGMENTS:
            return "tag"
    return None


NO_TARGET = Target(None, "", "", False, None)


def link_kind(target: Target, rel: str) -> TaxonomyKind | None:
    """Tell whether a link to ``target`` with this lower-cased ``rel`` leads to a category or
    a tag page (None without a URL).

    ``rel="category"`` comes first. ``rel="tag"`` yields to a path that names a category:
    WordPress gives every term link ``rel="tag"``, a category's included."""
    if target.url is None:
        return None
    if not rel:  # most links
        return target.path_kind
    said = rel_kind(rel)
    return said if said == "category" else target.path_kind or said


def rel_kind(rel: str) -> TaxonomyKind | None:
    """Tell what a link's lower-cased ``rel`` says it points at."""
    tokens = rel.split()
    if "category" in tokens:
        return "category"
    if "tag" in tokens:
        return "tag"
    return None


def not_posts(keys: list[str]) -> frozenset[str]:
    """Return the URLs among ``keys`` (sorted) that are no posts though shaped like one:
    folders above others of them, and a post's own pages beside it (its comments).

    A folder's children sort right after ``folder/``: right after the folder's own URL when
    it ends with a slash, else one bisection finds them. A query saying where the click
    came from is no part of a URL here (Medium's ``/a-publication?source=tag_page---``)."""
    untracked = {key: _untracked(key) for key in keys if "?" in key}
    if untracked:
        found = _not_posts(sorted({untracked.get(key, key) for key in keys}))
        return frozenset(key for key in keys if untracked.get(key, key) in found)
    return frozenset(_not_posts(keys))


def _untracked(key: str) -> str:
    """Return a URL without the query parameters that say where a click came from."""
    path, _, query = key.partition("?")
    kept = [pair for pair in query.split("&") if not is_tracking(pair.split("=", 1)[0])]
    return f"{path}?{'&'.join(kept)}" if kept else path


def _not_posts(keys: list[str]) -> set[str]:
    found = set()
    for place, key in enumerate(keys, start=1):
        if key.endswith("/"):  # most: what lies below follows at once
            prefix, index = key, place
        else:
            prefix = key + "/"
            index = bisect_left(keys, prefix, place)
        while index < len(keys) and keys[index].startswith(prefix):
            below = keys[index][len(prefix) :]  # a path below, not the same with a query
            if below and below[0] != "?":
                if not is_subpage(keys[index]):
                    found.add(key)
                    break
                found.add(keys[index])  # Habr's /articles/801234/comments/ beside the post
            index += 1
    # The post linked again with a word for a query (vc.ru's "…-slug?comments"): the same
    # post, where a query naming a value (``/post?id=2``) may be another.
    queried = [key for key in keys if "?" in key]
    if queried:
        linked = set(keys)
        for key in queried:
            path, query = key.split("?", 1)
            if "=" not in query and path in linked:
                found.add(key)
    return found
