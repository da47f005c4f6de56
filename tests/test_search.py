"""Full-text search: Chinese and English substrings, short terms, ranking, snippets, upkeep."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import sample_archive
from feedkeeper.cli import main
from feedkeeper.importer import import_captures
from feedkeeper.pipeline import archive_page
from feedkeeper.reparse import reparse
from feedkeeper.store import Store
from feedkeeper.store.rebuild import (
    FTS_HASH_BYTES,
    freed_pages_left_as_they_are,
    rebuild_search_index,
)
from feedkeeper.store.search import MarkedText, search_posts
from feedkeeper.store.sites import ensure_site

from conftest import rows


@pytest.fixture
def sample(db_path: Path) -> Iterator[Store]:
    store = sample_archive.open_copy(db_path)
    yield store
    store.close()


def ids(store: Store, query: str, limit: int = 20) -> list[int]:
    return [hit.post_id for hit in search_posts(store.engine, query, limit)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("注意力", [1]),  # three Chinese characters: the trigram index
        ("分块计算自注意力", [1]),
        ("ttentio", [1]),  # the middle of an English word
        ("flashattention", [1]),  # case is ignored
        ("GRADIENT checkpointing", [4]),  # every word must occur
        ("检查点 gradient", [4]),
        ("显存", [1, 4]),  # two characters: below what trigrams index, found by LIKE
        ("梯度", [4]),
        ("长", [5]),  # one character
        ("显存 Gradient", [4]),  # a short and a long term together
        ('"quoted"', [3]),  # quotes are text, not query syntax
        ("🎉", [3]),
        ("@mention", [2]),
        ("=SUM(A1", [2]),
        ("%", []),  # LIKE wildcards are text too
        ("_", []),
        ("不存在的词", []),
        ("", []),
    ],
)
def test_search_finds(sample: Store, query: str, expected: list[int]) -> None:
    assert ids(sample, query) == expected


def test_search_reads_only_current_versions(sample: Store) -> None:
    assert ids(sample, "关键创新") == []  # versions 1 and 2 said this; version 3 does not
    assert ids(sample, "核心创新") == [1]
    assert ids(sample, "公式") == []  # only version 1 had a formula placeholder


def test_titles_outrank_excerpts_for_short_terms(store: Store) -> None:
    from feedkeeper.records import PageCapture

    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "x", site.id)
    capture = PageCapture("https://b.example/", "2026-01-10T08:00:00.000000Z", "parsed", body=b"x")
    archive_page(
        store,
        site.id,
        run,
        capture,
        [
            sample_archive.card("https://b.example/1", "Notes", "一次提到梯度,只有一次而已"),
            sample_archive.card("https://b.example/2", "梯度下降", "标题里有这个词"),
        ],
    )
    assert ids(store, "梯度") == [2, 1]


@pytest.mark.parametrize("query", ["ии", "ИИ", "Ии"])
def test_short_terms_ignore_case_in_every_script_on_both_databases(
    archive_db: Path | str, query: str
) -> None:
    from feedkeeper.records import PageCapture

    store = Store.open(archive_db)
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "x", site.id)
    capture = PageCapture("https://b.example/", "2026-01-10T08:00:00.000000Z", "parsed", body=b"x")
    cards = [
        sample_archive.card("https://b.example/1", "Заметки", "Про ИИ: ии, и снова Ии"),
        sample_archive.card("https://b.example/2", "ИИ сегодня", "коротко"),
        sample_archive.card("https://b.example/3", "Ελληνικά", "ΈΝΑ κείμενο"),
    ]
    archive_page(store, site.id, run, capture, cards)
    # three times in post 1's excerpt; once in post 2's title, which counts five times
    assert ids(store, query) == [2, 1]
    assert ids(store, "ελ") == [3] and ids(store, "έν") == [3]
    store.close()


def test_limit(sample: Store) -> None:
    # "a" occurs 1000 times in post 5, 12 in posts 1 and 3 (a title match counts 5), 11 in post 2
    assert ids(sample, "a", limit=3) == [5, 1, 3]


def test_matches_are_marked_in_title_and_snippet(sample: Store) -> None:
    [hit] = search_posts(sample.engine, "显存 Gradient")
    excerpt = sample_archive.GRADIENT_EXCERPT
    assert hit.title is None
    assert hit.snippet == MarkedText(excerpt, ((6, 14), (33, 35)))
    assert excerpt[6:14] == "Gradient" and excerpt[33:35] == "显存"


def test_snippet_of_a_long_excerpt_is_cut_around_the_first_match(sample: Store) -> None:
    [hit] = search_posts(sample.engine, "abcdefghij")
    assert hit.snippet == MarkedText(
        "…" + "长文" * 15 + "abcdefghij" * 5 + "…",
        ((31, 41), (41, 51), (51, 61), (61, 71), (71, 81)),
    )
    assert hit.title == MarkedText("Long", ())


def test_seed_archive_chinese_and_english(store: Store, seeds: list[Path]) -> None:
    import_captures(store, seeds)
    flash = rows(
        store, "SELECT id FROM posts_current WHERE excerpt LIKE '引言与背景 FlashAttention%'"
    )
    checkpoint = rows(store, "SELECT id FROM posts_current WHERE excerpt LIKE '梯度检查点%'")
    assert ids(store, "FlashAttention")[:1] == [flash[0]["id"]]
    assert ids(store, "梯度检查点") == [checkpoint[0]["id"]]
    two_chars = ids(store, "梯度")
    assert checkpoint[0]["id"] in two_chars and len(two_chars) == 6


def test_the_index_follows_every_write(sample: Store) -> None:
    def indexed() -> list[dict[str, object]]:
        return rows(sample, "SELECT rowid AS id, title, excerpt FROM post_fts ORDER BY rowid")

    assert indexed() == rows(sample, "SELECT id, title, excerpt FROM posts_current ORDER BY id")
    with sample.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE post_version SET title = 'Filled in' WHERE post_id = 4")
        conn.exec_driver_sql(
            "UPDATE post_version SET title = 'Old only' WHERE post_id = 1 AND version = 1"
        )
        conn.exec_driver_sql(
            "DELETE FROM placeholder"
            " WHERE version_id IN (SELECT id FROM post_version WHERE post_id = 5)"
        )
        for table in ("sighting", "post_fingerprint", "post_url"):
            conn.exec_driver_sql(f"DELETE FROM {table} WHERE post_id = 5")
        conn.exec_driver_sql("DELETE FROM post_version WHERE post_id = 5")
        conn.exec_driver_sql("DELETE FROM post WHERE id = 5")
    assert indexed() == rows(sample, "SELECT id, title, excerpt FROM posts_current ORDER BY id")
    assert ids(sample, "Filled in") == [4] and ids(sample, "Old only") == []
    with sample.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO post_fts (post_fts) VALUES ('integrity-check')")


def test_search_command_prints_ranked_hits_with_marks(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "显存", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == (
        "1. post 1  NLP  2026-01-05  https://blog.example/p/flash\n"
        "   FlashAttention 详解(修订)\n"
        "   FlashAttention的核心创新在于分块计算自注意力,**显存**占用更低 [代码]\n"
        "2. post 4\n"
        "   梯度检查点 Gradient Checkpointing 用计算换**显存**,训练大模型必备\n"
    )


def test_search_command_exits_1_when_nothing_matches(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "不存在的词", "--db", str(db_path)]) == 1
    assert capsys.readouterr().err == "no posts match '不存在的词'\n"


def test_search_command_limit(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "a", "--limit", "1", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.startswith(
        "1. post 5  Python  2026-01-12  https://blog.example/p/long\n"
    )


def test_reparse_rebuilds_the_index_and_keeps_its_triggers(store: Store, seeds: list[Path]) -> None:
    import_captures(store, seeds)
    query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    triggers = rows(store, query)
    assert any(t["name"] == "post_words_version_insert" for t in triggers)
    before = {term: ids(store, term) for term in ("FlashAttention", "梯度检查点", "梯度")}
    assert all(before.values())
    words = "SELECT rowid FROM post_words WHERE post_words MATCH '梯度' ORDER BY rowid"
    words_before = rows(store, words)
    assert words_before
    reparse(store)  # every row rewritten with the triggers set aside, the index refilled
    assert rows(store, query) == triggers
    assert {term: ids(store, term) for term in before} == before
    assert rows(store, words) == words_before
    posts = rows(store, "SELECT count(*) AS n FROM post")
    assert rows(store, "SELECT count(*) AS n FROM post_fts") == posts
    assert rows(store, "SELECT count(*) AS n FROM post_words") == posts


INDEXES = ("post_fts", "post_words")


def test_a_rebuild_fills_both_indexes_itself_leaving_none_queued(
    store: Store, seeds: list[Path]
) -> None:
    import_captures(store, seeds)
    hash_bytes = "SELECT v FROM {}_config WHERE k = 'hashsize'"
    with store.engine.begin() as conn:
        migrated = {i: conn.exec_driver_sql(hash_bytes.format(i)).scalar_one() for i in INDEXES}
        conn.exec_driver_sql("INSERT INTO post_fts (rowid, title) VALUES (999, 'stale entry')")
        rebuild_search_index(conn)
        count = "SELECT count(*) FROM {}"
        posts = conn.exec_driver_sql(count.format("post")).scalar_one()
        assert conn.exec_driver_sql(count.format("post_words_stale")).scalar_one() == 0
        for index in INDEXES:
            assert conn.exec_driver_sql(count.format(index)).scalar_one() == posts
            conn.exec_driver_sql(f"INSERT INTO {index} ({index}) VALUES ('integrity-check')")
            # filled with a larger memory for terms, left as the migrations set it (8 MiB)
            kept = conn.exec_driver_sql(hash_bytes.format(index)).scalar_one()
            assert kept == migrated[index] == FTS_HASH_BYTES == 8 << 20
    assert ids(store, "stale entry") == []
    assert rows(store, "SELECT rowid FROM post_words WHERE post_words MATCH '梯度'")


def test_a_rebuild_frees_pages_without_zeroing_them_and_then_zeroes_as_before(
    store: Store,
) -> None:
    setting = "PRAGMA secure_delete"
    with store.engine.connect() as conn:
        for before in (1, 0):
            conn.exec_driver_sql(f"{setting} = {before}")
            with freed_pages_left_as_they_are(conn):
                assert conn.exec_driver_sql(setting).scalar_one() == 0
            assert conn.exec_driver_sql(setting).scalar_one() == before
