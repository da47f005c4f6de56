"""Rebuilding the derived tables' indexes: what a reparse does once every row is rewritten.

The triggers are set aside while the rows are rewritten, and both full-text indexes are
then filled anew in bulk (SQLite) rather than a row at a time. Like ``dialect``, this
module speaks each database's own SQL.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from feedkeeper.store.archive_file import uri_path
from feedkeeper.word_worker import (
    CHUNK_POSTS,
    PARALLEL_FROM_POSTS,
    EncodedRow,
    IndexPlan,
    Row,
    WordIndexWorker,
    encode_rows,
    segment_rows,
    word_index_worker,
)


@contextlib.contextmanager
def triggers_set_aside(conn: Connection) -> Iterator[None]:
    """Drop every trigger for the block, inside the caller's transaction, then put them back.

    For a rebuild that rewrites every row: the full-text index is then filled in one
    statement (``rebuild_search_index``) rather than a row at a time by the triggers.
    """
    if conn.dialect.name == "postgresql":
        for table in ("post", "post_version"):
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        for table in ("post", "post_version"):
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).all()
    for name, _ in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in triggers:
        conn.exec_driver_sql(sql)


@contextlib.contextmanager
def freed_pages_left_as_they_are(conn: Connection) -> Iterator[None]:
    """Let SQLite free pages without first zeroing them, for the block.

    A rebuild frees the pages of every derived table and index only to write the same
    content again: zeroing each freed page (``secure_delete``, on by default in some
    builds of SQLite, Debian's among them) cost it about a tenth of its time.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    was = int(conn.exec_driver_sql("PRAGMA secure_delete").scalar_one())
    conn.exec_driver_sql("PRAGMA secure_delete = 0")
    try:
        yield
    finally:
        if not conn.invalidated:  # a connection dropped by an interrupt has no setting left
            conn.exec_driver_sql(f"PRAGMA secure_delete = {was}")


# What the triggers of migration 0002 keep in post_fts: each post's current title and excerpt,
# and what migration 0007's word index keeps: the same text segmented into words. Both are
# read a chunk at a time in the order of the posts and inserted in it, a post at a time.
_EVERY_CURRENT = (
    " FROM post p JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version"
)
_INDEX_EVERY_POST = (
    "INSERT INTO post_fts (rowid, title, excerpt) SELECT p.id, v.title, v.excerpt" + _EVERY_CURRENT
)
_TEXTS_AFTER = (
    "SELECT p.id, v.title, v.excerpt" + _EVERY_CURRENT + " WHERE p.id > ? ORDER BY p.id LIMIT ?"
)
_INSERT_SUBSTRINGS = "INSERT INTO post_fts (rowid, title, excerpt) VALUES (?, ?, ?)"
_INSERT_WORDS = "INSERT INTO post_words (rowid, title, excerpt) VALUES (?, ?, ?)"
# The word index's text alone (in UTF-8, see ``encode_rows``), for a worker's index
# (``word_worker``) to be copied beside it.
_INSERT_WORD_TEXTS = (
    "INSERT INTO post_words_content (id, c0, c1) VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT))"
)
# The tables of the word index that a worker's file holds (all but the content).
_WORD_INDEX_TABLES = (
    "post_words_data", "post_words_idx", "post_words_docsize", "post_words_config",
)  # fmt: skip
_COPY_ROWS = 1000


def rebuild_search_index(conn: Connection) -> None:
    """Fill the full-text indexes anew from the current versions.

    On SQLite both indexes are made empty and filled a chunk of posts at a time: the
    substring index here, the word index's text segmented here and, for many posts,
    tokenized by a worker process into a file of its own (``word_worker``) and copied in
    at the end. On PostgreSQL post_fts is filled here and every post is queued for the
    word index, which the commit fills (``refresh_indexes``).
    """
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("DELETE FROM post_fts")
        conn.exec_driver_sql(_INDEX_EVERY_POST)
        conn.exec_driver_sql("DELETE FROM post_words")
        conn.exec_driver_sql("DELETE FROM post_words_stale")
        conn.exec_driver_sql("INSERT INTO post_words_stale (post_id) SELECT id FROM post")
        return
    with _word_index_worker(conn) as worker:
        chunks = _segmented(_texts_in_chunks(conn), worker)
        first = list(itertools.islice(chunks, 1))  # the worker starts on it meanwhile
        _recreate(conn, "post_fts")
        _recreate(conn, "post_words")
        _fill_indexes(conn, itertools.chain(first, chunks), to_worker=worker is not None)
        conn.exec_driver_sql("INSERT INTO post_fts (post_fts) VALUES ('optimize')")
        _set_hash_bytes(conn, "post_fts", FTS_HASH_BYTES)
        if worker is None:
            _set_hash_bytes(conn, "post_words", FTS_HASH_BYTES)
        elif not (worker.finish() and _copied_word_index(conn, worker.path)):
            _index_words_here(conn)  # the worker died, or its file did not fit: done here
    conn.exec_driver_sql("DELETE FROM post_words_stale")


def _word_index_worker(
    conn: Connection,
) -> contextlib.AbstractContextManager[WordIndexWorker | None]:
    """A worker for the word index when the archive is a file with many posts, else None."""
    posts = int(conn.exec_driver_sql("SELECT count(*) FROM post").scalar_one())
    archive = next(
        (
            Path(file)
            for _, name, file in conn.exec_driver_sql("PRAGMA database_list")
            if name == "main" and file
        ),
        None,
    )
    if posts < PARALLEL_FROM_POSTS or archive is None:
        return contextlib.nullcontext()
    create = _create_statement(conn, "post_words")
    arguments = create[create.index("(") + 1 : create.rindex(")")]
    return word_index_worker(archive, IndexPlan(arguments, FILL_HASH_BYTES, FTS_HASH_BYTES))


def _fill_indexes(conn: Connection, chunks: Iterator[_Chunk], *, to_worker: bool) -> None:
    """Insert every post into post_fts, and its segmented text into post_words: the whole
    index, or only its content table when a worker makes the rest.

    What goes to a worker leaves the index untouched in this connection: FTS5 keeps the
    index's structure it has read, which the copy from the worker's file would make stale.
    """
    _set_hash_bytes(conn, "post_fts", FILL_HASH_BYTES)
    if not to_worker:
        _set_hash_bytes(conn, "post_words", FILL_HASH_BYTES)
    for texts, words in chunks:
        conn.exec_driver_sql(_INSERT_SUBSTRINGS, texts)
        conn.exec_driver_sql(_INSERT_WORD_TEXTS if to_worker else _INSERT_WORDS, words)


# Posts' texts, and the same segmented into words (in UTF-8 when they go to a worker).
_Chunk = tuple[list[Row], list[Row] | list[EncodedRow]]


def _segmented(texts: Iterator[list[Row]], worker: WordIndexWorker | None) -> Iterator[_Chunk]:
    """Each chunk of texts with its words, sent to the worker as soon as they are made."""
    for chunk in texts:
        words = segment_rows(chunk)
        if worker is None:
            yield chunk, words
        else:
            encoded = encode_rows(words)
            worker.send(encoded)
            yield chunk, encoded


def _texts_in_chunks(conn: Connection) -> Iterator[list[Row]]:
    """Every post's current title and excerpt, by post id, ``CHUNK_POSTS`` posts a query."""
    after = -(1 << 63)
    while chunk := [
        (row[0], row[1], row[2]) for row in conn.exec_driver_sql(_TEXTS_AFTER, (after, CHUNK_POSTS))
    ]:
        yield chunk
        after = chunk[-1][0]


def _copied_word_index(conn: Connection, path: Path) -> bool:
    """Replace the word index's tables (all but its content) with those of the file at
    ``path``; say whether they were. Tables that do not match column for column (another
    SQLite's FTS5 laid them out otherwise) are not copied: the copy is undone and False said.
    """
    source = sqlite3.connect(f"file:{uri_path(path)}?mode=ro", uri=True)
    try:
        with conn.begin_nested():
            for table in _WORD_INDEX_TABLES:
                columns = _columns(conn, table)
                if _columns(source, table) != columns:
                    raise _LaidOutOtherwiseError(table)
                names = ", ".join(f'"{name}"' for name in columns)
                conn.exec_driver_sql(f"DELETE FROM {table}")
                insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
                rows = source.execute(f"SELECT {names} FROM {table}")
                while batch := rows.fetchmany(_COPY_ROWS):
                    conn.exec_driver_sql(insert, batch)
    except (_LaidOutOtherwiseError, sqlite3.Error, DBAPIError):
        return False
    finally:
        source.close()
    return True


class _LaidOutOtherwiseError(Exception):
    """A table of the worker's word index has other columns than the archive's."""


def _columns(conn: Connection | sqlite3.Connection, table: str) -> list[str]:
    query = f"PRAGMA table_info({table})"
    if isinstance(conn, sqlite3.Connection):
        return [str(row[1]) for row in conn.execute(query)]
    return [str(row[1]) for row in conn.exec_driver_sql(query)]


def _index_words_here(conn: Connection) -> None:
    """Fill the word index from its content table, in this process."""
    _set_hash_bytes(conn, "post_words", FILL_HASH_BYTES)
    conn.exec_driver_sql("INSERT INTO post_words (post_words) VALUES ('rebuild')")
    _set_hash_bytes(conn, "post_words", FTS_HASH_BYTES)


# Bytes of terms FTS5 gathers in memory before it writes them out as a segment: what
# migration 0009 sets for the batches a crawl indexes (FTS5's own default is 1 MiB),
# and during a fill enough for a whole archive's worth in few segments, with less
# merging meanwhile (half the time of the default).
FTS_HASH_BYTES = 8 << 20
FILL_HASH_BYTES = 16 << 20


def _create_statement(conn: Connection, table: str) -> str:
    return str(
        conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar_one()
    )


def _recreate(conn: Connection, table: str) -> None:
    """Drop an FTS5 table and create it again as it was, empty.

    Emptying one row by row would make FTS5 tokenize every row again to unindex it.
    """
    create = _create_statement(conn, table)
    conn.exec_driver_sql(f'DROP TABLE "{table}"')
    conn.exec_driver_sql(create)


def _set_hash_bytes(conn: Connection, table: str, size: int) -> None:
    conn.exec_driver_sql(
        f'INSERT INTO "{table}" ("{table}", rank) VALUES (\'hashsize\', {int(size)})'
    )
