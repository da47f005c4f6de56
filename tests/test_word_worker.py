"""A whole archive's texts segmented in a worker process: what segment_words gives, in order."""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterator

from feedkeeper.store import Store
from feedkeeper.store.rebuild import rebuild_search_index
from feedkeeper.word_worker import (
    AHEAD_CHUNKS,
    CHUNK_POSTS,
    PARALLEL_FROM_POSTS,
    Row,
    WordWorker,
    segment_rows,
    segmented_chunks,
    serve,
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


def _rows(count: int) -> list[tuple[int, str | None, str | None]]:
    return [(n, TEXTS[n % 6], TEXTS[(n + 1) % 6]) for n in range(1, count + 1)]


def test_segment_rows_segments_title_and_excerpt_and_keeps_the_id() -> None:
    assert segment_rows([(7, "梯度下降", None), (8, "Café au lait", "")]) == [
        (7, SEGMENTED["梯度下降"], None),
        (8, "Café au lait", ""),
    ]
    [(_, title, _)] = segment_rows([(9, "中华人民共和国成立了", None)])
    assert title is not None and title.endswith(" 中华人民共和国")


def test_the_worker_loop_answers_each_chunk_in_order_until_its_input_ends() -> None:
    jobs = io.BytesIO()
    pickle.dump([(1, "梯度下降", "大模型 GPT")], jobs)
    pickle.dump([(2, None, "Café au lait")], jobs)
    jobs.seek(0)
    answers = io.BytesIO()
    serve(jobs, answers)
    answers.seek(0)
    assert pickle.load(answers) == [(1, SEGMENTED["梯度下降"], SEGMENTED["大模型 GPT"])]
    assert pickle.load(answers) == [(2, None, "Café au lait")]
    assert answers.read() == b""


def _expected(rows: list[tuple[int, str | None, str | None]]) -> list[tuple[object, ...]]:
    """The rows as segment_words leaves them, one at a time in this process."""
    return [
        (n, SEGMENTED.get(t, t), SEGMENTED.get(e, e)) for n, t, e in rows if "中" not in f"{t}{e}"
    ]


def _chunks(rows: list[tuple[int, str | None, str | None]]) -> list[list[Row]]:
    return [rows[i : i + CHUNK_POSTS] for i in range(0, len(rows), CHUNK_POSTS)]


def test_many_rows_come_back_from_a_worker_as_segment_words_leaves_them() -> None:
    rows = _rows(2 * PARALLEL_FROM_POSTS + 5)
    first, *rest = _chunks(rows)
    worker = WordWorker()
    assert worker.process.pid
    worker.send(first)
    answered = [row for chunk in worker.answers(iter(rest)) for row in chunk]
    worker.stop(kill=False)
    assert worker.process.returncode == 0  # it ended as its input did
    assert [row[0] for row in answered] == list(range(1, len(rows) + 1))
    assert [r for r in answered if "中" not in f"{r[1]}{r[2]}"] == _expected(rows)
    assert answered == segment_rows(rows)


def test_the_chunks_a_killed_worker_did_not_answer_are_segmented_here() -> None:
    rows = _rows(3 * CHUNK_POSTS)
    first, *rest = _chunks(rows)
    worker = WordWorker()
    worker.send(first)
    worker.process.kill()
    answered = [row for chunk in worker.answers(iter(rest)) for row in chunk]
    worker.stop(kill=True)
    assert answered == segment_rows(rows)


def test_segmented_chunks_keeps_the_order_of_the_rows_few_or_many() -> None:
    for count in (3, PARALLEL_FROM_POSTS + CHUNK_POSTS // 2):
        rows = _rows(count)
        with segmented_chunks(iter(_chunks(rows))) as chunks:
            sizes = []
            answered = []
            for chunk in chunks:
                sizes.append(len(chunk))
                answered.extend(chunk)
        assert answered == segment_rows(rows)
        assert sizes == [min(CHUNK_POSTS, count - i) for i in range(0, count, CHUNK_POSTS)]


def test_the_chunks_are_read_a_few_ahead_of_the_answers_taken() -> None:
    total = 2 * AHEAD_CHUNKS + 3
    read = []

    def reading() -> Iterator[list[Row]]:
        for number, chunk in enumerate(_chunks(_rows(total * CHUNK_POSTS))):
            read.append(number)
            yield chunk

    with segmented_chunks(reading()) as chunks:
        assert len(read) == AHEAD_CHUNKS  # before the first answer is taken
        for taken, _ in enumerate(chunks, start=1):
            assert len(read) == min(total, AHEAD_CHUNKS + taken)
    assert read == list(range(total))


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


def test_a_rebuild_of_many_posts_indexes_what_the_writes_indexed(store: Store) -> None:
    rows = _rows(PARALLEL_FROM_POSTS + 10)  # enough for a worker to segment them
    with store.engine.begin() as conn:  # indexed as the transaction commits, post by post
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
    written = _index(store)
    assert written["content"][:2] == [
        (1, SEGMENTED["Café au lait"], None),
        (2, None, SEGMENTED["大模型 GPT"]),
    ]
    with store.engine.begin() as conn:
        rebuild_search_index(conn)
    assert _index(store) == written
