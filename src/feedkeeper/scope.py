"""Where the crawler may go: the origin of the site it was pointed at, and nothing else.

An origin is a scheme, a host and a port. The one change of origin allowed is the
upgrade of the default port (http on 80 to https on 443 of the same host). URLs that
carry credentials are never followed; the user's own credentials (in ``--url``) go
to the site as Basic auth and are kept out of every URL the crawler records. Nothing
else is carried from one request to the next: the crawler keeps no cookies.
"""

from __future__ import annotations

from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from feedkeeper.kept import keep_short
from feedkeeper.parse.urls import KEPT_URL_CHARS

DEFAULT_PORTS = {"http": 80, "https": 443}


class NoCookies(CookieJar):
    """A cookie jar that keeps nothing: each request stands alone, as an archiver's should.

    A site's cookies would otherwise go back with every later request, and a site setting
    new ones on every page would grow them (and each request's headers) without bound.
    """

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def set_cookie(self, cookie: Any) -> None:
        return None


def origin(url: str) -> str:
    """The origin ``url`` belongs to, spelled one way (``HTTP://Blog.Example:080`` is
    ``http://blog.example``): every spelling of a host shares its pace and its robots.txt."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # no port a request can use: the address is refused on its way
        return f"{scheme}://{parts.netloc.lower()}"
    host = parts.hostname or ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return (
        f"{scheme}://{host}"
        if port in (None, DEFAULT_PORTS.get(scheme))
        else f"{scheme}://{host}:{port}"
    )


def _urls_chars(start_url: str, url: str) -> int:
    return len(start_url) + len(url)


# The walk asks about the same few URLs again at every page (the pages it plans ahead).
@keep_short(maxsize=4096, chars=2 * KEPT_URL_CHARS, size=_urls_chars)
def is_in_scope(start_url: str, url: str) -> bool:
    """True when ``url`` has the origin of ``start_url``: scheme, host and port.

    The one exception is the upgrade of the default port: http on 80 to https on 443
    of the same host. A URL carrying credentials is never in scope.
    """
    try:
        a, b = urlsplit(start_url), urlsplit(url)
        if not is_web_url(url) or not b.hostname:
            return False
        if (a.hostname or "").lower() != b.hostname.lower():
            return False
        port_a, port_b = a.port or DEFAULT_PORTS.get(a.scheme), b.port or DEFAULT_PORTS[b.scheme]
    except ValueError:  # a malformed port or IPv6 address: not a place we go
        return False
    if a.scheme == b.scheme:
        return port_a == port_b
    return (a.scheme, port_a, b.scheme, port_b) == ("http", 80, "https", 443)


def is_on_host(host: str, url: str) -> bool:
    """True when ``url`` is a web URL without credentials on ``host`` (``name`` or ``name:port``).

    A host without a port means the default port of the URL's scheme.
    """
    try:
        parts = urlsplit(url)
        wanted = urlsplit("//" + host.strip())
        if not is_web_url(url) or not parts.hostname or not wanted.hostname:
            return False
        port = parts.port or DEFAULT_PORTS[parts.scheme]
        wanted_port = wanted.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return False
    return parts.hostname.lower() == wanted.hostname.lower() and port == wanted_port


def strip_credentials(url: str) -> str:
    """Return ``url`` without its ``user:password@`` part."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None and "@" not in parts.netloc:
            return url
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return url
    return urlunsplit(parts._replace(netloc=host))


def hide_credentials(url: str) -> str:
    """Return ``url`` with its ``user:password@`` part shown as ``***@``, to print it."""
    stripped = strip_credentials(url)
    if stripped == url:
        return url
    parts = urlsplit(stripped)
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc))


def basic_auth(url: str) -> httpx.BasicAuth | None:
    """Return the credentials of ``url`` as Basic auth, or None when it has none."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.username and not parts.password:
        return None
    return httpx.BasicAuth(unquote(parts.username or ""), unquote(parts.password or ""))


def is_web_url(url: str) -> bool:
    """True for an http(s) URL without credentials."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in DEFAULT_PORTS and "@" not in parts.netloc
