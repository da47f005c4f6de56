"""HTTP: one client per run, robots.txt (``robots``), retries, conditional GET, size limits and
encodings, with each host's pace kept by ``politeness``. httpx errors become ours here."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urljoin

import httpx
from protego import Protego
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from feedkeeper.config import Settings
from feedkeeper.encoding import decode_body
from feedkeeper.errors import (
    FetchError,
    HTTPStatusError,
    OutOfScopeError,
    PausedByHostError,
    ResponseTooLargeError,
    RetryableError,
    RobotsDisallowedError,
)
from feedkeeper.http_client import (
    conditional_headers,
    describe,
    new_client,
    validator,
)
from feedkeeper.inflate import CutShortError, decoded_pieces
from feedkeeper.location import shown_url
from feedkeeper.politeness import (
    CRAWL,
    PROCESS_PACES,
    Errand,
    HostGate,
    HostPaused,
    HostPauses,
    Paces,
    Sleep,
    held_for,
    left_alone_error,
    parse_retry_after,
    paused_error,
)
from feedkeeper.records import HostPause, Validators
from feedkeeper.robots import (
    ROBOTS_MAX_BYTES,
    ROBOTS_MAX_REDIRECTS,
    crawl_delay,
    refuse_if_unreachable,
    robots_url,
)
from feedkeeper.scope import (
    basic_auth,
    is_in_scope,
    is_web_url,
    origin,
    strip_credentials,
)

MAX_REDIRECTS = 10
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 508, 520, 521, 522, 523, 524})


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response we can use: a body, or "not modified"."""

    url: str  # the final URL after in-scope redirects
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def is_not_modified(self) -> bool:
        """True for a 304 answer to a conditional GET."""
        return self.status == 304

    def text(self) -> tuple[str, str]:
        """Return the decoded body and the encoding used."""
        return decode_body(self.body, self.content_type)


@dataclass(frozen=True, slots=True)
class _Policy:
    """How one kind of request follows redirects and bounds its body."""

    max_redirects: int
    any_host: bool  # robots.txt may redirect off the site (RFC 9309 2.3.1.2)
    max_bytes: int | None  # None: the max_response_bytes setting
    truncate: bool  # keep the first max_bytes of a longer body instead of failing


_PAGE = _Policy(MAX_REDIRECTS, any_host=False, max_bytes=None, truncate=False)
_ROBOTS = _Policy(ROBOTS_MAX_REDIRECTS, any_host=True, max_bytes=ROBOTS_MAX_BYTES, truncate=True)


class Fetcher:
    """Fetches pages of one site politely; use as ``async with Fetcher(settings) as f``.

    ``transport`` is the seam for tests (respx, httpx.MockTransport); ``sleep`` is
    awaited for every pause (rate limit, backoff, Retry-After) and ``clock`` paces
    the rate limit, so tests need not wait. With ``longest_pause``, a host that asks for a
    longer pause (Retry-After) is not waited for: its request fails at once with
    PausedByHostError, and so do its next ones while the pause lasts. ``stored_pauses``
    are the pauses hosts asked earlier runs for (kept in the archive): a host is asked
    nothing before its pause is over, and ``pauses_asked`` are this fetcher's to keep.
    Without ``longest_pause``, a pause longer than ``max_retry_after`` is not waited for
    either. ``errand`` says what the requests are for (a crawl, a recovery), as the
    message of a host's pause names what it does to them.
    """

    def __init__(
        self,
        settings: Settings,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        clock: Callable[[], float] = time.monotonic,
        paces: Paces | None = None,
        longest_pause: float | None = None,
        stored_pauses: Mapping[str, HostPause] | None = None,
        errand: Errand = CRAWL,
    ) -> None:
        self.settings = settings
        self.errand = errand  # what the requests are for, as a host's pause is told
        self.pauses = HostPauses(settings.max_retry_after, longest_pause, stored_pauses)
        # Times of another clock cannot be set against the process's own.
        self._paces = paces or (PROCESS_PACES if clock is time.monotonic else Paces())
        self._transport = transport
        self._sleep: Sleep = sleep or asyncio.sleep
        self._clock = clock
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, Protego | RobotsDisallowedError | None] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._client: httpx.AsyncClient | None = None
        # Credentials in the start URL go to its origin only, as Basic auth, never in a URL.
        self._site = strip_credentials(settings.url) if settings.url else None
        self._auth = basic_auth(settings.url) if settings.url else None
        # What the run summary should say about limits the site ran into (Crawl-delay).
        self.notes: list[str] = []

    async def __aenter__(self) -> Fetcher:
        self._client = new_client(self.settings, self._transport)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()

    def pauses_asked(self) -> list[HostPause]:
        """Return the pauses (Retry-After) the hosts asked for, for the archive to keep."""
        return self.pauses.asked()

    def check_paused(self, url: str) -> None:
        """Raise PausedByHostError, asking nothing, when the host of ``url`` asked to be left
        alone for longer than this fetcher waits."""
        held = self._gate(url).held_for()
        if held > self.pauses.longest_wait:
            raise self._held_off(url, held)

    def _held_off(self, url: str, seconds: float) -> PausedByHostError:
        """The error of a request not made while its host's pause lasts."""
        if self.pauses.longest_pause is not None:
            return paused_error(url, seconds, self.errand, left=True)
        return left_alone_error(url, seconds, self.errand)

    async def check_robots(self, url: str) -> None:
        """Raise RobotsDisallowedError when robots.txt forbids ``url`` (unless ignored)."""
        if self.settings.ignore_robots:
            return
        if not await self.is_allowed(url):
            raise RobotsDisallowedError(
                f"robots.txt of {origin(url)} disallows {url}"
                " (pass --ignore-robots only for a site you run)",
                url=url,
            )

    async def is_allowed(self, url: str) -> bool:
        """Tell whether robots.txt lets us fetch ``url``; raise when it cannot be read."""
        if self.settings.ignore_robots:
            return True
        parser = await self._robots_for(url)
        return parser is None or bool(parser.can_fetch(url, self.settings.user_agent))

    async def fetch(self, url: str, validators: Validators | None = None) -> Fetched:
        """Fetch ``url`` with retries; 304 comes back as a Fetched with ``is_not_modified``."""
        await self.check_robots(url)
        return await self._with_retries(url, conditional_headers(validators))

    async def _with_retries(
        self, url: str, headers: dict[str, str], policy: _Policy = _PAGE
    ) -> Fetched:
        attempts = self.settings.retries
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            retry=retry_if_exception(self._worth_waiting_for),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._fetch_once(url, headers, policy)
        except RetryableError as exc:
            if exc.retry_after is not None:  # given up: waited out no further than the cap,
                self._gate(url).hold_off(held_for(exc.retry_after))  # it is asked no more
            if exc.retry_after is not None and not self._worth_waiting_for(exc):
                raise paused_error(url, held_for(exc.retry_after), self.errand) from exc
            tries = f"{attempts} attempts" if attempts > 1 else "1 attempt"
            raise RetryableError(f"{exc.message} (gave up after {tries})", url=url) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _worth_waiting_for(self, exc: BaseException) -> bool:
        """Tell whether a failed attempt is tried again: a pause longer than the crawl waits
        (``longest_pause``) ends it instead."""
        return isinstance(exc, RetryableError) and self.pauses.worth_waiting(exc.retry_after)

    def _wait(self, retry_state: RetryCallState) -> float:
        """Seconds before the next attempt: Retry-After if given, else backoff with jitter."""
        cap = self.settings.max_retry_after
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RetryableError) and exc.retry_after is not None:
            return self.pauses.honoured(exc.retry_after)
        base = self.settings.backoff_base
        backoff: float = base * 2 ** (retry_state.attempt_number - 1)
        return min(backoff + random.uniform(0, base), cap)

    async def _fetch_once(self, url: str, headers: dict[str, str], policy: _Policy) -> Fetched:
        gate = self._gate(url)
        async with gate.slots:
            await self._turn(url)
            try:
                return await self._follow(url, headers, policy)
            except TimeoutError as exc:
                raise RetryableError(
                    f"no complete answer within {self.settings.total_timeout:g} s", url=url
                ) from exc
            except httpx.TransportError as exc:
                raise RetryableError(describe(exc), url=url) from exc
            except UnicodeError as exc:  # httpx reads a Location's host as it answers
                raise FetchError(f"redirected to a malformed URL: {exc}", url=url) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(f"unusable response: {exc}", url=url) from exc

    async def _turn(self, url: str) -> None:
        """Wait until the host of ``url`` may be asked (its rate, Crawl-delay and pauses)."""
        try:
            await self._gate(url).wait_turn(self.pauses.longest_wait)
        except HostPaused as held:
            raise self._held_off(url, held.seconds) from None

    async def _follow(self, url: str, headers: dict[str, str], policy: _Policy) -> Fetched:
        assert self._client is not None, "use the Fetcher as an async context manager"
        current = url
        for hop in range(policy.max_redirects + 1):
            if hop:  # each step of a redirect is a request of its own: paced as one
                await self._turn(current)
            auth = self._auth if self._site and is_in_scope(self._site, current) else None
            request = self._client.stream("GET", current, headers=headers, auth=auth)
            # total_timeout bounds each answer, not the waits between the steps
            async with asyncio.timeout(self.settings.total_timeout), request as response:
                if not response.has_redirect_location:
                    return await self._read_landed(url, current, response, headers, policy)
                target = urljoin(current, response.headers["location"])
            await self._check_redirect(url, target, policy)
            current = target
        raise FetchError(f"more than {policy.max_redirects} redirects", url=url)

    async def _read_landed(
        self,
        url: str,
        current: str,
        response: httpx.Response,
        headers: dict[str, str],
        policy: _Policy,
    ) -> Fetched:
        """Read the answer at ``current``, where ``url`` redirected (or ``url`` itself): a
        failing status names where it was met, the page's own URL having answered a redirect."""
        try:
            return await self._read(current, response, bool(headers), policy)
        except HTTPStatusError as exc:
            if current == url:
                raise
            raise HTTPStatusError(
                f"{exc.message} at {current}, where it redirected", url=url, status=exc.status
            ) from exc

    async def _check_redirect(self, url: str, target: str, policy: _Policy) -> None:
        """Refuse a redirect that leaves the page's origin or lands where robots.txt forbids."""
        shown = shown_url(target)
        if policy.any_host:
            if not is_web_url(target):
                raise OutOfScopeError(f"redirected to {shown} (refused)", url=url)
            return
        if not is_in_scope(url, target):
            raise OutOfScopeError(f"redirected off the site to {shown} (refused)", url=url)
        if not await self.is_allowed(target):
            raise FetchError(
                f"redirected to {shown}, which robots.txt disallows (not followed)", url=url
            )

    async def _read(
        self, url: str, response: httpx.Response, is_conditional: bool, policy: _Policy
    ) -> Fetched:
        status = response.status_code
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if retry_after is not None:  # every request to the host waits it, not this one,
                self._gate(url).hold_off(self.pauses.honoured(retry_after))
                self.pauses.note(origin(url), retry_after)  # and so do later runs
            raise RetryableError(f"HTTP {status}", url=url, retry_after=retry_after)
        if status == 304 and not is_conditional:
            raise HTTPStatusError(
                "HTTP 304 to a request that was not conditional", url=url, status=status
            )
        if status != 304 and not 200 <= status < 300:
            raise HTTPStatusError(f"HTTP {status}", url=url, status=status)
        if status == 206:  # no range was asked for: a part of the page is no page
            raise HTTPStatusError(
                "HTTP 206: a part of the page, never asked for", url=url, status=status
            )
        body = await self._read_body(url, response, policy)
        return Fetched(
            url=url,
            status=status,
            body=body,
            content_type=response.headers.get("content-type"),
            etag=validator(response.headers.get("etag")),
            last_modified=validator(response.headers.get("last-modified")),
        )

    async def _read_body(self, url: str, response: httpx.Response, policy: _Policy) -> bytes:
        """Read the body, decoded, counting decoded bytes as they stream through every layer."""
        limit = policy.max_bytes or self.settings.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit and not policy.truncate:
            raise ResponseTooLargeError(
                f"response of {declared} bytes exceeds the {limit}-byte limit", url=url
            )
        body = bytearray()
        try:
            async with contextlib.aclosing(decoded_pieces(response)) as pieces:
                async for piece in pieces:
                    body += piece
                    if len(body) > limit:
                        return _cut(url, bytes(body[:limit]), limit, policy)
        except CutShortError as exc:  # the connection's trouble: worth another attempt
            raise RetryableError(f"incomplete response: {exc}", url=url) from exc
        except ValueError as exc:  # a broken gzip or deflate layer
            raise FetchError(f"unusable response: {exc}", url=url) from exc
        return bytes(body)

    def _gate(self, url: str) -> HostGate:
        site = origin(url)
        if site not in self._gates:
            interval = 1 / self.settings.rate if self.settings.rate > 0 else 0.0
            gate = self._gates[site] = HostGate(
                self.settings.concurrency, interval, self._sleep, self._clock,
                self._paces.of(site),
            )  # fmt: skip
            gate.hold_off(self.pauses.left_of_stored(site))  # asked of an earlier run
        return self._gates[site]

    async def _robots_for(self, url: str) -> Protego | None:
        """Return the origin's robots.txt rules, read once per run however many ask at once."""
        site = origin(url)
        async with self._robots_locks.setdefault(site, asyncio.Lock()):
            if site not in self._robots:
                try:
                    self._robots[site] = await self._load_robots(site)
                except RobotsDisallowedError as exc:  # unreachable: every later URL is refused
                    self._robots[site] = exc
                self._apply_crawl_delay(url)
        known = self._robots[site]
        if isinstance(known, RobotsDisallowedError):
            raise RobotsDisallowedError(known.message, url=known.url)
        return known

    def _apply_crawl_delay(self, url: str) -> None:
        rules = self._robots[origin(url)]
        if isinstance(rules, Protego):
            spacing, note = crawl_delay(
                rules, self.settings.user_agent, self.settings.max_crawl_delay
            )
            self._gate(url).slow_down(spacing)
            if note is not None:
                self.notes.append(f"robots.txt of {origin(url)} {note}")

    async def _load_robots(self, site: str) -> Protego | None:
        """Read robots.txt as RFC 9309 says: missing allows all, unreachable forbids all."""
        try:
            fetched = await self._with_retries(robots_url(site), {}, _ROBOTS)
        except PausedByHostError:  # not unavailable: not asked, for now
            raise
        except FetchError as exc:
            refuse_if_unreachable(site, exc)
            return None  # unavailable: everything is allowed
        text, _ = fetched.text()
        return Protego.parse(text)


def _cut(url: str, body: bytes, limit: int, policy: _Policy) -> bytes:
    """Keep the first ``limit`` bytes of an oversized body, or fail when the policy says so."""
    if policy.truncate:
        return body
    raise ResponseTooLargeError(
        f"response exceeds the {limit}-byte limit once decoded (download stopped)", url=url
    )
