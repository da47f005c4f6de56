"""What a hostile site cannot do: each behaviour of ``hostile.HostileServer`` against a real crawl.

Bounded work (decompression bombs, deep pages, bogus charsets, Crawl-delay,
SIGTERM mid-parse), the site's own origin and nothing else, robots.txt as
RFC 9309 says, and walks that end.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from feedkeeper.article import extract_article
from feedkeeper.config import Settings
from feedkeeper.errors import ConfigError, ParseError, RobotsDisallowedError
from feedkeeper.fetch import Fetcher
from feedkeeper.markup import time_budget
from feedkeeper.page_reader import read_page
from feedkeeper.parse import parse_listing
from feedkeeper.pipeline import CrawlOptions, RunSummary, crawl_async
from feedkeeper.recover import REASON_OUTSIDE, recover
from feedkeeper.schedule import Daemon
from feedkeeper.scope import is_in_scope
from feedkeeper.store import Store
from hostile import (
    Answer,
    HostileServer,
    bomb_answer,
    card,
    cards_for,
    listing,
    nested_page,
    page,
    redirect,
    robots,
)

ROOT = Path(__file__).resolve().parents[1]
# The whole crawl process, whatever the page: the interpreter and its imports take ~80 MB.
MAX_RSS_MB = 300
PLACEHOLDER_EXCERPT = "先看这段 [代码] 再往下读，梯度同步的细节都在里面。"


@pytest.fixture
def site() -> Iterator[HostileServer]:
    """A hostile server, started empty; tests add its routes."""
    with HostileServer() as server:
        yield server


@pytest.fixture
def other() -> Iterator[HostileServer]:
    """A second server on another port of the same host (an admin page, say)."""
    with HostileServer() as server:
        yield server


def settings(server: HostileServer, db: Path, **changes: Any) -> Settings:
    """Quick settings for a loopback crawl: no pacing, one attempt, no backoff."""
    values: dict[str, Any] = {"url": server.base_url, "db": db, "rate": 0, "retries": 1}
    values.update(changes)
    return Settings(**values)


def run_crawl(server: HostileServer, db: Path, **changes: Any) -> RunSummary:
    """Crawl ``server`` into ``db``, failing the test if it takes over 60 s."""
    store = Store.open(db)
    try:

        async def bounded() -> RunSummary:
            return await asyncio.wait_for(
                crawl_async(store, settings(server, db, **changes), CrawlOptions()), 60
            )

        return asyncio.run(bounded())
    finally:
        store.close()


def errors(summary: RunSummary) -> dict[str, str]:
    """The failed pages of a run, path -> message."""
    base = summary_base(summary)
    return {f["url"].removeprefix(base): f["error"] for f in summary.counts.failures}


def summary_base(summary: RunSummary) -> str:
    url = summary.counts.failures[0]["url"] if summary.counts.failures else ""
    return url[: url.index("/", len("http://"))] if url else ""


def post_urls(db: Path) -> list[str]:
    store = Store.open(db)
    try:
        from sqlalchemy import text

        with store.engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT url FROM post ORDER BY url"))]
    finally:
        store.close()


@dataclass(frozen=True, slots=True)
class Measured:
    """A feedkeeper process that ran to its end: exit code, output, peak memory."""

    code: int
    out: str
    err: str
    peak_mb: float
    seconds: float


# Runs the feedkeeper command and, as it exits, writes the peak RSS of its own memory
# (VmHWM): ru_maxrss would also count the memory of the test process it was forked from.
PROBE = """
import atexit, sys
def report():
    status = open("/proc/self/status").read().splitlines()
    peak = next(line for line in status if line.startswith("VmHWM:"))
    open(PEAK_FILE, "w").write(peak.split()[1])
atexit.register(report)
from feedkeeper.__main__ import main
sys.argv[0] = "feedkeeper"
main()
"""


def run_process(tmp_path: Path, *args: str, **environ: str) -> Measured:
    """Run ``feedkeeper ARGS`` in a fresh process and measure its peak RSS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDKEEPER_")}
    env.update(FEEDKEEPER_RATE="0", FEEDKEEPER_RETRIES="1", FEEDKEEPER_JITTER="0", **environ)
    peak = tmp_path / "peak_kb"
    started = time.monotonic()
    probe = PROBE.replace("PEAK_FILE", repr(str(peak)))
    proc = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    return Measured(
        proc.returncode,
        proc.stdout,
        proc.stderr,
        int(peak.read_text()) / 1024,
        time.monotonic() - started,
    )


def placeholder_site(server: HostileServer, *hrefs: str) -> None:
    """A one-page listing whose cards carry a placeholder and link to ``hrefs``.

    Three more cards without placeholders make it a listing the parser recognises.
    """
    cards = [
        card(f"p{n}", f"第{n}篇：梯度同步", PLACEHOLDER_EXCERPT + f" ({n})", href)
        for n, href in enumerate(hrefs, start=1)
    ]
    server.routes["/"] = page(listing(cards + cards_for("filler", 3)))


# Bounded work on any response ------------------------------------------------------


def test_double_gzip_listing_fails_in_one_line_with_bounded_memory(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/"] = bomb_answer()  # 2 KB on the wire, 1 GiB once both layers are undone
    result = run_process(tmp_path, "crawl", "--url", site.base_url, "--db", "a.db")
    assert result.peak_mb < MAX_RSS_MB
    assert result.code == 3
    assert (
        f"failed: {site.base_url}: response exceeds the 10485760-byte limit once decoded"
        " (download stopped)"
    ) in result.err.splitlines()
    assert "Traceback" not in result.err


def test_double_gzip_robots_is_cut_at_500_kib_with_bounded_memory(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/robots.txt"] = bomb_answer("text/plain")
    site.routes["/"] = page(listing(cards_for("a")))
    result = run_process(tmp_path, "crawl", "--url", site.base_url, "--db", "a.db")
    assert result.peak_mb < MAX_RSS_MB
    assert result.code == 0, result.err


def test_double_gzip_article_is_unrecoverable_in_recover_with_bounded_memory(
    site: HostileServer, tmp_path: Path
) -> None:
    import sqlite3

    placeholder_site(site, "/posts/bomb/")
    assert run_crawl(site, tmp_path / "a.db").status == "ok"
    site.routes["/posts/bomb/"] = bomb_answer()
    result = run_process(tmp_path, "recover", "--db", "a.db")
    assert result.peak_mb < MAX_RSS_MB
    assert result.code == 0, result.err  # a verdict, not a failure: never fetched again
    with sqlite3.connect(tmp_path / "a.db") as conn:
        found = conn.execute("SELECT status, reason FROM placeholder").fetchall()
    assert found == [
        (
            "unrecoverable",
            "response exceeds the 10485760-byte limit once decoded (download stopped)",
        )
    ]


def test_an_article_that_is_no_page_is_unrecoverable_saying_what_it_is(
    site: HostileServer, tmp_path: Path
) -> None:
    """A PDF read as text was aligned against the excerpt: 'text no longer matches'."""
    placeholder_site(site, "/posts/paper/", "/posts/photo/")
    pdf = b"%PDF-1.7\n" + b"1 0 obj << >> stream " * 200
    site.routes["/posts/paper/"] = page(pdf, "application/pdf")
    site.routes["/posts/photo/"] = page(b"\x89PNG\r\n\x1a\n" + bytes(4096), "text/html")
    db = tmp_path / "a.db"
    assert run_crawl(site, db).status == "ok"
    store = Store.open(db)
    try:
        summary = recover(store, settings(site, db))
    finally:
        store.close()
    assert summary.exit_code == 0  # a verdict, not a failure: never fetched again
    import sqlite3

    with sqlite3.connect(db) as conn:
        found = conn.execute("SELECT status, reason FROM placeholder ORDER BY id").fetchall()
    assert found == [
        ("unrecoverable", "not an HTML page (Content-Type application/pdf)"),
        ("unrecoverable", "not a text page (text/html)"),
    ]


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        (nested_page(100_000), "the page has 100002 elements, more than the 60000"),
        (nested_page(200_000, "section"), "the page has 200002 elements, more than the 60000"),
        (nested_page(30_000), "the page nests elements deeper than 256 levels"),
        ("<html><body>" + "<div/>" * 30_000 + "</body></html>", "nests elements deeper"),
        ("<html><body>" + "<b>" * 30_000 + "</body></html>", "nests elements deeper"),
    ],
)
def test_deep_or_huge_page_is_refused_within_2_seconds(markup: str, error: str) -> None:
    started = time.thread_time()  # the work it costs, however busy the machine is
    with pytest.raises(ParseError, match=error):
        read_page(markup.encode(), "text/html", "http://127.0.0.1/")
    assert time.thread_time() - started < 2.0


@pytest.mark.parametrize(
    "markup",
    ["<script>" * 100_000 + "<![CDATA[x > y", "<![CDATA[<!--" * 100_000, "<!--<![CDATA[" * 100_000],
)
def test_cdata_sections_among_unclosed_raw_text_are_read_within_2_seconds(markup: str) -> None:
    # An XHTML page's CDATA sections are written as text before parsing, in one pass over
    # the page however many script tags or comments are left open.
    started = time.thread_time()
    with contextlib.suppress(ParseError):
        extract_article(f"<html><body><pre>{markup}</pre></body></html>")
    assert time.thread_time() - started < 2.0


def test_heavy_page_under_the_limits_parses_or_is_refused_within_2_seconds() -> None:
    # 9,000 cards nested 200 deep: under both limits, but slow to walk.
    deep = "<div>" * 200
    cards = "".join(cards_for("heavy", 9_000))
    markup = f"<html><body>{deep}{cards}{deep.replace('<', '</')}</body></html>"
    started = time.thread_time()  # the budget bounds the work, not the time spent waiting
    try:
        read_page(markup.encode(), "text/html", "http://127.0.0.1/")
    except ParseError as exc:
        assert "to parse (refused)" in exc.message
    assert time.thread_time() - started < 2.0


def test_deep_page_fails_the_crawl_page_in_one_line(site: HostileServer, tmp_path: Path) -> None:
    site.routes["/"] = page(listing(cards_for("a"), "/page/2/"))
    site.routes["/page/2/"] = page(nested_page(100_000))
    summary = run_crawl(site, tmp_path / "a.db", full=True)
    assert summary.status == "partial"
    assert errors(summary) == {
        "/page/2/": "the page has 100002 elements, more than the 60000 a page may hold"
    }


@pytest.mark.parametrize("charset", ["rot13", "hex", "base64", "zlib", "idna", "undefined"])
@pytest.mark.parametrize("where", ["header", "meta"])
def test_charset_that_is_not_a_text_encoding_falls_back_to_detection(
    site: HostileServer, tmp_path: Path, charset: str, where: str
) -> None:
    body = listing(cards_for("a"))
    if where == "meta":
        body = body.replace("<head>", f'<head><meta charset="{charset}">')
        site.routes["/"] = page(body.encode("utf-8"), "text/html")
    else:
        site.routes["/"] = page(body.encode("utf-8"), f"text/html; charset={charset}")
    summary = run_crawl(site, tmp_path / "a.db")
    assert (summary.status, summary.counts.new_posts) == ("ok", 4)
    store = Store.open(tmp_path / "a.db")
    try:
        from sqlalchemy import text

        with store.engine.connect() as conn:
            titles = [r[0] for r in conn.execute(text("SELECT title FROM posts_current"))]
    finally:
        store.close()
    assert "a 第1篇：分布式训练" in titles  # decoded as UTF-8, by detection


def test_charset_that_is_not_a_text_encoding_does_not_break_recover(
    site: HostileServer, tmp_path: Path
) -> None:
    placeholder_site(site, "/posts/rot/")
    assert run_crawl(site, tmp_path / "a.db").status == "ok"
    article = (
        "<html><body><article><p>先看这段</p><pre><code>x = 1</code></pre></article></body></html>"
    )
    site.routes["/posts/rot/"] = page(article, "text/html; charset=rot13")
    store = Store.open(tmp_path / "a.db")
    try:
        summary = recover(store, settings(site, tmp_path / "a.db"))
    finally:
        store.close()
    assert (summary.status, summary.counts.pages, summary.counts.pages_failed) == ("ok", 1, 0)


def test_crawl_delay_is_capped_and_the_summary_says_so(site: HostileServer, tmp_path: Path) -> None:
    site.routes["/robots.txt"] = robots("User-agent: *\nCrawl-delay: 100000\n")
    site.routes["/"] = page(listing(cards_for("a"), "/page/2/"))
    site.routes["/page/2/"] = page(listing(cards_for("b")))
    started = time.monotonic()
    summary = run_crawl(site, tmp_path / "a.db", max_crawl_delay=0.3)
    assert 0.3 <= time.monotonic() - started < 10  # the capped delay is still honoured
    assert (summary.status, summary.counts.pages) == ("ok", 2)
    host = site.base_url.rstrip("/")
    assert (
        f"robots.txt of {host} asks for a Crawl-delay of 100000 s:"
        " waited 0.3 s between requests instead (max_crawl_delay)"
    ) in summary.warnings
    assert Settings().max_crawl_delay == 60.0


def test_sigterm_ends_the_daemon_within_10_seconds_while_a_page_is_parsed(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/"] = page(nested_page(100_000))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDKEEPER_")}
    env.update(FEEDKEEPER_RATE="0", FEEDKEEPER_RETRIES="1", FEEDKEEPER_JITTER="0")
    args = ["schedule", "--url", site.base_url, "--db", "a.db", "--every", "1h", "--run-now"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "feedkeeper", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while site.hits("/") == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert site.hits("/") == 1
        time.sleep(0.3)  # the page is in the parser now
        proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        _, err = proc.communicate(timeout=30)
        assert time.monotonic() - signalled < 10
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert b"Traceback" not in err


# The site's own origin, and nothing else ---------------------------------------------


@pytest.mark.parametrize(
    ("start", "url", "expected"),
    [
        ("http://blog.example/", "http://blog.example/page/2/", True),
        ("http://blog.example/", "https://blog.example/", True),  # the default-port upgrade
        ("http://blog.example:80/", "https://blog.example:443/x", True),
        ("http://blog.example/", "https://blog.example:8443/", False),
        ("http://blog.example:8080/", "https://blog.example/", False),
        ("http://blog.example:8080/", "https://blog.example:8080/", False),
        ("https://blog.example/", "http://blog.example/", False),  # no downgrade
        ("http://blog.example/", "http://blog.example:8080/", False),
        ("http://blog.example/", "http://user:pw@blog.example/", False),
        ("http://blog.example/", "http://@blog.example/", False),
        ("http://blog.example/", "http://other.example/", False),
        ("http://blog.example/", "ftp://blog.example/", False),
        ("http://blog.example/", "http://blog.example:99999/", False),
    ],
)
def test_scope_is_the_origin(start: str, url: str, expected: bool) -> None:
    assert is_in_scope(start, url) is expected


def test_redirect_to_another_port_over_https_is_refused(
    site: HostileServer, other: HostileServer, tmp_path: Path
) -> None:
    target = f"https://127.0.0.1:{other.port}/"
    site.routes["/"] = redirect(target)
    summary = run_crawl(site, tmp_path / "a.db")
    assert summary.status == "failed"
    assert errors(summary) == {"/": f"redirected off the site to {target} (refused)"}
    assert other.requests == []


def test_pager_link_to_another_port_is_not_followed(
    site: HostileServer, other: HostileServer, tmp_path: Path
) -> None:
    site.routes["/"] = page(listing(cards_for("a"), f"https://127.0.0.1:{other.port}/page/2/"))
    other.routes["/page/2/"] = page(listing(cards_for("admin")))
    summary = run_crawl(site, tmp_path / "a.db", full=True)
    assert (summary.status, summary.counts.pages) == ("ok", 1)
    assert other.requests == []


def test_recover_fetches_only_articles_inside_the_listing_origin(
    site: HostileServer, other: HostileServer, tmp_path: Path
) -> None:
    admin = f"http://127.0.0.1:{other.port}/admin/"
    placeholder_site(site, "/posts/mine/", admin)
    site.routes["/posts/mine/"] = page(
        "<html><body><article><p>先看这段</p></article></body></html>"
    )
    other.routes["/admin/"] = page("<html><body><p>secret admin page</p></body></html>")
    db = tmp_path / "a.db"
    assert run_crawl(site, db).counts.new_posts == 5  # every card is archived
    store = Store.open(db)
    try:
        summary = recover(store, settings(site, db))
        from sqlalchemy import text

        with store.engine.connect() as conn:
            reasons = sorted(
                (r[0], r[1])
                for r in conn.execute(
                    text(
                        "SELECT p.url, ph.reason FROM placeholder ph"
                        " JOIN post_version v ON v.id = ph.version_id"
                        " JOIN post p ON p.id = v.post_id"
                        " WHERE ph.status = 'unrecoverable'"
                    )
                )
            )
    finally:
        store.close()
    assert other.requests == []
    assert site.hits("/posts/mine/") == 1
    assert summary.counts.pages == 1
    assert (admin, REASON_OUTSIDE) in reasons


def test_recover_fetches_a_host_the_user_lists(
    site: HostileServer, other: HostileServer, tmp_path: Path
) -> None:
    placeholder_site(site, f"http://127.0.0.1:{other.port}/posts/cdn/")
    other.routes["/posts/cdn/"] = page(
        "<html><body><article><p>先看这段</p></article></body></html>"
    )
    db = tmp_path / "a.db"
    assert run_crawl(site, db).counts.new_posts == 4
    store = Store.open(db)
    try:
        recover(store, settings(site, db, article_hosts=f"127.0.0.1:{other.port}"))
    finally:
        store.close()
    assert other.hits("/posts/cdn/") == 1


@pytest.mark.parametrize("hosts", ["http://cdn.example/", "user@cdn.example", "cdn.example/x"])
def test_article_hosts_must_be_hosts(hosts: str) -> None:
    from feedkeeper.config import validate

    with pytest.raises(ConfigError, match="setting article_hosts: must be hosts"):
        validate(Settings(article_hosts=hosts))


def test_same_host_redirect_to_a_disallowed_path_is_not_followed(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/robots.txt"] = robots("User-agent: *\nDisallow: /private/\n")
    site.routes["/"] = page(listing(cards_for("a"), "/page/2/"))
    site.routes["/page/2/"] = redirect("/private/2/")
    site.routes["/private/2/"] = page(listing(cards_for("private")))
    summary = run_crawl(site, tmp_path / "a.db", full=True)
    assert summary.status == "partial"
    target = f"{site.base_url}private/2/"
    assert errors(summary) == {
        "/page/2/": f"redirected to {target}, which robots.txt disallows (not followed)"
    }
    assert site.hits("/private/2/") == 0


def test_credentials_in_the_url_reach_the_site_but_nothing_else(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/"] = page(listing(cards_for("a"), "/page/2/"))  # /page/2/ is a 404
    url = site.base_url.replace("http://", "http://reader:s3cr3t-pw@")
    result = run_process(
        tmp_path, "crawl", "--url", url, "--db", "a.db", "--full", FEEDKEEPER_LOG_FORMAT="json"
    )
    assert result.code == 1
    assert f"failed: {site.base_url}page/2/: HTTP 404" in result.err
    assert "s3cr3t" not in result.out + result.err
    for archive_file in tmp_path.glob("a.db*"):
        assert b"s3cr3t" not in archive_file.read_bytes()
    auth = {seen.headers.get("Authorization") for seen in site.requests if seen.path == "/"}
    assert auth == {"Basic cmVhZGVyOnMzY3IzdC1wdw=="}  # base64 of reader:s3cr3t-pw


def test_a_site_added_with_credentials_is_walked_whole_signed_in(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/"] = page(listing(cards_for("a"), "/page/2/"))
    site.routes["/page/2/"] = page(listing(cards_for("b"), "/page/3/"))
    site.routes["/page/3/"] = page(listing(cards_for("c")))
    url = site.base_url.replace("http://", "http://reader:s3cr3t-pw@")
    assert run_process(tmp_path, "sites", "add", url, "--name", "private", "--db", "a.db").code == 0
    result = run_process(tmp_path, "crawl", "--db", "a.db")
    assert result.code == 0, result.err
    assert [site.hits(path) for path in ("/", "/page/2/", "/page/3/")] == [1, 1, 1]
    auth = {
        seen.headers.get("Authorization") for seen in site.requests if seen.path != "/robots.txt"
    }
    assert auth == {"Basic cmVhZGVyOnMzY3IzdC1wdw=="}


# robots.txt as RFC 9309 says -------------------------------------------------------


def test_robots_redirects_are_followed_to_another_host(
    site: HostileServer, other: HostileServer, tmp_path: Path
) -> None:
    site.routes["/robots.txt"] = redirect("/robots-1.txt")
    site.routes["/robots-1.txt"] = redirect(f"http://127.0.0.1:{other.port}/robots.txt", 301)
    other.routes["/robots.txt"] = robots("User-agent: *\nDisallow: /\n")
    site.routes["/"] = page(listing(cards_for("a")))
    with pytest.raises(RobotsDisallowedError, match="disallows"):
        run_crawl(site, tmp_path / "a.db")
    assert site.hits("/") == 0


def test_robots_after_more_than_five_redirects_counts_as_missing(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/robots.txt"] = redirect("/r1")
    for n in range(1, 7):
        site.routes[f"/r{n}"] = redirect(f"/r{n + 1}")
    site.routes["/r7"] = robots("User-agent: *\nDisallow: /\n")
    site.routes["/"] = page(listing(cards_for("a")))
    assert run_crawl(site, tmp_path / "a.db").status == "ok"
    assert site.hits("/r6") == 0


@pytest.mark.parametrize(("status", "allowed"), [(500, False), (503, False), (404, True)])
def test_robots_5xx_disallows_and_4xx_allows(
    site: HostileServer, tmp_path: Path, status: int, allowed: bool
) -> None:
    site.routes["/robots.txt"] = Answer(status, b"")
    site.routes["/"] = page(listing(cards_for("a")))
    if allowed:
        assert run_crawl(site, tmp_path / "a.db").status == "ok"
    else:
        with pytest.raises(RobotsDisallowedError, match="is unreachable"):
            run_crawl(site, tmp_path / "a.db")
        assert site.hits("/") == 0


def test_an_https_url_of_a_server_without_tls_is_unreachable_in_one_line_saying_why(
    site: HostileServer, tmp_path: Path
) -> None:
    """It said "cannot connect", of a server that answered the handshake in plain HTTP."""
    site.routes["/"] = page(listing(cards_for("a")))
    secure = f"https://127.0.0.1:{site.port}/"
    store = Store.open(tmp_path / "a.db")
    try:
        with pytest.raises(RobotsDisallowedError) as refused:
            asyncio.run(crawl_async(store, Settings(url=secure, rate=0, retries=1), CrawlOptions()))
    finally:
        store.close()
    assert refused.value.message == (
        f"robots.txt of https://127.0.0.1:{site.port} is unreachable: TLS handshake failed"
        " (wrong version number: the server may not speak https on this port)"
        " (gave up after 1 attempt)"
    )
    assert site.requests == []


def test_robots_larger_than_the_size_limit_is_read_from_its_start(
    site: HostileServer, tmp_path: Path
) -> None:
    rules = "User-agent: *\nDisallow: /\n" + "# padding\n" * 100_000  # 1 MB
    site.routes["/robots.txt"] = robots(rules)
    site.routes["/"] = page(listing(cards_for("a")))
    with pytest.raises(RobotsDisallowedError, match="disallows"):
        run_crawl(site, tmp_path / "a.db", max_response_bytes=200_000)
    assert site.hits("/") == 0


def test_robots_is_fetched_once_per_host_in_recover(site: HostileServer, tmp_path: Path) -> None:
    slugs = [f"/posts/p{n}/" for n in range(1, 7)]
    placeholder_site(site, *slugs)
    for slug in slugs:
        site.routes[slug] = page("<html><body><article><p>先看这段</p></article></body></html>")
    site.routes["/robots.txt"] = robots("User-agent: *\nAllow: /\n")
    db = tmp_path / "a.db"
    assert run_crawl(site, db).counts.new_posts == 9
    store = Store.open(db)
    try:
        recover(store, settings(site, db, concurrency=4))
    finally:
        store.close()
    assert site.hits("/robots.txt") == 2  # once by the crawl, once by the recovery


def test_unreachable_robots_is_fetched_once_and_refuses_every_url(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/robots.txt"] = Answer(503, b"")

    async def check_five() -> list[object]:
        async with Fetcher(settings(site, tmp_path / "a.db", concurrency=4)) as fetcher:
            return await asyncio.gather(
                *(fetcher.check_robots(f"{site.base_url}p/{n}/") for n in range(5)),
                return_exceptions=True,
            )

    outcomes = asyncio.run(check_five())
    assert all(isinstance(o, RobotsDisallowedError) for o in outcomes)
    assert site.hits("/robots.txt") == 1


# Traps and failures do not end or endless the walk -----------------------------------


def endless(query: str) -> Answer:
    """?page=N forever, new cards on every page."""
    number = int(query.removeprefix("page=") or 1)
    return page(listing(cards_for(f"p{number}", 2), f"/?page={number + 1}"))


def test_endless_pager_stops_at_max_pages_with_a_note(site: HostileServer, tmp_path: Path) -> None:
    site.routes["/"] = endless
    summary = run_crawl(site, tmp_path / "a.db", full=True, max_pages=25)
    assert (summary.status, summary.counts.pages) == ("ok", 25)
    assert site.hits("/") == 25
    assert (
        "stopped after 25 listing pages (max_pages);"
        f" the listing goes on at {site.base_url}?page=26"
    ) in summary.warnings
    assert Settings().max_pages == 1000  # bounded by default


def numbered_pages(last: int) -> Callable[[str], Answer]:
    """``?page=N`` up to ``last``, two new cards on each."""

    def route(query: str) -> Answer:
        number = int(query.removeprefix("page=") or 1)
        following = f"/?page={number + 1}" if number < last else None
        return page(listing(cards_for(f"p{number}", 2), following))

    return route


def post_count(db: Path) -> int:
    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM post").scalar_one())
    finally:
        store.close()


def test_a_walk_cut_at_max_pages_goes_on_where_it_stopped_next_time(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/"] = numbered_pages(7)
    db = tmp_path / "a.db"
    runs = [run_crawl(site, db, max_pages=3) for _ in range(4)]
    # 1-3 (cut at 4); 1 (no news), then 4-5 (cut at 6); 1, then 6-7 (the end); 1 alone.
    assert [summary.counts.pages for summary in runs] == [3, 3, 3, 1]
    assert f"went on at {site.base_url}?page=4, where the last crawl stopped (max_pages)" in (
        runs[1].warnings
    )
    assert post_count(db) == 14  # every post of the seven pages
    assert site.hits("/") == 10


def test_a_walk_out_of_time_stops_and_the_next_crawl_goes_on_where_it_stopped(
    site: HostileServer, tmp_path: Path
) -> None:
    """max_run_time: however short, each crawl reads at least one page further."""

    site.routes["/"] = numbered_pages(4)
    db = tmp_path / "a.db"
    runs = [run_crawl(site, db, max_run_time=0.000001) for _ in range(4)]
    # 1 (cut at 2); 1 (no news), then 2 (cut at 3); 1, then 3 (cut at 4); 1, then 4: the end.
    assert [summary.counts.pages for summary in runs] == [1, 2, 2, 2]
    assert [summary.status for summary in runs] == ["ok"] * 4
    assert (
        f"stopped after 1e-06 s (max_run_time); the listing goes on at {site.base_url}?page=2"
    ) in runs[0].warnings
    assert f"went on at {site.base_url}?page=3, where the last crawl stopped (max_run_time)" in (
        runs[2].warnings
    )
    assert not any("stopped after" in warning for warning in runs[3].warnings)
    assert post_count(db) == 8
    assert Settings().max_run_time == 0  # no limit by default


# What each page of ``heavy_pages`` weighs: 30 kB of noise that does not compress.
HEAVY = 30_000


def heavy_pages(query: str) -> Answer:
    """?page=N forever, each page two new cards and HEAVY bytes of noise."""
    number = int(query.removeprefix("page=") or 1)
    noise = base64.b64encode(os.urandom(HEAVY * 3 // 4)).decode()
    html = listing(cards_for(f"p{number}", 2), f"/?page={number + 1}")
    return page(html.replace("</body>", f"<!-- {noise} --></body>"))


def test_an_endless_pager_of_heavy_pages_stops_at_max_run_bytes_keeping_what_it_read(
    site: HostileServer, tmp_path: Path
) -> None:
    """Bounded by max_pages alone, 1000 pages of 10 MB filled 10 GB in one run."""
    site.routes["/"] = heavy_pages
    db = tmp_path / "a.db"
    first = run_crawl(site, db, full=True, max_run_bytes=100_000)
    # 3 pages: 90 kB, under the limit; the 4th passes it, and the walk stops before the 5th
    assert (first.status, first.counts.pages, first.counts.new_posts) == ("ok", 4, 8)
    (note,) = [warning for warning in first.warnings if "max_run_bytes" in warning]
    assert note.startswith("stopped after 12")  # 4 pages of a little over 30 kB
    assert note.endswith(
        f" bytes of listing pages, of 100000 at most (max_run_bytes);"
        f" the listing goes on at {site.base_url}?page=5"
    )
    assert post_count(db) == 8
    second = run_crawl(site, db, max_run_bytes=100_000)
    assert f"went on at {site.base_url}?page=5, where the last crawl stopped (max_run_bytes)" in (
        second.warnings
    )
    assert post_count(db) == 8 + 2 * 3  # page 1 (no news), then 5, 6 and 7
    assert Settings().max_run_bytes == 1 << 30  # bounded by default


def test_pager_that_only_repeats_what_the_run_saw_ends_the_walk(
    site: HostileServer, tmp_path: Path
) -> None:
    same = cards_for("same", 3)

    def repeating(query: str) -> Answer:
        number = int(query.removeprefix("page=") or 1)
        return page(listing(same, f"/?page={number + 1}"))

    site.routes["/"] = repeating
    summary = run_crawl(site, tmp_path / "a.db", full=True)
    assert summary.counts.pages == 2
    assert site.hits("/") == 2
    assert (
        f"{site.base_url}?page=2 only repeats cards this run already saw: the walk stopped there"
    ) in summary.warnings


def _numbered_site(site: HostileServer, failing: Answer | None) -> None:
    pager = "".join(f'<a href="/page/{n}/">{n}</a>' for n in range(1, 5))
    site.routes["/"] = page(listing(cards_for("p1"), "/page/2/", pager))
    for n in range(2, 5):
        nxt = f"/page/{n + 1}/" if n < 4 else None
        site.routes[f"/page/{n}/"] = page(listing(cards_for(f"p{n}"), nxt, pager))
    if failing is not None:
        site.routes["/page/2/"] = failing


@pytest.mark.parametrize(
    ("failing", "error", "limit"),
    [
        (Answer(503, b""), "HTTP 503 (gave up after 1 attempt)", 10_485_760),
        (page("x" * 50_000), "response of 50000 bytes exceeds the 20000-byte limit", 20_000),
        (page(nested_page(100_000)), "the page has 100002 elements", 10_485_760),
    ],
)
def test_failed_page_does_not_end_the_walk(
    site: HostileServer, tmp_path: Path, failing: Answer, error: str, limit: int
) -> None:
    _numbered_site(site, failing)
    summary = run_crawl(site, tmp_path / "a.db", max_response_bytes=limit)
    assert summary.status == "partial"
    assert list(errors(summary)) == ["/page/2/"]
    assert errors(summary)["/page/2/"].startswith(error)
    assert (site.hits("/page/3/"), site.hits("/page/4/")) == (1, 1)
    slugs = {url.rsplit("/", 2)[1] for url in post_urls(tmp_path / "a.db")}
    assert {s.split("-")[0] for s in slugs} == {"p1", "p3", "p4"}


def test_a_guess_past_a_failed_page_is_not_repeated(site: HostileServer, tmp_path: Path) -> None:
    # The pager shows only a next link: /page/2/ fails, /page/3/ is guessed and fails too.
    site.routes["/"] = page(listing(cards_for("p1"), "/page/2/"))
    site.routes["/page/2/"] = Answer(503, b"")
    site.routes["/page/3/"] = Answer(503, b"")
    summary = run_crawl(site, tmp_path / "a.db")
    assert list(errors(summary)) == ["/page/2/", "/page/3/"]
    assert site.hits("/page/4/") == 0


def test_a_guessed_page_that_does_not_exist_is_the_end_not_a_failure(
    site: HostileServer, tmp_path: Path
) -> None:
    site.routes["/"] = page(listing(cards_for("p1"), "/page/2/"))
    site.routes["/page/2/"] = Answer(503, b"")
    summary = run_crawl(site, tmp_path / "a.db")
    assert list(errors(summary)) == ["/page/2/"]
    assert (site.hits("/page/3/"), summary.counts.pages_failed) == (1, 1)


def test_the_daemon_logs_when_a_cap_applied(
    site: HostileServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site.routes["/"] = endless
    daemon = Daemon(settings(site, tmp_path / "a.db", every="1h", full=True, max_pages=3))
    caplog.set_level(logging.INFO)
    daemon.tick()
    noted = [r.getMessage() for r in caplog.records if getattr(r, "event", "") == "run_warning"]
    assert noted == [
        "run 1: stopped after 3 listing pages (max_pages);"
        f" the listing goes on at {site.base_url}?page=4"
    ]


def test_a_feed_outside_the_site_is_not_read(
    site: HostileServer, other: HostileServer, tmp_path: Path
) -> None:
    feed = f"http://127.0.0.1:{other.port}/feed.xml"
    link = f'<link rel="alternate" type="application/rss+xml" href="{feed}">'
    site.routes["/"] = page(listing(cards_for("a")).replace("<head>", f"<head>{link}"))
    summary = run_crawl(site, tmp_path / "a.db", use_feed=True)
    assert summary.status == "ok"
    assert f"use_feed: the feed {feed} is outside the site: not read" in summary.warnings
    assert other.requests == []


def test_the_time_budget_stops_both_parsers() -> None:
    listing_html = listing(cards_for("slow", 50))
    article_html = "<html><body><article>" + "<p>段落</p>" * 50 + "</article></body></html>"
    with time_budget(-1.0), pytest.raises(ParseError, match="to parse \\(refused\\)"):
        parse_listing(listing_html, "http://127.0.0.1/")
    with time_budget(-1.0), pytest.raises(ParseError, match="to parse \\(refused\\)"):
        extract_article(article_html)
    assert parse_listing(listing_html, "http://127.0.0.1/").cards  # no budget: no limit


def _gzipped(body: str, cut: int = 0) -> Answer:
    import gzip

    data = gzip.compress(body.encode())
    data = data[: len(data) - cut]
    headers = (("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"))
    return Answer(200, data, headers)


@pytest.mark.parametrize(
    "answer",
    [
        lambda body: _gzipped(body, cut=200),  # the connection cut inside the gzip stream
        lambda body: Answer(206, body.encode()[:700]),  # a part no request asked for
    ],
)
def test_a_part_of_a_page_is_a_failed_page_not_cards(
    site: HostileServer, tmp_path: Path, answer: Callable[[str], Answer]
) -> None:
    """A part of a listing read as the page made versions of posts cut short ("Post numb")."""
    site.routes["/"] = _gzipped(listing(cards_for("a", 6)))
    assert run_crawl(site, tmp_path / "a.db").counts.new_posts == 6
    site.routes["/"] = answer(listing(cards_for("a", 6)))
    summary = run_crawl(site, tmp_path / "a.db")
    assert (summary.counts.pages_failed, summary.counts.new_versions) == (1, 0)
