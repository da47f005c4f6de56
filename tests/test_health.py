"""`feedkeeper health`: readable archive, and a successful crawl within 3 scheduled intervals."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feedkeeper.cli import main
from feedkeeper.config import Settings
from feedkeeper.health import RunTimes, check_health, judge
from feedkeeper.records import RunCounts
from feedkeeper.store import Store, exclusive_lock
from feedkeeper.triggers import Cadence, parse_cron

T0 = datetime(2026, 1, 11, 8, 0, tzinfo=UTC)
EVERY_10M = Cadence.of("*/30 * * * *", "10m", 0)


@pytest.mark.parametrize(
    ("minutes", "healthy"), [(5, True), (29, True), (30, True), (31, False), (600, False)]
)
def test_a_success_counts_for_three_intervals(minutes: int, healthy: bool) -> None:
    health = judge(RunTimes(T0, T0), EVERY_10M, T0 + timedelta(minutes=minutes))
    assert health.is_healthy is healthy


def test_the_reasons_say_when_and_why() -> None:
    assert judge(RunTimes(T0, T0), EVERY_10M, T0 + timedelta(minutes=5)).reason == (
        "last successful crawl started 2026-01-11 08:00:00 UTC (5m ago); runs every 10m"
    )
    assert judge(RunTimes(T0, T0), EVERY_10M, T0 + timedelta(hours=2)).reason == (
        "last successful crawl started 2026-01-11 08:00:00 UTC (2h ago):"
        " at least 3 runs every 10m came due since"
    )


def test_jitter_gives_a_late_run_its_slack() -> None:
    cadence = Cadence.of("*/30 * * * *", "10m", 45)  # jitter capped at a tenth: 60 s → 45 s
    assert judge(RunTimes(T0, T0), cadence, T0 + timedelta(minutes=30, seconds=40)).is_healthy
    assert not judge(RunTimes(T0, T0), cadence, T0 + timedelta(minutes=30, seconds=50)).is_healthy


def test_cron_intervals_follow_the_calendar() -> None:
    hourly = Cadence.of("0 * * * *", None, 0)
    started = datetime(2026, 1, 11, 8, 10, tzinfo=UTC)  # the runs due next: 9:00, 10:00, 11:00
    local = started.astimezone(parse_cron("0 * * * *").timezone)
    if local.minute != 10:
        pytest.skip("the local time zone is not a whole number of hours from UTC")
    assert judge(
        RunTimes(started, started), hourly, datetime(2026, 1, 11, 10, 59, tzinfo=UTC)
    ).is_healthy
    assert not judge(
        RunTimes(started, started), hourly, datetime(2026, 1, 11, 11, 1, tzinfo=UTC)
    ).is_healthy


def test_no_crawl_yet_is_healthy() -> None:
    health = judge(RunTimes(None, None), EVERY_10M, T0)
    assert (health.is_healthy, health.reason) == (True, "no crawl has run yet")


def test_crawls_that_never_succeed_turn_unhealthy_three_intervals_after_the_first() -> None:
    assert judge(RunTimes(None, T0), EVERY_10M, T0 + timedelta(minutes=20)).is_healthy
    health = judge(RunTimes(None, T0), EVERY_10M, T0 + timedelta(minutes=31))
    assert not health.is_healthy
    assert health.reason.startswith(
        "no successful crawl; the first one started 2026-01-11 08:00:00 UTC"
    )


def test_a_site_no_crawl_has_reached_turns_unhealthy_three_intervals_after_it_was_added() -> None:
    assert judge(RunTimes(None, None, T0), EVERY_10M, T0 + timedelta(minutes=20)).is_healthy
    health = judge(RunTimes(None, None, T0), EVERY_10M, T0 + timedelta(minutes=31))
    assert (health.is_healthy, health.reason) == (
        False,
        "no crawl has run yet; the site was added 2026-01-11 08:00:00 UTC (31m ago):"
        " at least 3 runs every 10m came due since",
    )


def test_a_site_of_many_that_no_worker_ever_crawled_makes_the_archive_unhealthy(
    clean_env: None, store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a", "b"):
        url = f"https://{name}.example/"
        assert (
            main(["sites", "add", url, "--name", name, "--every", "1m", "--db", str(db_path)]) == 0
        )
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE site SET added_at = '2026-01-01T00:00:00.000000Z'")
        conn.exec_driver_sql("UPDATE site SET added_at = ? WHERE name = 'a'", (_now_text(),))
    capsys.readouterr()
    assert main(["health", "--db", str(db_path)]) == 1
    assert capsys.readouterr().out.startswith(
        "unhealthy: 1 of 2 sites unhealthy: site b: no crawl has run yet;"
        " the site was added 2026-01-01 00:00:00 UTC ("
    )


def _now_text(minutes: int = 0) -> str:
    moment = datetime.now(UTC) + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_a_crawl_that_started_after_now_is_a_wrong_clock_not_a_recent_success() -> None:
    """A crawl made while the clock ran a year ahead read "0s ago" for that year."""
    ahead = T0 + timedelta(days=365)
    health = judge(RunTimes(ahead, ahead), EVERY_10M, T0)
    assert (health.is_healthy, health.reason) == (
        False,
        "last successful crawl started 2027-01-11 08:00:00 UTC, 365d from now: this"
        " machine's clock, or the one that ran it, is wrong",
    )
    assert judge(RunTimes(T0, T0), EVERY_10M, T0 - timedelta(minutes=1)).is_healthy  # slack


def test_an_archive_whose_sites_are_all_paused_is_healthy_and_says_so(
    clean_env: None, store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sites", "add", "https://a.example/", "--name", "a", "--db", str(db_path)]) == 0
    assert main(["sites", "pause", "a", "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert main(["health", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == (
        "healthy: no active site: every site of the archive is paused or removed\n"
    )


def test_a_site_resumed_after_a_long_pause_is_due_from_its_resume(
    clean_env: None, store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site resumed after a month's pause was unhealthy at once, until its next crawl."""
    db = str(db_path)
    assert (
        main(["sites", "add", "https://a.example/", "--name", "a", "--every", "1m", "--db", db])
        == 0
    )
    assert main(["sites", "pause", "a", "--db", db]) == 0
    with store.engine.begin() as conn:  # added, and crawled last, a month ago
        conn.exec_driver_sql("UPDATE site SET added_at = '2026-01-01T00:00:00.000000Z'")
    assert main(["sites", "resume", "a", "--db", db]) == 0
    capsys.readouterr()
    assert main(["health", "--db", db]) == 0
    assert capsys.readouterr().out.startswith("healthy: the site was resumed ")
    with store.engine.begin() as conn:  # resumed four intervals ago, never crawled since
        conn.exec_driver_sql("UPDATE site SET state_changed_at = ?", (_now_text(minutes=-4),))
    assert main(["health", "--db", db]) == 1
    assert capsys.readouterr().out.startswith("unhealthy: the site was resumed ")


def test_sites_no_crawl_has_reached_yet_are_not_said_to_be_crawled(
    clean_env: None, store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(db_path)
    for name in ("a", "b"):
        assert main(["sites", "add", f"https://{name}.example/", "--name", name, "--db", db]) == 0
    capsys.readouterr()
    assert main(["health", "--db", db]) == 0
    assert capsys.readouterr().out == (
        "healthy: all 2 active sites healthy: none went 3 runs without a successful crawl\n"
    )


def test_missing_archive(tmp_path: Path) -> None:
    health = check_health(Settings(db=tmp_path / "none.db"))
    assert (health.is_healthy, health.reason) == (False, f"no archive at {tmp_path / 'none.db'}")


def test_an_empty_file_is_no_archive_and_stays_empty(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    health = check_health(Settings(db=db))
    assert (health.is_healthy, health.reason) == (False, f"no archive at {db} (the file is empty)")
    assert db.stat().st_size == 0


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda db: db.mkdir(), "--db: {db} is a folder, not an archive file"),
        (os.mkfifo, "--db: {db} is not a regular file"),
        (
            lambda db: sqlite3.connect(db).execute("CREATE TABLE notes (body)").connection.close(),
            "--db: {db} is a database of another program (tables: notes), not a feedkeeper"
            " archive: it was left as it is",
        ),
    ],
    ids=["folder", "fifo", "database of another program"],
)
def test_what_is_no_archive_file_is_named_as_every_command_names_it(
    tmp_path: Path, make: Callable[[Path], object], reason: str
) -> None:
    db = tmp_path / "archive.db"
    make(db)
    health = check_health(Settings(db=db))
    assert (health.is_healthy, health.reason) == (False, reason.format(db=db))
    assert sorted(os.listdir(tmp_path)) == ["archive.db"]  # left as it was


def test_a_working_folder_that_is_gone_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    health = check_health(Settings(db=Path("feedkeeper.db")))
    assert not health.is_healthy
    assert health.reason.startswith("--db: cannot use feedkeeper.db: the working folder is gone")


def test_unreadable_archive(tmp_path: Path) -> None:
    db = tmp_path / "garbage.db"
    db.write_bytes(b"this is not a database" * 100)
    health = check_health(Settings(db=db))
    assert (health.is_healthy, health.reason) == (
        False,
        f"--db: {db} is no SQLite file (it begins 'this is not a da'), not a feedkeeper"
        " archive: it was left as it is",
    )


def _run(store: Store, kind: str, status: str) -> datetime:
    run_id = store.start_run(kind, "https://blog.example/")
    store.finish_run(run_id, RunCounts(), status)
    with store.engine.connect() as conn:
        started = conn.exec_driver_sql(
            "SELECT started_at FROM run WHERE id = ?", (run_id,)
        ).scalar_one()
    return datetime.fromisoformat(started)


def test_reads_the_run_table(store: Store, db_path: Path) -> None:
    settings = Settings(db=db_path, every="10m", jitter=0)
    first = _run(store, "crawl", "failed")
    success = _run(store, "crawl", "partial")  # a partial run reached the site: it counts
    _run(store, "crawl", "failed")
    _run(store, "import", "ok")  # not a crawl: does not count
    assert check_health(settings, success + timedelta(minutes=29)).is_healthy
    assert not check_health(settings, success + timedelta(minutes=31)).is_healthy
    assert first <= success


def test_health_never_waits_for_the_writer_lock(store: Store, db_path: Path) -> None:
    started = _run(store, "crawl", "ok")
    with exclusive_lock(db_path, 0):
        health = check_health(
            Settings(db=db_path, every="10m", jitter=0), started + timedelta(minutes=1)
        )
    assert health.is_healthy


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("FEEDKEEPER_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_cli_healthy(
    clean_env: None, store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(store, "crawl", "ok")
    assert main(["health", "--db", str(db_path), "--every", "1h"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("healthy: last successful crawl started ")
    assert out.endswith("(0s ago); runs every 1h\n")


def test_cli_unhealthy(clean_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["health", "--db", str(tmp_path / "none.db")]) == 1
    assert capsys.readouterr().out == f"unhealthy: no archive at {tmp_path / 'none.db'}\n"


def test_cli_reads_the_schedule_from_the_environment(
    clean_env: None,
    store: Store,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _run(store, "crawl", "ok")
    monkeypatch.setenv("FEEDKEEPER_DB", str(db_path))
    monkeypatch.setenv("FEEDKEEPER_EVERY", "2h")
    assert main(["health"]) == 0
    assert capsys.readouterr().out.endswith("runs every 2h\n")
