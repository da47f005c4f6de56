"""An archive copied into a folder nobody here can write to is still read by every command."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import sample_archive

SETPRIV = shutil.which("setpriv")


@pytest.fixture
def frozen_copy(tmp_path: Path) -> Iterator[Path]:
    """The sample archive in a read-only folder of its own, readable by anyone."""
    store = sample_archive.open_copy(tmp_path / "sample.db")
    store.close()  # the last connection checkpoints: no write-ahead log is left
    folder = Path(tempfile.mkdtemp(prefix="feedkeeper-frozen-"))
    archive = folder / "archive.db"
    shutil.copyfile(tmp_path / "sample.db", archive)
    archive.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield archive
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def _as_reader(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run feedkeeper as someone the folder's modes bind: root is let write anywhere, so
    as root it runs without its capabilities (the same user, the checkout still readable)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if SETPRIV is None:
            pytest.skip("setpriv is needed to drop root's capabilities")
        prefix = [SETPRIV, "--bounding-set=-all", "--inh-caps=-all"]
    env = {**os.environ, "HOME": tempfile.gettempdir()}
    command = [*prefix, sys.executable, "-m", "feedkeeper", *argv]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(
    ("argv", "shows"),
    [
        (["status"], "5 posts"),
        (["export", "--fields", "id", "--format", "jsonl"], '{"id":5}'),
        (["show", "1"], "post 1"),
        (["health"], "healthy"),
        (["sites", "list"], "  active  "),  # it opened the archive to write: "unable to open"
    ],
)
def test_a_read_only_copy_is_read(frozen_copy: Path, argv: list[str], shows: str) -> None:
    done = _as_reader(*argv, "--db", str(frozen_copy))
    assert done.returncode == 0, done.stderr
    assert shows in done.stdout
    assert sorted(os.listdir(frozen_copy.parent)) == ["archive.db"]  # nothing written beside it


def test_a_read_only_copy_of_an_older_archive_says_what_to_do(tmp_path: Path) -> None:
    """An old backup in a folder no one may write: "cannot use …: Read-only file system
    (….lock)", with no word of why a reader wanted to write."""
    from feedkeeper.store.engine import create_sqlite_engine, migrate

    engine = create_sqlite_engine(tmp_path / "old.db")
    migrate(engine, "0008")
    engine.dispose()
    folder = Path(tempfile.mkdtemp(prefix="feedkeeper-frozen-"))
    shutil.copyfile(tmp_path / "old.db", folder / "old.db")
    folder.chmod(0o555)
    try:
        done = _as_reader("status", "--db", str(folder / "old.db"))
        assert done.returncode == 2, done.stderr
        assert "is at schema revision 0008, older than this feedkeeper's" in done.stderr
        assert "copy it where it can be" in done.stderr and len(done.stderr.splitlines()) == 1
        assert sorted(os.listdir(folder)) == ["old.db"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


@pytest.mark.parametrize("left_read_only", ["the archive", "its -shm"])
def test_a_writer_names_the_archive_file_it_cannot_write(
    tmp_path: Path, left_read_only: str
) -> None:
    """A backup restored read-only, or a file of another user, stops a writing command at
    start with the file and the fix, exit 2: not "attempt to write a readonly database", exit
    1, once begun. A reader of a read-only archive leaves its -shm read-only like the archive:
    made writable, the archive still cannot be written until that file is too."""
    db = tmp_path / "archive.db"
    sample_archive.open_copy(db).close()
    db.chmod(0o444)
    assert _as_reader("status", "--db", str(db)).returncode == 0
    shm = tmp_path / "archive.db-shm"
    assert shm.exists() and not shm.stat().st_mode & 0o222  # what SQLite leaves
    if left_read_only == "its -shm":
        db.chmod(0o644)
    done = _as_reader("sites", "add", "https://new.example/", "--db", str(db))
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    named = db if left_read_only == "the archive" else shm
    assert line.startswith(f"error: cannot use {db}: {named} cannot be written by this user")
    assert "(-r--r--r--, owner uid " in line
    assert line.endswith("needs write access to the archive and its -wal and -shm files")
    db.chmod(0o644)
    shm.chmod(0o644)
    added = _as_reader("sites", "add", "https://new.example/", "--db", str(db))
    assert added.returncode == 0, added.stderr
    assert "new.example" in _as_reader("sites", "list", "--db", str(db)).stdout


def test_a_read_only_copy_with_a_log_of_unsaved_writes_says_what_to_do(tmp_path: Path) -> None:
    """A snapshot taken during a crawl holds the archive and its -wal, not its -shm: SQLite
    cannot read it in a read-only folder ("unable to open database file", exit 1 before)."""
    live = tmp_path / "live.db"
    sample_archive.open_copy(live).close()
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    with writer:
        writer.execute(
            "INSERT INTO site (name, url, state, added_at) VALUES"
            " ('late', 'https://late.example/', 'active', '2026-01-15T08:00:00.000000Z')"
        )
    folder = Path(tempfile.mkdtemp(prefix="feedkeeper-frozen-"))
    for suffix in ("", "-wal"):  # while the writer is open: its log is not folded in yet
        shutil.copyfile(f"{live}{suffix}", folder / f"archive.db{suffix}")
    writer.close()
    folder.chmod(0o555)
    try:
        for argv in (["status"], ["export"], ["sites", "list"]):
            done = _as_reader(*argv, "--db", str(folder / "archive.db"))
            assert done.returncode == 2, done.stderr
            assert done.stderr == (
                f"error: cannot read {folder / 'archive.db'}: its write-ahead log archive.db-wal"
                " holds writes not yet in the file, and reading them needs the file"
                " archive.db-shm beside it, which this folder cannot hold: copy archive.db and"
                " archive.db-wal into a folder you can write to\n"
            )
        health = _as_reader("health", "--db", str(folder / "archive.db"))
        assert health.returncode == 1 and "needs the file archive.db-shm" in health.stdout
        assert sorted(os.listdir(folder)) == ["archive.db", "archive.db-wal"]
        copy = tmp_path / "copy"
        copy.mkdir()
        for name in ("archive.db", "archive.db-wal"):
            shutil.copyfile(folder / name, copy / name)
        listed = _as_reader("sites", "list", "--db", str(copy / "archive.db"))
        assert "https://late.example/" in listed.stdout  # the advice reads the writes
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
