"""Rebuilding the derived tables' indexes: what a reparse does once every row is rewritten.

The triggers are set aside while the rows are rewritten, and both full-text indexes are
then filled anew in bulk (SQLite) rather than a row at a time. Like ``dialect``, this
module speaks each database's own SQL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Connection

from feedkeeper.word_worker import CHUNK_POSTS, Row, segmented_chunks


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


# What the triggers of migration 0002 keep in post_fts: each post's current title and excerpt.
_EVERY_CURRENT = (
    " FROM post p JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version"
)
_INDEX_EVERY_POST = (
    "INSERT INTO post_fts (rowid, title, excerpt) SELECT p.id, v.title, v.excerpt" + _EVERY_CURRENT
)
# And what migration 0007's word index keeps: the same text segmented into words, read
# a chunk at a time in the order of the posts and inserted in it, a post at a time.
_TEXTS_AFTER = (
    "SELECT p.id, v.title, v.excerpt" + _EVERY_CURRENT + " WHERE p.id > ? ORDER BY p.id LIMIT ?"
)
_INSERT_WORDS = "INSERT INTO post_words (rowid, title, excerpt) VALUES (?, ?, ?)"


def rebuild_search_index(conn: Connection) -> None:
    """Fill the full-text indexes anew from the current versions.

    On SQLite both indexes are made empty and filled, the substring index in one
    statement and merged, the word index with text a worker process segments meanwhile
    (``segmented_chunks``). On PostgreSQL post_fts is filled here and every post is
    queued for the word index, which the commit fills (``refresh_indexes``).
    """
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("DELETE FROM post_fts")
        conn.exec_driver_sql(_INDEX_EVERY_POST)
        conn.exec_driver_sql("DELETE FROM post_words")
        conn.exec_driver_sql("DELETE FROM post_words_stale")
        conn.exec_driver_sql("INSERT INTO post_words_stale (post_id) SELECT id FROM post")
        return
    with segmented_chunks(_texts_in_chunks(conn)) as words:
        with _emptied_for_filling(conn, "post_fts"):
            conn.exec_driver_sql(_INDEX_EVERY_POST)
            conn.exec_driver_sql("INSERT INTO post_fts (post_fts) VALUES ('optimize')")
        with _emptied_for_filling(conn, "post_words"):
            for chunk in words:
                conn.exec_driver_sql(_INSERT_WORDS, chunk)
    conn.exec_driver_sql("DELETE FROM post_words_stale")


def _texts_in_chunks(conn: Connection) -> Iterator[list[Row]]:
    """Every post's current title and excerpt, by post id, ``CHUNK_POSTS`` posts a query."""
    after = -(1 << 63)
    while chunk := [
        (row[0], row[1], row[2]) for row in conn.exec_driver_sql(_TEXTS_AFTER, (after, CHUNK_POSTS))
    ]:
        yield chunk
        after = chunk[-1][0]


# Bytes of terms FTS5 gathers in memory before it writes them out as a segment: what
# migration 0009 sets for the batches a crawl indexes (FTS5's own default is 1 MiB),
# and during a fill enough for a whole archive's worth in few segments, with less
# merging meanwhile (half the time of the default).
FTS_HASH_BYTES = 8 << 20
FILL_HASH_BYTES = 16 << 20


@contextlib.contextmanager
def _emptied_for_filling(conn: Connection, table: str) -> Iterator[None]:
    """Drop an FTS5 table and create it again as it was, for the block to fill.

    Emptying one row by row would make FTS5 tokenize every row again to unindex it.
    """
    create = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    conn.exec_driver_sql(f'DROP TABLE "{table}"')
    conn.exec_driver_sql(create)
    _set_hash_bytes(conn, table, FILL_HASH_BYTES)
    yield
    _set_hash_bytes(conn, table, FTS_HASH_BYTES)


def _set_hash_bytes(conn: Connection, table: str, size: int) -> None:
    conn.exec_driver_sql(
        f'INSERT INTO "{table}" ("{table}", rank) VALUES (\'hashsize\', {int(size)})'
    )
