"""What a ``--db`` path may name: checks made before any command opens, locks or creates an
archive file, so that what is no archive (a folder, another program's database, notes) is
refused in one line and left as it is, and a writer stops before it begins when it cannot
write the archive's files."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

from feedkeeper.errors import ConfigError
from feedkeeper.working_folder import WORKING_FOLDER_GONE, is_working_folder_gone


def uri_path(path: Path) -> str:
    """Return ``path`` as a ``file:`` URI writes it: its bytes quoted, so that a name the
    file system holds in another encoding than UTF-8 (a GBK folder's) is the same file."""
    return quote(os.fsencode(path))


def refuse_foreign(path: Path) -> None:
    """Raise ConfigError for an SQLite file of another program: tables, and no schema
    revision of feedkeeper's. Such a file is never migrated into an archive, nor opened
    for writing (a mistyped ``--db`` would change another program's database); it is
    read without a change, not even to its journal mode."""
    if not path.exists() or path.stat().st_size == 0:
        return
    uri = f"file:{uri_path(path.resolve())}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        finally:
            conn.close()
    except (sqlite3.Error, UnicodeDecodeError) as exc:  # damaged, locked, or no SQLite file
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            refuse_no_sqlite(path)
        return  # opening it says so in its own words
    names = [str(row[0]) for row in rows]
    if names and "alembic_version" not in names:
        shown = ", ".join(sorted(names)[:3]) + (", …" if len(names) > 3 else "")
        raise ConfigError(
            f"--db: {path} is a database of another program (tables: {shown}), not a"
            " feedkeeper archive: it was left as it is"
        )


def check_archive_path(path: Path) -> None:
    """Raise ConfigError when ``--db`` names something that cannot be an archive file."""
    if not str(path):
        raise ConfigError("--db: an empty path is a folder, not an archive file")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not path.is_absolute() and is_working_folder_gone():
            raise ConfigError(f"--db: cannot use {path}: {WORKING_FOLDER_GONE}") from None
        return  # a new archive (or a link to where one will be made)
    except OSError as exc:  # a loop of symbolic links, a name too long, a folder it may not enter
        raise ConfigError(f"--db: cannot use {path}: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(mode):
        raise ConfigError(f"--db: {path} is a folder, not an archive file")
    if not stat.S_ISREG(mode):
        raise ConfigError(f"--db: {path} is not a regular file")


def refuse_no_sqlite(path: Path) -> None:
    """Raise ConfigError for a file SQLite said is no database, when it does not begin as
    SQLite files do: a mistyped ``--db`` naming notes, an export or a settings file is
    neither opened as an archive, nor locked (no lock file beside it), nor changed.

    Only then is the file read here: closing a file drops every POSIX lock the process
    holds on it, SQLite's among them (a daemon's open connections), and SQLite holds none
    on what it cannot read."""
    try:
        header = _header(path)
    except OSError as exc:  # a file this user may not read
        raise ConfigError(f"--db: cannot use {path}: {exc.strerror or exc}") from exc
    if header not in _SQLITE_HEADERS:
        begins = header.decode("utf-8", "replace")  # repr escapes what cannot be shown
        raise ConfigError(
            f"--db: {path} is no SQLite file (it begins {begins!r}), not a feedkeeper"
            " archive: it was left as it is"
        )


def check_archive_file(path: Path) -> None:
    """Raise ConfigError when ``--db`` cannot be an archive file, nor be made one."""
    check_archive_path(path)
    if path.parent and not path.parent.exists():
        raise ConfigError(f"--db: cannot create {path}: folder {path.parent} does not exist")
    refuse_foreign(path)


def refuse_second_names(path: Path) -> None:
    """Raise ConfigError for an archive file with more than one name (hard links): SQLite
    keeps its write-ahead log, and this lock, by name, so writers through two names would
    each miss the other's writes (a symlink's target is one name: it is fine)."""
    try:
        names = os.stat(path).st_nlink
    except OSError:  # not made yet; what cannot be read is said when it is opened
        return
    if names > 1:
        raise ConfigError(
            f"{path} is one file under {names} names (hard links): writers through two of"
            " them would lose each other's writes; keep one name (copy the file, or link it"
            " symbolically)"
        )


def refuse_read_only(db: Path, real: Path) -> None:
    """Raise ConfigError when the archive file ``real`` (``db`` as given), its write-ahead
    log or its shared-memory file is there but cannot be written by this user: a copy
    restored read-only, a file of another user (a container run under another uid), or the
    ``-wal`` and ``-shm`` a reader left beside a read-only archive with its mode, which stay
    read-only once the archive is made writable again. SQLite would say only "attempt to
    write a readonly database", once the command had begun."""
    for name in (real.name, real.name + "-wal", real.name + "-shm"):
        file = real.with_name(name)
        try:
            info = file.stat()
        except OSError:  # not there (yet): SQLite makes it, writable
            continue
        if not os.access(file, os.W_OK):
            raise ConfigError(
                f"cannot use {db}: {file} cannot be written by this user"
                f" ({stat.filemode(info.st_mode)}, owner uid {info.st_uid}): a command that"
                " writes needs write access to the archive and its -wal and -shm files"
            )


def check_archive_exists(path: Path) -> None:
    """Raise ConfigError unless the archive a reading command needs is there."""
    check_archive_path(path)
    missing = missing_archive(path)
    if missing is not None:
        reason, fix = missing
        raise ConfigError(f"{reason}: {fix}")
    refuse_foreign(path)


def missing_archive(path: Path) -> tuple[str, str] | None:
    """Say why no archive is at ``path`` (no file, an empty one), and what makes one; None
    when a file with something in it is there."""
    if not path.exists():
        return f"no archive at {path}", "run `feedkeeper crawl` or `import` first"
    if path.stat().st_size == 0:  # left alone: a reading command never makes an archive
        return f"no archive at {path} (the file is empty)", "run `feedkeeper crawl` first"
    return None


# The first bytes of an SQLite file; an empty file becomes one when it is opened.
_SQLITE_HEADERS = (b"", b"SQLite format 3\x00")


def _header(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(len(_SQLITE_HEADERS[1]))


def looks_like_sqlite(path: Path) -> bool:
    """Tell whether the file at ``path`` is empty or begins as a SQLite database does."""
    return _header(path) in _SQLITE_HEADERS


def refuse_stranded_log(path: Path) -> None:
    """Raise ConfigError for a copy in a folder this user cannot write, its write-ahead log
    beside it holding writes not yet in the file (a snapshot taken during a crawl) but no
    ``-shm``: SQLite reads the log through that file, and cannot make it there, so it would
    say only "unable to open database file"."""
    wal, shm = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
    if os.access(path.resolve().parent, os.W_OK) or shm.exists():
        return
    if wal.is_file() and wal.stat().st_size > 0:
        raise ConfigError(
            f"cannot read {path}: its write-ahead log {wal.name} holds writes not yet in the"
            f" file, and reading them needs the file {shm.name} beside it, which this folder"
            f" cannot hold: copy {path.name} and {wal.name} into a folder you can write to"
        )
