"""Many machines, in small: PostgreSQL, three worker processes, twenty loopback sites.

One worker is killed (SIGKILL) in the middle of a crawl. Afterwards every site's
archive equals a single-process crawl of it, no run is left ``running``, no site
was crawled twice in one interval, and no host ever had two requests in flight.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from feedkeeper.cli import main
from feedkeeper.fixture_site import FixtureServer
from feedkeeper.store import Store
from slow_sites import SlowSite

from conftest import new_pg_database, rows

SITES = 20
WORKERS = 3
# Seconds: each site's interval. A job is a crawl (robots.txt and two listing pages) and the
# recovery of its site's three articles, some 1 s at DELAY 0.1 (1.5 s at 0.2, where 20 jobs
# on two workers filled the 15 s of a slow machine's interval): 20 of them fit in 10 s.
EVERY = 15
SLOTS = 2  # intervals the workers run for
DELAY = 0.1  # seconds each answer takes


@pytest.fixture
def sites() -> Iterator[list[SlowSite]]:
    with ExitStack() as stack:
        yield [stack.enter_context(SlowSite(DELAY)) for _ in range(SITES)]


def _worker(db: str, log: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "feedkeeper", "worker", "--db", db, "--stalled-after", "3",
            "--rate", "0", "--concurrency", "1", "--log-format", "json"]  # fmt: skip
    env = os.environ | {"FEEDKEEPER_DEBUG": "1"}
    with log.open("wb") as out:  # the child keeps its own copy of the file
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)


def _wait_for_crawl_start(log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any('"start_job"' in line and "crawl_site" in line for line in _lines(log)):
            time.sleep(DELAY)  # robots.txt answered: the crawl is under way
            return
        time.sleep(0.05)
    raise AssertionError(f"no crawl started in {timeout}s: {log.read_text()[-2000:]}")


def _lines(log: Path) -> list[str]:
    return log.read_text(errors="replace").splitlines() if log.exists() else []


def _posts(store: Store, site: str | None = None) -> list[tuple[object, ...]]:
    where = "WHERE site = :site" if site else ""
    found = rows(
        store,
        f"SELECT url, title, excerpt, category, published, version FROM posts_current {where}",
        site=site,
    )
    return sorted((urlsplit(r["url"]).path, *list(r.values())[1:]) for r in found)


@pytest.mark.slow
def test_three_workers_twenty_sites_one_killed(
    pg_server: str, sites: list[SlowSite], tmp_path: Path
) -> None:
    db = new_pg_database(pg_server)
    for i, site in enumerate(sites):
        assert main(["sites", "add", site.base_url, "--name", f"s{i:02}", "--every", f"{EVERY}s",
                     "--db", db]) == 0  # fmt: skip
    logs = [tmp_path / f"worker{i}.log" for i in range(WORKERS)]
    workers = [_worker(db, log) for log in logs]
    started = time.time()
    try:
        _wait_for_crawl_start(logs[0], timeout=60)
        workers[0].send_signal(signal.SIGKILL)  # mid-crawl: its job must be crawled again
        time.sleep(max(0.0, started + SLOTS * EVERY + 5 - time.time()))
    finally:
        stopped = time.time()
        for worker in workers[1:]:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
    store = Store.open(db)
    crawls = rows(store, "SELECT site, status, started_at FROM crawl_runs WHERE kind = 'crawl'")
    assert [r for r in crawls if r["status"] == "running"] == []
    assert any(r["status"] == "interrupted" for r in crawls), "the kill cut no crawl short"
    per_slot = Counter(
        (r["site"], int(datetime.fromisoformat(r["started_at"]).timestamp()) // EVERY)
        for r in crawls
        if r["status"] == "ok"
    )
    assert max(per_slot.values()) == 1, "a site was crawled twice in one interval"
    # Every interval that began after the workers started and ended before they stopped:
    # every site crawled in it. (The first interval is cut by the test's start, so a crawl
    # queued in it may begin in the next one, where it is that interval's crawl.)
    whole = range(int(started) // EVERY + 1, int(stopped) // EVERY)
    assert len(whole) >= SLOTS - 1
    for slot in whole:
        assert sorted(site for site, s in per_slot if s == slot) == sorted(
            f"s{i:02}" for i in range(SITES)
        ), f"interval {slot - int(started) // EVERY}"
    reference = _reference_crawl(sites[0], tmp_path / "reference.db")
    assert len(reference) == 7
    for i in range(SITES):
        assert _posts(store, f"s{i:02}") == reference, f"s{i:02}"
    for site in sites:
        assert site.overlapping() == [], site.base_url
    store.close()


def _reference_crawl(site: SlowSite, db: Path) -> list[tuple[object, ...]]:
    """The site crawled once by one process into its own SQLite archive."""
    argv = ["crawl", "--url", site.base_url, "--db", str(db), "--rate", "0", "--no-recover"]
    assert main(argv) == 0
    store = Store.open(db)
    try:
        return _posts(store)
    finally:
        store.close()


def test_a_worker_whose_database_goes_away_exits_1_naming_it(
    pg_server: str, tmp_path: Path
) -> None:
    """A database gone (restarted, dropped): procrastinate stopped the worker, which exited 0
    as if asked to, so a supervisor restarting failed services left it dead."""
    import psycopg

    db = new_pg_database(pg_server)
    assert main(["db", "upgrade", "--db", db]) == 0
    log = tmp_path / "worker.log"
    worker = _worker(db, log)
    try:
        deadline = time.monotonic() + 60
        while not any('"start_worker"' in line for line in _lines(log)):
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            assert worker.poll() is None, log.read_text()[-2000:]
            time.sleep(0.1)
        name = db.split("?")[0].rsplit("/", 1)[1]
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        code = worker.wait(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    lines = _lines(log)
    assert code == 1, lines[-5:]
    logged = [json.loads(line) for line in lines]  # its log is JSON lines: the error too
    # (the driver's pool may still log a warning of its own as the process ends)
    [failed] = [entry for entry in logged if entry.get("event") == "command_failed"]
    assert failed["exit_code"] == 1, failed
    assert failed["message"].startswith("error: the worker "), failed


@pytest.mark.slow
def test_a_stopped_worker_ends_its_crawl_after_the_page_and_another_crawls_the_site(
    pg_server: str, tmp_path: Path
) -> None:
    """SIGTERM let the worker's job run on to the end of its crawl and its recovery (40 s
    on a slow site), past the 10 s `docker stop` waits before it kills the worker."""
    db = new_pg_database(pg_server)
    with SlowSite(3.0) as site:  # a whole job: 3 listing requests and 3 articles, 18 s
        assert main(["sites", "add", site.base_url, "--name", "slow", "--every", "1h",
                     "--db", db]) == 0  # fmt: skip
        first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
        first = _worker(db, first_log)
        try:
            _wait_for_line(first_log, '"run_started"', timeout=60)
            first.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            assert first.wait(timeout=30) == 0, _lines(first_log)[-5:]
            assert time.monotonic() - signalled < 10, "it outlived docker stop's 10 s"
        finally:
            _end(first)
        store = Store.open(db)
        crawls = rows(store, "SELECT status FROM crawl_runs WHERE kind = 'crawl'")
        assert [r["status"] for r in crawls] == ["interrupted"]
        assert not any("Traceback" in line for line in _lines(first_log))
        second = _worker(db, second_log)  # the same slot: its crawl is queued again
        try:
            _wait_for_line(second_log, '"site_crawled"', timeout=60)
        finally:
            second.send_signal(signal.SIGTERM)
            _end(second)
        statuses = rows(store, "SELECT status FROM crawl_runs WHERE kind = 'crawl' ORDER BY id")
        assert [r["status"] for r in statuses] == ["interrupted", "ok"]
        store.close()


def _wait_for_line(log: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not any(text in line for line in _lines(log)):
        assert time.monotonic() < deadline, f"no {text} in {timeout}s: {_lines(log)[-5:]}"
        time.sleep(0.05)


def _end(worker: subprocess.Popen[bytes]) -> None:
    try:
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


@pytest.mark.slow
def test_a_worker_stops_with_exit_2_once_a_newer_feedkeeper_migrated_the_archive(
    pg_server: str, fixture_server: FixtureServer, tmp_path: Path
) -> None:
    """A worker started before the archive was migrated by a newer feedkeeper went on
    crawling into a schema it does not know, where a worker started now is refused."""
    import psycopg

    db = new_pg_database(pg_server)
    assert main(["sites", "add", fixture_server.base_url, "--every", "1h", "--db", db]) == 0
    log = tmp_path / "worker.log"
    worker = _worker(db, log)
    try:
        _wait_for_line(log, '"site_crawled"', timeout=60)
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '0099'")
        code = worker.wait(timeout=30)  # the next tick, within 10 s
    finally:
        _end(worker)
    lines = _lines(log)
    assert code == 2, lines[-5:]
    last = json.loads(lines[-1])
    assert (last["event"], last["exit_code"]) == ("command_failed", 2), last
    assert "is at schema revision 0099, newer than this feedkeeper" in last["message"], last
    assert not any("Traceback" in line for line in lines)
