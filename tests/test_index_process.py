"""The index process: a long run's posts indexed beside the writer, never one of them lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from feedkeeper.config import Settings
from feedkeeper.pipeline import crawl, write_page
from feedkeeper.records import RunStatus
from feedkeeper.sites_crawl import crawl_sites
from feedkeeper.store import Store
from feedkeeper.store.indexer import BATCH_POSTS
from feedkeeper.store.sites import ensure_site
from test_index_queue import CURRENT, INDEXED, _page, _words

from conftest import rows
from loopback import LoopbackServer

POSTS_A_PAGE = 10


def _listing(number: int, last: int) -> bytes:
    cards = "".join(
        f'<article><h2><a href="/p/{number}-{i}/">梯度同步 {number}-{i}</a></h2>'
        f"<p>讲显存如何省下来，第{number}页第{i}篇。</p></article>"
        for i in range(POSTS_A_PAGE)
    )
    pager = f'<a rel="next" href="/page/{number + 1}/">下一页</a>' if number < last else ""
    return f"<html><body><main>{cards}</main><nav>{pager}</nav></body></html>".encode()


def _blog(last: int) -> type[BaseHTTPRequestHandler]:
    class Blog(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                self.send_error(404)
                return
            number = 1 if self.path == "/" else int(self.path.strip("/").split("/")[-1])
            body = _listing(number, last)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Blog


@pytest.fixture
def blog_of_30_pages() -> Iterator[str]:
    with LoopbackServer(_blog(30)) as server:
        yield server.base_url


def _crawled(db_path: Path, url: str, index_process_from: int) -> Store:
    store = Store.open(db_path, index_process_from=index_process_from)
    summary = crawl(store, Settings(url=url, db=db_path, full=True, rate=0, concurrency=4))
    assert summary.status is RunStatus.OK
    return store


def _assert_every_post_indexed(store: Store, posts: int, word: str = "显存") -> None:
    assert rows(store, "SELECT count(*) AS n FROM post")[0]["n"] == posts
    assert rows(store, INDEXED) == rows(store, CURRENT)
    assert _words(store, word) == list(range(1, posts + 1))
    assert rows(store, "SELECT post_id FROM post_words_stale") == []


def test_a_long_crawl_is_indexed_by_the_index_process(db_path: Path, blog_of_30_pages: str) -> None:
    store = _crawled(db_path, blog_of_30_pages, index_process_from=50)
    try:
        assert store.indexing.starts == 1
        assert not store.indexing.is_running  # ended with the crawl
        _assert_every_post_indexed(store, 300)
    finally:
        store.close()


def test_a_short_crawl_starts_no_index_process(db_path: Path) -> None:
    with LoopbackServer(_blog(3)) as server:
        store = _crawled(db_path, server.base_url, index_process_from=50)
    try:
        assert store.indexing.starts == 0
        _assert_every_post_indexed(store, 30)
    finally:
        store.close()


def test_sites_crawled_at_once_share_one_index_process(db_path: Path) -> None:
    with LoopbackServer(_blog(30)) as one, LoopbackServer(_blog(30)) as two:
        store = Store.open(db_path, index_process_from=20)
        try:
            sites = [ensure_site(store.engine, server.base_url) for server in (one, two)]
            results = crawl_sites(store, sites, Settings(full=True, rate=0, db=db_path))
            assert [r.exit_code for r in results] == [0, 0]
            assert store.indexing.starts == 1
            _assert_every_post_indexed(store, 600)
        finally:
            store.close()


def _is_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # ended, not yet reaped
    except FileNotFoundError:
        return True


def _wait_until_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while not _is_gone(pid):
        assert time.monotonic() < deadline, f"the index process {pid} outlived its writer"
        time.sleep(0.02)


def test_an_index_process_killed_mid_run_loses_nothing(db_path: Path) -> None:
    store = Store.open(db_path, index_process_from=6)
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    try:
        with store.writer(site.id) as writer:
            for number in (1, 2):
                write_page(writer, run, *_page(number))
                writer.commit()
            pid = store.indexing.pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            _wait_until_gone(pid)
            for number in (3, 4):
                write_page(writer, run, *_page(number))
                writer.commit()
        assert store.indexing.starts == 1
        _assert_every_post_indexed(store, 12, "精度")
    finally:
        store.close()


def _wait_until_indexed(store: Store, posts: int) -> None:
    deadline = time.monotonic() + 10
    while rows(store, "SELECT count(*) AS n FROM post_fts")[0]["n"] < posts:
        assert time.monotonic() < deadline, "the index process indexed nothing"
        time.sleep(0.02)


def test_writer_and_index_process_share_the_write_lock(db_path: Path) -> None:
    store = Store.open(db_path, index_process_from=1)
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    pages = BATCH_POSTS  # three batches of posts (3 a page)
    try:
        with store.writer(site.id) as writer:
            for number in range(1, pages + 1):  # a commit a page, the process indexing meanwhile
                write_page(writer, run, *_page(number))
                writer.commit()
                if number == BATCH_POSTS // 3 + 1:  # a whole batch waits: it takes it
                    _wait_until_indexed(store, BATCH_POSTS)
        _assert_every_post_indexed(store, 3 * pages, "精度")
    finally:
        store.close()


KILLED_CRAWL = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_index_queue import _page
from feedkeeper.pipeline import write_page
from feedkeeper.store import Store
from feedkeeper.store.indexer import BATCH_POSTS
from feedkeeper.store.sites import ensure_site
from feedkeeper.sites_crawl import crawl_sites

store = Store.open(Path({db!r}), index_process_from=3)
site = ensure_site(store.engine, "https://b.example/")
run = store.start_run("crawl", "https://b.example/", site.id)
with store.writer(site.id) as writer:
    for number in range(1, 21):
        write_page(writer, run, *_page(number))
        writer.commit()
    print(store.indexing.pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_crawl_leaves_its_queue_to_the_next_writer(db_path: Path) -> None:
    script = KILLED_CRAWL.format(tests=str(Path(__file__).parent), db=str(db_path))
    killed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=False, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    _wait_until_gone(int(killed.stdout))
    left = sqlite3.connect(db_path)
    assert left.execute("SELECT count(*) FROM post").fetchone() == (60,)
    # Orphaned, the index process left without indexing (less than a batch waited meanwhile).
    assert left.execute("SELECT count(*) FROM post_words_stale").fetchone() == (60,)
    left.close()
    store = Store.open(db_path)  # closing the dead run is a write: it drains the queue
    try:
        _assert_every_post_indexed(store, 60, "精度")
    finally:
        store.close()
