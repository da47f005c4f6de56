"""The word index: Chinese segmented into words a search box can match, kept in step."""

from __future__ import annotations

import sqlite3

from sqlalchemy import Connection

from feedkeeper.store import Store
from feedkeeper.words import MAX_SEGMENTED_CHARS, han_runs, long_words, segment_words

from conftest import rows


def test_han_runs_are_every_substring_of_one_to_four_characters() -> None:
    assert list(han_runs("梯度下降")) == [
        "梯", "度", "下", "降", "梯度", "度下", "下降", "梯度下", "度下降", "梯度下降",
    ]  # fmt: skip
    assert list(han_runs("梯")) == ["梯"]


def test_segmented_text_holds_jieba_words_runs_and_latin_words() -> None:
    words = segment_words("大模型的梯度检查点 Gradient Checkpointing").split()  # type: ignore[union-attr]
    assert {"大模型", "梯度", "检查点", "梯度检查", "Gradient", "Checkpointing"} <= set(words)
    assert segment_words(None) is None


def test_jieba_adds_only_the_words_longer_than_four_characters() -> None:
    assert long_words("中华人民共和国成立了 GPT4") == ["中华人民共和国"]
    assert long_words("梯度下降 显存") == []


def _tokens(segmented: str | None) -> list[str]:
    """What SQLite's unicode61 tokenizer (as post_words uses it) makes of the text."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    conn.execute("INSERT INTO t (x) VALUES (?)", (segmented,))
    found = [str(term) for (term,) in conn.execute("SELECT term FROM v ORDER BY offset")]
    conn.close()
    return found


def test_text_that_is_not_han_keeps_its_words_whole_and_in_order() -> None:
    tokens = _tokens(segment_words("用 nn.functional 的 café 和 GPT4,カタカナ"))
    latin = [t for t in tokens if t.isascii() or t == "カタカナ"]
    assert latin == ["nn", "functional", "cafe", "gpt4", "カタカナ"]
    assert {"用", "的", "和"} <= set(tokens)


RUN = (
    "INSERT INTO run (id, kind, source, started_at, status, pages, pages_not_modified,"
    " pages_failed, cards, cards_skipped, new_posts, new_versions, filled_in, reposts,"
    " placeholders_found, placeholders_recovered, placeholders_unrecoverable, failures)"
    " VALUES (1, 'crawl', 'x', '2026-01-10T08:00:00.000000Z', 'ok',"
    " 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '[]')"
)
SITE = (
    "INSERT INTO site (id, name, url, state, added_at)"
    " VALUES (1, 'b', 'https://b.example/', 'active', '2026-01-10T08:00:00.000000Z')"
)
POST = (
    "INSERT INTO post (id, site_id, key, url, current_version, first_seen, last_seen)"
    " VALUES (1, 1, 'k', NULL, 1, '2026-01-10T08:00:00.000000Z', '2026-01-10T08:00:00.000000Z')"
)


def _words_match(store: Store, word: str) -> list[int]:
    found = rows(
        store, "SELECT rowid AS id FROM post_words WHERE post_words MATCH :w ORDER BY rowid", w=word
    )
    return [r["id"] for r in found]


def _add_version(conn: Connection, version: int, excerpt: str) -> None:
    conn.exec_driver_sql(
        "INSERT INTO post_version (post_id, version, title, categories, tags, excerpt, truncated,"
        " fingerprint, observed_at, run_id)"
        " VALUES (1, ?, 'T', '[]', '[]', ?, 0, ?, '2026-01-10T08:00:00.000000Z', 1)",
        (version, excerpt, f"f{version}"),
    )


def test_the_index_follows_the_current_version(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(RUN)
        conn.exec_driver_sql(SITE)
        conn.exec_driver_sql(POST)
        _add_version(conn, 1, "显存不够时用梯度累积")
    assert _words_match(store, "显存") == [1]
    with store.engine.begin() as conn:
        _add_version(conn, 2, "混合精度训练")
        conn.exec_driver_sql("UPDATE post SET current_version = 2 WHERE id = 1")
    assert _words_match(store, "显存") == []
    assert _words_match(store, "精度") == [1]
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM post_version WHERE post_id = 1")
        conn.exec_driver_sql("DELETE FROM post WHERE id = 1")
    assert _words_match(store, "精度") == []


def test_a_change_by_another_tool_is_indexed_by_the_next_write(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(RUN)
        conn.exec_driver_sql(SITE)
        conn.exec_driver_sql(POST)
        _add_version(conn, 1, "显存不够时用梯度累积")
    other_tool = sqlite3.connect(store.path)  # knows nothing of feedkeeper_words()
    with other_tool:
        other_tool.execute("UPDATE post_version SET excerpt = '混合精度训练' WHERE post_id = 1")
    other_tool.close()
    assert _words_match(store, "精度") == []  # not yet: queued
    with store.engine.begin() as conn:
        conn.exec_driver_sql("SELECT 1")
    assert _words_match(store, "精度") == [1]
    assert _words_match(store, "显存") == []


def test_the_word_index_reads_a_bounded_start_of_long_text(store: Store) -> None:
    """Each Han character becomes four words: a card of a megabyte of Chinese once took
    1.5 GB of memory and 200 MB of index. The words of the first MAX_SEGMENTED_CHARS
    characters are indexed; the whole text stays in the archive and the substring index."""
    filler = "模型训练" * (MAX_SEGMENTED_CHARS // 4)  # exactly the bound
    long = "显存不够" + filler + "梯度累积" + "混" * 1_000_000
    segmented = segment_words(long)
    assert segmented is not None and "梯度" not in segmented and "显存" in segmented
    assert len(segmented) < 20 * MAX_SEGMENTED_CHARS
    with store.engine.begin() as conn:
        conn.exec_driver_sql(RUN)
        conn.exec_driver_sql(SITE)
        conn.exec_driver_sql(POST)
        _add_version(conn, 1, long)
    assert _words_match(store, "显存") == [1]
    assert _words_match(store, "梯度") == []
    found = rows(store, "SELECT rowid AS id FROM post_fts WHERE post_fts MATCH '梯度累积'")
    assert [r["id"] for r in found] == [1]
    stored = rows(store, "SELECT length(excerpt) AS n FROM post_version")
    assert stored[0]["n"] == len(long)
