"""URLs on a listing page: resolving hrefs, same-site checks, taxonomy and pager shapes."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Literal, NamedTuple
from urllib.parse import SplitResult, urljoin, urlsplit

from feedkeeper.kept import keep_short
from feedkeeper.parse.people import is_profile, names_person

TaxonomyKind = Literal["category", "tag"]

_SCHEMES = ("http", "https")
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
# posts: a date archive, no post.
_DATE_ARCHIVE_RE = re.compile(r"/(?:19|20)\d{2}/\d{1,2}(?:/\d{1,2})?(?:/|\.html?)?$")
# Listing pages: /page/2/, /page2/, /page-2.html, ?page=2, ?paged=2.
_PAGE_PATH_RE = re.compile(r"(?:^|/)page[/_-]?(\d{1,5})(?:/|\.html?)?$", re.I)
# (Not ``?p=``: WordPress's plain links name a post so, ``/?p=412``.)
# (Naver's ``currentPage=3``, ``pageNo=3`` and ``page_no=3`` elsewhere.)
_PAGE_PARAMS = r"(?:page|paged|pg|currentpage|current_page|pageno|page_no|pagenum|pagenumber)"
_PAGE_QUERY_RE = re.compile(rf"(?:^|&){_PAGE_PARAMS}=(\d{{1,5}})(?:&|$)", re.I)
_PAGE_PARAM_RE = re.compile(rf"{_PAGE_PARAMS}=\d{{1,5}}$", re.I)
_P_QUERY_RE = re.compile(r"(?:^|&)p=(\d{1,5})(?:&|$)")
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
# Web origins split so far ("https://host" -> scheme, host): a crawl meets few, a page
# may link many; past this many they are forgotten and found again.
MAX_KNOWN_ORIGINS = 256
_KNOWN_ORIGINS: dict[str, tuple[str, str]] = {}
# The caches keep URLs up to this long (browsers' practical limit) and host parts up to
# KEPT_HOST_CHARS (a 253-character host name and a port): longer ones are a hostile
# page's, worked out each time and let go.
KEPT_URL_CHARS = 2048
KEPT_HOST_CHARS = 300


def resolve(href: str, base: str) -> str | None:
    """Return ``href`` made absolute against ``base``, or None for non-web links."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if href.startswith("/") and not href.startswith("//") and "./" not in href:
        origin = _origin(base)  # the common case, without urljoin's cost
        return origin + href if origin else None
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    parts = split_url(url)
    return url if parts is not None and parts.scheme in _SCHEMES else None


@keep_short(maxsize=256, chars=KEPT_URL_CHARS)
def _origin(base: str) -> str | None:
    parts = split_url(base)
    if parts is None:
        return None
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in _SCHEMES else None


def strip_fragment(url: str) -> str:
    """Return the URL without its ``#fragment``."""
    return url.split("#", 1)[0]


@keep_short(maxsize=1024, chars=KEPT_URL_CHARS)
def split_url(url: str) -> SplitResult | None:
    """Return ``urlsplit(url)``, or None where that raises ValueError.

    A URL on an origin split before is cut with string methods, at about a third of
    the cost: a page's post URLs are all new, and mostly on the page's own origin.
    """
    known = _split_on_known_origin(url)
    if known is not None:
        return known
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme in _SCHEMES and parts.netloc and len(parts.netloc) <= KEPT_HOST_CHARS:
        if len(_KNOWN_ORIGINS) >= MAX_KNOWN_ORIGINS:
            _KNOWN_ORIGINS.clear()
        _KNOWN_ORIGINS[f"{parts.scheme}://{parts.netloc}"] = (parts.scheme, parts.netloc)
    return parts


def _split_on_known_origin(url: str) -> SplitResult | None:
    """Split ``url`` as ``urlsplit`` would when it starts with a known origin and a "/".

    ``urlsplit`` reads the scheme and the host of such a URL as it did for the origin
    (its checks look at those alone), then cuts the fragment and the query off the rest.
    It also drops tabs and newlines anywhere: a URL holding one is left to it.
    """
    if "\t" in url or "\n" in url or "\r" in url:
        return None
    scheme_end = url.find("://")
    end = url.find("/", scheme_end + 3) if scheme_end > 0 else -1
    origin = _KNOWN_ORIGINS.get(url[:end]) if end > 0 else None
    if origin is None:
        return None
    rest, _, fragment = url[end:].partition("#")
    path, _, query = rest.partition("?")
    return SplitResult(origin[0], origin[1], path, query, fragment)


def site_of(url: str) -> str:
    """Return the URL's host without ``www.`` (the identity of a site), or "" if unparsable."""
    parts = split_url(url)
    return "" if parts is None else _site_of_netloc(parts.netloc)


def is_same_site(url: str, base: str) -> bool:
    """Tell whether ``url`` lives on the same site as ``base``."""
    return site_of(url) == site_of(base)


def is_sibling_site(site: str, other: str) -> bool:
    """Tell whether two sites are hosts of one domain (``www.zhihu.com`` and
    ``zhuanlan.zhihu.com``, ``blog.example.co.uk`` and ``example.co.uk``), not one site."""
    if site == other or not site or not other or site[-1:].isdigit() or other[-1:].isdigit():
        return False  # an IP address has no subdomains
    domain = _domain_of(site)
    return domain == _domain_of(other) and domain.count(".") >= 1


def _domain_of(host: str) -> str:
    """Return the domain a host belongs to: its last two labels, or three under a
    country's second level (``example.com.cn``, ``example.co.uk``)."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


# The second levels under which countries register domains (``example.com.cn``).
_SECOND_LEVELS = frozenset({"com", "net", "org", "edu", "gov", "ac", "co", "or", "ne", "go"})


def taxonomy_kind(url: str, rel: str = "") -> TaxonomyKind | None:
    """Tell whether a link points at a category or tag page (by rel, then by path)."""
    return link_kind(target_of(url), rel.lower())


@keep_short(maxsize=4096, chars=KEPT_URL_CHARS)
def page_number(url: str) -> int | None:
    """Return the listing-page number a URL names (``/page/2/``, ``?page=2``), or None."""
    parts = split_url(url)
    return _page_number(parts) if parts is not None else None


def _page_number(parts: SplitResult) -> int | None:
    match = _PAGE_PATH_RE.search(parts.path) or _query_page(parts)
    return int(match.group(1)) if match else None


def _query_page(parts: SplitResult) -> re.Match[str] | None:
    """The page number in a query: ``?page=2``, and ``?p=2`` below the root (``/list/?p=2``;
    WordPress's ``/?p=412`` names a post)."""
    if not parts.query:
        return None
    found = _PAGE_QUERY_RE.search(parts.query)
    if found is None and parts.path.strip("/"):
        found = _P_QUERY_RE.search(parts.query)
    return found


def first_page(url: str) -> str:
    """Return the listing's first page for a URL of one of its pages (``/blog/page/3/``
    gives ``/blog/``); the URL itself where it names no page number."""
    parts = split_url(url)
    if parts is None:
        return url
    path = _PAGE_PATH_RE.sub("/", parts.path) if "page" in parts.path.lower() else parts.path
    query = "&".join(pair for pair in parts.query.split("&") if not _PAGE_PARAM_RE.match(pair))
    return parts._replace(path=path.replace("//", "/"), query=query, fragment="").geturl()


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
    parts = _split_on_known_origin(url) or split_url(url)  # a new URL: no cache to ask
    if parts is None:
        return Target(url, key, "", not _is_asset(key.split("?")[0]), None)
    segments = [segment.lower() for segment in parts.path.split("/") if segment]
    kind = _segments_kind(segments) or (_query_kind(parts.query) if parts.query else None)
    person = is_profile(segments) or (
        bool(parts.query) and names_person(parts.query, _first_query_key(parts.query))
    )
    shape = not person and _has_shape(key, parts, segments)
    return Target(url, key, _site_of_netloc(parts.netloc), shape, kind, person)


@keep_short(maxsize=256, chars=KEPT_HOST_CHARS)
def _site_of_netloc(netloc: str) -> str:
    """Return ``site_of`` a URL with this netloc (its host depends on nothing else)."""
    try:
        host = SplitResult("http", netloc, "", "", "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _has_shape(key: str, parts: SplitResult, segments: list[str]) -> bool:
    """Tell whether a URL (no person's page) is none of home, pager, feed or file
    (whatever page links to it)."""
    if _is_asset(key.split("?")[0]) or _is_root(parts):
        return False
    if _DATE_ARCHIVE_RE.search(parts.path):  # /archive/2025/11/18: a day's posts, no post
        return False
    # The page number's patterns are searched only where they can match.
    if "page" in parts.path.lower() and _PAGE_PATH_RE.search(parts.path):
        return False
    if _query_page(parts):
        return False
    last = segments[-1] if segments else ""
    if len(segments) == 1 and last.lower().removesuffix(".html") in _SECTION_SEGMENTS:
        return False
    return last not in _FEED_SEGMENTS


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
    if len(segments) == 2 and segments[0] == "t":  # dev.to's /t/python (not /t/topic/123)
        return "tag"
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
    it ends with a slash, else one bisection finds them."""
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
    return frozenset(found)
