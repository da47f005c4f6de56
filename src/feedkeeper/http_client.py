"""The httpx client as feedkeeper sets it up: its timeouts, headers and pool, a verifying TLS
context loaded once, no cookies kept, redirects followed by hand (``fetch.py`` checks each
one, ``location.py`` reads where it leads); the validators of a conditional
request, as far as a request can carry them."""

from __future__ import annotations

import functools
import ssl

import httpcore
import httpx

from feedkeeper.config import Settings
from feedkeeper.http_backend import CheckedBackend
from feedkeeper.inflate import ACCEPT_ENCODING
from feedkeeper.location import read_location
from feedkeeper.records import Validators
from feedkeeper.scope import NoCookies


def new_client(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    """Return a client for one fetcher; ``transport`` is the seam for tests."""
    limits = httpx.Limits(max_connections=settings.concurrency * 2)
    return httpx.AsyncClient(
        transport=transport or _pooled_transport(limits),
        timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
        limits=limits,
        headers={
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        follow_redirects=False,
        event_hooks={"response": [read_location]},
        verify=_tls_context(),
        cookies=NoCookies(),
    )


def _pooled_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's transport to the sites (proxies from the environment keep theirs), its pool of
    connections on ``CheckedBackend``."""
    transport = httpx.AsyncHTTPTransport(verify=_tls_context(), limits=limits)
    # httpx builds this same pool but takes no network backend to give it.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=_tls_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=CheckedBackend(),
    )
    return transport


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: loading the CA bundle takes a noticeable while."""
    return httpx.create_ssl_context()


def conditional_headers(validators: Validators | None) -> dict[str, str]:
    """The headers of a conditional request: the validators worth sending back."""
    headers: dict[str, str] = {}
    if validators is not None:
        if etag := validator(validators.etag):
            headers["If-None-Match"] = etag
        if last_modified := validator(validators.last_modified):
            headers["If-Modified-Since"] = last_modified
    return headers


# A validator no server sends honestly is longer than this.
MAX_VALIDATOR_CHARS = 1024


def validator(value: str | None) -> str | None:
    """An ETag or Last-Modified worth sending back: printable ASCII, as the standard has
    them. Another (a site's non-ASCII byte, kept by an earlier version) could not be sent
    at all: the page is fetched whole instead."""
    if value and len(value) <= MAX_VALIDATOR_CHARS and value.isascii() and value.isprintable():
        return value
    return None


_TRANSPORT_TROUBLE = {
    httpx.ConnectError: "cannot connect",
    httpx.ConnectTimeout: "connection timed out",
    httpx.ReadTimeout: "read timed out",
    httpx.RemoteProtocolError: "connection dropped",
    httpx.ReadError: "connection broken while reading",
}


# httpx reports an answer that breaks HTTP as it reports a connection closed early: these
# words start its messages for the connection closed.
_DROPPED = ("server disconnected", "peer closed")


def describe(exc: httpx.TransportError) -> str:
    """Say in a few words what went wrong on the connection."""
    if isinstance(exc, httpx.RemoteProtocolError) and not str(exc).lower().startswith(_DROPPED):
        return _malformed(exc)
    if (refused := _tls_refusal(exc)) is not None:
        return _tls_trouble(refused)
    for kind, text in _TRANSPORT_TROUBLE.items():
        if isinstance(exc, kind):
            return text
    return str(exc) or type(exc).__name__


def _tls_refusal(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error under a failed connection, if that is what failed it."""
    passed: set[int] = set()  # a chain of causes may loop back on itself
    under: BaseException | None = exc
    while under is not None and id(under) not in passed:
        if isinstance(under, ssl.SSLError):
            return under
        passed.add(id(under))
        under = under.__cause__ or under.__context__
    return None


def _tls_trouble(exc: ssl.SSLError) -> str:
    """Name why TLS failed: a certificate not trusted (and why), or a handshake that broke
    (an answer in plain HTTP to an https URL, say), as OpenSSL words it."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message or exc.reason})"
    code = getattr(exc, "reason", None)  # OpenSSL's: WRONG_VERSION_NUMBER
    reason = code.lower().replace("_", " ") if code else str(exc.strerror or type(exc).__name__)
    if reason in _PLAIN_HTTP_REASONS:
        return f"TLS handshake failed ({reason}: the server may not speak https on this port)"
    return f"TLS handshake failed ({reason})"


# OpenSSL's words for a TLS handshake answered in plain text (an HTTP server's 400 page).
_PLAIN_HTTP_REASONS = {"wrong version number", "packet length too long", "record layer failure"}


def _malformed(exc: httpx.RemoteProtocolError) -> str:
    """Name what broke HTTP in the server's answer (an illegal status or header line, a bad
    chunk or Content-Length, headers too long), without the bytes that did."""
    reason = str(exc).split(": bytearray(")[0].strip() or type(exc).__name__
    if reason.lower() == "receive buffer too long":  # h11's words for headers past the limit
        reason = "headers too long"
    return f"malformed answer ({reason})"
