"""End to end against a misbehaving loopback server: faults, encodings, 304s, bad
input, reparse, the database lock, and a crawl killed with SIGKILL."""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from feedkeeper.cards import ParsedPage
from feedkeeper.cli import main
from feedkeeper.config import Settings
from feedkeeper.errors import ParseError
from feedkeeper.parse import Profile, parse_listing
from feedkeeper.pipeline import CrawlOptions, crawl
from feedkeeper.store import Store, exclusive_lock

from faultserver import (
    FaultServer,
    Post,
    Resource,
    drop,
    listing_site,
    make_posts,
    page_path,
    slow,
    status,
)

# Ten posts, four to a page: "/", "/page/2/", "/page/3/".
POSTS = make_posts(10)
EXPECTED_TITLE = "笔记第10篇：分布式训练与自动求导"  # the newest post, first on "/"
CRASH_TEST = "test_crawl_killed_mid_run_resumes_to_the_same_archive"
# Importing feedkeeper takes seconds: crawl subprocesses start early and wait for their
# command line in a go-file.
WAIT_THEN_RUN = """
import json, sys, time
from pathlib import Path
from feedkeeper.cli import main
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.01)
sys.exit(main(json.loads(go.read_text())))
"""


@dataclass(frozen=True, slots=True)
class Result:
    """What one command printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def no_leftover_log_handlers() -> Iterator[None]:
    """Root log handlers left by other tests may point at closed streams; set them aside."""
    root = logging.getLogger()
    kept = root.handlers[:]
    for handler in kept:
        root.removeHandler(handler)
    yield
    for handler in kept:
        root.addHandler(handler)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """Settings for fast tests: no pacing, short backoff, short lock wait."""
    path = tmp_path / "feedkeeper.toml"
    path.write_text(
        "rate = 0\nbackoff_base = 0.01\nmax_retry_after = 0.1\nlock_timeout = 0.3\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(listing_site(POSTS)) as running:
        yield running


class Cli:
    """Runs ``feedkeeper`` in-process against one archive and one config."""

    def __init__(self, db: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self.config = config
        self.capsys = capsys

    def __call__(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = main([*args, "--db", str(self.db), "--config", str(self.config)])
        captured = self.capsys.readouterr()
        assert "Traceback" not in captured.err
        return Result(code, captured.out, captured.err)

    def crawl(self, url: str, *args: str) -> Result:
        return self("crawl", "--url", url, *args)


@pytest.fixture
def cli(db_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(db_path, config, capsys)


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def titles(db: Path) -> set[str]:
    return {row[0] for row in query(db, "SELECT title FROM post_version")}


def last_run(db: Path) -> dict[str, Any]:
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM run ORDER BY id DESC LIMIT 1").fetchone())


def failure_line(server: FaultServer, path: str, error: str) -> str:
    return f"failed: {server.base_url.rstrip('/')}{path}: {error}"


# Faults the fetcher rides out


def test_crawl_rides_out_503_429_and_dropped_connections(cli: Cli, server: FaultServer) -> None:
    server.fail("/", status(503))
    server.fail("/page/2/", status(429, Retry_After="1"), drop())
    server.fail("/page/3/", drop(), status(502))
    result = cli.crawl(server.base_url)
    assert result.code == 0, result.err
    assert result.out.startswith("crawl run 1 ok: 3 pages (0 not modified, 0 failed), 10 cards")
    assert (server.hits("/"), server.hits("/page/2/"), server.hits("/page/3/")) == (2, 3, 3)
    assert query(cli.db, "SELECT count(*) FROM post") == [(10,)]
    assert EXPECTED_TITLE in titles(cli.db)


def test_page_that_keeps_failing_is_reported_and_the_rest_continues(
    cli: Cli, server: FaultServer
) -> None:
    first = cli.crawl(server.base_url)
    assert first.code == 0
    server.publish(listing_site(make_posts(12)))  # two new posts: every page changes
    server.fail("/page/2/", *[status(503)] * 4)
    result = cli.crawl(server.base_url)
    assert result.code == 1
    assert failure_line(server, "/page/2/", "HTTP 503 (gave up after 4 attempts)") in result.err
    # Said once: the log's warnings of the page and the run's end are the summary's to say.
    assert result.err.count("HTTP 503") == 1 and "partial in" not in result.err
    assert "crawl run 2 partial: 2 pages (0 not modified, 1 failed)" in result.out
    # The failed page's known successor was still walked.
    assert server.hits("/page/3/") == 2
    run = last_run(cli.db)
    assert (run["status"], run["pages_failed"]) == ("partial", 1)
    assert query(cli.db, "SELECT count(*) FROM post") == [(12,)]


def test_next_run_completes_a_partial_crawl(cli: Cli, server: FaultServer) -> None:
    server.fail("/page/2/", *[status(500)] * 4)
    assert cli.crawl(server.base_url).code == 1
    # The walk went past the failed page to /page/3/, the next in the site's URL pattern.
    assert query(cli.db, "SELECT count(*) FROM post") == [(6,)]
    result = cli.crawl(server.base_url)
    assert result.code == 0
    assert "the previous crawl did not finish" in result.err
    assert query(cli.db, "SELECT count(*) FROM post") == [(10,)]


def test_unreachable_site_exits_3(cli: Cli) -> None:
    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    result = cli.crawl(url)
    assert result.code == 3
    expected = (
        f"error: robots.txt of {url.rstrip('/')} is unreachable:"
        " cannot connect (gave up after 4 attempts)"
    )
    assert expected in result.err.splitlines()
    ignored = cli.crawl(url, "--ignore-robots")
    assert ignored.code == 3
    assert f"failed: {url}: cannot connect (gave up after 4 attempts)" in ignored.err


# Politeness


def test_robots_disallow_stops_the_crawl_with_exit_3(cli: Cli, config: Path) -> None:
    site = listing_site(POSTS, robots="User-agent: *\nDisallow: /\n")
    with FaultServer(site) as server:
        result = cli.crawl(server.base_url)
        assert result.code == 3
        expected = (
            f"error: robots.txt of {server.base_url.rstrip('/')} disallows {server.base_url}"
            " (pass --ignore-robots only for a site you run)"
        )
        assert expected in result.err.splitlines()
        assert [seen.path for seen in server.requests] == ["/robots.txt"]
        assert last_run(cli.db)["status"] == "failed"

        ignored = cli.crawl(server.base_url, "--ignore-robots")
        assert ignored.code == 0
        assert server.hits("/robots.txt") == 1


def test_robots_disallowed_later_page_is_a_failed_page_of_a_partial_run(cli: Cli) -> None:
    """The pages before it are archived (and their placeholders recovered) as in any partial
    run; the walk goes on to the pages robots.txt allows."""
    site = listing_site(make_posts(14), robots="User-agent: feedkeeper\nDisallow: /page/3/\n")
    with FaultServer(site) as server:
        result = cli.crawl(server.base_url)
        assert result.code == 1
        expected = (
            f"robots.txt of {server.base_url.rstrip('/')} disallows {server.base_url}page/3/"
            " (pass --ignore-robots only for a site you run)"
        )
        assert failure_line(server, "/page/3/", expected) in result.err
        assert server.hits("/page/3/") == 0
        assert server.hits("/page/4/") == 1
        assert query(cli.db, "SELECT count(*) FROM post") == [(10,)]  # pages 1, 2 and 4
        assert last_run(cli.db)["status"] == "partial"


def test_requests_name_feedkeeper_and_the_contact(cli: Cli, server: FaultServer) -> None:
    cli.config.write_text(
        cli.config.read_text() + 'contact = "https://example.org/archive-bot"\n', "utf-8"
    )
    assert cli.crawl(server.base_url).code == 0
    agents = {seen.headers["User-Agent"] for seen in server.requests}
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("feedkeeper/")
    assert agent.endswith("(+https://example.org/archive-bot)")


def test_off_site_redirect_is_refused_and_reported(cli: Cli, server: FaultServer) -> None:
    server.fail("/page/2/", status(302, Location="http://elsewhere.invalid/page/2/"))
    result = cli.crawl(server.base_url)
    assert result.code == 1
    expected = "redirected off the site to http://elsewhere.invalid/page/2/ (refused)"
    assert failure_line(server, "/page/2/", expected) in result.err


# Conditional GET


def test_rerun_sends_validators_and_a_304_creates_nothing(cli: Cli, server: FaultServer) -> None:
    assert cli.crawl(server.base_url).code == 0
    before = query(
        cli.db, "SELECT count(*) FROM post_version UNION ALL SELECT count(*) FROM sighting"
    )
    result = cli.crawl(server.base_url)
    assert result.code == 0
    assert result.out.startswith("crawl run 2 ok: 0 pages (1 not modified, 0 failed), 0 cards")
    rerun = [seen for seen in server.requests if seen.path == "/"][-1]
    assert rerun.headers["If-None-Match"] == listing_site(POSTS)["/"].etag
    assert rerun.headers["If-Modified-Since"] == "Sun, 11 Jan 2026 08:00:00 GMT"
    assert server.hits("/page/2/") == 1  # nothing new on page 1: the walk stopped there
    after = query(
        cli.db, "SELECT count(*) FROM post_version UNION ALL SELECT count(*) FROM sighting"
    )
    assert after == before
    assert query(cli.db, "SELECT outcome, body_sha256 FROM page_fetch WHERE run_id = 2") == [
        ("not_modified", None)
    ]


def test_a_validator_no_request_can_carry_is_not_sent_and_the_page_is_fetched_whole(
    cli: Cli, server: FaultServer
) -> None:
    """A site's ETag with a byte beyond ASCII, kept by an earlier version: every later crawl
    failed on it ("UnicodeEncodeError")."""
    assert cli.crawl(server.base_url).code == 0
    with closing(sqlite3.connect(cli.db)) as conn, conn:
        conn.execute(
            "UPDATE page_fetch SET etag = '\"caf\u00e9\"', last_modified = 'lundi \u00e9t\u00e9'"
        )
    result = cli.crawl(server.base_url)
    assert result.code == 0, result.err
    assert result.out.startswith("crawl run 2 ok: 1 pages (0 not modified, 0 failed)")
    rerun = [seen for seen in server.requests if seen.path == "/"][-1]
    assert "If-None-Match" not in rerun.headers and "If-Modified-Since" not in rerun.headers


def test_a_page_that_could_not_be_parsed_leaves_no_validators(
    cli: Cli, server: FaultServer
) -> None:
    """A maintenance page kept its ETag: the next crawls sent it, were answered 304 and
    ended "ok" having read nothing, until the page changed (a --profile never got to it)."""
    site = listing_site(POSTS)
    server.publish(
        {**site, "/": Resource(b"<html><body><p>Down for maintenance.</p></body></html>")}
    )
    assert cli.crawl(server.base_url).code == 3
    again = cli.crawl(server.base_url)
    assert again.code == 3, again.out
    rerun = [seen for seen in server.requests if seen.path == "/"][-1]
    assert "If-None-Match" not in rerun.headers and "If-Modified-Since" not in rerun.headers
    server.publish(site)  # the listing back: read whole, its next pages walked
    assert cli.crawl(server.base_url).code == 0
    assert query(cli.db, "SELECT count(*) FROM post") == [(len(POSTS),)]


def test_304_costs_no_parse(cli: Cli, server: FaultServer) -> None:
    assert cli.crawl(server.base_url).code == 0

    def must_not_parse(*args: object) -> ParsedPage:
        raise AssertionError("a 304 was parsed")

    store = Store.open(cli.db)
    settings = Settings(url=server.base_url, db=cli.db, rate=0)
    summary = crawl(store, settings, CrawlOptions(listing_parser=must_not_parse))
    store.close()
    assert summary.exit_code == 0
    assert summary.counts.pages_not_modified > 0


# Encodings


@pytest.mark.parametrize("declare", ["header", "meta", "http-equiv"])
def test_gbk_site_is_archived_as_chinese(cli: Cli, declare: str) -> None:
    with FaultServer(listing_site(POSTS, encoding="gbk", declare=declare)) as server:
        assert cli.crawl(server.base_url).code == 0
    assert EXPECTED_TITLE in titles(cli.db)
    excerpt = query(cli.db, "SELECT excerpt FROM post_version WHERE title = ?", EXPECTED_TITLE)
    assert excerpt == [
        ("这是第10篇文章的摘要，讲的是梯度如何在多张显卡之间同步，以及为什么要这样做。",)
    ]
    assert query(cli.db, "SELECT DISTINCT encoding FROM page_fetch") == [("gb18030",)]


# Bad input: kept for reparse, counted, reported, never a traceback


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", "not a text page (image/png)"),
        (
            b"%PDF-1.4 text only",
            "application/pdf",
            "not an HTML page (Content-Type application/pdf)",
        ),
        (b"\x00\x01binary\x00", "text/html", "not a text page (text/html)"),
        (b"", "text/html; charset=utf-8", "no post cards found on the page"),
        (
            b"<html><body><div><p>unclosed <b>nothing",
            "text/html",
            "no post cards found on the page",
        ),
    ],
)
def test_unusable_page_is_kept_and_reported(
    cli: Cli, server: FaultServer, body: bytes, content_type: str, error: str
) -> None:
    site = listing_site(POSTS)
    site["/page/2/"] = Resource(body, content_type)
    server.publish(site)
    result = cli.crawl(server.base_url)
    assert result.code == 1
    assert failure_line(server, "/page/2/", error) in result.err
    kept = query(
        cli.db,
        "SELECT f.outcome, f.error, b.size FROM page_fetch f"
        " LEFT JOIN page_body b ON b.sha256 = f.body_sha256 WHERE f.url LIKE '%/page/2/'",
    )
    assert kept == [("unparseable", error, len(body))]
    # The walk went on past the unusable page to /page/3/.
    assert query(cli.db, "SELECT count(*) FROM post") == [(6,)]


def test_unusable_first_page_means_nothing_archived(cli: Cli, server: FaultServer) -> None:
    server.publish({"/": Resource(b"\x00\x00", "application/octet-stream")})
    result = cli.crawl(server.base_url)
    assert result.code == 3
    assert failure_line(server, "/", "not a text page (application/octet-stream)") in result.err


def test_card_missing_its_fields_is_skipped_and_counted(cli: Cli, server: FaultServer) -> None:
    site = listing_site(POSTS)
    blank = '<article class="post"><h2 class="post-title"></h2><p class="excerpt"></p></article>'
    html = site["/"].body.decode().replace("</main>", blank + "</main>")
    site["/"] = Resource(html.encode(), site["/"].content_type)
    server.publish(site)
    result = cli.crawl(server.base_url)
    assert result.code == 0
    assert "10 cards (1 skipped)" in result.out
    assert last_run(cli.db)["cards_skipped"] == 1
    assert query(cli.db, "SELECT count(*) FROM post") == [(10,)]


def test_file_that_is_not_a_capture_is_kept_and_reported(cli: Cli, tmp_path: Path) -> None:
    image = tmp_path / "screenshot.txt"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    prose = tmp_path / "notes.txt"
    prose.write_text("hello\n", encoding="utf-8")
    result = cli("import", str(image), str(prose))
    assert result.code == 1
    assert f"failed: {image}: not a text capture: its bytes are binary data" in result.err
    assert "save it as UTF-8" in result.err
    assert f"failed: {prose}: not a text capture of a listing: no post cards found" in result.err
    assert query(cli.db, "SELECT count(*) FROM post") == [(0,)]
    kept = query(cli.db, "SELECT outcome, body_sha256 IS NOT NULL FROM page_fetch ORDER BY id")
    assert kept == [("unparseable", 1), ("unparseable", 1)]


# reparse


def test_reparse_rederives_versions_without_refetching_or_duplicating(
    cli: Cli, server: FaultServer
) -> None:
    def older_parser(html: str, url: str, profile: Profile | None = None) -> ParsedPage:
        """A parser that could not read excerpts, and choked on the last page."""
        if url.endswith("/page/3/"):
            raise ParseError("no post cards found on the page")
        page = parse_listing(html, url, profile)
        page.cards = [replace(card, excerpt=None, truncated=False) for card in page.cards]
        return page

    store = Store.open(cli.db)
    settings = Settings(url=server.base_url, db=cli.db, rate=0)
    summary = crawl(store, settings, CrawlOptions(listing_parser=older_parser))
    store.close()
    assert summary.exit_code == 1
    assert query(cli.db, "SELECT count(*), count(excerpt) FROM post_version") == [(8, 0)]

    requests = len(server.requests)
    for _ in range(2):  # twice: a second reparse changes nothing
        result = cli("reparse")
        assert result.code == 0, result.err
        assert query(cli.db, "SELECT count(*), count(DISTINCT url) FROM post") == [(10, 10)]
        assert query(cli.db, "SELECT count(*), count(excerpt) FROM post_version") == [(10, 10)]
        assert query(cli.db, "SELECT max(version) FROM post_version") == [(1,)]
    assert len(server.requests) == requests
    assert _versions(cli.db) == _expected_versions(POSTS)


def test_a_reparse_that_cannot_read_pages_the_archive_read_changes_nothing(
    cli: Cli, server: FaultServer, tmp_path: Path
) -> None:
    """A profile's typo: every post, version and recovered text is kept."""
    assert cli.crawl(server.base_url).code == 0
    before = query(cli.db, "SELECT count(*) FROM post"), _versions(cli.db)
    typo = tmp_path / "typo.toml"
    typo.write_text('card = "article.nowhere"\n', encoding="utf-8")
    result = cli("reparse", "--profile", str(typo))
    assert result.code == 1
    assert result.err.strip().endswith("; nothing was changed")
    assert "of the pages the archive read cannot be read now" in result.err
    assert (query(cli.db, "SELECT count(*) FROM post"), _versions(cli.db)) == before
    assert query(cli.db, "SELECT status FROM run WHERE kind = 'reparse'") == [("failed",)]


def _expected_versions(posts: list[Post]) -> set[tuple[Any, ...]]:
    return {(f"/posts/{p.slug}/", 1, p.title, p.excerpt, p.published) for p in posts}


def _versions(db: Path) -> set[tuple[Any, ...]]:
    rows = query(
        db,
        "SELECT p.url, v.version, v.title, v.excerpt, v.published"
        " FROM post_version v JOIN post p ON p.id = v.post_id",
    )
    return {("/" + url.split("/", 3)[3], *rest) for url, *rest in rows}


# The writer lock


def test_second_run_waits_then_exits_4(cli: Cli, server: FaultServer) -> None:
    with exclusive_lock(cli.db, timeout=1):
        started = time.monotonic()
        result = cli.crawl(server.base_url)
        waited = time.monotonic() - started
    assert result.code == 4
    assert f"error: another crawl holds {cli.db}" in result.err.splitlines()
    assert waited >= 0.3
    assert server.requests == []
    assert not cli.db.exists()


# SIGKILL mid-crawl


def _snapshot_b() -> list[Post]:
    """The blog later: two new posts on top, and one retitled post on every page of two."""
    posts = make_posts(12)
    return [
        replace(p, title=p.title.replace("笔记", "修订")) if index % 2 == 1 else p
        for index, p in enumerate(posts)
    ]


def _posts(db: Path) -> set[tuple[Any, ...]]:
    rows = query(
        db,
        "SELECT p.url, p.current_version, v.title, v.excerpt, v.published FROM post p"
        " JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version",
    )
    return {("/" + url.split("/", 3)[3], *rest) for url, *rest in rows}


def _assert_pages_whole(db: Path) -> None:
    """Every stored page has all its sightings: no page was half written."""
    mismatched = query(
        db,
        "SELECT f.id FROM page_fetch f WHERE f.outcome = 'parsed' AND f.cards !="
        " (SELECT count(*) FROM sighting s WHERE s.run_id = f.run_id AND s.page_url = f.url)",
    )
    assert mismatched == []


class Crawler:
    """A ``feedkeeper`` subprocess, imported ahead, that runs the command given to ``start``."""

    def __init__(self, go: Path) -> None:
        self.go = go
        self.process = subprocess.Popen(
            [sys.executable, "-c", WAIT_THEN_RUN, str(go)],
            cwd=go.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if not k.startswith("FEEDKEEPER_")},
        )

    def start(self, *args: str) -> None:
        ready = self.go.with_suffix(".tmp")
        ready.write_text(json.dumps(args), encoding="utf-8")
        ready.replace(self.go)  # atomically: the process never reads half a command

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@pytest.fixture(scope="module")
def crawlers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Crawler]]:
    """Two crawl subprocesses, importing while the module's other tests run."""
    folder = tmp_path_factory.mktemp("crawlers")
    started = [Crawler(folder / f"go-{n}") for n in range(2)]
    yield started
    for crawler in started:
        crawler.kill()


@pytest.fixture(scope="module", autouse=True)
def warm_up_crawlers(request: pytest.FixtureRequest) -> None:
    """Start the crawl subprocesses with the module, if the crash test is to run."""
    if any(item.name == CRASH_TEST for item in request.session.items):
        request.getfixturevalue("crawlers")


def _wait_for(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the crawl subprocess made no progress"
        time.sleep(0.01)


def _crawl_args(url: str, cli: Cli) -> list[str]:
    return ["crawl", "--url", url, "--db", str(cli.db), "--config", str(cli.config)]


def _kill_while_page_3_is_on_its_way(server: FaultServer, crawler: Crawler, cli: Cli) -> None:
    base = server.base_url.rstrip("/")
    first_two = {base + page_path(1), base + page_path(2)}
    server.fail(page_path(3), slow(5.0))
    crawler.start(*_crawl_args(server.base_url, cli))
    _wait_for(lambda: _urls_of_run(cli.db, 2) >= first_two)
    locked_out = cli.crawl(server.base_url)  # meanwhile, a second crawl of the same archive
    committed = _urls_of_run(cli.db, 2)
    crawler.kill()
    assert locked_out.code == 4
    assert f"error: another crawl holds {cli.db}" in locked_out.err.splitlines()
    assert _urls_of_run(cli.db, 2) == committed == first_two  # page 3 was still on its way


def _urls_of_run(db: Path, run_id: int) -> set[str]:
    if not db.exists():
        return set()
    try:
        return {url for (url,) in query(db, "SELECT url FROM page_fetch WHERE run_id = ?", run_id)}
    except sqlite3.OperationalError:  # the crawl has not created its tables yet
        return set()


def _kill_at_a_random_moment(server: FaultServer, crawler: Crawler, cli: Cli) -> None:
    asked_before = len(server.requests)
    server.delay = 0.15  # six pages: the run lasts about a second
    crawler.start(*_crawl_args(server.base_url, cli))
    _wait_for(lambda: len(server.requests) > asked_before)
    time.sleep(random.uniform(0.0, 0.8))
    crawler.kill()
    server.delay = 0.0


@pytest.mark.slow
def test_crawl_killed_mid_run_resumes_to_the_same_archive(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str], crawlers: list[Crawler]
) -> None:
    reference, *killed = (Cli(tmp_path / f"{n}.db", config, capsys) for n in ("ref", "k1", "k2"))
    with FaultServer(listing_site(make_posts(10), per_page=2)) as server:
        for cli in (reference, *killed):
            assert cli.crawl(server.base_url).code == 0
        server.publish(listing_site(_snapshot_b(), per_page=2))
        assert reference.crawl(server.base_url).code == 0
        _kill_while_page_3_is_on_its_way(server, crawlers[0], killed[0])
        _kill_at_a_random_moment(server, crawlers[1], killed[1])

        for cli in killed:
            assert query(cli.db, "PRAGMA integrity_check") == [("ok",)]
            _assert_pages_whole(cli.db)
            resumed = cli.crawl(server.base_url)
            assert resumed.code == 0, resumed.err
            assert query(cli.db, "PRAGMA integrity_check") == [("ok",)]
            _assert_pages_whole(cli.db)
            assert _posts(cli.db) == _posts(reference.db)
            assert _versions(cli.db) == _versions(reference.db)
    assert len(_posts(reference.db)) == 12
    assert {version for _, version, *_ in _versions(reference.db)} == {1, 2}
    # The killed run never wrote its counters: they are what it committed, pages 1 and 2.
    interrupted = "SELECT status, pages, pages_failed, cards FROM run WHERE id = 2"
    assert query(killed[0].db, interrupted) == [("interrupted", 2, 0, 4)]
