"""Many sites crawled at once: every active site, one failing site holding up none."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import pytest

from feedkeeper.cli import main
from feedkeeper.config import Settings
from feedkeeper.fixture_site import FixtureServer
from feedkeeper.pipeline import CrawlOptions, crawl
from feedkeeper.run_summary import RunSummary
from feedkeeper.store import Store

from conftest import rows
from faultserver import FaultServer, listing_site, make_posts, status
from loopback import ToLoopback


@pytest.fixture
def db_path(archive_db: Path | str) -> Path | str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return archive_db


@pytest.fixture
def servers() -> Iterator[list[FixtureServer]]:
    """Three copies of the fixture blog, each on its own loopback port (its own host)."""
    with ExitStack() as stack:
        yield [stack.enter_context(FixtureServer()) for _ in range(3)]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections while the test runs: bound, never listening,
    so no other test's server (the suite runs in several processes) can take it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def _add(db: Path | str, url: str, name: str) -> None:
    assert main(["sites", "add", url, "--name", name, "--db", str(db)]) == 0


def test_crawl_without_url_crawls_every_active_site(
    servers: list[FixtureServer], db_path: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    for i, server in enumerate(servers):
        _add(db_path, server.base_url, f"blog{i}")
    assert main(["sites", "pause", "blog2", "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert main(["crawl", "--db", str(db_path), "--rate", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # Snapshot 01 of the fixture blog holds 7 posts over 2 listing pages.
    # Then one recovery of the placeholders the crawls found, from the article pages.
    assert [line.split(" run ")[0] for line in lines] == [
        "site blog0: crawl",
        "site blog1: crawl",
        "recover",
    ]
    assert all("ok: 2 pages" in line and "7 new posts" in line for line in lines[:2])
    store = Store.open(db_path)
    assert rows(store, "SELECT site, count(*) AS n FROM posts_current GROUP BY site") == [
        {"site": "blog0", "n": 7},
        {"site": "blog1", "n": 7},
    ]
    assert rows(store, "SELECT name, last_crawl_status FROM site_status ORDER BY name") == [
        {"name": "blog0", "last_crawl_status": "ok"},
        {"name": "blog1", "last_crawl_status": "ok"},
        {"name": "blog2", "last_crawl_status": None},
    ]
    store.close()


def test_a_site_that_cannot_be_reached_holds_up_no_other(
    servers: list[FixtureServer],
    closed_port: int,
    db_path: Path | str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEEDKEEPER_BACKOFF_BASE", "0")  # its four attempts, without waits
    _add(db_path, f"http://127.0.0.1:{closed_port}/", "gone")
    _add(db_path, servers[0].base_url, "blog")
    capsys.readouterr()
    code = main(["crawl", "--db", str(db_path), "--rate", "0"])
    captured = capsys.readouterr()
    assert code == 1
    assert "site blog: crawl run" in captured.out and "7 new posts" in captured.out
    assert "site gone: error:" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_crawl_site_crawls_only_that_site(
    servers: list[FixtureServer], db_path: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(db_path, servers[0].base_url, "a")
    _add(db_path, servers[1].base_url, "b")
    assert main(["crawl", "--site", "b", "--db", str(db_path), "--rate", "0"]) == 0
    assert servers[0].requests == []
    assert main(["crawl", "--site", "nope", "--db", str(db_path)]) == 2
    assert "no site named 'nope' (known: a, b)" in capsys.readouterr().err


def test_crawl_url_adds_the_site_when_missing(
    servers: list[FixtureServer], db_path: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = servers[0].base_url
    assert main(["crawl", "--url", url, "--db", str(db_path), "--rate", "0"]) == 0
    assert main(["crawl", "--url", url, "--db", str(db_path), "--rate", "0"]) == 0
    capsys.readouterr()
    assert main(["sites", "list", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == f"127.0.0.1  active  -  {url}\n"


def test_a_mistyped_url_leaves_no_site_behind(
    servers: list[FixtureServer],
    closed_port: int,
    db_path: Path | str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first crawl that archives nothing (no host there, no listing at that path) keeps
    no site for every later crawl of all sites to fail on; a site already known stays."""
    monkeypatch.setenv("FEEDKEEPER_RETRIES", "1")  # no host: no need to ask again
    db = str(db_path)
    dead = f"http://127.0.0.1:{closed_port}/blog/"
    assert main(["crawl", "--url", dead, "--db", db, "--rate", "0"]) == 3
    assert main(["crawl", "--url", servers[0].base_url + "no/such/listing/", "--db", db]) == 3
    capsys.readouterr()
    assert main(["sites", "list", "--db", db]) == 0
    assert capsys.readouterr().out.startswith("no sites yet")
    store = Store.open(db_path)
    # the failed runs stay on record, as runs of no site
    assert rows(store, "SELECT status, site_id FROM run ORDER BY id") == [
        {"status": "failed", "site_id": None},
        {"status": "failed", "site_id": None},
    ]
    store.close()
    _add(db_path, dead, "kept")  # added on purpose: kept whatever its crawls do
    assert main(["crawl", "--url", dead, "--db", db, "--rate", "0"]) == 3
    capsys.readouterr()
    assert main(["sites", "list", "--db", db]) == 0
    assert capsys.readouterr().out == f"kept  active  -  {dead}\n"


def _crawl_at(db: Path | str, url: str, server: FaultServer) -> RunSummary:
    """Crawl ``url``, whatever its host, from the loopback ``server``."""
    store = Store.open(db)
    try:
        options = CrawlOptions(transport=ToLoopback(server.port), in_process_parse=True)
        return crawl(store, Settings(url=url, db=db, rate=0), options)
    finally:
        store.close()


def test_a_site_crawled_at_its_new_address_goes_on_as_the_same_site(
    db_path: Path | str,
) -> None:
    """A blog that moved to https and to ``www.``, crawled at its new address, became a
    second site of the archive and every post was archived twice."""
    with FaultServer(listing_site(make_posts(6))) as server:
        assert _crawl_at(db_path, "http://blog.example/", server).counts.new_posts == 6
        moved = _crawl_at(db_path, "https://www.blog.example/", server)
        again = _crawl_at(db_path, "https://www.blog.example/", server)
    assert moved.exit_code == 0 and (moved.counts.new_posts, moved.counts.reposts) == (0, 0)
    assert again.counts.new_posts == 0
    store = Store.open(db_path)
    assert rows(store, "SELECT name, url, posts FROM site_status") == [
        {"name": "blog.example", "url": "https://www.blog.example/", "posts": 6}
    ]
    assert rows(store, "SELECT count(*) AS n FROM post_version") == [{"n": 6}]
    assert rows(store, "SELECT DISTINCT site_id FROM run") == [{"site_id": 1}]
    store.close()


def test_a_crawl_that_fails_at_a_new_address_leaves_the_site_where_it_was(
    db_path: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped ``m.`` is no move: the site keeps the address its crawls work at."""
    monkeypatch.setenv("FEEDKEEPER_RETRIES", "1")
    with FaultServer(listing_site(make_posts(2))) as server:
        assert _crawl_at(db_path, "https://blog.example/", server).counts.new_posts == 2
        server.fail("/", status(404))
        assert _crawl_at(db_path, "https://m.blog.example/", server).exit_code == 3
    store = Store.open(db_path)
    assert rows(store, "SELECT name, url FROM site") == [
        {"name": "blog.example", "url": "https://blog.example/"}
    ]
    store.close()


def test_a_crawl_queued_late_is_not_a_second_crawl_of_its_slot(
    servers: list[FixtureServer], db_path: Path | str
) -> None:
    """A job queued in one slot that starts in the next, where that slot's own job follows:
    the site is crawled once in the slot, and a crawl cut short does not count."""
    from datetime import UTC, datetime, timedelta

    from feedkeeper.config import Settings
    from feedkeeper.jobs import StopRequest, _crawl_site
    from feedkeeper.store.sites import find_site
    from feedkeeper.triggers import current_slot

    _add(db_path, servers[0].base_url, "a")
    store = Store.open(db_path)
    settings = Settings(db=db_path, rate=0, every="1h")
    site = find_site(store.engine, "a", asked_by="--site")
    now = datetime.now(UTC)
    previous = current_slot(site, settings, now - timedelta(hours=1))
    this = current_slot(site, settings, now)

    def crawls() -> list[str]:
        found = rows(store, "SELECT status FROM crawl_runs WHERE kind = 'crawl' ORDER BY id")
        return [r["status"] for r in found]

    asyncio.run(
        _crawl_site(store, settings, site.id, previous, StopRequest())
    )  # the late job: it crawls
    assert crawls() == ["ok"]
    asyncio.run(
        _crawl_site(store, settings, site.id, this, StopRequest())
    )  # this slot's own job: skipped
    assert crawls() == ["ok"]
    with store.engine.begin() as conn:  # the crawl was cut short after all
        conn.exec_driver_sql("UPDATE run SET status = 'interrupted'")
    asyncio.run(_crawl_site(store, settings, site.id, this, StopRequest()))
    assert crawls() == ["interrupted", "ok"]
    store.close()


def test_a_worker_s_crawl_recovers_its_site_s_placeholders_and_no_other_s(
    servers: list[FixtureServer], db_path: Path | str
) -> None:
    """As the daemon does after its crawl; the recovery run is the site's."""
    from feedkeeper.config import Settings
    from feedkeeper.jobs import StopRequest, _crawl_site
    from feedkeeper.store.sites import find_site

    _add(db_path, servers[0].base_url, "a")
    _add(db_path, servers[1].base_url, "b")
    assert main(["crawl", "--site", "b", "--no-recover", "--rate", "0", "--db", str(db_path)]) == 0
    store = Store.open(db_path)
    site = find_site(store.engine, "a", asked_by="--site")
    settings = Settings(db=db_path, rate=0, every="1h")
    asyncio.run(_crawl_site(store, settings, site.id, "slot", StopRequest()))
    runs = rows(store, "SELECT kind, site FROM crawl_runs ORDER BY id")
    assert [(r["kind"], r["site"]) for r in runs] == [
        ("crawl", "b"),
        ("crawl", "a"),
        ("recover", "a"),
    ]
    tried = rows(
        store,
        "SELECT s.name AS site, SUM(CASE WHEN ph.attempts > 0 THEN 1 ELSE 0 END) AS tried,"
        " COUNT(*) AS placeholders"
        " FROM placeholder ph JOIN post_version v ON v.id = ph.version_id"
        " JOIN post p ON p.id = v.post_id JOIN site s ON s.id = p.site_id"
        " GROUP BY s.name ORDER BY s.name",
    )
    # snapshot 01 of the fixture blog shows 5 placeholders
    assert [(r["site"], int(r["tried"]), r["placeholders"]) for r in tried] == [
        ("a", 5, 5),
        ("b", 0, 5),
    ]
    store.close()


def test_a_crawl_of_one_site_recovers_that_site_s_placeholders_in_a_run_of_its_own(
    servers: list[FixtureServer], db_path: Path | str
) -> None:
    _add(db_path, servers[0].base_url, "a")
    _add(db_path, servers[1].base_url, "b")
    assert main(["crawl", "--site", "b", "--no-recover", "--rate", "0", "--db", str(db_path)]) == 0
    assert main(["crawl", "--site", "a", "--rate", "0", "--db", str(db_path)]) == 0
    store = Store.open(db_path)
    runs = rows(store, "SELECT kind, site FROM crawl_runs ORDER BY id")
    assert [(r["kind"], r["site"]) for r in runs] == [
        ("crawl", "b"),
        ("crawl", "a"),
        ("recover", "a"),
    ]
    pending = rows(store, "SELECT COUNT(*) AS n FROM placeholder WHERE attempts = 0")
    assert pending == [{"n": 5}]  # b's, left for its own crawl (or `feedkeeper recover`)
    store.close()


def test_posts_current_lists_undated_posts_last_on_both_backends(
    servers: list[FixtureServer], db_path: Path | str
) -> None:
    _add(db_path, servers[0].base_url, "a")
    assert main(["crawl", "--site", "a", "--no-recover", "--rate", "0", "--db", str(db_path)]) == 0
    store = Store.open(db_path)
    listed = [r["published"] for r in rows(store, "SELECT published FROM posts_current")]
    store.close()
    dated = [day for day in listed if day is not None]
    assert dated and len(dated) < len(listed)  # snapshot 01 shows undated posts too
    assert listed == sorted(dated, reverse=True) + [None] * (len(listed) - len(dated))


def test_a_site_that_asks_for_a_long_pause_holds_up_no_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site answering `Retry-After: 100` held the crawl of every site (and the daemon's
    next tick, and the archive's lock) for minutes; its crawl stops at that page instead,
    and its next crawl asks nothing of it while the pause lasts."""
    db = tmp_path / "a.db"
    with (
        FaultServer(listing_site(make_posts(8), per_page=4)) as busy,
        FaultServer(listing_site(make_posts(4), per_page=4)) as calm,
    ):
        busy.fail("/page/2/", status(429, retry_after="100"))
        _add(db, busy.base_url, "busy")
        _add(db, calm.base_url, "calm")
        capsys.readouterr()
        started = time.monotonic()
        assert main(["crawl", "--db", str(db), "--rate", "0", "--no-recover"]) == 1
        assert time.monotonic() - started < 20
        lines = capsys.readouterr().out.splitlines()
        assert busy.hits("/page/2/") == 1  # not asked again: the pause is longer than waited
        assert any(line.startswith("site calm: crawl") and " ok: " in line for line in lines)
        busy_line = next(line for line in lines if line.startswith("site busy:"))
        assert "partial" in busy_line, lines
        assert main(["crawl", "--db", str(db), "--rate", "0", "--no-recover"]) == 1
        assert busy.hits("/") == 1 and busy.hits("/page/2/") == 1  # the pause still lasts
        assert busy.hits("/robots.txt") == 1
    store = Store.open(db)
    failed = rows(store, "SELECT url, error FROM page_fetch WHERE outcome = 'failed'")
    last = rows(store, "SELECT status, message FROM run WHERE site_id = 1 ORDER BY id DESC")[0]
    store.close()
    assert failed == [
        {
            "url": busy.base_url + "page/2/",
            "error": "the site asked for a pause of 100 s (Retry-After): this crawl stops"
            " here, and the next one goes on after it",
        }
    ]
    assert last["status"] == "failed"
    assert "asked for a pause (Retry-After) with" in last["message"]


def test_a_site_purged_while_a_worker_crawls_it_ends_its_job_quietly(
    pg_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sites remove --purge` during a worker's crawl of the site: the crawl's next write
    raised a foreign-key violation, logged with its SQL and retried three times."""
    from feedkeeper.config import Settings
    from feedkeeper.jobs import StopRequest, _crawl_site
    from feedkeeper.store.sites import find_site, remove_site
    from slow_sites import SlowSite

    from conftest import new_pg_database

    db = new_pg_database(pg_server)
    with SlowSite(0.5) as site:
        _add(db, site.base_url, "slow")
        capsys.readouterr()
        store = Store.open(db)
        found = find_site(store.engine, "slow", asked_by="--site")

        async def purge_mid_crawl() -> None:
            crawl = asyncio.create_task(
                _crawl_site(store, Settings(db=db, rate=0), found.id, "slot", StopRequest())
            )
            while not site.log:  # robots.txt answered: the first page is on its way
                await asyncio.sleep(0.02)
            await asyncio.to_thread(
                remove_site, store.engine, "slow", purge=True, asked_by="sites remove"
            )
            await crawl  # it raised sqlalchemy's IntegrityError, for procrastinate to retry

        asyncio.run(purge_mid_crawl())
        assert rows(store, "SELECT count(*) AS n FROM post") == [{"n": 0}]
        store.close()
    said = capsys.readouterr().err
    assert (
        "WARNING site slow: removed with everything archived from it while it was crawled:"
        " its crawl stopped"
    ) in [line.split(" ", 1)[-1] for line in said.splitlines()]
    assert "Traceback" not in said


def test_a_site_paused_while_a_worker_crawls_it_stops_its_crawl(
    db_path: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sites pause` while a worker crawls the site: the crawl ran on to the listing's last
    page; it now stops after the page in flight (within ``SITE_LOOK_SECONDS``), its run
    interrupted, for a later slot to crawl again once the site is resumed."""
    from feedkeeper.config import Settings
    from feedkeeper.jobs import StopRequest, _crawl_site
    from feedkeeper.records import SiteState
    from feedkeeper.store.sites import find_site, set_state

    # 12 listing pages, a third of a second each, one at a time: about 4 s to walk them all.
    with FaultServer(listing_site(make_posts(48), per_page=4), delay=0.33) as server:
        _add(db_path, server.base_url, "slow")
        store = Store.open(db_path)
        found = find_site(store.engine, "slow", asked_by="--site")
        settings = Settings(db=db_path, rate=0, concurrency=1)

        async def pause_mid_crawl() -> None:
            crawl = asyncio.create_task(
                _crawl_site(store, settings, found.id, "slot", StopRequest())
            )
            while server.hits("/") == 0:  # the first page is asked for
                await asyncio.sleep(0.02)
            await asyncio.to_thread(
                set_state, store.engine, "slow", SiteState.PAUSED, asked_by="sites pause"
            )
            await crawl

        asyncio.run(pause_mid_crawl())
        runs = rows(store, "SELECT kind, status FROM crawl_runs ORDER BY id")
        listed = [seen.path for seen in server.requests if seen.path != "/robots.txt"]
        store.close()
    assert runs == [{"kind": "crawl", "status": "interrupted"}]
    assert 2 <= len(listed) <= 10  # stopped within about 2 s of the pause, not at page 12
    said = [line.split(" ", 1)[-1] for line in capsys.readouterr().err.splitlines()]
    assert (
        "WARNING site slow: paused while it was crawled: its crawl stopped after the page in flight"
    ) in said


def test_a_post_edited_as_its_site_moved_stays_one_post(db_path: Path | str) -> None:
    """A post whose excerpt changed between the last crawl at the old address and the first
    at the new one was a new post: its text told nothing, and its URL was spelt anew."""
    posts = make_posts(6)
    with FaultServer(listing_site(posts)) as server:
        assert _crawl_at(db_path, "http://blog.example/", server).counts.new_posts == 6
        edited = replace(posts[2], excerpt="这篇文章改写了：梯度同步的细节另见下一篇。")
        server.publish(listing_site([*posts[:2], edited, *posts[3:]]))
        moved = _crawl_at(db_path, "https://www.blog.example/", server)
        again = _crawl_at(db_path, "https://www.blog.example/", server)
    assert (moved.counts.new_posts, moved.counts.new_versions) == (0, 1)
    assert (again.counts.new_posts, again.counts.new_versions) == (0, 0)
    store = Store.open(db_path)
    slug = posts[2].slug
    assert rows(
        store, "SELECT url FROM post_url WHERE url LIKE :s ORDER BY url", s=f"%{slug}%"
    ) == [
        {"url": f"http://blog.example/posts/{slug}/"},
        {"url": f"https://www.blog.example/posts/{slug}/"},
    ]
    store.close()
