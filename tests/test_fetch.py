"""The fetcher against respx: politeness, conditional GET, retries, limits, redirects.

No test sleeps for real: the Fetcher's ``sleep`` and ``clock`` are a fake clock
that records every pause and jumps forward.
"""

from __future__ import annotations

import asyncio
import email.utils
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
import respx

from feedkeeper import __version__
from feedkeeper.config import Settings
from feedkeeper.errors import (
    FetchError,
    HTTPStatusError,
    OutOfScopeError,
    ResponseTooLargeError,
    RetryableError,
    RobotsDisallowedError,
)
from feedkeeper.fetch import Fetched, Fetcher, is_in_scope
from feedkeeper.politeness import HostGate, Paces, parse_retry_after
from feedkeeper.records import Validators

SITE = "http://blog.test"
PAGE = SITE + "/page/2/"
HTML = "text/html; charset=utf-8"
T = TypeVar("T")


class FakeTime:
    """A clock that only moves when someone sleeps; remembers every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_settings(**changes: Any) -> Settings:
    values: dict[str, Any] = {
        "url": SITE + "/",
        "contact": "https://example.org/who-is-crawling",
        "rate": 0,
        "ignore_robots": True,
        "backoff_base": 0.5,
    }
    return Settings(**(values | changes))


def run_with(
    router: respx.MockRouter,
    use: Callable[[Fetcher], Awaitable[T]],
    settings: Settings | None = None,
    time: FakeTime | None = None,
) -> T:
    """Run ``use`` with a Fetcher whose HTTP goes to ``router``."""
    time = time or FakeTime()

    async def main() -> T:
        transport = httpx.MockTransport(router.async_handler)
        async with Fetcher(
            settings or make_settings(), transport, sleep=time.sleep, clock=time.clock
        ) as fetcher:
            return await use(fetcher)

    return asyncio.run(main())


def fetch(
    router: respx.MockRouter,
    url: str = PAGE,
    validators: Validators | None = None,
    settings: Settings | None = None,
    time: FakeTime | None = None,
) -> Fetched:
    return run_with(router, lambda f: f.fetch(url, validators), settings, time)


@pytest.fixture
def router() -> respx.MockRouter:
    return respx.MockRouter(assert_all_called=False)


# Politeness: robots.txt, Crawl-delay, rate, concurrency, User-Agent


def test_robots_disallowed_path_is_refused(router: respx.MockRouter) -> None:
    router.get(SITE + "/robots.txt").respond(200, text="User-agent: *\nDisallow: /page/\n")
    page = router.get(PAGE).respond(200, text="<p>hi</p>")
    with pytest.raises(RobotsDisallowedError) as caught:
        fetch(router, settings=make_settings(ignore_robots=False))
    assert caught.value.message.startswith(f"robots.txt of {SITE} disallows {PAGE}")
    assert "--ignore-robots" in caught.value.message
    assert caught.value.exit_code == 3
    assert not page.called


def test_robots_group_for_feedkeeper_applies(router: respx.MockRouter) -> None:
    robots = "User-agent: feedkeeper\nDisallow: /page/\n\nUser-agent: *\nAllow: /\n"
    router.get(SITE + "/robots.txt").respond(200, text=robots)
    with pytest.raises(RobotsDisallowedError):
        fetch(router, settings=make_settings(ignore_robots=False))


def test_robots_allowed_path_is_fetched_and_robots_read_once(router: respx.MockRouter) -> None:
    robots = router.get(SITE + "/robots.txt").respond(200, text="User-agent: *\nDisallow: /x/\n")
    router.get(url__startswith=SITE + "/page/").respond(200, text="ok")

    async def twice(f: Fetcher) -> list[int]:
        return [(await f.fetch(SITE + f"/page/{n}/")).status for n in (1, 2)]

    assert run_with(router, twice, make_settings(ignore_robots=False)) == [200, 200]
    assert robots.call_count == 1


def test_ignore_robots_skips_robots_txt(router: respx.MockRouter) -> None:
    robots = router.get(SITE + "/robots.txt").respond(200, text="User-agent: *\nDisallow: /\n")
    router.get(PAGE).respond(200, text="ok")
    assert fetch(router, settings=make_settings(ignore_robots=True)).status == 200
    assert not robots.called


def test_missing_robots_txt_allows_everything(router: respx.MockRouter) -> None:
    router.get(SITE + "/robots.txt").respond(404)
    router.get(PAGE).respond(200, text="ok")
    assert fetch(router, settings=make_settings(ignore_robots=False)).status == 200


def test_unreachable_robots_txt_refuses_the_site(router: respx.MockRouter) -> None:
    router.get(SITE + "/robots.txt").respond(503)
    page = router.get(PAGE).respond(200, text="ok")
    with pytest.raises(RobotsDisallowedError) as caught:
        fetch(router, settings=make_settings(ignore_robots=False, retries=2))
    assert caught.value.message == (
        f"robots.txt of {SITE} is unreachable: HTTP 503 (gave up after 2 attempts)"
    )
    assert not page.called


def test_crawl_delay_spaces_requests(router: respx.MockRouter) -> None:
    router.get(SITE + "/robots.txt").respond(200, text="User-agent: *\nCrawl-delay: 3\n")
    router.get(url__startswith=SITE + "/page/").respond(200, text="ok")
    time = FakeTime()

    async def two_pages(f: Fetcher) -> None:
        await f.fetch(SITE + "/page/1/")
        await f.fetch(SITE + "/page/2/")

    run_with(router, two_pages, make_settings(ignore_robots=False, rate=1), time)
    # robots.txt at t0; Crawl-delay 3 s (longer than the 1 s rate) before each page.
    assert time.sleeps == [3.0, 3.0]


def test_a_later_fetcher_waits_out_the_crawl_delay_of_the_one_before(
    router: respx.MockRouter,
) -> None:
    """A crawl's recovery (or the next site on the host) does not ask the host at once."""
    router.get(SITE + "/robots.txt").respond(200, text="User-agent: *\nCrawl-delay: 3\n")
    router.get(url__startswith=SITE + "/p").respond(200, text="ok")
    time, paces = FakeTime(), Paces()
    transport = httpx.MockTransport(router.async_handler)
    settings = make_settings(ignore_robots=False, rate=1)

    async def fetch(url: str) -> None:
        async with Fetcher(settings, transport, time.sleep, time.clock, paces) as f:
            await f.fetch(url)

    asyncio.run(fetch(SITE + "/page/1/"))
    assert time.sleeps == [3.0]
    asyncio.run(fetch(SITE + "/post/1/"))
    # robots.txt again, 3 s after the page; the post 3 s after that.
    assert time.sleeps == [3.0, 3.0, 3.0]


def test_fetchers_on_the_process_clock_share_the_pace(router: respx.MockRouter) -> None:
    router.get(url__startswith="http://paced.test/").respond(200, text="ok")
    sleeps: list[float] = []

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def fetch(url: str) -> None:
        transport = httpx.MockTransport(router.async_handler)
        async with Fetcher(make_settings(rate=1), transport, no_sleep) as f:
            await f.fetch(url)

    asyncio.run(fetch("http://paced.test/1"))
    asyncio.run(fetch("http://paced.test/2"))
    assert len(sleeps) == 1
    assert 0.5 < sleeps[0] <= 1.0


def test_rate_limit_spaces_request_starts(router: respx.MockRouter) -> None:
    router.get(url__startswith=SITE).respond(200, text="ok")
    time = FakeTime()

    async def three(f: Fetcher) -> None:
        for n in range(3):
            await f.fetch(SITE + f"/page/{n}/")

    run_with(router, three, make_settings(rate=2), time)
    assert time.sleeps == [0.5, 0.5]


def test_every_spelling_of_a_host_shares_its_pace_and_its_robots_txt(
    router: respx.MockRouter,
) -> None:
    """``http://127.0.0.1:0PORT/`` and ``HTTP://Blog.Test`` had a gate and a robots.txt of
    their own: a next link spelled another way each time was asked at once."""
    robots = router.get(SITE + "/robots.txt").respond(200, text="User-agent: *\nAllow: /\n")
    router.get(url__startswith=SITE).respond(200, text="ok")
    time = FakeTime()
    host = SITE.removeprefix("http://")

    async def three_spellings(f: Fetcher) -> None:
        for url in (f"{SITE}/1", f"http://{host.upper()}:80/2", f"HTTP://{host}:0080/3"):
            await f.fetch(url)

    run_with(router, three_spellings, make_settings(rate=1, ignore_robots=False), time)
    assert time.sleeps == [1.0, 1.0, 1.0]  # robots.txt, then each page a second apart
    assert robots.call_count == 1


def test_each_step_of_a_redirect_is_paced_as_a_request(router: respx.MockRouter) -> None:
    """A chain of redirects was followed at once, whatever the rate (11 hops in 28 ms at
    one request every 2 s)."""
    router.get(SITE + "/a").respond(301, headers={"Location": "/b"})
    router.get(SITE + "/b").respond(302, headers={"Location": "/c"})
    router.get(SITE + "/c").respond(200, text="ok")
    time = FakeTime()

    async def one(f: Fetcher) -> None:
        await f.fetch(SITE + "/a")

    run_with(router, one, make_settings(rate=0.5), time)
    assert time.sleeps == [2.0, 2.0]


def test_rate_limit_is_per_host(router: respx.MockRouter) -> None:
    router.get(url__startswith="http://").respond(200, text="ok")
    time = FakeTime()

    async def two_hosts(f: Fetcher) -> None:
        await f.fetch("http://one.test/")
        await f.fetch("http://two.test/")

    run_with(router, two_hosts, make_settings(rate=1), time)
    assert time.sleeps == []


def test_a_pause_the_host_asks_for_while_a_request_waits_its_turn_is_waited_too() -> None:
    """A Retry-After held back only the request it answered: the requests already waiting
    for their turn (the pages fetched ahead) went on as they were paced."""
    time = FakeTime()

    async def sleep_and_hear_of_a_pause(seconds: float) -> None:
        await time.sleep(seconds)
        if len(time.sleeps) == 1:
            gate.hold_off(8.0)  # meanwhile another request was answered "Retry-After: 8"

    gate = HostGate(2, 1.0, sleep_and_hear_of_a_pause, time.clock)

    async def two_turns() -> None:
        await gate.wait_turn()
        await gate.wait_turn()

    asyncio.run(two_turns())
    assert time.sleeps == [1.0, 8.0]


def test_host_gate_waits_for_the_remaining_interval() -> None:
    time = FakeTime()
    gate = HostGate(1, 2.0, time.sleep, time.clock)

    async def three_turns() -> None:
        await gate.wait_turn()
        time.now += 0.5  # the first request took half a second
        await gate.wait_turn()
        time.now += 5.0  # a long pause: no wait needed
        await gate.wait_turn()

    asyncio.run(three_turns())
    assert time.sleeps == [1.5]


def test_at_most_n_requests_in_flight_per_host(router: respx.MockRouter) -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def slow(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] = in_flight.get(host, 0) + 1
        peak[host] = max(peak.get(host, 0), in_flight[host])
        for _ in range(5):
            await asyncio.sleep(0)
        in_flight[host] -= 1
        return httpx.Response(200, text="ok")

    router.get(url__startswith="http://").mock(side_effect=slow)

    async def many(f: Fetcher) -> None:
        urls = [f"http://{host}/page/{n}/" for host in ("a.test", "b.test") for n in range(6)]
        await asyncio.gather(*(f.fetch(url) for url in urls))

    run_with(router, many, make_settings(concurrency=2))
    assert peak == {"a.test": 2, "b.test": 2}


def test_user_agent_names_feedkeeper_and_the_contact(router: respx.MockRouter) -> None:
    route = router.get(PAGE).respond(200, text="ok")
    fetch(router)
    assert route.calls.last.request.headers["User-Agent"] == (
        f"feedkeeper/{__version__} (+https://example.org/who-is-crawling)"
    )


def test_cookies_a_site_sets_are_not_sent_back(router: respx.MockRouter) -> None:
    """Each request stands alone: a site's cookies (one new per page, without end) are
    neither kept nor sent with the next request."""
    first = router.get(PAGE).respond(200, text="ok", headers={"Set-Cookie": "visit=1; Path=/"})
    second = router.get(SITE + "/page/3/").respond(200, text="ok")

    async def two_pages(fetcher: Fetcher) -> None:
        await fetcher.fetch(PAGE)
        await fetcher.fetch(SITE + "/page/3/")

    run_with(router, two_pages)
    assert first.called and "Cookie" not in second.calls.last.request.headers


# Conditional GET


def test_validators_of_a_page_are_returned(router: respx.MockRouter) -> None:
    headers = {"ETag": '"v1"', "Last-Modified": "Sun, 11 Jan 2026 08:00:00 GMT"}
    router.get(PAGE).respond(200, text="<p>hi</p>", headers=headers)
    fetched = fetch(router)
    assert (fetched.status, fetched.etag, fetched.last_modified) == (
        200,
        '"v1"',
        "Sun, 11 Jan 2026 08:00:00 GMT",
    )
    assert fetched.body == b"<p>hi</p>"
    assert not fetched.is_not_modified


def test_conditional_get_sends_validators_and_reads_304(router: respx.MockRouter) -> None:
    route = router.get(PAGE).respond(304)
    validators = Validators('"v1"', "Sun, 11 Jan 2026 08:00:00 GMT", None)
    fetched = fetch(router, validators=validators)
    sent = route.calls.last.request.headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Sun, 11 Jan 2026 08:00:00 GMT"
    assert fetched.is_not_modified
    assert fetched.body == b""


def test_first_fetch_sends_no_validators(router: respx.MockRouter) -> None:
    route = router.get(PAGE).respond(200, text="ok")
    fetch(router)
    sent = route.calls.last.request.headers
    assert "If-None-Match" not in sent
    assert "If-Modified-Since" not in sent


def test_304_to_an_unconditional_request_is_an_error(router: respx.MockRouter) -> None:
    router.get(PAGE).respond(304)
    with pytest.raises(HTTPStatusError, match="not conditional"):
        fetch(router)


# Retries


@pytest.mark.parametrize(
    "statuses",
    [[503, 200], [500, 502, 200], [429, 200], [504, 520, 503, 200]],
)
def test_retryable_statuses_are_retried(router: respx.MockRouter, statuses: list[int]) -> None:
    route = router.get(PAGE).mock(side_effect=[httpx.Response(s, text="x") for s in statuses])
    time = FakeTime()
    assert fetch(router, time=time).status == 200
    assert route.call_count == len(statuses)
    assert len(time.sleeps) == len(statuses) - 1


def test_gives_up_after_the_last_attempt(router: respx.MockRouter) -> None:
    route = router.get(PAGE).respond(503)
    with pytest.raises(FetchError) as caught:
        fetch(router, settings=make_settings(retries=3))
    assert caught.value.message == "HTTP 503 (gave up after 3 attempts)"
    assert caught.value.url == PAGE
    assert route.call_count == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_client_errors_are_not_retried(router: respx.MockRouter, status: int) -> None:
    route = router.get(PAGE).respond(status)
    with pytest.raises(HTTPStatusError) as caught:
        fetch(router)
    assert caught.value.status == status
    assert caught.value.message == f"HTTP {status}"
    assert route.call_count == 1


def tls_failed(cause: ssl.SSLError) -> httpx.ConnectError:
    """A connection that failed as httpx reports a TLS error: ``cause`` under its own."""
    error = httpx.ConnectError(str(cause))
    error.__cause__ = cause
    return error


UNTRUSTED = ssl.SSLCertVerificationError(
    1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired"
)
UNTRUSTED.verify_message = "certificate has expired"


@pytest.mark.parametrize(
    ("error", "described"),
    [
        (httpx.ConnectError("refused"), "cannot connect"),
        (httpx.ConnectTimeout("slow"), "connection timed out"),
        (httpx.ReadTimeout("slow"), "read timed out"),
        (httpx.RemoteProtocolError("peer closed"), "connection dropped"),
        (httpx.ReadError("reset"), "connection broken while reading"),
    ],
)
def test_network_errors_are_retried(
    router: respx.MockRouter, error: Exception, described: str
) -> None:
    route = router.get(PAGE).mock(side_effect=[error, httpx.Response(200, text="ok")])
    assert fetch(router).status == 200
    assert route.call_count == 2

    router.get(SITE + "/always/").mock(side_effect=error)
    with pytest.raises(FetchError) as caught:
        fetch(router, SITE + "/always/", settings=make_settings(retries=2))
    assert caught.value.message == f"{described} (gave up after 2 attempts)"


@pytest.mark.parametrize(
    ("cause", "described"),
    [
        (UNTRUSTED, "TLS certificate not trusted (certificate has expired)"),
        (ssl.SSLError(1, "[SSL] unexpected eof"), "TLS handshake failed ([SSL] unexpected eof)"),
    ],
)
def test_a_tls_failure_says_so_instead_of_cannot_connect(
    cause: ssl.SSLError, described: str
) -> None:
    class Refusing(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise tls_failed(cause)

    async def main() -> None:
        async with Fetcher(make_settings(retries=2), Refusing(), sleep=FakeTime().sleep) as f:
            await f.fetch(PAGE)

    with pytest.raises(FetchError) as caught:
        asyncio.run(main())
    assert caught.value.message == f"{described} (gave up after 2 attempts)"


def test_backoff_is_exponential_with_jitter(router: respx.MockRouter) -> None:
    router.get(PAGE).respond(503)
    time = FakeTime()
    with pytest.raises(FetchError):
        fetch(router, settings=make_settings(retries=5, backoff_base=0.5), time=time)
    assert len(time.sleeps) == 4
    for attempt, slept in enumerate(time.sleeps):
        low = 0.5 * 2**attempt
        assert low <= slept <= low + 0.5


def test_backoff_is_capped(router: respx.MockRouter) -> None:
    router.get(PAGE).respond(503)
    time = FakeTime()
    with pytest.raises(FetchError):
        fetch(
            router,
            settings=make_settings(retries=4, backoff_base=10, max_retry_after=15),
            time=time,
        )
    assert time.sleeps[1:] == [15.0, 15.0]


def test_retry_after_seconds_is_obeyed(router: respx.MockRouter) -> None:
    router.get(PAGE).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)]
    )
    time = FakeTime()
    assert fetch(router, time=time).status == 200
    assert time.sleeps == [7.0]


def test_retry_after_on_503_is_obeyed(router: respx.MockRouter) -> None:
    router.get(PAGE).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": "2"}), httpx.Response(200)]
    )
    time = FakeTime()
    fetch(router, time=time)
    assert time.sleeps == [2.0]


def test_retry_after_http_date_is_obeyed(router: respx.MockRouter) -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    header = email.utils.format_datetime(when, usegmt=True)
    router.get(PAGE).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": header}), httpx.Response(200)]
    )
    time = FakeTime()
    fetch(router, time=time)
    assert len(time.sleeps) == 1
    assert 28.0 <= time.sleeps[0] <= 30.0


def test_retry_after_is_capped_by_the_maximum(router: respx.MockRouter) -> None:
    router.get(PAGE).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200)]
    )
    time = FakeTime()
    fetch(router, settings=make_settings(max_retry_after=60), time=time)
    assert time.sleeps == [60.0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-3", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: go now
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


# Timeouts and size


def test_timeouts_reach_the_client(router: respx.MockRouter) -> None:
    route = router.get(PAGE).respond(200)
    fetch(router, settings=make_settings(connect_timeout=3, read_timeout=7))
    timeout = route.calls.last.request.extensions["timeout"]
    assert (timeout["connect"], timeout["read"]) == (3.0, 7.0)


def test_total_timeout_bounds_a_slow_answer(router: respx.MockRouter) -> None:
    asked: list[str] = []

    async def never(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        await asyncio.sleep(5)
        return httpx.Response(200)  # pragma: no cover

    router.get(PAGE).mock(side_effect=never)
    with pytest.raises(FetchError) as caught:
        fetch(router, settings=make_settings(total_timeout=0.05, retries=2))
    assert caught.value.message == "no complete answer within 0.05 s (gave up after 2 attempts)"
    assert asked == [PAGE, PAGE]


def test_declared_oversize_body_is_refused_unread(router: respx.MockRouter) -> None:
    route = router.get(PAGE).respond(200, content=b"x" * 2000)
    with pytest.raises(ResponseTooLargeError) as caught:
        fetch(router, settings=make_settings(max_response_bytes=1000))
    assert caught.value.message == "response of 2000 bytes exceeds the 1000-byte limit"
    assert route.call_count == 1


def test_streamed_oversize_body_is_aborted(router: respx.MockRouter) -> None:
    sent: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        for n in range(1000):
            sent.append(n)
            yield b"x" * 1000

    router.get(PAGE).mock(side_effect=lambda request: httpx.Response(200, content=endless()))
    with pytest.raises(ResponseTooLargeError, match="download stopped"):
        fetch(router, settings=make_settings(max_response_bytes=2500))
    assert len(sent) == 3


def test_body_at_the_limit_is_kept(router: respx.MockRouter) -> None:
    router.get(PAGE).respond(200, content=b"x" * 1000)
    assert len(fetch(router, settings=make_settings(max_response_bytes=1000)).body) == 1000


def test_undecodable_content_encoding_is_a_fetch_error(router: respx.MockRouter) -> None:
    async def not_gzip() -> AsyncIterator[bytes]:
        yield b"not gzip at all"

    router.get(PAGE).mock(
        side_effect=lambda request: httpx.Response(
            200, content=not_gzip(), headers={"Content-Encoding": "gzip"}
        )
    )
    with pytest.raises(FetchError, match="unusable response"):
        fetch(router)


# Redirects and encodings


def test_redirect_within_the_site_is_followed(router: respx.MockRouter) -> None:
    router.get(SITE + "/old/").respond(301, headers={"Location": "/page/2/"})
    router.get(PAGE).respond(200, text="moved here")
    fetched = fetch(router, SITE + "/old/")
    assert (fetched.url, fetched.body) == (PAGE, b"moved here")


def test_redirect_to_https_of_the_same_host_is_followed(router: respx.MockRouter) -> None:
    router.get(PAGE).respond(308, headers={"Location": "https://blog.test/page/2/"})
    router.get("https://blog.test/page/2/").respond(200, text="secure")
    assert fetch(router).url == "https://blog.test/page/2/"


def test_redirect_to_another_host_is_refused(router: respx.MockRouter) -> None:
    router.get(PAGE).respond(302, headers={"Location": "http://elsewhere.test/landing"})
    elsewhere = router.get("http://elsewhere.test/landing").respond(200)
    with pytest.raises(OutOfScopeError) as caught:
        fetch(router)
    assert caught.value.message == (
        "redirected off the site to http://elsewhere.test/landing (refused)"
    )
    assert not elsewhere.called


@pytest.mark.parametrize(
    "location",
    [
        "http://blog.test:port/",
        # host names no IDNA encoding allows: "internal error: IDNAError", exit 70
        "http://xn--/",
        "http://xn--ls8h.blog.test/",
    ],
)
def test_redirect_to_a_malformed_url_is_refused(router: respx.MockRouter, location: str) -> None:
    route = router.get(PAGE).respond(301, headers={"Location": location})
    with pytest.raises(FetchError, match="redirected to a malformed URL"):
        fetch(router)
    assert route.call_count == 1


@pytest.mark.parametrize(
    "location", ["javascript:alert(1)", "data:text/html,<p>hi</p>", "mailto:a@b.test", "ftp://b/x"]
)
def test_redirect_to_no_web_address_is_refused_by_name(
    router: respx.MockRouter, location: str
) -> None:
    route = router.get(PAGE).respond(302, headers={"Location": location})
    with pytest.raises(OutOfScopeError) as caught:
        fetch(router)
    assert caught.value.message == f"redirected to {location}, which is no web address (refused)"
    assert route.call_count == 1  # not retried: asking again will not change it


def test_redirect_loop_stops(router: respx.MockRouter) -> None:
    router.get(PAGE).respond(302, headers={"Location": "/page/2/"})
    with pytest.raises(FetchError, match="more than 10 redirects"):
        fetch(router)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://blog.test/page/3/", True),
        ("https://blog.test/page/3/", True),
        ("http://BLOG.test/x", True),
        ("http://blog.test:8080/x", False),
        ("http://cdn.blog.test/x", False),
        ("http://elsewhere.test/", False),
        ("ftp://blog.test/x", False),
        ("javascript:alert(1)", False),
        ("http://blog.test:port/x", False),
        ("http://[::1/x", False),
    ],
)
def test_is_in_scope(url: str, expected: bool) -> None:
    assert is_in_scope("http://blog.test/", url) is expected


def test_gbk_page_declared_in_the_header_decodes(router: respx.MockRouter) -> None:
    body = "<title>分布式训练入门</title>".encode("gbk")
    router.get(PAGE).respond(200, content=body, headers={"Content-Type": "text/html; charset=gbk"})
    text, encoding = fetch(router).text()
    assert text == "<title>分布式训练入门</title>"
    assert encoding == "gb18030"


def test_the_retry_after_of_an_attempt_given_up_holds_the_host_s_next_request(
    router: respx.MockRouter,
) -> None:
    # The last 429's Retry-After was not waited out when the fetch gave up: the next request
    # to the host went out at once.
    router.get(PAGE).mock(return_value=httpx.Response(429, headers={"Retry-After": "8"}))
    router.get(f"{SITE}/page/3/").mock(return_value=httpx.Response(200))
    time = FakeTime()

    async def use(fetcher: Fetcher) -> None:
        with pytest.raises(RetryableError):
            await fetcher.fetch(PAGE)
        waited = len(time.sleeps)
        await fetcher.fetch(f"{SITE}/page/3/")
        assert time.sleeps[waited:] == [8.0]

    run_with(router, use, settings=make_settings(retries=2), time=time)
    assert time.sleeps[:1] == [8.0]  # between the two attempts, as before
