"""Both full-text indexes are refreshed from one queue as feedkeeper's writes commit."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import sample_archive
from feedkeeper.cards import Card
from feedkeeper.pipeline import write_page
from feedkeeper.records import PageCapture, PageKind
from feedkeeper.store import Store, write
from feedkeeper.store.engine import SCHEMA_HEAD, create_sqlite_engine, migrate, schema_revision
from feedkeeper.store.ready_words import READY_WORDS_MAX, READY_WORDS_MAX_CHARS
from feedkeeper.store.search import search_posts
from feedkeeper.store.sites import ensure_site
from test_words import POST, RUN, SITE

from conftest import rows

TABLES = ("post", "post_version", "post_url", "post_fingerprint", "sighting", "placeholder", "run")
INDEXED = "SELECT rowid AS id, title, excerpt FROM post_fts ORDER BY rowid"
CURRENT = "SELECT id, title, excerpt FROM posts_current ORDER BY id"
TRIGGERS = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"


@pytest.fixture
def sample(db_path: Path) -> Iterator[Store]:
    store = sample_archive.open_copy(db_path)
    yield store
    store.close()


def _counts(store: Store) -> dict[str, int]:
    return {t: rows(store, f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in TABLES}


def _words(store: Store, word: str) -> list[int]:
    query = "SELECT rowid AS id FROM post_words WHERE post_words MATCH :w ORDER BY rowid"
    return [r["id"] for r in rows(store, query, w=f'"{word}"')]


def _edit_with_another_tool(path: Path, post_id: int, title: str) -> None:
    other_tool = sqlite3.connect(path)  # knows nothing of feedkeeper
    with other_tool:
        other_tool.execute(
            "UPDATE post_version SET title = ? WHERE post_id = ?"
            " AND version = (SELECT current_version FROM post WHERE id = ?)",
            (title, post_id, post_id),
        )
    other_tool.close()


def test_the_substring_index_waits_in_the_queue_for_the_next_write(
    sample: Store, db_path: Path
) -> None:
    _edit_with_another_tool(db_path, 4, "混合精度训练")
    assert rows(sample, "SELECT post_id FROM post_words_stale") == [{"post_id": 4}]
    assert [h.post_id for h in search_posts(sample.engine, "混合精度")] == []
    with sample.engine.begin() as conn:
        conn.exec_driver_sql("SELECT 1")
    assert [h.post_id for h in search_posts(sample.engine, "混合精度")] == [4]
    assert _words(sample, "精度") == [4]
    assert rows(sample, INDEXED) == rows(sample, CURRENT)
    assert rows(sample, "SELECT post_id FROM post_words_stale") == []


def test_a_removed_post_leaves_both_indexes_at_once(sample: Store, db_path: Path) -> None:
    other_tool = sqlite3.connect(db_path)
    with other_tool:
        for table in ("placeholder", "sighting", "post_fingerprint", "post_url"):
            where = "version_id IN (SELECT id FROM post_version WHERE post_id = 4)"
            other_tool.execute(
                f"DELETE FROM {table} WHERE {where if table == 'placeholder' else 'post_id = 4'}"
            )
        other_tool.execute("DELETE FROM post_version WHERE post_id = 4")
        other_tool.execute("DELETE FROM post WHERE id = 4")
    other_tool.close()
    assert [r["id"] for r in rows(sample, INDEXED)] == [1, 2, 3, 5]
    assert _words(sample, "梯度") == []


def test_an_archive_at_0008_upgrades_losing_nothing_and_downgrades_again(
    sample: Store, db_path: Path
) -> None:
    head_triggers = rows(sample, TRIGGERS)
    assert not [t for t in head_triggers if t["name"].startswith("post_fts_")]
    before = _counts(sample)
    migrate(sample.engine, "0008", down=True)
    assert schema_revision(sample.engine) == "0008"
    old_triggers = {t["name"] for t in rows(sample, TRIGGERS)}
    assert {"post_fts_version_insert", "post_fts_post_update"} <= old_triggers
    _edit_with_another_tool(db_path, 4, "混合精度训练")  # at 0008: kept by post_fts's triggers
    assert rows(sample, INDEXED) == rows(sample, CURRENT)
    migrate(sample.engine, "head")
    assert rows(sample, TRIGGERS) == head_triggers
    assert _counts(sample) == before
    assert rows(sample, INDEXED) == rows(sample, CURRENT)
    assert _words(sample, "精度") == [4]
    assert [h.post_id for h in search_posts(sample.engine, "显存")] == [1, 4]


def test_a_downgrade_brings_the_queued_posts_into_the_substring_index(
    sample: Store, db_path: Path
) -> None:
    _edit_with_another_tool(db_path, 1, "Ring Attention 详解")
    assert rows(sample, INDEXED) != rows(sample, CURRENT)
    migrate(sample.engine, "0008", down=True)
    assert rows(sample, INDEXED) == rows(sample, CURRENT)
    assert _words(sample, "详解") == [1]


def _page(number: int) -> tuple[PageCapture, list[Card]]:
    url = f"https://b.example/page/{number}"
    capture = PageCapture(url, "2026-01-10T08:00:00.000000Z", PageKind.PARSED, 200, body=b"x")
    cards = [
        sample_archive.card(f"https://b.example/p/{number}-{i}", f"第{number}页", f"混合精度{i}")
        for i in range(3)
    ]
    return capture, cards


def _indexed_posts(store: Store) -> int:
    return int(rows(store, "SELECT count(*) AS n FROM post_fts")[0]["n"])


def test_a_writer_indexes_its_posts_in_batches_and_as_it_finishes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    monkeypatch.setattr(write, "INDEX_BATCH_POSTS", 6)
    with store.writer(site.id) as writer:
        for number in (1, 2, 3):
            write_page(writer, run, *_page(number))
            writer.commit()
            # Committed and readable, found by search once the batch is indexed.
            assert rows(store, "SELECT count(*) AS n FROM post")[0]["n"] == 3 * number
            assert _indexed_posts(store) == (6 if number >= 2 else 0)
    assert _indexed_posts(store) == 9
    assert _words(store, "精度") == list(range(1, 10))
    assert rows(store, INDEXED) == rows(store, CURRENT)


WORDS = "SELECT rowid AS id, title, excerpt FROM post_words ORDER BY rowid"


def test_a_writer_indexes_the_words_segmented_ahead_and_segments_the_rest(store: Store) -> None:
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    with store.writer(site.id) as writer:
        # Words no segmenter would give this text: found in the index only if taken as given.
        writer.offer_words({"混合精度0": "预先 切好"})
        write_page(writer, run, *_page(1))
    title, runs = " 第 1 页 ", " 混 合 精 度 混合 合精 精度 混合精 合精度 混合精度 "
    assert rows(store, WORDS) == [
        {"id": 1, "title": title, "excerpt": "预先 切好"},
        {"id": 2, "title": title, "excerpt": runs + "1"},
        {"id": 3, "title": title, "excerpt": runs + "2"},
    ]


def test_words_offered_and_not_indexed_are_dropped_with_the_refresh(store: Store) -> None:
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    with store.writer(site.id) as writer:
        writer.offer_words({"第2页": "过期"})  # page 2 is not written by this writer
        write_page(writer, run, *_page(1))
    with store.writer(site.id) as writer:
        write_page(writer, run, *_page(2))
    assert _words(store, "过期") == []
    assert _words(store, "页") == [1, 2, 3, 4, 5, 6]


def test_words_offered_past_the_bound_are_segmented_by_the_refresh(store: Store) -> None:
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    with store.writer(site.id) as writer:
        writer.offer_words({f"text {n}": "unused" for n in range(READY_WORDS_MAX)})
        writer.offer_words({"混合精度0": "预先 切好"})  # no room left: not kept
        write_page(writer, run, *_page(1))
    assert _words(store, "预先") == []
    assert _words(store, "混合精度") == [1, 2, 3]


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
import sample_archive
from test_index_queue import _page
from feedkeeper.pipeline import write_page
from feedkeeper.store import Store
from feedkeeper.store.sites import ensure_site

store = Store.open(Path({db!r}))
site = ensure_site(store.engine, "https://b.example/")
run = store.start_run("crawl", "https://b.example/", site.id)
with store.writer(site.id) as writer:
    write_page(writer, run, *_page(1))
    writer.commit()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_posts_a_killed_writer_left_queued_are_indexed_by_the_next_one(db_path: Path) -> None:
    script = KILLED_WRITER.format(tests=str(Path(__file__).parent), db=str(db_path))
    killed = subprocess.run([sys.executable, "-c", script], check=False, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    left = sqlite3.connect(db_path)
    assert left.execute("SELECT count(*) FROM post_words_stale").fetchone() == (3,)
    assert left.execute("SELECT count(*) FROM post_fts").fetchone() == (0,)
    left.close()
    store = Store.open(db_path)  # closing the dead run is a write: it drains the queue
    try:
        assert _indexed_posts(store) == 3
        assert _words(store, "精度") == [1, 2, 3]
    finally:
        store.close()


def test_an_archive_made_at_0008_is_searchable_after_the_upgrade(db_path: Path) -> None:
    engine = create_sqlite_engine(db_path)
    migrate(engine, "0008")
    with engine.begin() as conn:  # written as feedkeeper at 0008 wrote: post_fts by its triggers
        for sql in (RUN, SITE, POST):
            conn.exec_driver_sql(sql)
        conn.exec_driver_sql(
            "INSERT INTO post_version (post_id, version, title, categories, tags, excerpt,"
            " truncated, fingerprint, observed_at, run_id) VALUES (1, 1, 'Gradient 检查点', '[]',"
            " '[]', '显存不够时用梯度累积', 0, 'f1', '2026-01-10T08:00:00.000000Z', 1)"
        )
    engine.dispose()
    store = Store.open(db_path)
    try:
        assert schema_revision(store.engine) == SCHEMA_HEAD
        assert rows(store, INDEXED) == [
            {"id": 1, "title": "Gradient 检查点", "excerpt": "显存不够时用梯度累积"}
        ]
        assert [h.post_id for h in search_posts(store.engine, "梯度累积")] == [1]
        assert _words(store, "累积") == [1]
        config = "SELECT v FROM post_words_config WHERE k = 'hashsize'"
        assert rows(store, config) == [{"v": 8 * 1024 * 1024}]
    finally:
        store.close()


def _queue_after(store: Store, *statements: str) -> list[int]:
    """The posts queued once ``statements`` ran in one transaction (read before it commits)."""
    with store.engine.connect() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)
        queued = [
            int(p) for p in conn.exec_driver_sql("SELECT post_id FROM post_words_stale").scalars()
        ]
        conn.rollback()
    return sorted(queued)


NEW_VERSION = (
    "INSERT INTO post_version (post_id, version, title, category, categories, tags, excerpt,"
    " truncated, fingerprint, observed_at, run_id)"
    " SELECT post_id, version + 1, {title}, 'Other', categories, tags, excerpt, truncated,"
    " 'f-new', observed_at, run_id FROM post_version"
    " WHERE post_id = 4 AND version = (SELECT current_version FROM post WHERE id = 4)"
)
MOVE = "UPDATE post SET current_version = current_version + 1 WHERE id = 4"


def test_only_a_change_of_the_indexed_text_is_queued(sample: Store) -> None:
    filled = "UPDATE post_version SET category = 'Filled', title = title WHERE post_id = 4"
    assert _queue_after(sample, filled) == []
    assert _queue_after(sample, NEW_VERSION.format(title="title"), MOVE) == []
    assert _queue_after(sample, NEW_VERSION.format(title="'Renamed'"), MOVE) == [4]
    retitled = "UPDATE post_version SET title = 'Retitled' WHERE post_id = 4"
    assert _queue_after(sample, retitled) == [4]


def test_words_offered_past_the_bound_in_characters_are_not_kept(store: Store) -> None:
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    with store.writer(site.id) as writer:
        writer.offer_words({"long text": "x" * READY_WORDS_MAX_CHARS})  # no room for it
        writer.offer_words({"混合精度0": "预先 切好"})  # room for this one
        writer.offer_words({"混合精度1": "y" * READY_WORDS_MAX_CHARS})  # over the bound
        write_page(writer, run, *_page(1))
    assert _words(store, "预先") == [1]
    assert _words(store, "y" * 20) == []
    assert _words(store, "混合精度") == [2, 3]
