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

# A crawl commits every few pages. At SQLite's default (1,000 pages of WAL) a checkpoint,
# with its fsync, runs every few listing pages; at 10,000 (40 MB) the same index pages
# are written back once for many commits.
WAL_AUTOCHECKPOINT_PAGES = 10_000


def configure(engine: Engine, *, readonly: bool) -> None:
    """Set up every connection of ``engine``: pragmas, WAL, and how transactions begin."""
    event.listen(engine, "connect", _on_connect)
    if not readonly:
        event.listen(engine, "connect", _use_wal)
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


def _use_wal(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # WAL lets readers (sqlite3, Datasette, exports) work while a crawl writes.
    dbapi_conn.execute("PRAGMA journal_mode = WAL")
    dbapi_conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")


@contextlib.contextmanager
def foreign_keys_checked_at_end(conn: Connection) -> Iterator[None]:
    """Leave foreign keys unenforced on ``conn`` for a migration, which copies tables.

    SQLite applies the pragma only outside a transaction, so it is set on the driver's
    connection before the migration begins; ``check_foreign_keys`` checks them all at its end.
    """
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys(conn: Connection) -> None:
    """Raise IntegrityError when a row points at a row that does not exist."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        table, rowid, parent, _ = broken
        raise sqlite3.IntegrityError(f"{table} row {rowid} points at a missing {parent} row")


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
    """Fill the full-text index anew from the current versions, and merge its segments."""
    conn.exec_driver_sql("DELETE FROM post_fts")
    conn.exec_driver_sql(_INDEX_EVERY_POST)
    conn.exec_driver_sql("INSERT INTO post_fts (post_fts) VALUES ('optimize')")
