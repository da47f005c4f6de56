"""URLs on a listing page: resolving hrefs, splitting URLs (fast on an origin split before)
and the site a URL belongs to.

What a link points at is told in ``link_targets.py``, a listing page's number in
``page_numbers.py``."""

from __future__ import annotations

from urllib.parse import SplitResult, urljoin, urlsplit

from feedkeeper.kept import keep_short

_SCHEMES = ("http", "https")
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
    return resolve_at(href, base, origin_of(base))


def resolve_at(href: str, base: str, origin: str | None) -> str | None:
    """Return ``resolve(href, base)``, given ``origin_of(base)`` (looked up once for a page's
    many links)."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if href.startswith("/") and not href.startswith("//") and "./" not in href:
        return origin + href if origin else None  # the common case, without urljoin's cost
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    parts = split_url(url)
    return url if parts is not None and parts.scheme in _SCHEMES else None


@keep_short(maxsize=256, chars=KEPT_URL_CHARS)
def origin_of(base: str) -> str | None:
    """Return ``scheme://host`` of a web URL, or None."""
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
    known = split_on_known_origin(url)
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


def split_on_known_origin(url: str) -> SplitResult | None:
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
    return "" if parts is None else site_of_netloc(parts.netloc)


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


@keep_short(maxsize=256, chars=KEPT_HOST_CHARS)
def site_of_netloc(netloc: str) -> str:
    """Return ``site_of`` a URL with this netloc (its host depends on nothing else)."""
    try:
        host = SplitResult("http", netloc, "", "", "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")
