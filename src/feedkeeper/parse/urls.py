"""URLs on a listing page: resolving hrefs, same-site checks, taxonomy and pager shapes."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal
from urllib.parse import SplitResult, urljoin, urlsplit

TaxonomyKind = Literal["category", "tag"]

_SCHEMES = ("http", "https")
_CATEGORY_SEGMENTS = frozenset({"categories", "category"})
_TAG_SEGMENTS = frozenset({"tags", "tag", "label"})
_ASSET_RE = re.compile(
    r"\.(?:png|jpe?g|gif|webp|svg|ico|pdf|zip|gz|css|js|xml|rss|atom|json|mp[34]|woff2?)$", re.I
)
_FEED_SEGMENTS = frozenset({"feed", "rss", "atom"})
# Listing pages: /page/2/, /page2/, /page-2.html, ?page=2, ?paged=2.
_PAGE_PATH_RE = re.compile(r"(?:^|/)page[/_-]?(\d{1,5})(?:/|\.html?)?$", re.I)
_PAGE_QUERY_RE = re.compile(r"(?:^|&)(?:page|paged|pg|p)=(\d{1,5})(?:&|$)", re.I)
# Web origins split so far ("https://host" -> scheme, host): a crawl meets few, a page
# may link many; past this many they are forgotten and found again.
MAX_KNOWN_ORIGINS = 256
_KNOWN_ORIGINS: dict[str, tuple[str, str]] = {}


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


@lru_cache(maxsize=256)
def _origin(base: str) -> str | None:
    parts = split_url(base)
    if parts is None:
        return None
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in _SCHEMES else None


def strip_fragment(url: str) -> str:
    """Return the URL without its ``#fragment``."""
    return url.split("#", 1)[0]


@lru_cache(maxsize=1024)
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
    if parts.scheme in _SCHEMES and parts.netloc:
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


@lru_cache(maxsize=4096)
def site_of(url: str) -> str:
    """Return the URL's host without ``www.`` (the identity of a site), or "" if unparsable."""
    parts = split_url(url)
    if parts is None:
        return ""
    try:
        host = parts.hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def is_same_site(url: str, base: str) -> bool:
    """Tell whether ``url`` lives on the same site as ``base``."""
    return site_of(url) == site_of(base)


def path_segments(url: str) -> list[str]:
    """Return the non-empty, lower-cased path segments of the URL."""
    parts = split_url(url)
    if parts is None:
        return []
    return [segment.lower() for segment in parts.path.split("/") if segment]


def taxonomy_kind(url: str, rel: str = "") -> TaxonomyKind | None:
    """Tell whether a link points at a category or tag page (by rel, then by path)."""
    rel_tokens = rel.lower().split()
    if "category" in rel_tokens:
        return "category"
    if "tag" in rel_tokens:
        return "tag"
    return _path_taxonomy(url)


@lru_cache(maxsize=4096)
def _path_taxonomy(url: str) -> TaxonomyKind | None:
    for segment in path_segments(url):
        stem = segment.split(".", 1)[0]
        if stem in _CATEGORY_SEGMENTS:
            return "category"
        if stem in _TAG_SEGMENTS:
            return "tag"
    return None


@lru_cache(maxsize=4096)
def page_number(url: str) -> int | None:
    """Return the listing-page number a URL names (``/page/2/``, ``?page=2``), or None."""
    parts = split_url(url)
    return _page_number(parts) if parts is not None else None


def _page_number(parts: SplitResult) -> int | None:
    match = _PAGE_PATH_RE.search(parts.path) or _PAGE_QUERY_RE.search(parts.query)
    return int(match.group(1)) if match else None


def is_site_root(url: str) -> bool:
    """Tell whether the URL is the site's home page."""
    parts = split_url(url)
    return parts is not None and _is_root(parts)


def _is_root(parts: SplitResult) -> bool:
    return parts.path in ("", "/", "/index.html", "/index.htm") and not parts.query


def is_post_candidate(url: str, base: str) -> bool:
    """Tell whether a link could lead to a post: same site, not home, pager, feed or file."""
    return is_same_site(url, base) and _has_post_shape(url)


@lru_cache(maxsize=4096)
def _has_post_shape(url: str) -> bool:
    """Tell whether a URL is none of home, pager, feed or file (whatever page links to it).

    The URL is split once: each post URL is new to the caches, and splitting is the cost.
    """
    if _ASSET_RE.search(strip_fragment(url).split("?")[0]):
        return False
    parts = split_url(url)
    if parts is None:
        return True  # no root, pager or feed path can be read from it
    if _is_root(parts) or _page_number(parts) is not None:
        return False
    last = next((segment for segment in reversed(parts.path.split("/")) if segment), "")
    return last.lower() not in _FEED_SEGMENTS
