"""A host's Retry-After outlives the process that was told: kept in the archive
(``host_pause``), it holds off every later run, one-shot crawls under cron included."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx

from feedkeeper import fetch
from feedkeeper.cli import main
from feedkeeper.clock import stored
from feedkeeper.errors import PausedByHostError
from feedkeeper.fetch import Fetcher
from feedkeeper.politeness import LONGEST_HOST_PAUSE, Paces, seconds_left
from feedkeeper.records import HostPause
from feedkeeper.store import Store
from feedkeeper.store.pauses import keep_pauses, stored_pauses
from test_fetch import FakeTime, make_settings

from conftest import rows
from faultserver import FaultServer, listing_site, make_posts, status

SITE = "http://blog.test"
BUSY = [status(429, retry_after="3600")] * 4  # every attempt of a crawl's request


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """Settings for fast tests: no pacing, short backoff, a short wait for Retry-After."""
    path = tmp_path / "feedkeeper.toml"
    path.write_text("rate = 0\nbackoff_base = 0.01\nmax_retry_after = 0.1\n", encoding="utf-8")
    return path


@pytest.fixture
def new_process(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Forget the pace of every host, as a new process starts without one."""

    def start() -> None:
        monkeypatch.setattr(fetch, "PROCESS_PACES", Paces())

    start()
    return start


def _crawl(db: Path | str, config: Path, *args: str) -> int:
    return main(["crawl", *args, "--db", str(db), "--config", str(config), "--no-recover"])


def _pause(origin: str, seconds: float, asked_ago: float = 0.0) -> HostPause:
    asked = datetime.now(UTC) - timedelta(seconds=asked_ago)
    until = stored(asked + timedelta(seconds=seconds))
    return HostPause(origin, until, stored(asked), seconds)


def _origin(server: FaultServer) -> str:
    return server.base_url.rstrip("/")


def test_a_one_shot_crawl_after_a_retry_after_asks_the_host_nothing(
    tmp_path: Path,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    new_process: Callable[[], None],
) -> None:
    """The next cron run (a new process) asked robots.txt and the first page again at once,
    though the host had asked to be left alone for an hour."""
    db = tmp_path / "a.db"
    with FaultServer(listing_site(make_posts(4))) as server:
        server.fail("/", *BUSY)
        assert _crawl(db, config, "--url", server.base_url) == 3
        new_process()  # the next cron run
        asked = len(server.requests)
        capsys.readouterr()
        assert _crawl(db, config, "--url", server.base_url) == 3
        assert len(server.requests) == asked  # not even robots.txt
    captured = capsys.readouterr()
    assert captured.out == ""
    until = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"
    assert re.fullmatch(
        f"error: {re.escape(_origin(server))} asked to be left alone until {until}"
        r" \(Retry-After\): this crawl asked it nothing; crawl it again after then\n",
        captured.err,
    ), captured.err
    store = Store.open(db)
    (kept,) = rows(store, "SELECT origin, retry_after FROM host_pause")
    store.close()
    assert kept == {"origin": _origin(server), "retry_after": 3600.0}


def test_a_request_given_up_on_a_long_retry_after_leaves_the_host_alone_for_the_rest_of_the_run(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each attempt waited `max_retry_after` (0.1 s here), not the hour the host asked for;
    once the page was given up, the walk asked the next page number 0.1 s later."""
    with FaultServer(listing_site(make_posts(12))) as server:
        server.fail("/page/2/", *BUSY)
        assert _crawl(tmp_path / "a.db", config, "--url", server.base_url, "--full") == 1
        assert server.hits("/page/2/") == 4  # the attempts `retries` allows, as before
        assert server.hits("/page/3/") == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"failed: {server.base_url}page/2/: HTTP 429 (gave up after 4 attempts)"
    assert re.fullmatch(
        f"failed: {re.escape(server.base_url)}page/3/: {re.escape(_origin(server))} asked to be"
        r" left alone until .* UTC \(Retry-After\): this crawl asked it nothing; crawl it again"
        " after then",
        lines[1],
    ), lines


def test_an_expired_pause_is_ignored(
    tmp_path: Path,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    new_process: Callable[[], None],
) -> None:
    db = tmp_path / "a.db"
    with FaultServer(listing_site(make_posts(4))) as server:
        store = Store.open(db)
        keep_pauses(store.engine, [_pause(_origin(server), 60, asked_ago=61)])
        assert stored_pauses(store.engine) == {}
        store.close()
        assert _crawl(db, config, "--url", server.base_url) == 0
        assert server.hits("/") == 1


def test_a_shorter_later_answer_does_not_shorten_the_stored_pause(archive_db: Path | str) -> None:
    store = Store.open(archive_db)
    long, short = _pause("http://blog.test", 3600), _pause("http://blog.test", 10)
    other = _pause("https://other.test:8443", 20)
    keep_pauses(store.engine, [long])
    keep_pauses(store.engine, [short, other])
    assert stored_pauses(store.engine) == {long.origin: long, other.origin: other}
    longer = _pause("http://blog.test", 7200)
    keep_pauses(store.engine, [longer])
    assert stored_pauses(store.engine)[long.origin] == longer
    store.close()


def test_a_crawl_of_many_sites_skips_only_the_paused_one(
    archive_db: Path | str,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    new_process: Callable[[], None],
) -> None:
    """On SQLite and on PostgreSQL: the pause is stored, and the next crawl of every site
    asks that host nothing, with the message of a pause too long to wait among others."""
    db = str(archive_db)
    with (
        FaultServer(listing_site(make_posts(4))) as busy,
        FaultServer(listing_site(make_posts(4))) as calm,
    ):
        for server, name in ((busy, "busy"), (calm, "calm")):
            assert main(["sites", "add", server.base_url, "--name", name, "--db", db]) == 0
        busy.fail("/", *BUSY)
        assert _crawl(db, config) == 1
        new_process()
        asked = len(busy.requests)
        capsys.readouterr()
        assert _crawl(db, config) == 1
        assert len(busy.requests) == asked
        assert calm.hits("/") == 2
    lines = capsys.readouterr().out.splitlines()
    busy_line = next(line for line in lines if line.startswith("site busy:"))
    # what is left of the pause the first crawl was asked for, however long ago it ran
    left = re.search(
        r"error: the site asked for a pause \(Retry-After\) with (\d+) s of it", busy_line
    )
    assert left is not None and 3500 < int(left.group(1)) <= 3600
    assert any(line.startswith("site calm: crawl run") for line in lines)


def test_status_shows_the_hosts_still_paused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.db"
    store = Store.open(db)
    pause = _pause("http://blog.test", 3600)
    keep_pauses(store.engine, [pause, _pause("http://gone.test", 60, asked_ago=61)])
    store.close()
    capsys.readouterr()
    assert main(["status", "--json", "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out)["paused_hosts"] == [
        {
            "origin": "http://blog.test",
            "paused_until": pause.paused_until,
            "asked_at": pause.asked_at,
            "retry_after": 3600.0,
        }
    ]
    assert main(["status", "--db", str(db)]) == 0
    until = pause.paused_until[:19].replace("T", " ")
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"http://blog.test asked to be left alone until {until} UTC (Retry-After: 3600 s):"
        " no run asks it anything before then"
    )


def _fetch_with(stored_pause: HostPause, longest_pause: float | None = None) -> list[float]:
    """Fetch a page of SITE after an earlier run kept ``stored_pause``; return the sleeps."""
    time = FakeTime()
    router = respx.MockRouter(assert_all_called=False)
    router.get(SITE + "/").respond(200, text="<p>hi</p>")

    async def run() -> None:
        async with Fetcher(
            make_settings(max_retry_after=120), httpx.MockTransport(router.async_handler),
            sleep=time.sleep, clock=time.clock, longest_pause=longest_pause,
            stored_pauses={stored_pause.origin: stored_pause},
        ) as fetcher:  # fmt: skip
            await fetcher.fetch(SITE + "/")

    try:
        asyncio.run(run())
    finally:
        assert router.calls.call_count == (1 if time.sleeps else 0)
    return time.sleeps


def test_a_one_shot_fetch_waits_out_a_stored_pause_up_to_max_retry_after() -> None:
    (slept,) = _fetch_with(_pause(SITE, 60))
    assert 58 < slept <= 60


def test_a_stored_pause_longer_than_the_fetch_waits_sends_nothing() -> None:
    with pytest.raises(PausedByHostError, match="asked to be left alone until"):
        _fetch_with(_pause(SITE, 600))
    left = r"asked for a pause \(Retry-After\) with (8\d|90) s of it left"
    with pytest.raises(PausedByHostError, match=left):
        _fetch_with(_pause(SITE, 90), longest_pause=30)


def test_a_pause_ending_further_ahead_than_a_day_counts_as_a_day() -> None:
    year = _pause(SITE, 365 * 86_400)  # kept before the clock stepped back
    assert seconds_left(year) == LONGEST_HOST_PAUSE
    assert seconds_left(_pause(SITE, 60, asked_ago=90)) == 0.0


def test_status_of_one_site_finds_its_host_s_pause_however_its_url_is_spelt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fetcher keeps a pause under the host's one spelling; a site added as
    ``HTTP://Blog.Test:80/`` is that host, and its status says it is paused."""
    db = tmp_path / "a.db"
    assert main(["sites", "add", "HTTP://Blog.Test:80/", "--name", "blog", "--db", str(db)]) == 0
    store = Store.open(db)
    keep_pauses(store.engine, [_pause("http://blog.test", 3600)])
    store.close()
    capsys.readouterr()
    assert main(["status", "--site", "blog", "--json", "--db", str(db)]) == 0
    paused = json.loads(capsys.readouterr().out)["paused_hosts"]
    assert [pause["origin"] for pause in paused] == ["http://blog.test"]


def test_a_pause_being_waited_out_is_kept_when_the_run_is_stopped_meanwhile() -> None:
    """A crawl stopped (SIGTERM, Ctrl-C) while it waits out a Retry-After keeps the pause:
    the next run, a cron minute later, asks the host nothing before it is over."""
    router = respx.MockRouter(assert_all_called=False)
    router.get(SITE + "/").respond(503, headers={"Retry-After": "300"})

    async def stopped_while_waiting(seconds: float) -> None:
        raise asyncio.CancelledError

    async def run() -> list[HostPause]:
        fetcher = Fetcher(
            make_settings(max_retry_after=600), httpx.MockTransport(router.async_handler),
            sleep=stopped_while_waiting,
        )  # fmt: skip
        async with fetcher:
            with pytest.raises(asyncio.CancelledError):
                await fetcher.fetch(SITE + "/")
        return fetcher.pauses_asked()

    (kept,) = asyncio.run(run())
    assert (kept.origin, kept.retry_after) == (SITE, 300.0)
    assert 290 < seconds_left(kept) <= 300


def test_a_pause_already_over_is_not_kept() -> None:
    """A Retry-After of a second, waited out and answered, leaves nothing to keep."""
    router = respx.MockRouter(assert_all_called=False)
    router.get(SITE + "/").mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": "0"}), httpx.Response(200)]
    )

    async def run() -> list[HostPause]:
        time = FakeTime()
        fetcher = Fetcher(
            make_settings(), httpx.MockTransport(router.async_handler), sleep=time.sleep,
            clock=time.clock,
        )  # fmt: skip
        async with fetcher:
            await fetcher.fetch(SITE + "/")
        return fetcher.pauses_asked()

    assert asyncio.run(run()) == []
