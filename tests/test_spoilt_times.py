"""Times another program wrote wrongly into the archive (its own text, a number, bytes), or
that a clock stepped back wrote: each command says so in one line, or goes on without them,
never exit 70 nor a negative duration."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feedkeeper.cli import main
from feedkeeper.clock import shown
from feedkeeper.config import Settings
from feedkeeper.politeness import seconds_left
from feedkeeper.records import HostPause, RunCounts
from feedkeeper.store import Store
from feedkeeper.store.sites import ensure_site

from conftest import rows

# What sqlite3, a spreadsheet or a script may leave in a time column.
SPOILT = [
    ("'garbage'", "'garbage'"),
    ("julianday('2026-01-11')", "'2461051.5'"),  # a number, kept as text by the column
    ("X'00ff'", "b'\\x00\\xff'"),
    ("'2026-13-45T99:00:00Z'", "'2026-13-45T99:00:00Z'"),
]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("FEEDKEEPER_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def _crawls(store: Store, *started: str) -> None:
    """Crawl runs that went well, their start times then set by another program as SQL."""
    site = ensure_site(store.engine, "https://blog.example/")
    for value in started:
        run_id = store.start_run("crawl", "https://blog.example/", site.id)
        store.finish_run(run_id, RunCounts(), "ok")
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE run SET started_at = {value} WHERE id = {run_id}")


@pytest.mark.parametrize(("value", "said"), SPOILT)
def test_health_names_a_start_time_that_is_no_time(
    value: str,
    said: str,
    clean_env: None,
    store: Store,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """health ended with "internal error: ValueError: Invalid isoformat string" (exit 70)."""
    _crawls(store, value)
    assert main(["health", "--db", str(db_path), "--every", "1h"]) == 1
    assert capsys.readouterr().out == (
        f"unhealthy: cannot judge {db_path}: the start of the last successful crawl"
        f" (run.started_at) is {said} in the archive, which is not a time\n"
    )


def test_health_goes_by_the_times_it_needs(
    clean_env: None, store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A first crawl whose start is spoilt is no matter while a later one succeeded."""
    now = datetime.now(UTC)
    _crawls(store, "'12345'", f"'{(now - timedelta(minutes=5)).isoformat()}'")
    assert main(["health", "--db", str(db_path), "--every", "1h"]) == 0
    assert capsys.readouterr().out.startswith("healthy: last successful crawl started ")


def test_a_daemon_crawls_at_once_when_its_last_start_is_no_time(
    store: Store, db_path: Path
) -> None:
    """The daemon stopped as it started, with exit 70."""
    from feedkeeper.schedule import Daemon

    _crawls(store, "'garbage'")
    settings = Settings(db=db_path, every="1h", jitter=0.0)
    assert Daemon(settings)._starting_point(datetime.now(UTC)).missed_a_run


def test_a_host_pause_ending_at_no_time_is_no_pause() -> None:
    """It raised ValueError in every crawl of the host."""
    assert seconds_left(HostPause("https://blog.example", "garbage", "garbage", 60.0)) == 0.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-11T08:00:00.123456Z", "2026-01-11 08:00:00 UTC"),
        ("2026-01-11T16:00:00+08:00", "2026-01-11 08:00:00 UTC"),  # another zone's time
        ("2026-01-11 08:00:00", "2026-01-11 08:00:00 UTC"),  # sqlite3's datetime('now')
        ("garbage", "garbage"),  # not a time: as it is, no zone after it
        (b"\x00\xff", "b'\\x00\\xff'"),
    ],
)
def test_times_are_shown_in_utc_and_what_is_none_as_it_is(value: object, expected: str) -> None:
    assert shown(value) == expected


def test_status_shows_a_start_time_that_is_no_time_as_it_is(
    clean_env: None, store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """status printed "garbage UTC", and stopped with exit 70 on bytes."""
    _crawls(store, "'garbage'", "X'00ff'")
    assert main(["status", "--db", str(db_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    started = [line.split()[3] for line in lines if line.split()[1:3] == ["crawl", "ok"]]
    assert started == ["b'\\x00\\xff'", "garbage"]


def test_a_run_that_ended_before_it_began_has_no_duration(archive_db: Path | str) -> None:
    """The machine's clock stepped back while a run ran: crawl_runs gave it -3500 seconds."""
    store = Store.open(archive_db)
    try:
        ends = {
            "'2026-01-11T08:00:02.500000Z'": 2.5,
            "'2026-01-11T07:01:40.000000Z'": None,  # before its start
            "'garbage'": None,
        }
        for finished in ends:
            run_id = store.start_run("crawl", "https://blog.example/")
            store.finish_run(run_id, RunCounts(), "ok")
            with store.engine.begin() as conn:
                conn.exec_driver_sql(
                    f"UPDATE run SET started_at = '2026-01-11T08:00:00.000000Z',"
                    f" finished_at = {finished} WHERE id = {run_id}"
                )
        if not isinstance(archive_db, Path):
            del ends["'garbage'"]  # PostgreSQL cannot read the view past such a row
            with store.engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM run WHERE finished_at = 'garbage'")
        got = [r["duration_seconds"] for r in rows(store, "SELECT * FROM crawl_runs ORDER BY id")]
    finally:
        store.close()
    assert got == list(ends.values())
