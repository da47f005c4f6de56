"""Both full-text indexes are refreshed from one queue as feedkeeper's writes commit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import sample_archive
from feedkeeper.store import Store
from feedkeeper.store.engine import migrate, schema_revision
from feedkeeper.store.search import search_posts

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
