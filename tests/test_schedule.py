"""The scheduler: cadences, stopping mid-run, skipping a locked archive, the daemon as a process."""

from __future__ import annotations

import itertools
import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from feedkeeper import schedule
from feedkeeper.config import Settings
from feedkeeper.fixture_site import FixtureServer, fixture_site
from feedkeeper.records import SiteState
from feedkeeper.schedule import Daemon
from feedkeeper.store import Store, exclusive_lock
from feedkeeper.store.sites import NewSite, add_site, list_sites, remove_site, set_state
from feedkeeper.triggers import Cadence, parse_cron, parse_interval

# --- cadence -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90), ("10m", 600), ("1h30m", 5400), ("1d", 86400), ("2H", 7200), ("1s", 1),
        ("1.5h", 5400), (".5h", 1800), ("1h 30m", 5400), ("1 hour, 30 minutes", 5400),
        ("2 days", 2 * 86400), ("1w", 7 * 86400), ("0.6s", 1), (" 45 min ", 2700),
    ],
)  # fmt: skip
def test_intervals(text: str, seconds: int) -> None:
    assert parse_interval(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "text",
    [
        "", " ", "10", "m", "0s", "0.4s", "-1m", "1.5.h", "1h,", "1h 30", "1e3s", "1hh",
        "10 minutes later", "１h", "367d", "9" * 300 + "s", "1" + "0" * 40 + "s",
    ],
)  # fmt: skip
def test_bad_intervals_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_interval(text)


@pytest.mark.parametrize(
    ("expr", "after", "expected"),
    [
        # 2026-01-05 is a Monday. Cron counts weekdays from Sunday = 0 (and 7).
        ("0 9 * * 0", "2026-01-05 12:00", "2026-01-11 09:00 Sun"),
        ("0 9 * * 7", "2026-01-05 12:00", "2026-01-11 09:00 Sun"),
        ("0 9 * * 1", "2026-01-05 12:00", "2026-01-12 09:00 Mon"),
        ("0 9 * * 1-5", "2026-01-09 12:00", "2026-01-12 09:00 Mon"),
        ("0 9 * * 5-7", "2026-01-05 12:00", "2026-01-09 09:00 Fri"),
        ("30 6 * * sat", "2026-01-05 12:00", "2026-01-10 06:30 Sat"),
        ("*/30 * * * *", "2026-01-05 12:10", "2026-01-05 12:30 Mon"),
        ("0 0 1 * *", "2026-01-05 12:00", "2026-02-01 00:00 Sun"),
    ],
)
def test_cron_expressions_fire_when_classic_cron_would(
    expr: str, after: str, expected: str
) -> None:
    trigger = parse_cron(expr)
    start = datetime.strptime(after, "%Y-%m-%d %H:%M").replace(tzinfo=trigger.timezone)
    assert trigger.get_next_fire_time(None, start).strftime("%Y-%m-%d %H:%M %a") == expected


@pytest.mark.parametrize(
    "expr",
    [
        "",
        "* * * *",
        "* * * * * *",
        "61 * * * *",
        "* 25 * * *",
        "0 9 * * 8",
        "0 9 * * 5-1",
        "0 9 1 * 1",
    ],
)
def test_bad_cron_expressions_are_refused(expr: str) -> None:
    with pytest.raises(ValueError):
        parse_cron(expr)


def test_jitter_is_capped_at_a_tenth_of_the_interval() -> None:
    now = datetime(2026, 1, 5, 12, 10, tzinfo=UTC)
    assert Cadence.of("*/30 * * * *", None, 30).jitter_seconds(now) == 30
    assert Cadence.of("*/30 * * * *", "1s", 30).jitter_seconds(now) == 0.1
    assert Cadence.of("*/30 * * * *", "10m", 0).jitter_seconds(now) == 0


def test_deadline_counts_scheduled_runs() -> None:
    since = datetime(2026, 1, 5, 12, 10, tzinfo=UTC)
    assert Cadence.of("*/30 * * * *", "10m", 0).deadline(since, 3) == datetime(
        2026, 1, 5, 12, 40, tzinfo=UTC
    )
    assert Cadence.of("*/30 * * * *", "10m", 30).deadline(since, 3) == datetime(
        2026, 1, 5, 12, 40, 30, tzinfo=UTC
    )


def test_description() -> None:
    assert Cadence.of("*/30 * * * *", None, 0).describe() == "cron '*/30 * * * *'"
    assert Cadence.of("*/30 * * * *", "90m", 0).describe() == "every 90m"
    assert Cadence.of("*/30 * * * *", "2h", 0).describe() == "every 2h"


# --- the daemon in this process ------------------------------------------------------------


class SlowSite:
    """The fixture blog's first snapshot on 127.0.0.1, where chosen paths answer late."""

    def __init__(self) -> None:
        self.delays: dict[str, float] = {}
        self.requests: list[str] = []
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self
        root = fixture_site()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                site.release.wait(site.delays.get(self.path, 0))
                for base in (root / "snapshots" / "01", root / "common"):
                    path = base / self.path.lstrip("/")
                    path = path / "index.html" if path.is_dir() else path
                    if path.is_file():
                        body = path.read_bytes()
                        self.send_response(HTTPStatus.OK)
                        self.send_header("Content-Type", "text/html; charset=utf-8")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                        return
                self.send_error(HTTPStatus.NOT_FOUND)

            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet."""

        return Handler


@pytest.fixture
def slow_site() -> Iterator[SlowSite]:
    site = SlowSite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.release.set()
    site.server.shutdown()
    site.server.server_close()


def wait_for(condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"timed out after {timeout}s waiting for {condition}")


def query(db: Path, sql: str) -> list[dict[str, Any]]:
    """Read the archive with a separate read-only connection, as any other process would."""
    if not db.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return []
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql)]
    except sqlite3.Error:
        return []  # not migrated yet
    finally:
        conn.close()


def runs(db: Path, kind: str = "crawl") -> list[dict[str, Any]]:
    return query(
        db,
        "SELECT id, status, pages, message, started_at, finished_at FROM run"
        f" WHERE kind = '{kind}' ORDER BY id",
    )


def serve_in_thread(daemon: Daemon) -> threading.Thread:
    thread = threading.Thread(target=daemon.serve, daemon=True)
    thread.start()
    return thread


def daemon_settings(url: str, db: Path, **changes: Any) -> Settings:
    # An hour between ticks: only the run at start happens during a test.
    values: dict[str, Any] = {
        "every": "1h",
        "run_now": True,
        "jitter": 0.0,
        "rate": 0.0,
        "full": True,
    }
    return Settings(url=url, db=db, **(values | changes))


def test_stop_lets_the_page_in_flight_finish_and_records_an_interrupted_run(
    db_path: Path, slow_site: SlowSite
) -> None:
    slow_site.delays["/"] = 1.0
    daemon = Daemon(daemon_settings(slow_site.url, db_path))
    thread = serve_in_thread(daemon)
    wait_for(lambda: "/" in slow_site.requests)
    daemon.request_stop("test")
    thread.join(10)
    assert not thread.is_alive()
    assert [(r["status"], r["pages"], r["message"]) for r in runs(db_path)] == [
        ("interrupted", 1, "stopped")
    ]
    assert query(db_path, "SELECT url, outcome FROM page_fetch") == [
        {"url": slow_site.url, "outcome": "parsed"}
    ]


def test_a_page_that_does_not_finish_in_time_is_cancelled(
    db_path: Path, slow_site: SlowSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule, "STOP_GRACE", 0.5)
    slow_site.delays["/page/2/"] = 60.0
    daemon = Daemon(daemon_settings(slow_site.url, db_path))
    thread = serve_in_thread(daemon)
    wait_for(lambda: "/page/2/" in slow_site.requests)
    started = time.monotonic()
    daemon.request_stop("test")
    thread.join(10)
    assert not thread.is_alive()
    assert time.monotonic() - started < 3
    rows = runs(db_path)
    assert [(r["status"], r["pages"], r["message"]) for r in rows] == [
        ("interrupted", 1, "cancelled mid-page")
    ]
    assert rows[0]["finished_at"] is not None
    assert query(db_path, "SELECT url FROM page_fetch") == [{"url": slow_site.url}]


def test_a_tick_that_finds_the_archive_locked_skips_and_the_next_one_runs(
    db_path: Path, fixture_server: FixtureServer, caplog: pytest.LogCaptureFixture
) -> None:
    daemon = Daemon(daemon_settings(fixture_server.base_url, db_path, lock_timeout=0.0))
    caplog.set_level(logging.INFO)
    with exclusive_lock(db_path, 0):
        daemon.tick()
    skipped = [r for r in caplog.records if getattr(r, "event", None) == "run_skipped"]
    assert [r.getMessage() for r in skipped] == [f"run skipped: another crawl holds {db_path}"]
    assert runs(db_path) == []
    daemon.tick()
    assert [(r["status"], r["pages"]) for r in runs(db_path)] == [("ok", 2)]
    # The tick's crawl found placeholders, so recovery ran right after it.
    assert [(r["status"], r["pages"]) for r in runs(db_path, "recover")] == [("ok", 2)]
    pending = query(db_path, "SELECT count(*) AS n FROM placeholder WHERE attempts = 0")
    assert pending == [{"n": 0}]


def test_a_stop_ends_a_tick_s_wait_for_the_archive_at_once(
    db_path: Path, fixture_server: FixtureServer, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGTERM while another run holds the archive: the tick gives up its wait, not after
    lock_timeout (an hour here), and starts no run."""
    daemon = Daemon(daemon_settings(fixture_server.base_url, db_path, lock_timeout=3600.0))
    caplog.set_level(logging.INFO)
    with exclusive_lock(db_path, 0):
        ticking = threading.Thread(target=daemon.tick)
        ticking.start()
        time.sleep(0.3)
        started = time.monotonic()
        daemon.request_stop("SIGTERM")
        ticking.join(timeout=5)
        assert not ticking.is_alive()
        assert time.monotonic() - started < 1.0
    skipped = [r for r in caplog.records if getattr(r, "event", None) == "run_skipped"]
    assert [r.getMessage() for r in skipped] == [
        "run not started: stopping while another run held the archive"
    ]
    assert runs(db_path) == []


def test_schedule_without_url_crawls_every_active_site(
    fixture_server: FixtureServer, db_path: Path
) -> None:
    store = Store.open(db_path)
    for name in ("a", "b"):  # two sites on one host: crawled one after the other
        add_site(store.engine, NewSite(fixture_server.base_url + f"?site={name}", name=name))
    store.close()
    daemon = Daemon(Settings(db=db_path, every="1h", rate=0, jitter=0))
    daemon.tick()
    rows = query(db_path, "SELECT site, status, new_posts FROM crawl_runs WHERE kind = 'crawl'")
    assert sorted((r["site"], r["status"], r["new_posts"]) for r in rows) == [
        ("a", "ok", 7),
        ("b", "ok", 7),
    ]


def test_a_site_whose_crawl_cannot_run_in_a_tick_of_many_logs_run_failed(
    fixture_server: FixtureServer, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One site of several unreachable: its crawl's failure was in no log line."""
    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    store = Store.open(db_path)
    add_site(store.engine, NewSite(fixture_server.base_url, name="up"))
    add_site(store.engine, NewSite(gone, name="gone"))
    store.close()
    caplog.set_level(logging.INFO)
    Daemon(Settings(db=db_path, every="1h", rate=0, jitter=0, retries=1)).tick()
    failed = [r for r in caplog.records if getattr(r, "event", None) == "run_failed"]
    assert [(r.levelno, r.site, r.url) for r in failed] == [(logging.ERROR, "gone", gone)]  # type: ignore[attr-defined]
    assert "unreachable" in failed[0].error  # type: ignore[attr-defined]


def test_only_a_crawl_due_while_the_last_still_goes_is_said_to_be_skipped(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The look every ten seconds for sites with schedules of their own logged "run
    skipped" as a warning every ten seconds while a site's long crawl went on."""
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobEvent

    daemon = Daemon(Settings(db=db_path, every="1h", rate=0, jitter=0))
    caplog.set_level(logging.INFO)
    daemon._overlapped(JobEvent(EVENT_JOB_MAX_INSTANCES, "sites", "default"))
    assert not [r for r in caplog.records if getattr(r, "event", None) == "run_skipped"]
    daemon._overlapped(JobEvent(EVENT_JOB_MAX_INSTANCES, "crawl", "default"))
    skipped = [r for r in caplog.records if getattr(r, "event", None) == "run_skipped"]
    assert [r.reason for r in skipped] == ["the previous run is still going"]  # type: ignore[attr-defined]


def test_the_schedule_started_line_counts_the_sites_on_schedules_of_their_own(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """It said only the daemon's own cadence, though most sites kept schedules of their own."""
    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    store = Store.open(db_path)
    add_site(store.engine, NewSite(gone + "?site=a", name="a"))
    add_site(store.engine, NewSite(gone + "?site=b", name="b", every="1h"))
    add_site(store.engine, NewSite(gone + "?site=c", name="c", cron="0 * * * *"))
    store.close()
    caplog.set_level(logging.INFO)
    daemon = Daemon(Settings(db=db_path, every="6h", rate=0, jitter=0, retries=1))
    daemon.request_stop("test")  # the ticks the start runs at once do nothing
    daemon._start_scheduler().shutdown(wait=True)
    started = [r for r in caplog.records if getattr(r, "event", None) == "schedule_started"]
    assert started[0].own_schedules == 2  # type: ignore[attr-defined]
    assert "every 6h (2 of 3 active sites on schedules of their own)" in started[0].getMessage()


def test_sites_with_a_schedule_of_their_own_are_crawled_when_due(
    fixture_server: FixtureServer, db_path: Path
) -> None:
    store = Store.open(db_path)
    add_site(store.engine, NewSite(fixture_server.base_url + "?site=a", name="a"))
    add_site(store.engine, NewSite(fixture_server.base_url + "?site=b", name="b", every="1h"))
    store.close()
    daemon = Daemon(Settings(db=db_path, every="6h", rate=0, jitter=0))

    def crawled() -> list[str]:
        rows = query(db_path, "SELECT site FROM crawl_runs WHERE kind = 'crawl' ORDER BY id")
        return [row["site"] for row in rows]

    daemon.tick()  # the daemon's own schedule: the sites without one
    assert crawled() == ["a"]
    daemon.tick_own_schedules()  # b's hour has had no crawl yet
    assert crawled() == ["a", "b"]
    daemon.tick_own_schedules()  # nothing due until b's next hour
    assert crawled() == ["a", "b"]


# --- the daemon as a process ---------------------------------------------------------------


# The image's ENTRYPOINT is the console script; `python -m feedkeeper` is its twin.
CONSOLE_SCRIPT = [str(Path(sys.executable).parent / "feedkeeper")]
MODULE = [sys.executable, "-m", "feedkeeper"]


def start_daemon(
    command: list[str], cwd: Path, log: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start `feedkeeper schedule` in a subprocess, its stderr (the log) going to ``log``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FEEDKEEPER_")}
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [*command, "schedule", *args],
            cwd=cwd,
            env=clean | (env or {}),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def log_events(log: Path) -> list[dict[str, Any]]:
    """Every line of a JSON log, parsed: a line that is not one JSON object fails the test."""
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert all(isinstance(entry, dict) for entry in entries)
    return entries


def stop(process: subprocess.Popen[bytes]) -> tuple[int, float]:
    """Send SIGTERM; return the exit code and how long the process took to exit."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = process.wait(15)
    return code, time.monotonic() - started


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.mark.slow
def test_daemon_ticks_then_stops_mid_run_on_sigterm(
    tmp_path: Path, fixture_server: FixtureServer
) -> None:
    db, log = tmp_path / "archive.db", tmp_path / "daemon.log"
    process = start_daemon(
        CONSOLE_SCRIPT,
        tmp_path,
        log,
        "--url",
        fixture_server.base_url,
        "--db",
        str(db),
        "--every",
        "1s",
        "--full",
        "--rate",
        "4",
        "--log-format",
        "json",
    )
    try:
        wait_for(lambda: len([r for r in runs(db) if r["finished_at"]]) >= 3, timeout=30)
        # Mid-run: a run is going and has stored a page, with another still to come.
        wait_for(
            lambda: query(
                db,
                "SELECT 1 FROM page_fetch WHERE run_id ="
                " (SELECT id FROM run WHERE status = 'running')",
            ),
            timeout=10,
        )
        code, seconds = stop(process)
    finally:
        process.kill()
    assert code == 0
    assert seconds < 10
    rows = runs(db)
    assert len(rows) >= 3
    assert {r["status"] for r in rows} <= {"ok", "interrupted"}
    assert all(r["finished_at"] for r in rows)
    assert integrity(db) == "ok"
    events = log_events(log)
    assert events[0]["event"] == "schedule_started"
    assert events[-1]["event"] == "stopped"
    finished = [e for e in events if e.get("event") == "run_finished"]
    assert [e["run_id"] for e in finished] == [r["id"] for r in rows]
    for entry in finished:
        assert entry["url"] == fixture_server.base_url
        assert entry["status"] in {"ok", "interrupted"}
        assert isinstance(entry["duration_s"], float)
        assert {"pages", "new_posts", "new_versions", "reposts", "cards_skipped"} <= set(
            entry["counts"]
        )


@pytest.mark.slow
def test_a_second_daemon_on_the_same_archive_never_overlaps(
    tmp_path: Path, fixture_server: FixtureServer
) -> None:
    db = tmp_path / "archive.db"
    args = (
        "--url",
        fixture_server.base_url,
        "--db",
        str(db),
        "--every",
        "1s",
        "--full",
        "--rate",
        "3",
        "--log-format",
        "json",
    )
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    # A tick gives up at once when the other daemon holds the lock.
    processes = [
        start_daemon(MODULE, tmp_path, log, *args, env={"FEEDKEEPER_LOCK_TIMEOUT": "0"})
        for log in logs
    ]

    def skips() -> list[dict[str, Any]]:
        lines = [
            line
            for log in logs
            for line in log.read_text(encoding="utf-8").splitlines(keepends=True)
        ]
        entries = [json.loads(line) for line in lines if line.endswith("\n")]
        return [e for e in entries if e.get("event") == "run_skipped"]

    try:
        wait_for(
            lambda: skips() and len([r for r in runs(db) if r["finished_at"]]) >= 3, timeout=30
        )
        assert all(p.poll() is None for p in processes)  # a skipped tick does not end a daemon
        results = [stop(p) for p in processes]
    finally:
        for process in processes:
            process.kill()
    assert [code for code, _ in results] == [0, 0]
    rows = runs(db)
    assert all(r["finished_at"] for r in rows)
    for earlier, later in itertools.pairwise(rows):
        assert earlier["finished_at"] <= later["started_at"], (earlier, later)
    # a tick the other daemon's lock refused; and, with crawls longer than a second, ticks
    # due while the daemon's own run went on
    reasons = {e["reason"] for e in skips()}
    assert f"another crawl holds {db}" in reasons
    assert reasons <= {f"another crawl holds {db}", "the previous run is still going"}
    assert integrity(db) == "ok"


def test_a_site_s_own_cron_is_read_in_the_machine_s_time_zone() -> None:
    # 21:18 every day in Shanghai is 13:18 UTC: at 13:30 UTC the slot began at 13:18 UTC,
    # as the daemon's own schedule and `health` read cron (in UTC it would be yesterday's).
    import os
    import subprocess
    import sys

    probe = (
        "from datetime import UTC, datetime\n"
        "from feedkeeper.config import Settings\n"
        "from feedkeeper.store.sites import Site\n"
        "from feedkeeper.triggers import current_slot\n"
        "site = Site(1, 'a', 'https://a.example/', None, None, '18 21 * * *')\n"
        "print(current_slot(site, Settings(), datetime(2026, 1, 10, 13, 30, tzinfo=UTC)))\n"
    )
    env = {**os.environ, "TZ": "Asia/Shanghai"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "2026-01-10T13:18:00.000000Z"


def test_a_run_due_while_the_daemon_was_stopped_is_run_at_start(tmp_path: Path) -> None:
    # Restarted more often than its interval (nightly reboots, --every 1d), a daemon that
    # waited a whole interval after each start would never crawl: a run missed is run now.
    import sample_archive
    from feedkeeper.schedule import Daemon

    sample_archive.open_copy(tmp_path / "a.db").close()  # its crawls started just now
    settings = Settings(url=sample_archive.PAGE, db=tmp_path / "a.db", every="1h", jitter=0.0)
    now = datetime.now(UTC)
    assert not Daemon(settings)._starting_point(now).missed_a_run
    assert Daemon(settings)._starting_point(now + timedelta(hours=2)).missed_a_run
    other = replace(settings, url="https://other.example/")  # never crawled
    assert Daemon(other)._starting_point(now).missed_a_run
    assert Daemon(replace(settings, db=tmp_path / "none.db"))._starting_point(now).missed_a_run


@pytest.mark.slow
def test_sighup_stops_the_daemon_as_sigterm_does(
    tmp_path: Path, fixture_server: FixtureServer
) -> None:
    # The terminal it was started from closing: a graceful stop, not a kill mid-page.
    db, log = tmp_path / "archive.db", tmp_path / "daemon.log"
    args = ["--url", fixture_server.base_url, "--db", str(db), "--every", "1h"]
    process = start_daemon(CONSOLE_SCRIPT, tmp_path, log, *args, "--log-format", "json")
    try:
        wait_for(lambda: any(r["finished_at"] for r in runs(db)), timeout=30)
        process.send_signal(signal.SIGHUP)
        code = process.wait(15)
    finally:
        process.kill()
    assert code == 0
    events = log_events(log)
    assert events[-1]["event"] == "stopped"
    assert any(e.get("reason") == "SIGHUP" for e in events if e.get("event") == "stopping")


def test_a_tick_due_while_the_run_before_goes_is_logged_as_run_skipped(
    db_path: Path, slow_site: SlowSite, caplog: pytest.LogCaptureFixture
) -> None:
    # APScheduler said so in its own words, which no log collector filtering on the
    # documented events would find.
    slow_site.delays["/"] = 2.5
    daemon = Daemon(daemon_settings(slow_site.url, db_path, every="1s"))
    with caplog.at_level(logging.WARNING):
        thread = serve_in_thread(daemon)
        wait_for(
            lambda: any(getattr(r, "event", None) == "run_skipped" for r in caplog.records),
            timeout=15,
        )
        daemon.request_stop("test")
        thread.join(10)
    skipped = [r for r in caplog.records if getattr(r, "event", None) == "run_skipped"]
    assert skipped[0].reason == "the previous run is still going"  # type: ignore[attr-defined]
    assert not [r for r in caplog.records if r.name.startswith("apscheduler")]


@pytest.mark.parametrize("how", ["pause", "remove"])
def test_a_daemon_given_a_url_leaves_its_site_alone_once_paused_or_removed(
    fixture_server: FixtureServer, db_path: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    """`sites pause` while the container's daemon runs with FEEDKEEPER_URL: it crawled on."""
    daemon = Daemon(daemon_settings(fixture_server.base_url, db_path))
    daemon.tick()
    assert len(runs(db_path)) == 1
    store = Store.open(db_path)
    [site] = list_sites(store.engine)
    if how == "pause":
        set_state(store.engine, site.name, SiteState.PAUSED, asked_by="t")
    else:
        remove_site(store.engine, site.name, purge=False, asked_by="t")
    store.close()
    caplog.set_level(logging.INFO)
    daemon.tick()
    assert len(runs(db_path)) == 1
    skipped = [r for r in caplog.records if getattr(r, "event", None) == "run_skipped"]
    state = "paused" if how == "pause" else "removed"
    assert [r.getMessage() for r in skipped] == [f"run skipped: site {site.name} is {state}"]


def test_an_archive_deleted_under_the_daemon_is_not_made_anew(
    fixture_server: FixtureServer, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A volume unmounted, a file deleted: the next tick began a new, empty archive."""
    daemon = Daemon(daemon_settings(fixture_server.base_url, db_path))
    daemon.tick()
    assert len(runs(db_path)) == 1
    for name in (db_path.name, db_path.name + "-wal", db_path.name + "-shm"):
        (db_path.parent / name).unlink(missing_ok=True)
    caplog.set_level(logging.INFO)
    daemon.tick()
    assert not db_path.exists()
    failed = [r.getMessage() for r in caplog.records if getattr(r, "event", None) == "run_failed"]
    assert failed == [
        f"run failed: {db_path} is gone: not making a new archive in its place (restore it,"
        " or restart the daemon to begin a new one)"
    ]
