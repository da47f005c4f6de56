"""Filling a reparse's word index in a file of its own, in a worker process.

Filling the word index anew (``rebuild_search_index``) is mostly FTS5 tokenizing the
segmented text, in C, in whichever process inserts the rows; SQLite lets one connection
write to the archive at a time. So a worker (``python -m feedkeeper.word_worker FILE``)
fills an index of the same definition, made contentless, in a database file of its own
beside the archive (``<db>-reparse-words``), from the segmented rows this process sends it
in chunks (pickles on its stdin, ``AHEAD_CHUNKS`` at most in flight, written by a thread of
this process), while this process segments the next chunks and fills the rest. When its
input says the rows are done, the worker commits the file and says so on its stdout; the
archive's transaction then copies the index's tables from it. The file is scratch: the
worker removes it when its input ends early (this process died), this process removes it
once copied or given up, and a run that finds one left (both were killed) removes it.

The worker speaks SQLite itself, to a file no one else reads: it imports neither the store
nor SQLAlchemy, so it starts in a few tens of milliseconds.
"""

from __future__ import annotations

import contextlib
import pickle
import queue
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from feedkeeper.words import segment_words

Row = tuple[int, str | None, str | None]  # post id, title, excerpt
EncodedRow = tuple[int, bytes | None, bytes | None]  # the same, the text in UTF-8

# Posts a chunk holds: large enough that pickling and each statement cost little beside
# segmenting, small enough that the worker starts on the first one at once.
CHUNK_POSTS = 1000
# Chunks sent ahead of the worker: memory holds a few chunks whatever the archive's size,
# and this process only waits when it runs that far ahead.
AHEAD_CHUNKS = 4
# Fewer posts than this are indexed in this process: a worker would start for little work.
PARALLEL_FROM_POSTS = 4000
# What the worker's file is called: the archive's name and this.
FILE_SUFFIX = "-reparse-words"


def segment_rows(rows: Sequence[Row]) -> list[Row]:
    """Return the rows with their title and excerpt segmented by ``segment_words``."""
    return [
        (post_id, segment_words(title), segment_words(excerpt)) for post_id, title, excerpt in rows
    ]


def encode_rows(rows: Sequence[Row]) -> list[EncodedRow]:
    """Return the rows with their text in UTF-8, as SQLite keeps it.

    The text goes to the worker and into the archive as it is stored, so that neither
    SQLite nor the worker's unpickling converts 100 MB of it again (a tenth of the
    worker's time).
    """
    return [(post_id, _utf8(title), _utf8(excerpt)) for post_id, title, excerpt in rows]


def _utf8(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def index_file_of(archive: Path) -> Path:
    """Where a reparse of the archive at ``archive`` has its word index filled."""
    return archive.with_name(archive.name + FILE_SUFFIX)


@dataclass(frozen=True, slots=True)
class IndexPlan:
    """What the worker's index is: the archive's FTS5 arguments, and its hash sizes."""

    fts5_arguments: str  # between the parentheses of the archive's CREATE VIRTUAL TABLE
    fill_hash_bytes: int  # while the rows go in
    kept_hash_bytes: int  # what the index keeps afterwards


class WordIndexWorker:
    """A worker process filling the word index in ``path``, fed by a thread of this one."""

    def __init__(self, path: Path, plan: IndexPlan) -> None:
        self.path = path
        path.unlink(missing_ok=True)  # left by a run killed with its worker
        self.process = subprocess.Popen(
            [sys.executable, "-m", "feedkeeper.word_worker", str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        # The chunks for the sending thread; None ends the rows.
        self._outbox: queue.Queue[list[EncodedRow] | None] = queue.Queue(AHEAD_CHUNKS)
        self._sender = threading.Thread(target=self._send, args=(plan,), daemon=True)
        self._sender.start()

    def send(self, rows: list[EncodedRow]) -> None:
        """Queue segmented rows for the index (waits while ``AHEAD_CHUNKS`` are queued)."""
        self._outbox.put(rows)

    def finish(self) -> bool:
        """End the rows and wait for the worker: True when ``path`` holds the whole index."""
        self._outbox.put(None)
        self._sender.join()
        stream = self.process.stdout
        assert stream is not None
        try:
            done = pickle.load(stream) is True
        except (EOFError, OSError, pickle.UnpicklingError):
            done = False  # the worker died or failed: its file is not the index
        return self.process.wait() == 0 and done

    def stop(self) -> None:
        """End the worker (killed unless it exited), its thread and its file."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self._sender.is_alive():  # the rows were cut short: let the thread see their end
            with contextlib.suppress(queue.Empty):
                while True:
                    self._outbox.get_nowait()
            self._outbox.put(None)
            self._sender.join()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.path.unlink(missing_ok=True)

    def _send(self, plan: IndexPlan) -> None:
        stream = self.process.stdin
        assert stream is not None
        ended = False  # the None that ends the rows has been taken
        try:
            _write(stream, plan)
            while not ended:
                rows = self._outbox.get()
                ended = rows is None
                _write(stream, rows)
        except OSError:  # the worker died: ``finish`` finds no answer
            while not ended:  # keep taking chunks, so that no put waits for a dead worker
                ended = self._outbox.get() is None
        finally:
            with contextlib.suppress(OSError):
                stream.close()


def _write(stream: IO[bytes], message: object) -> None:
    pickle.dump(message, stream, pickle.HIGHEST_PROTOCOL)
    stream.flush()


@contextlib.contextmanager
def word_index_worker(archive: Path, plan: IndexPlan) -> Iterator[WordIndexWorker | None]:
    """A worker filling the word index beside ``archive``; None when none can start.

    Its file is removed when the block ends, however it ends.
    """
    try:
        worker = WordIndexWorker(index_file_of(archive), plan)
    except OSError:  # no interpreter to start, or no file to clear: index here
        yield None
        return
    try:
        yield worker
    finally:
        worker.stop()


# The worker's side: its own file, no journal (it is scratch until the parent copies it),
# in pages that each hold a few of FTS5's blocks of about 4 KB (a tenth less time than 4 KiB
# pages, where each block takes a page of its own).
_SCRATCH_PRAGMAS = (
    "PRAGMA page_size = 16384",
    "PRAGMA journal_mode = OFF",
    "PRAGMA synchronous = OFF",
)
# The text comes as UTF-8 bytes (``encode_rows``): read as the text it is.
_INSERT = (
    "INSERT INTO post_words (rowid, title, excerpt) VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT))"
)
_HASH = "INSERT INTO post_words (post_words, rank) VALUES ('hashsize', ?)"


def fill_index(path: Path, jobs: BinaryIO) -> bool:
    """Fill the index at ``path`` from ``jobs``: its plan, then chunks of rows, then None.

    False when ``jobs`` ends first (the parent is gone); the file is removed unless filled.
    """
    plan: IndexPlan = pickle.load(jobs)
    db = sqlite3.connect(path, isolation_level=None)
    filled = False
    try:
        filled = _fill(db, plan, jobs)
    finally:
        db.close()
        if not filled:
            path.unlink(missing_ok=True)
    return filled


def _fill(db: sqlite3.Connection, plan: IndexPlan, jobs: BinaryIO) -> bool:
    for pragma in _SCRATCH_PRAGMAS:
        db.execute(pragma)
    db.execute("BEGIN")
    # Contentless: the parent writes the text into the archive's content table itself.
    db.execute(f"CREATE VIRTUAL TABLE post_words USING fts5({plan.fts5_arguments}, content='')")
    db.execute(_HASH, (plan.fill_hash_bytes,))
    try:
        while (rows := _next_rows(jobs)) is not None:
            db.executemany(_INSERT, rows)
    except (EOFError, pickle.UnpicklingError):
        return False
    db.execute(_HASH, (plan.kept_hash_bytes,))
    db.execute("COMMIT")
    return True


def _next_rows(jobs: BinaryIO) -> list[EncodedRow] | None:
    rows: list[EncodedRow] | None = pickle.load(jobs)
    return rows


def main() -> None:
    """The worker process: fill the file named by its argument, say when it holds the index."""
    path = Path(sys.argv[1])
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError, EOFError):
        if fill_index(path, sys.stdin.buffer):
            pickle.dump(True, sys.stdout.buffer, pickle.HIGHEST_PROTOCOL)
            sys.stdout.buffer.flush()


if __name__ == "__main__":
    # Run from the module imported under its own name, so that the plan it unpickles
    # names its class as the parent knows it (not as ``__main__.IndexPlan``).
    from feedkeeper import word_worker

    word_worker.main()
