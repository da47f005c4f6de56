"""Everything the store says that only SQLite understands, in one place.

The rest of the store speaks SQLAlchemy Core, which compiles for any database; what
has no portable spelling (connection pragmas, how a writer takes its lock, "insert
unless present", the full-text index's upkeep) is asked of this module by name.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, Table, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.dml import Insert

from feedkeeper.words import segment_words

# A crawl commits every few pages. At SQLite's default (1,000 pages of WAL) a checkpoint,
# with its fsync, runs every few listing pages; at 10,000 (40 MB) the same index pages
# are written back once for many commits.
WAL_AUTOCHECKPOINT_PAGES = 10_000


def configure(engine: Engine, *, readonly: bool) -> None:
    """Set up every connection of ``engine``: pragmas, WAL, functions, how transactions begin.

    A writer's transactions bring the word index up to date just before they commit.
    """
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "connect", _add_functions)
    if not readonly:
        event.listen(engine, "connect", _use_wal)
        event.listen(engine, "commit", _refresh_words)
    # Writers take the write lock at BEGIN, so two writers never deadlock mid-transaction.
    begin = "BEGIN" if readonly else "BEGIN IMMEDIATE"
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun explicitly (see "begin")
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    # NORMAL is durable across application crashes in WAL mode; only power loss
    # can drop the last transactions, never corrupt the file.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _add_functions(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # The word index (migration 0007) is filled with text segmented by this function.
    dbapi_conn.create_function("feedkeeper_words", 1, segment_words, deterministic=True)


# Posts whose words are out of date: the triggers of migration 0007 note them here.
_REINDEX_WORDS = (
    "DELETE FROM post_words WHERE rowid IN (SELECT post_id FROM post_words_stale)",
    "INSERT INTO post_words (rowid, title, excerpt)"
    " SELECT p.id, feedkeeper_words(v.title), feedkeeper_words(v.excerpt)"
    # CROSS JOIN keeps the queue as the outer loop: SQLite's planner would otherwise scan
    # every post (it sees no statistics for the small queue), a cost that grows with the archive.
    " FROM post_words_stale s CROSS JOIN post p ON p.id = s.post_id"
    " CROSS JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version",
    "DELETE FROM post_words_stale",
)


def _refresh_words(conn: Connection) -> None:
    """Segment and index the posts noted as stale, in the transaction about to commit.

    On the DBAPI connection: SQLAlchemy's own is busy committing at this point.
    """
    raw = conn.connection.driver_connection
    if raw is None:
        return
    has_table = raw.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'post_words_stale'"
    ).fetchone()
    if has_table is None or raw.execute("SELECT 1 FROM post_words_stale").fetchone() is None:
        return
    for sql in _REINDEX_WORDS:
        raw.execute(sql)


def _use_wal(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # WAL lets readers (sqlite3, Datasette, exports) work while a crawl writes.
    dbapi_conn.execute("PRAGMA journal_mode = WAL")
    dbapi_conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")


def quick_check(engine: Engine, most: int) -> list[str]:
    """Return what SQLite's quick integrity check finds (at most ``most`` lines; ["ok"])."""
    with engine.connect() as conn:
        return [str(row[0]) for row in conn.exec_driver_sql(f"PRAGMA quick_check({int(most)})")]


def user_version(conn: Connection) -> int:
    """Return the number SQLite keeps in the file's header for the application."""
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def set_user_version(conn: Connection, mark: int) -> None:
    """Write the application's number into the file's header."""
    conn.exec_driver_sql(f"PRAGMA user_version = {int(mark)}")


def insert_unless_present(table: Table) -> Insert:
    """Return an INSERT that skips rows whose key is already stored."""
    return sqlite.insert(table).on_conflict_do_nothing()


@contextlib.contextmanager
def triggers_set_aside(conn: Connection) -> Iterator[None]:
    """Drop every trigger for the block, inside the caller's transaction, then put them back.

    For a rebuild that rewrites every row: the full-text index is then filled in one
    statement (``rebuild_search_index``) rather than a row at a time by the triggers.
    """
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).all()
    for name, _ in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in triggers:
        conn.exec_driver_sql(sql)


# What the triggers of migration 0002 keep in post_fts: each post's current title and excerpt.
_INDEX_EVERY_POST = (
    "INSERT INTO post_fts (rowid, title, excerpt)"
    " SELECT p.id, v.title, v.excerpt FROM post p"
    " JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version"
)


def rebuild_search_index(conn: Connection) -> None:
    """Fill the full-text indexes anew from the current versions.

    The substring index in one statement, merged; every post queued for the word index,
    which the commit fills (``_refresh_words``).
    """
    conn.exec_driver_sql("DELETE FROM post_fts")
    conn.exec_driver_sql(_INDEX_EVERY_POST)
    conn.exec_driver_sql("INSERT INTO post_fts (post_fts) VALUES ('optimize')")
    conn.exec_driver_sql("DELETE FROM post_words")
    conn.exec_driver_sql("DELETE FROM post_words_stale")
    conn.exec_driver_sql("INSERT INTO post_words_stale (post_id) SELECT id FROM post")
