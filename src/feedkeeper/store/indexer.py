"""The index process: keeps a SQLite archive's full-text indexes up to date beside a crawl.

A writer on SQLite lets changed posts wait in the queue (``post_words_stale``, committed
with the posts; see ``dialect.index_deferred``) and indexes them in batches. On a long
crawl that work is most of the writer's: once a writer has queued ``START_FROM_POSTS``
posts, the store starts ``python -m feedkeeper.store.indexer ARCHIVE``, which drains the
queue in short transactions (``BATCH_POSTS`` posts each, so the writer never waits long
for SQLite's write lock) on the other core while the crawl goes on. It is only an
accelerator: the last writer tells it to finish (``finish`` on its stdin), waits for it
(``FINISH_WAIT`` seconds at most) and then drains whatever is left itself, so a process
that died, failed or ran out of time costs time, never an index entry. When the parent
goes away without a word (its stdin ends), the process exits at once, leaving the queue
for the next writer; on SIGINT or SIGTERM it rolls back its batch and exits quietly. It
never takes the archive's lock file (the crawl holds it): it is one more SQLite writer,
with the same engine settings (WAL, busy_timeout, BEGIN IMMEDIATE) as every other.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection

from feedkeeper.store.dialect import index_deferred, refresh_indexes
from feedkeeper.store.engine import create_sqlite_engine

# Posts a run queues before the index process is worth starting. Starting one costs an
# interpreter and the store's imports, about 0.2 s of CPU, the price of indexing some 700
# posts (0.27 ms each); a small run (a cron run of a few pages, some tens of posts) never
# starts one and indexes as it finishes, as before.
START_FROM_POSTS = 500
# Posts indexed in one transaction: about 0.1 s of work, the longest the crawl's writer
# waits for the write lock, and large enough that FTS5 writes few small segments.
BATCH_POSTS = 400
# Seconds the index process sleeps when the queue holds less than a batch.
POLL_SECONDS = 0.1
# Seconds the last writer waits for the process to drain the queue before it does the rest.
FINISH_WAIT = 120.0
_FINISH = b"finish\n"


class IndexProcess:
    """An archive's index process, shared by the store's writers; started when needed.

    ``start_from`` is the queue (posts one writer has waiting) that starts it; None never does.
    """

    def __init__(self, path: Path | None, start_from: int | None = START_FROM_POSTS) -> None:
        self.path = path
        self.start_from = start_from if path is not None else None
        self.starts = 0  # processes started (for the profile and the tests)
        self.writers = 0  # writers open on the store: the last one ends the process
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The process's id while it is in use."""
        return self._process.pid if self._process is not None else None

    @property
    def is_running(self) -> bool:
        """True from the start until ``finish``: meanwhile writers leave the queue to it."""
        return self._process is not None

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Count a writer open for the block."""
        self.writers += 1
        try:
            yield
        finally:
            self.writers -= 1

    def note_queued(self, queued: int) -> None:
        """Start the process when a writer has ``queued`` posts waiting, enough for one."""
        if self._process is None and self.start_from is not None and queued >= self.start_from:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "feedkeeper.store.indexer", str(self.path)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            self.starts += 1

    def finish(self) -> None:
        """Have the process drain the queue and exit; kill it after ``FINISH_WAIT`` seconds."""
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        try:
            process.stdin.write(_FINISH)
            process.stdin.close()
            process.wait(FINISH_WAIT)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            pass  # dead, or too slow: the writer drains the rest
        finally:
            if process.poll() is None:  # never outlives the crawl
                process.kill()
                process.wait()


def index_batch(conn: Connection, most: int = BATCH_POSTS) -> int:
    """Index the first ``most`` queued posts in a transaction of their own; return how many."""
    with conn.begin():
        return refresh_indexes(conn, most)


def serve(path: Path, commands: int) -> None:
    """The process's loop: index the queue in batches until told to finish, or orphaned."""
    engine = create_sqlite_engine(path)
    try:
        # Deferred: the commit of a batch must not go on to refresh the whole queue.
        with engine.connect() as conn, index_deferred(conn):
            _index_until_told(conn, commands)
    finally:
        engine.dispose()


def _index_until_told(conn: Connection, commands: int) -> None:
    wait = 0.0
    while True:
        command = _next_command(commands, wait)
        if command == b"":
            return  # the parent is gone: the next writer drains the queue
        if command is not None:
            while index_batch(conn) == BATCH_POSTS:
                pass
            return
        wait = 0.0 if index_batch(conn) == BATCH_POSTS else POLL_SECONDS


def _next_command(commands: int, wait: float) -> bytes | None:
    """What the parent said within ``wait`` seconds: None (nothing), b"" (gone), or a command."""
    ready, _, _ = select.select([commands], [], [], wait)
    if not ready:
        return None
    return os.read(commands, len(_FINISH))


def main() -> None:
    """The process: ``python -m feedkeeper.store.indexer ARCHIVE``, told what to do on stdin."""
    # SIGTERM as SIGINT: the batch in progress rolls back as the exception unwinds.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):
        serve(Path(sys.argv[1]), sys.stdin.fileno())


if __name__ == "__main__":
    main()
