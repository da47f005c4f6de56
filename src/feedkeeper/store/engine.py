"""Opening the archive: SQLite pragmas, Alembic migrations, and the single-writer lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

from sqlalchemy import (
    URL,
    Column,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    inspect,
    make_url,
    select,
)
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

import feedkeeper
from feedkeeper.errors import ConfigError, DatabaseLockedError, NewerSchemaError, StoreError
from feedkeeper.logs import mask_credentials, printable
from feedkeeper.store import dialect
from feedkeeper.store.archive_file import (
    check_archive_file,
    looks_like_sqlite,
    refuse_read_only,
    refuse_second_names,
    uri_path,
)
from feedkeeper.text import first_line

if TYPE_CHECKING:
    from alembic.config import Config


def migrations_dir() -> Path:
    """Return the Alembic scripts: packaged beside the code, or at the source tree's top."""
    packaged = Path(feedkeeper.__file__).parent / "migrations"
    if packaged.is_dir():
        return packaged
    return Path(feedkeeper.__file__).resolve().parents[2] / "migrations"


# The newest revision in migrations/versions (a test keeps the two in step). Knowing it
# here lets every command skip loading Alembic when the archive is already current.
SCHEMA_HEAD = "0016"


def alembic_config() -> Config:
    """Return an Alembic config pointing at feedkeeper's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def create_sqlite_engine(path: Path, *, readonly: bool = False) -> Engine:
    """Return an engine whose connections use WAL, foreign keys, and explicit transactions."""
    # Always a URI with the path quoted: a "?" or "#" in the file name is part of it,
    # never the start of options, so every command opens the same file.
    query = {"mode": "ro", "uri": "true"} if readonly else {"uri": "true"}
    if readonly and _is_frozen(path):
        query["immutable"] = "1"
    url = URL.create("sqlite", database=f"file:{uri_path(path)}", query=query)
    # No cap on connections: each site crawled at once holds one for its writer, and a
    # capped pool would make the next one wait, blocking the event loop it runs in.
    engine = create_engine(url, connect_args={"timeout": 30}, max_overflow=-1)
    dialect.configure(engine, readonly=readonly)
    _engines.add(engine)
    return engine


def _is_frozen(path: Path) -> bool:
    """Tell whether an archive lies in a folder nobody here can write to, its log empty.

    SQLite's write-ahead log needs its ``-shm`` file beside the archive, even to read; a
    copy in a read-only folder (a shared, mounted or archived one) is read as immutable
    instead: nothing can write to it there, and no log holds what the file does not.
    """
    folder = path.resolve().parent
    if os.access(folder, os.W_OK):
        return False
    wal = path.with_name(path.name + "-wal")
    return not wal.exists() or wal.stat().st_size == 0


def create_server_engine(url: str) -> Engine:
    """Return an engine for a database server URL; ``postgresql://`` is driven by psycopg 3."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port or host it cannot read
        raise ConfigError(f"setting db: not a database URL: {mask_credentials(url)!r}") from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if not parsed.drivername.startswith("postgresql"):
        raise ConfigError(
            f"setting db: {parsed.drivername}:// is not supported: use a SQLite file"
            " or a postgresql:// URL"
        )
    try:
        engine = create_engine(parsed, pool_pre_ping=True, max_overflow=-1)
    except (ImportError, ArgumentError) as exc:
        raise ConfigError(f"setting db: {exc}") from exc
    dialect.configure_server(engine)
    _engines.add(engine)
    return engine


# The engines this process opened, so that a command can close them all as it ends.
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def dispose_engines() -> None:
    """Close the connections of every engine this process opened."""
    for engine in list(_engines):
        engine.dispose()


def archive_exists(db: Path | str) -> bool:
    """True for a database URL (the server makes the database), or a file that exists."""
    return isinstance(db, str) or db.exists()


def describe(db: Path | str) -> str:
    """Name the archive for messages, without the password a URL may hold."""
    if isinstance(db, str) and "://" in db:
        with contextlib.suppress(ArgumentError, ValueError):
            return make_url(db).render_as_string(hide_password=True)
        return mask_credentials(db)
    return str(db)


def upgrade(engine: Engine, name: Path | str | None = None) -> None:
    """Bring the schema to the newest revision (no-op when it is already there).

    An archive from a newer feedkeeper is never migrated backwards: NewerSchemaError, which
    names the archive as ``name`` (the ``--db`` given), else as the engine's file.
    """
    try:
        revision = schema_revision(engine)
        check_revision(revision, (engine.url.database or "") if name is None else name)
        if revision == SCHEMA_HEAD:
            return
        migrate(engine, "head")
    except (SQLAlchemyError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open or migrate the database: {reason(exc)}") from exc


def check_revision(revision: str | None, path: Path | str) -> None:
    """Raise NewerSchemaError when the archive was written by a newer feedkeeper."""
    if revision is not None and revision > SCHEMA_HEAD:  # revisions are zero-padded numbers
        name = describe(path) if isinstance(path, str) and "://" in path else archive_name(path)
        raise NewerSchemaError(
            f"{name} is at schema revision {revision}, newer than this feedkeeper"
            f" knows ({SCHEMA_HEAD}): upgrade feedkeeper to use it"
        )


def archive_name(path: Path | str) -> str:
    """Return the file name an engine's URL names (``file:`` and quoting undone)."""
    return os.fsdecode(unquote_to_bytes(str(path).removeprefix("file:")))


@contextlib.contextmanager
def writing_to(name: object) -> Iterator[None]:
    """Turn a failed write (disk full, damage, I/O) into one StoreError line.

    The transaction inside has rolled back by then: the archive is as it was.
    """
    try:
        yield
    except (SQLAlchemyError, sqlite3.Error) as exc:
        raise StoreError(
            f"cannot write to {name}: {reason(exc)}; the write in progress was undone"
        ) from exc


def damage_of(engine: Engine) -> str | None:
    """Return the first problem SQLite's own check of a whole archive file finds, or None
    (a server database checks itself)."""
    if engine.dialect.name != "sqlite":
        return None
    try:
        with engine.connect() as conn:
            found = conn.exec_driver_sql("PRAGMA integrity_check(1)").scalar()
    except (SQLAlchemyError, sqlite3.Error) as exc:
        return reason(exc)
    except UnicodeDecodeError:  # the report quotes the damaged bytes themselves
        return "its pages do not read back as SQLite wrote them"
    return None if found == "ok" else printable(str(found))


def reason(exc: BaseException) -> str:
    """Return the first line of what SQLite said, without SQLAlchemy's wrapping and links."""
    cause = getattr(exc, "orig", None) or exc
    return first_line(str(cause), type(cause).__name__)


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Run the migrations up (or down) to ``revision`` in one transaction."""
    from alembic import command

    with engine.connect() as conn, dialect.foreign_keys_checked_at_end(conn), conn.begin():
        config = alembic_config()
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)
        dialect.check_foreign_keys(conn)


alembic_version = Table("alembic_version", MetaData(), Column("version_num", String(32)))


def schema_revision(engine: Engine) -> str | None:
    """Return the Alembic revision the database is at (None for a new database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(select(alembic_version.c.version_num)).first()
        return str(row[0]) if row else None


class LockWaitAbandoned(Exception):
    """The wait for the writer lock was given up before the lock was had."""


@contextlib.contextmanager
def exclusive_lock(
    db: Path | str, timeout: float, give_up: Callable[[], bool] | None = None
) -> Iterator[None]:
    """Hold the archive's writer lock; raise DatabaseLockedError after ``timeout`` seconds,
    or LockWaitAbandoned as soon as ``give_up`` says so (a daemon asked to stop).

    An OS file lock dies with its process, so a killed run never leaves it stuck. A
    database server needs none: it orders concurrent writers itself (see dialect.py).
    """
    if isinstance(db, str):
        yield
        return
    check_archive_file(db)  # before a lock file is made beside what is no archive
    refuse_second_names(db)
    real = Path(os.path.realpath(db))  # one archive, one lock, however its path is spelt
    refuse_read_only(db, real)
    lock_path = real.with_name(real.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a read-only folder, a folder in the lock file's place
        raise ConfigError(f"cannot use {db}: {exc.strerror} ({lock_path})") from exc
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseLockedError(f"another crawl holds {db}") from None
                if give_up is not None and give_up():
                    raise LockWaitAbandoned(f"stopped waiting for {db}") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def maker_of(path: Path) -> int | None:
    """Return the maker mark of the SQLite file at ``path``, None when it is no SQLite file."""
    if not path.is_file() or not looks_like_sqlite(path) or path.stat().st_size == 0:
        return None
    engine = create_sqlite_engine(path, readonly=True)
    try:
        with engine.connect() as conn:
            return dialect.user_version(conn)
    except OperationalError:
        return None
    finally:
        engine.dispose()
