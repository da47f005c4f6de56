"""Real processes stopped by signals: no run is left running, no worker is left behind."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from faultserver import (
    FaultServer,
    Post,
    Resource,
    listing_page,
    listing_site,
    make_posts,
    page_path,
    slow,
)

pytestmark = pytest.mark.slow

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("FEEDKEEPER_")}


def feedkeeper(*args: str, stderr: int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "feedkeeper", *args],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        env=CLEAN_ENV,
    )


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(sql).fetchall()


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the process made no progress"
        time.sleep(0.05)


def has_rows(db: Path, sql: str) -> bool:
    try:
        return bool(db.exists() and query(db, sql))
    except sqlite3.OperationalError:  # tables not created yet, or a writer busy
        return False


def runs(db: Path) -> list[tuple[object, ...]]:
    return query(db, "SELECT kind, status FROM run ORDER BY id")


def crawl_args(url: str, db: Path) -> list[str]:
    return ["crawl", "--url", url, "--db", str(db), "--rate", "0", "--full"]


# SIGHUP: the terminal or the SSH session closing (it killed the crawl, its run left running)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signalled_crawl_is_recorded_as_interrupted(tmp_path: Path, signum: int) -> None:
    db = tmp_path / "a.db"
    with FaultServer(listing_site(make_posts(12), per_page=4)) as server:
        server.fail(page_path(2), slow(30.0))
        crawler = feedkeeper(*crawl_args(server.base_url, db), stderr=subprocess.PIPE)
        wait_for(lambda: has_rows(db, "SELECT 1 FROM page_fetch"))  # page 1 stored, 2 pending
        crawler.send_signal(signum)
        _, said = crawler.communicate(timeout=20)
    assert crawler.returncode == 130
    assert said.decode().strip().splitlines()[-1:] == ["interrupted"]  # one line, no traceback
    assert b"Traceback" not in said
    assert runs(db) == [("crawl", "interrupted")]
    assert query(db, "SELECT count(*) FROM post") == [(4,)]


def test_a_signalled_recovery_is_recorded_as_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    posts = [
        Post(f"p{n}", f"第{n}篇", f"代码如下 [代码] 第{n}篇的摘要足够长", "2026-01-0{n}")
        for n in range(1, 4)
    ]
    with FaultServer(listing_site(posts, per_page=4)) as server:
        assert (
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "feedkeeper",
                    *crawl_args(server.base_url, db),
                    "--no-recover",  # the articles are left for the recovery under test
                ],
                env=CLEAN_ENV,
                capture_output=True,
            ).returncode
            == 0
        )
        for post in posts:
            server.fail(f"/posts/{post.slug}/", slow(30.0))
        recovering = feedkeeper("recover", "--db", str(db), "--rate", "0")
        wait_for(lambda: has_rows(db, "SELECT 1 FROM run WHERE kind = 'recover'"))
        wait_for(lambda: len(server.requests) > 4)  # the articles are on their way
        recovering.send_signal(signal.SIGTERM)
        assert recovering.wait(20) != 0
    assert runs(db) == [("crawl", "ok"), ("recover", "interrupted")]


def test_a_run_left_running_by_sigkill_is_closed_by_the_next_writer(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with FaultServer(listing_site(make_posts(12), per_page=4)) as server:
        server.fail(page_path(2), slow(30.0))
        crawler = feedkeeper(*crawl_args(server.base_url, db))
        wait_for(lambda: has_rows(db, "SELECT 1 FROM page_fetch"))
        crawler.kill()
        crawler.wait(20)
    assert runs(db) == [("crawl", "running")]  # nothing could run in the killed process
    upgrade = subprocess.run(
        [sys.executable, "-m", "feedkeeper", "db", "upgrade", "--db", str(db)],
        env=CLEAN_ENV,
        capture_output=True,
    )
    assert upgrade.returncode == 0
    assert runs(db) == [("crawl", "interrupted")]


PARENT = """
import asyncio, time
from feedkeeper.parse_worker import ParseWorker
page = b"<html><body>" + b"".join(
    b'<article><h2><a href="/p/%d/">Post %d</a></h2><p>text</p></article>' % (n, n)
    for n in range(5)) + b"</body></html>"
worker = ParseWorker(None)
async def main():
    await (await worker.submit(page, "text/html", "http://127.0.0.1/"))
    print(worker.pid, flush=True)
    await asyncio.sleep(600)
asyncio.run(main())
"""


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its reaper is gone for good
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_parse_workers_exit_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, env=CLEAN_ENV, text=True
    )
    assert parent.stdout is not None
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert workers and all(is_alive(pid) for pid in workers)
    parent.kill()
    parent.wait(10)
    parent.stdout.close()
    try:
        wait_for(lambda: not any(is_alive(pid) for pid in workers), timeout=10)
    finally:
        for pid in workers:
            if is_alive(pid):
                os.kill(pid, signal.SIGKILL)


def long_listing(pages: int) -> dict[str, Resource]:
    """A listing whose pager shows every page number: long enough for parse workers."""
    posts = make_posts(pages * 4)
    site = {}
    for number in range(1, pages + 1):
        html = listing_page(posts[(number - 1) * 4 : number * 4], number, pages)
        numbers = "".join(f'<a href="{page_path(n)}">{n}</a> ' for n in range(1, pages + 1))
        html = html.replace("</body>", f'<nav class="pages">{numbers}</nav></body>')
        site[page_path(number)] = Resource(html.encode())
    return site


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return found


def test_a_killed_crawler_leaves_no_parse_worker_behind(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with FaultServer(long_listing(30)) as server:
        server.delay = 0.2  # the walk lasts long enough to be killed with its workers running
        args = [*crawl_args(server.base_url, db), "--concurrency", "2"]
        crawler = feedkeeper(*args)
        wait_for(lambda: len(children(crawler.pid)) >= 1)  # the parse worker
        spawned = children(crawler.pid)
        crawler.kill()
        crawler.wait(20)
        try:
            wait_for(lambda: not any(is_alive(pid) for pid in spawned), timeout=15)
        finally:
            for pid in spawned:
                if is_alive(pid):
                    os.kill(pid, signal.SIGKILL)


def test_a_crawl_with_a_parse_worker_ends_without_a_word_on_stderr(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with FaultServer(long_listing(30)) as server:
        args = [*crawl_args(server.base_url, db), "--concurrency", "4", "--no-recover"]
        done = subprocess.run(
            [sys.executable, "-m", "feedkeeper", *args],
            capture_output=True,
            env=CLEAN_ENV,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr.decode() == ""
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM post").fetchone() == (120,)
