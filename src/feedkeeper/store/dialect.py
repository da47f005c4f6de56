"""Everything the store says that only one database understands, in one place.

The rest of the store speaks SQLAlchemy Core, which compiles for any database; what
has no portable spelling (connection pragmas, how a writer takes its lock, "insert
unless present", the full-text index's upkeep, JSON) is asked of this module by name,
for SQLite (the embedded default) or PostgreSQL (an archive shared by many machines).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from feedkeeper.store.ready_words import drop_ready_words, ready_words, segmented

# A crawl commits every few pages. At SQLite's default (1,000 pages of WAL) a checkpoint,
# with its fsync, runs every few listing pages; at 10,000 (40 MB) the same index pages
# are written back once for many commits.
WAL_AUTOCHECKPOINT_PAGES = 10_000


def configure(engine: Engine, *, readonly: bool) -> None:
    """Set up every connection of ``engine``: pragmas, WAL, functions, how transactions begin.

    A writer's transactions bring the full-text indexes up to date just before they commit
    (but see ``index_deferred``).
    """
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "connect", _add_functions)
    if not readonly:
        event.listen(engine, "connect", _use_wal)
        event.listen(engine, "commit", _on_commit)
    # Writers take the write lock at BEGIN, so two writers never deadlock mid-transaction.
    begin = "BEGIN" if readonly else "BEGIN IMMEDIATE"
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun explicitly (see "begin")
    # Text another tool wrote that is no UTF-8 reads with U+FFFD where its bad bytes are,
    # as a page's are: sqlite3 would refuse the whole row, and every command reading it.
    dbapi_conn.text_factory = _text
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        # NORMAL is durable across application crashes in WAL mode; only power loss
        # can drop the last transactions, never corrupt the file.
        cursor.execute("PRAGMA synchronous = NORMAL")
    except UnicodeDecodeError as exc:
        # A damaged schema: SQLite's message quotes its bytes, which are no UTF-8.
        raise sqlite3.DatabaseError("malformed database schema (unreadable)") from exc
    finally:
        cursor.close()


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


@contextlib.contextmanager
def strict_text(conn: Connection, strict: bool = True) -> Iterator[None]:
    """When ``strict``, read text with sqlite3's own UTF-8 decoder inside the block (several
    times faster than the one that writes U+FFFD); a value that is no UTF-8 then raises an
    error that ``is_undecodable`` tells. Nothing changes on PostgreSQL, which holds only
    UTF-8."""
    raw = conn.connection.driver_connection
    if not strict or not isinstance(raw, sqlite3.Connection):
        yield
        return
    raw.text_factory = str
    try:
        yield
    finally:
        raw.text_factory = _text


def is_undecodable(exc: BaseException) -> bool:
    """Tell whether ``exc`` is ``strict_text``'s: a stored text is no UTF-8."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and "decode to UTF-8" in str(orig)


# Set on a connection's record when Ctrl-C landed inside ``feedkeeper_words``.
_INTERRUPTED_IN_FUNCTION = "feedkeeper_interrupted_in_function"
# SQLite's own lower() and LIKE fold ASCII letters only; this folds every script's.
FOLD_FUNCTION = "feedkeeper_lower"


def _folded(text: str | None) -> str | None:
    return text.lower() if text is not None else None


def _add_functions(dbapi_conn: sqlite3.Connection, record: Any) -> None:
    # The word index (migration 0007) is filled with text segmented by this function.
    info: dict[str, Any] = record.info

    def words(text: str | None) -> str | None:
        try:
            return segmented(ready_words(info), text)
        except KeyboardInterrupt:
            # sqlite3 would turn it into "user-defined function raised exception" (and print
            # its traceback where callback tracebacks are on): the statement is interrupted
            # instead, and ``_execute_all`` raises the interrupt again.
            info[_INTERRUPTED_IN_FUNCTION] = True
            dbapi_conn.interrupt()
            return None

    dbapi_conn.create_function("feedkeeper_words", 1, words, deterministic=True)
    dbapi_conn.create_function(FOLD_FUNCTION, 1, _folded, deterministic=True)


def _execute_all(raw: sqlite3.Connection, info: dict[str, Any], statements: Iterable[str]) -> None:
    """Run ``statements``; a Ctrl-C that landed inside ``feedkeeper_words`` comes out as one."""
    info.pop(_INTERRUPTED_IN_FUNCTION, None)
    for sql in statements:
        try:
            raw.execute(sql)
        except sqlite3.OperationalError:
            if info.pop(_INTERRUPTED_IN_FUNCTION, False):
                raise KeyboardInterrupt from None
            raise


# Posts whose index entries are out of date: the triggers (migrations 0007 and 0009) note
# them in post_words_stale, and both full-text indexes are refreshed from the queue in a few
# set-based statements as the transaction commits, rather than a row at a time.
_STALE_CURRENT = (
    # CROSS JOIN keeps the queue as the outer loop: SQLite's planner would otherwise scan
    # every post (it sees no statistics for the small queue), a cost that grows with the archive.
    " FROM post_words_stale s CROSS JOIN post p ON p.id = s.post_id"
    " CROSS JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version"
)
_REINDEX = (
    "DELETE FROM post_fts WHERE rowid IN (SELECT post_id FROM post_words_stale)",
    "INSERT INTO post_fts (rowid, title, excerpt) SELECT p.id, v.title, v.excerpt" + _STALE_CURRENT,
    "DELETE FROM post_words WHERE rowid IN (SELECT post_id FROM post_words_stale)",
    "INSERT INTO post_words (rowid, title, excerpt)"
    " SELECT p.id, feedkeeper_words(v.title), feedkeeper_words(v.excerpt)" + _STALE_CURRENT,
    "DELETE FROM post_words_stale",
)


# Set on a connection while a page writer defers the upkeep to the end of its batch of pages.
_DEFERRED = "feedkeeper_index_deferred"


@contextlib.contextmanager
def index_deferred(conn: Connection) -> Iterator[None]:
    """Let changed posts wait in the queue over the block's commits, for ``refresh_indexes``.

    Indexing many posts at once costs SQLite less than a few at every commit (FTS5 makes
    fewer, larger segments to merge); the queue is committed with the posts, so a process
    killed meanwhile leaves it for the next writer to drain. PostgreSQL's word table gains
    nothing from it, and a server's writers on other machines drain the queue as they
    commit, so there every commit refreshes, as before.
    """
    if conn.dialect.name == "postgresql":
        yield
        return
    conn.info[_DEFERRED] = True
    try:
        yield
    finally:
        if not conn.invalidated:  # else the connection is gone, its info with it
            conn.info.pop(_DEFERRED, None)


def is_index_deferred(conn: Connection) -> bool:
    """True while ``conn`` is in an ``index_deferred`` block."""
    return bool(conn.info.get(_DEFERRED))


def _on_commit(conn: Connection) -> None:
    if not is_index_deferred(conn):
        refresh_indexes(conn)


def refresh_indexes(conn: Connection) -> None:
    """Index the posts noted as stale, in the connection's transaction (about to commit).

    On the DBAPI connection: SQLAlchemy's own may be busy committing at this point.
    """
    raw = conn.connection.driver_connection
    if raw is None:
        return
    info = conn.connection.info
    try:
        if conn.dialect.name == "postgresql":
            _refresh_words_on_server(raw, ready_words(info))
            return
        has_table = raw.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'post_words_stale'"
        ).fetchone()
        if has_table is None or raw.execute("SELECT 1 FROM post_words_stale").fetchone() is None:
            return
        _execute_all(raw, info, _REINDEX)
    finally:
        drop_ready_words(info)


def configure_server(engine: Engine) -> None:
    """Set up a PostgreSQL engine: its writers bring the word index up to date as they commit."""
    event.listen(engine, "commit", _on_commit)


# PostgreSQL cannot call Python: the stale posts' text comes here to be segmented.
_STALE_TEXT = (
    "SELECT p.id, v.title, v.excerpt FROM post p"
    " JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version"
    " WHERE p.id = ANY(%s)"
)
_UPSERT_WORDS = (
    "INSERT INTO post_words (rowid, title, excerpt) VALUES (%s, %s, %s)"
    " ON CONFLICT (rowid) DO UPDATE SET title = EXCLUDED.title, excerpt = EXCLUDED.excerpt"
)


def _refresh_words_on_server(raw: Any, ready: Mapping[str, str] | None) -> None:
    """Segment and index the posts noted as stale (on PostgreSQL, post_fts keeps itself).

    The writer first takes the posts it indexes out of the queue: a writer on another
    machine that finds the same posts queued (left there by an outside edit) waits for this
    one to commit and then no longer finds them, instead of indexing them a second time.
    """
    found = raw.execute("SELECT to_regclass('post_words_stale') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return
    taken = [row[0] for row in raw.execute("DELETE FROM post_words_stale RETURNING post_id")]
    if not taken:
        return
    rows = [
        (post_id, segmented(ready, title), segmented(ready, excerpt))
        for post_id, title, excerpt in raw.execute(_STALE_TEXT, (taken,)).fetchall()
    ]
    raw.execute("DELETE FROM post_words WHERE rowid = ANY(%s)", (taken,))
    with raw.cursor() as cursor:
        cursor.executemany(_UPSERT_WORDS, rows)


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


@contextlib.contextmanager
def foreign_keys_checked_at_end(conn: Connection) -> Iterator[None]:
    """Leave foreign keys unenforced on ``conn`` for a migration, which copies tables.

    SQLite applies the pragma only outside a transaction, so it is set on the driver's
    connection before the migration begins; ``check_foreign_keys`` checks them all at its end.
    """
    raw = conn.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):  # a server alters tables in place
        yield
        return
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys(conn: Connection) -> None:
    """Raise IntegrityError when a row points at a row that does not exist."""
    if conn.dialect.name != "sqlite":
        return  # a server checked every statement
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        table, rowid, parent, _ = broken
        raise sqlite3.IntegrityError(f"{table} row {rowid} points at a missing {parent} row")


def insert_unless_present(table: Table) -> dict[str, Insert]:
    """Return, by dialect name, an INSERT that skips rows whose key is already stored.

    PostgreSQL's driver reports no row count for a batch: there the statement returns
    the keys it inserted, for ``rows_inserted`` to count.
    """
    keys = list(table.primary_key.columns)
    return {
        "sqlite": sqlite.insert(table).on_conflict_do_nothing(),
        "postgresql": postgresql.insert(table).on_conflict_do_nothing().returning(*keys),
    }


def rows_inserted(result: CursorResult[Any]) -> int:
    """How many rows an ``insert_unless_present`` statement inserted."""
    if result.returns_rows:
        return len(result.all())
    return max(result.rowcount, 0)


# Any constant: the key of the advisory lock that PostgreSQL writers take in turn.
_WRITER_LOCK = 0x6665_6564  # "feed"


def lock_for_writing(conn: Connection) -> None:
    """Make the transaction the archive's only writer until it ends.

    Writers number new posts and versions from the largest ids stored, so they take
    turns: SQLite's BEGIN IMMEDIATE does it; on PostgreSQL a transaction-level advisory
    lock, released at commit, makes workers on other machines wait their turn.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITER_LOCK})")


@dataclass(frozen=True, slots=True)
class Spelling:
    """How the read queries spell JSON and null-safe comparison in one dialect."""

    name: str

    def json_list(self, value: str, rows: str) -> str:
        """A JSON array (as text) of ``value`` over the subquery ``rows`` (aliased ``x``)."""
        if self.name == "postgresql":
            return f"(SELECT CAST(coalesce(json_agg({value}), '[]') AS text) FROM ({rows}) x)"
        return f"(SELECT json_group_array({value}) FROM ({rows}) x)"

    def json_object(self, *pairs: str) -> str:
        """A JSON object of ``'key', value`` pairs."""
        function = "json_build_object" if self.name == "postgresql" else "json_object"
        return f"{function}({', '.join(pairs)})"

    def as_json(self, text: str) -> str:
        """Mark JSON held as text as JSON, so that it nests as a value, not as a string."""
        return f"CAST({text} AS json)" if self.name == "postgresql" else f"json({text})"

    def json_bool(self, flag: str) -> str:
        """A stored flag as a JSON true or false."""
        if self.name == "postgresql":
            return flag
        return f"json(CASE WHEN {flag} THEN 'true' ELSE 'false' END)"

    def json_texts(self, array: str) -> str:
        """A table of the texts in a JSON array column, as column ``value``."""
        if self.name == "postgresql":
            return f"json_array_elements_text(CAST({array} AS json)) AS e(value)"
        return f"json_each({array})"

    def json_length(self, array: str) -> str:
        """How many items a JSON array column holds."""
        if self.name == "postgresql":
            return f"json_array_length(CAST({array} AS json))"
        return f"json_array_length({array})"

    def lower(self, text: str) -> str:
        """``text`` in lower case, the letters of every script folded (Cyrillic, Greek...)."""
        if self.name == "postgresql":
            return f"lower({text})"
        return f"{FOLD_FUNCTION}({text})"

    def differs(self, a: str, b: str) -> str:
        """``a`` differs from ``b``, NULL counting as a value."""
        if self.name == "postgresql":
            return f"{a} IS DISTINCT FROM {b}"
        return f"{a} IS NOT {b}"


def spelling(engine: Engine | Connection) -> Spelling:
    """Return how the read queries are spelled for ``engine``'s database."""
    return Spelling(engine.dialect.name)
