"""A full disk during reparse, recover or an export: one line, the write rolled back, the
archive whole."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event

import sample_archive
from feedkeeper.config import Settings
from feedkeeper.errors import StoreError
from feedkeeper.fixture_site import FixtureServer
from feedkeeper.pipeline import crawl
from feedkeeper.recover import recover
from feedkeeper.reparse import reparse
from feedkeeper.store import Store

from conftest import rows

SNAPSHOT = """SELECT (SELECT count(*) FROM post) AS posts, (SELECT count(*) FROM post_version)
 AS versions, (SELECT count(*) FROM sighting) AS sightings,
 (SELECT group_concat(status) FROM placeholder) AS placeholders,
 (SELECT group_concat(coalesce(text, '-')) FROM placeholder) AS texts"""


def fill_the_disk(store: Store) -> None:
    """From now on the archive cannot grow by a single page, as on a full disk."""
    store.engine.dispose()
    # No free page left inside the file either (a migration that recreates a view leaves
    # some): a full disk gives none.
    with contextlib.closing(sqlite3.connect(store.path, isolation_level=None)) as raw:
        raw.execute("VACUUM")
        pages = raw.execute("PRAGMA page_count").fetchone()[0]

    def limit(dbapi_conn: object, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]

    event.listen(store.engine, "connect", limit)


@pytest.fixture
def crawled(store: Store, fixture_server: FixtureServer) -> Store:
    settings = Settings(url=fixture_server.base_url, db=store.path, full=True, rate=0)
    assert crawl(store, settings).counts.placeholders_found > 0
    return store


def test_disk_full_during_reparse_changes_nothing(crawled: Store) -> None:
    # The versions' excerpts emptied: rebuilding them from the stored pages needs room
    # the archive no longer has (a reparse writing what it found would fit in the pages
    # it frees).
    with crawled.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE post_version SET excerpt = ''")
    before = rows(crawled, SNAPSHOT)
    fill_the_disk(crawled)
    with pytest.raises(
        StoreError, match="database or disk is full; the write in progress was undone"
    ) as info:
        reparse(crawled)
    assert "\n" not in info.value.message
    assert rows(crawled, SNAPSHOT) == before
    assert rows(crawled, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert rows(crawled, "SELECT kind, status FROM run ORDER BY id")[-1] == {
        "kind": "reparse",
        "status": "failed",
    }


def test_disk_full_during_recover_leaves_no_half_written_recovery(
    crawled: Store, fixture_server: FixtureServer
) -> None:
    # Each article's findings are one transaction: the one the full disk stopped is
    # rolled back whole, and what was settled before it stays settled and consistent.
    fill_the_disk(crawled)
    with pytest.raises(
        StoreError, match="database or disk is full; the write in progress was undone"
    ):
        recover(crawled, Settings(db=crawled.path, rate=0))
    assert rows(crawled, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert rows(crawled, "SELECT kind, status FROM run ORDER BY id")[-1]["status"] == "failed"
    versions = rows(
        crawled,
        "SELECT v.excerpt_recovered IS NOT NULL AS filled, sum(p.status = 'recovered') AS settled,"
        " sum(p.status = 'pending') AS pending FROM post_version v"
        " JOIN placeholder p ON p.version_id = v.id GROUP BY v.id",
    )
    assert any(v["pending"] for v in versions)  # the write the disk refused left them pending
    assert all(bool(v["filled"]) == bool(v["settled"]) for v in versions)


def test_a_recovery_cancelled_mid_article_is_recorded_interrupted(crawled: Store) -> None:
    # What a stopping daemon does to a tick's recovery that outlives the grace period.
    import asyncio

    import httpx

    from feedkeeper.recover import RecoverOptions, recover_async

    async def never_answers(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def cancel_mid_article() -> None:
        options = RecoverOptions(transport=httpx.MockTransport(never_answers))
        task = asyncio.create_task(recover_async(crawled, Settings(db=crawled.path), options))
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_mid_article())
    assert rows(crawled, "SELECT kind, status FROM run ORDER BY id")[-1] == {
        "kind": "recover",
        "status": "interrupted",
    }


# An export run with its files held under a size, as on a disk that fills up as it writes.
EXPORT_UNDER_A_SIZE = """
import resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv = ["feedkeeper", "export", *sys.argv[2:]]
from feedkeeper.__main__ import main
main()
"""


def test_an_export_to_standard_output_that_fills_the_disk_fails_in_one_line(
    tmp_path: Path,
) -> None:
    """With PYTHONUNBUFFERED=1 (the container's), standard output is the file itself: the
    write that filled the disk took part of the export without an error, and the export
    ended with exit 0, its end lost."""
    db = tmp_path / "a.db"
    sample_archive.open_copy(db).close()
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE post_version SET excerpt = ? WHERE post_id = 3", ("x" * 60_000,))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDKEEPER_")}
    limit = 48 * 1024  # room for the archive's shared-memory file, not for the export
    argv = [str(limit), "--db", str(db), "--format", "csv", "--fields", "id,excerpt"]
    with (tmp_path / "posts.csv").open("wb") as stdout:
        done = subprocess.run(
            [sys.executable, "-c", EXPORT_UNDER_A_SIZE, *argv],
            stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
            env={**env, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
    assert (done.returncode, done.stderr) == (1, "error: cannot write the output: File too large\n")
