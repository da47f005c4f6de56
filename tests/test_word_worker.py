"""A reparse's word index: segmented here, tokenized by a worker into a file of its own,
copied into the archive's transaction; the same index as one filled post by post."""

from __future__ import annotations

import io
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from feedkeeper.store import Store
from feedkeeper.store.rebuild import (
    FILL_HASH_BYTES,
    FTS_HASH_BYTES,
    _copied_word_index,
    rebuild_search_index,
)
from feedkeeper.word_worker import (
    AHEAD_CHUNKS,
    CHUNK_POSTS,
    PARALLEL_FROM_POSTS,
    IndexPlan,
    Row,
    WordIndexWorker,
    encode_rows,
    fill_index,
    index_file_of,
    segment_rows,
)
from test_words import RUN, SITE

TEXTS = ("梯度下降", "Café au lait", None, "大模型 GPT", "中华人民共和国成立了", "")
# What segment_words makes of each, written out: runs of one to four Han characters, the
# rest as it was, and jieba's words longer than four characters.
SEGMENTED = {
    "梯度下降": " 梯 度 下 降 梯度 度下 下降 梯度下 度下降 梯度下降 ",
    "Café au lait": "Café au lait",
    None: None,
    "大模型 GPT": " 大 模 型 大模 模型 大模型  GPT",
    "": "",
}
# The word index as migration 0007 defines it, and the hash sizes of a rebuild.
DEFINITION = "title, excerpt, tokenize = 'unicode61 remove_diacritics 2'"
PLAN = IndexPlan(DEFINITION, FILL_HASH_BYTES, FTS_HASH_BYTES)
INDEX_TABLES = ("data", "idx", "docsize", "config")
T = TypeVar("T")


def _rows(count: int) -> list[Row]:
    return [(n, TEXTS[n % 6], TEXTS[(n + 1) % 6]) for n in range(1, count + 1)]


def _chunks(rows: list[T]) -> list[list[T]]:
    return [rows[i : i + CHUNK_POSTS] for i in range(0, len(rows), CHUNK_POSTS)]


def test_encode_rows_gives_the_text_in_utf8_and_keeps_none() -> None:
    assert encode_rows([(3, "梯度 GPT", None)]) == [(3, b"\xe6\xa2\xaf\xe5\xba\xa6 GPT", None)]


def test_segment_rows_segments_title_and_excerpt_and_keeps_the_id() -> None:
    assert segment_rows([(7, "梯度下降", None), (8, "Café au lait", "")]) == [
        (7, SEGMENTED["梯度下降"], None),
        (8, "Café au lait", ""),
    ]
    [(_, title, _)] = segment_rows([(9, "中华人民共和国成立了", None)])
    assert title is not None and title.endswith(" 中华人民共和国")


def _tables(db: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """The word index's tables but its content, row for row."""
    return {
        name: db.execute(f"SELECT * FROM post_words_{name} ORDER BY 1, 2").fetchall()
        for name in INDEX_TABLES
    }


def _filled_in_place(rows: list[Row]) -> dict[str, list[tuple[object, ...]]]:
    """The index FTS5 makes of ``rows`` inserted one by one into a table that keeps its text,
    with the hash sizes of a rebuild: what the worker's file must hold."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("BEGIN")
    db.execute(f"CREATE VIRTUAL TABLE post_words USING fts5({DEFINITION})")
    hashsize = "INSERT INTO post_words (post_words, rank) VALUES ('hashsize', ?)"
    db.execute(hashsize, (FILL_HASH_BYTES,))
    for row in rows:
        db.execute("INSERT INTO post_words (rowid, title, excerpt) VALUES (?, ?, ?)", row)
    db.execute(hashsize, (FTS_HASH_BYTES,))
    db.execute("COMMIT")
    tables = _tables(db)
    db.close()
    return tables


def _file_tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    tables = _tables(db)
    db.close()
    return tables


def test_the_worker_loop_fills_the_index_a_table_filled_in_place_holds(tmp_path: Path) -> None:
    words = segment_rows(_rows(2500))
    jobs = io.BytesIO()
    for message in (PLAN, *_chunks(encode_rows(words)), None):
        pickle.dump(message, jobs)
    jobs.seek(0)
    path = tmp_path / "words"
    assert fill_index(path, jobs) is True
    tables = _file_tables(path)
    assert len(tables["docsize"]) == 2500
    assert ("hashsize", 8 << 20) in tables["config"]
    assert tables == _filled_in_place(words)


def test_a_worker_whose_rows_never_end_leaves_no_file(tmp_path: Path) -> None:
    jobs = io.BytesIO()
    for message in (PLAN, encode_rows(segment_rows(_rows(10)))):  # and then its parent died
        pickle.dump(message, jobs)
    jobs.seek(0)
    path = tmp_path / "words"
    assert fill_index(path, jobs) is False
    assert not path.exists()


def test_a_worker_process_fills_its_file_which_goes_when_it_stops(tmp_path: Path) -> None:
    path = index_file_of(tmp_path / "archive.db")
    assert path.name == "archive.db-reparse-words"
    path.write_bytes(b"left by a killed run")
    words = segment_rows(_rows(3 * CHUNK_POSTS + 7))
    worker = WordIndexWorker(path, PLAN)
    for chunk in _chunks(encode_rows(words)):
        worker.send(chunk)
    assert worker.finish() is True
    assert worker.process.returncode == 0
    assert _file_tables(path) == _filled_in_place(words)
    worker.stop()
    assert not path.exists()


def test_a_killed_worker_takes_its_chunks_without_waiting_and_says_no(tmp_path: Path) -> None:
    path = tmp_path / "words"
    worker = WordIndexWorker(path, PLAN)
    worker.process.kill()
    worker.process.wait()
    for chunk in _chunks(encode_rows(segment_rows(_rows((AHEAD_CHUNKS + 3) * CHUNK_POSTS)))):
        worker.send(chunk)  # more than the queue holds: none may wait for a dead worker
    assert worker.finish() is False
    worker.stop()
    assert not path.exists()


def _add_posts(store: Store, rows: list[Row]) -> None:
    """Write posts as a crawl does: the word index is filled as the transaction commits."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql(RUN)
        conn.exec_driver_sql(SITE)
        conn.exec_driver_sql(
            "INSERT INTO post (id, site_id, key, current_version, first_seen, last_seen)"
            " VALUES (?, 1, ?, 1, '2026-01-10T08:00:00Z', '2026-01-10T08:00:00Z')",
            [(n, f"k{n}") for n, _, _ in rows],
        )
        conn.exec_driver_sql(
            "INSERT INTO post_version (post_id, version, title, categories, tags, excerpt,"
            " truncated, observed_at, run_id) VALUES (?, 1, ?, '[]', '[]', ?, 0, 'x', 1)",
            rows,
        )


def _index(store: Store) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "content": "SELECT rowid, title, excerpt FROM post_words ORDER BY rowid",
        "terms": "SELECT term, doc, col, offset FROM words_vocab ORDER BY 1, 2, 3, 4",
        "substrings": "SELECT rowid, title, excerpt FROM post_fts ORDER BY rowid",
    }
    with store.engine.connect() as conn:
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.words_vocab"
            " USING fts5vocab(main, post_words, instance)"
        )
        return {name: [tuple(r) for r in conn.exec_driver_sql(q)] for name, q in queries.items()}


def _archive_tables(store: Store) -> dict[str, list[tuple[object, ...]]]:
    with store.engine.connect() as conn:
        db = conn.connection.driver_connection
        assert isinstance(db, sqlite3.Connection)
        return _tables(db)


def test_a_rebuild_of_many_posts_indexes_what_the_writes_indexed(store: Store) -> None:
    rows = _rows(PARALLEL_FROM_POSTS + 10)  # enough for a worker to fill the word index
    _add_posts(store, rows)
    written = _index(store)
    assert written["content"][:2] == [
        (1, SEGMENTED["Café au lait"], None),
        (2, None, SEGMENTED["大模型 GPT"]),
    ]
    with store.engine.begin() as conn:
        rebuild_search_index(conn)
        conn.exec_driver_sql("INSERT INTO post_words (post_words) VALUES ('integrity-check')")
    assert _index(store) == written
    assert _archive_tables(store) == _filled_in_place(segment_rows(rows))
    assert not index_file_of(Path(store.path)).exists()


def test_the_copied_index_answers_and_takes_new_posts_on_the_same_connection(
    store: Store,
) -> None:
    _add_posts(store, _rows(PARALLEL_FROM_POSTS + 10))
    match = "SELECT count(*) FROM post_words WHERE post_words MATCH ?"
    posts_of_each_text = (PARALLEL_FROM_POSTS + 10) // 6
    with store.engine.connect() as conn:
        with conn.begin():  # FTS5 keeps what it read of an index: nothing here reads this one
            rebuild_search_index(conn)
        assert conn.exec_driver_sql(match, ("梯度",)).scalar_one() == 2 * posts_of_each_text
        conn.rollback()
        with conn.begin():  # a post written on this connection: indexed as it commits
            conn.exec_driver_sql(
                "INSERT INTO post (id, site_id, key, current_version, first_seen, last_seen)"
                " VALUES (9999, 1, 'new', 1, '2026-01-11T08:00:00Z', '2026-01-11T08:00:00Z')"
            )
            conn.exec_driver_sql(
                "INSERT INTO post_version (post_id, version, title, categories, tags, excerpt,"
                " truncated, observed_at, run_id)"
                " VALUES (9999, 1, '梯度裁剪', '[]', '[]', NULL, 0, 'x', 1)"
            )
        assert conn.exec_driver_sql(match, ("梯度",)).scalar_one() == 2 * posts_of_each_text + 1
        assert conn.exec_driver_sql(match, ("裁剪",)).scalar_one() == 1
        conn.exec_driver_sql("INSERT INTO post_words (post_words) VALUES ('integrity-check')")
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"


def _word_workers() -> Iterator[int]:
    """The ids of this process's word workers."""
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"feedkeeper.word_worker" in cmdline:
                yield int(child)


@pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
    reason="finds the worker in /proc (Linux)",
)
def test_a_worker_killed_during_a_rebuild_leaves_its_share_to_this_process(
    store: Store,
) -> None:
    rows = _rows(PARALLEL_FROM_POSTS + 10)
    _add_posts(store, rows)
    killed: list[int] = []

    def kill_the_worker() -> None:
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            for pid in _word_workers():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.001)

    killer = threading.Thread(target=kill_the_worker)
    killer.start()
    with store.engine.begin() as conn:
        rebuild_search_index(conn)
    killer.join()
    assert killed
    assert _archive_tables(store) == _filled_in_place(segment_rows(rows))
    assert not index_file_of(Path(store.path)).exists()


# A rebuild in a process of its own, killed while its worker fills the word index.
_REBUILD = """
import sys
from pathlib import Path
from feedkeeper.store import Store
from feedkeeper.store.rebuild import rebuild_search_index

store = Store.open(Path(sys.argv[1]))
with store.engine.begin() as conn:
    conn.exec_driver_sql("UPDATE post_version SET title = 'renamed' WHERE post_id = 1")
    rebuild_search_index(conn)
"""


def test_a_rebuild_killed_while_the_worker_fills_leaves_the_archive_as_it_was(
    store: Store,
) -> None:
    _add_posts(store, _rows(3 * PARALLEL_FROM_POSTS))
    before = _index(store)
    store.close()
    path = index_file_of(Path(store.path))
    rebuild = subprocess.Popen([sys.executable, "-c", _REBUILD, str(store.path)])
    deadline = time.monotonic() + 60
    while not path.exists() and rebuild.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    rebuild.send_signal(signal.SIGKILL)
    assert rebuild.wait() == -signal.SIGKILL
    while path.exists() and time.monotonic() < deadline:  # the worker sees its input end
        time.sleep(0.01)
    assert not path.exists()
    reopened = Store.open(store.path)
    try:
        assert _index(reopened) == before
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            conn.exec_driver_sql("INSERT INTO post_words (post_words) VALUES ('integrity-check')")
            title = "SELECT title FROM post_version WHERE post_id = 1"
            assert conn.exec_driver_sql(title).scalar_one() == "Café au lait"
    finally:
        reopened.close()


def test_a_worker_file_laid_out_otherwise_is_not_copied_and_the_index_is_built_here(
    store: Store, tmp_path: Path
) -> None:
    rows = _rows(PARALLEL_FROM_POSTS + 10)
    _add_posts(store, rows)
    written = _index(store)
    # What another SQLite's FTS5 might lay out: a table of the index with other columns.
    other = tmp_path / "other"
    with sqlite3.connect(other) as made:
        for table in ("post_words_data", "post_words_docsize", "post_words_config"):
            made.execute(f"CREATE TABLE {table} (id, block)")
        made.execute("CREATE TABLE post_words_idx (segid, term, pgno, extra)")
        made.execute("INSERT INTO post_words_idx VALUES (1, 'x', 1, 1)")
    made.close()
    with store.engine.begin() as conn:
        assert not _copied_word_index(conn, other)
        # Nothing of it was copied: the index is as the writes left it.
        conn.exec_driver_sql("INSERT INTO post_words (post_words) VALUES ('integrity-check')")
    assert _index(store) == written
