"""The Location of a redirect as feedkeeper reads it, before httpx does: one web address, made
absolute and percent-encoded as a browser would, or a refusal that names what the server
sent (no Location, two of them, bytes that are no UTF-8, a URL with no host).

httpx reads the Location of every redirect as it answers, each header in the encoding it
guessed for them all (a GBK path became a Latin-1 mojibake URL), and fails on one it cannot
read with words about URL paths; here the header is read from its raw bytes instead, and
rewritten as the absolute URL it names, which httpx and ``fetch.py`` then follow.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import httpx

from feedkeeper.errors import FetchError, HTTPStatusError, OutOfScopeError
from feedkeeper.scope import DEFAULT_PORTS

# The statuses httpx follows a Location of (``Response.has_redirect_location``).
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# The most of a refused Location a message shows.
SHOWN_CHARS = 200


async def read_location(response: httpx.Response) -> None:
    """Rewrite a redirect's Location as the absolute URL it names, or refuse it by name."""
    if response.status_code not in REDIRECT_STATUSES:
        return
    url = str(response.request.url)
    target = redirect_target(url, response.status_code, response.headers.raw)
    response.headers["location"] = target


def redirect_target(url: str, status: int, headers: list[tuple[bytes, bytes]]) -> str:
    """The absolute, percent-encoded URL a redirect of ``url`` leads to, read from its raw
    ``headers``; raise FetchError naming what is wrong with its Location."""
    sent = {value.strip() for name, value in headers if name.lower() == b"location"} - {b""}
    if not sent:
        raise HTTPStatusError(
            f"HTTP {status}: a redirect that names no place to go (no Location)",
            url=url,
            status=status,
        )
    if len(sent) > 1:
        raise FetchError(f"redirected to {len(sent)} places at once (not followed)", url=url)
    (raw,) = sent
    try:
        location = raw.decode()
    except UnicodeDecodeError:
        shown = _shown(raw.decode("ascii", "backslashreplace"))
        raise FetchError(
            f"redirected to {shown}, a Location that is not UTF-8 (not followed)", url=url
        ) from None
    return _absolute(url, location)


def _absolute(url: str, location: str) -> str:
    """``location`` read against ``url``, as a URL httpx can request."""
    try:
        parts = urlsplit(location)
        target = urljoin(url, location)
        scheme = urlsplit(target).scheme
    except ValueError:  # a malformed IPv6 address
        raise _malformed(url, location, "unreadable") from None
    if scheme not in DEFAULT_PORTS:
        raise OutOfScopeError(
            f"redirected to {shown_url(target)}, which is no web address (refused)", url=url
        )
    if not parts.netloc and (parts.scheme or location.startswith("//")):
        raise _malformed(url, location, "no host")  # http:a, https:, //: RFC 3986 reads no host
    try:
        return str(httpx.URL(target))
    except httpx.InvalidURL as exc:
        raise _malformed(url, location, str(exc).rstrip(".")) from None


def _malformed(url: str, location: str, why: str) -> FetchError:
    return FetchError(f"redirected to a malformed URL: {_shown(location)} ({why})", url=url)


def shown_url(url: str) -> str:
    """``url`` as a message shows it: cut at SHOWN_CHARS (a Location may be 100 kB long)."""
    return url[:SHOWN_CHARS] + ("…" if len(url) > SHOWN_CHARS else "")


def _shown(location: str) -> str:
    """``location`` as a message shows it: quoted, what cannot be printed escaped, cut at
    SHOWN_CHARS."""
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown_url(location)) + "'"
