"""The index process: keeps a SQLite archive's full-text indexes up to date beside a crawl.

A writer on SQLite lets changed posts wait in the queue (``post_words_stale``, committed
with the posts; see ``dialect.index_deferred``) and indexes them in batches. On a long
crawl that work is most of the writer's: once a writer has queued ``START_FROM_POSTS``
posts, the store starts a Python process running ``main`` on it, which drains the
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
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection

from feedkeeper.store.dialect import index_deferred, queued_posts, refresh_indexes
from feedkeeper.store.engine import create_sqlite_engine

# Posts a writer queues before the index process is worth starting. Starting one costs an
# interpreter, SQLAlchemy and the store's imports, about 0.4 s of CPU: the price of
# indexing some 2,000 posts (0.2 ms each), which is also where a writer would otherwise
# index its first batch itself (``write.INDEX_BATCH_POSTS``). A shorter run (a cron run of
# a few pages queues some tens of posts) never starts one and indexes as it finishes.
START_FROM_POSTS = 2000
# Posts indexed in one transaction, and the least the process indexes while the crawl
# goes on: about 0.1 s of CPU, which the crawl's writer may wait for the write lock.
# Smaller batches cost more a post (each makes an FTS5 segment, merged again later): in a
# 2,000-page crawl the process spent about a tenth more at 200.
BATCH_POSTS = 500
# Seconds the index process sleeps when the queue holds less than a batch.
POLL_SECONDS = 0.1
# Seconds the last writer waits for the process to drain the queue before it does the rest.
FINISH_WAIT = 120.0
_FINISH = b"finish\n"
# Not ``-m``: the store imports this module, which ``-m`` would then run as a second copy.
# A SIGINT while it imports ends it as the signal does, without a traceback: nothing is
# begun yet (``main`` then turns SIGINT and SIGTERM into a rollback).
_RUN = (
    "import signal; signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
    "from feedkeeper.store.indexer import main; main()"
)


class IndexProcess:
    """An archive's index process, shared by the store's writers; started when needed.

    ``start_from`` is the queue (posts one writer has waiting) that starts it; None never does.
    """

    def __init__(self, path: Path | None, start_from: int | None = START_FROM_POSTS) -> None:
        self.path = path
        self.start_from = start_from if path is not None else None
        self.starts = 0  # processes started (for the profile and the tests)
        self.waited = 0.0  # seconds the last writers waited for it to finish (the same)
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
                [sys.executable, "-c", _RUN, str(self.path)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            self.starts += 1

    def finish(self) -> None:
        """Have the process drain the queue and exit; kill it after ``FINISH_WAIT`` seconds."""
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        started = time.monotonic()
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
            self.waited += time.monotonic() - started


def index_batch(conn: Connection, most: int = BATCH_POSTS, least: int = 1) -> int:
    """Index the first ``most`` queued posts in a transaction of their own, when at least
    ``least`` wait; return how many were indexed."""
    with conn.begin():
        if queued_posts(conn) < least:
            return 0
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
        # Whole batches only while the crawl goes on: a smaller one costs more a post.
        wait = 0.0 if index_batch(conn, least=BATCH_POSTS) else POLL_SECONDS


def _next_command(commands: int, wait: float) -> bytes | None:
    """What the parent said within ``wait`` seconds: None (nothing), b"" (gone), or a command."""
    ready, _, _ = select.select([commands], [], [], wait)
    if not ready:
        return None
    return os.read(commands, len(_FINISH))


def main() -> None:
    """The process: ``main()`` with the archive's path as argument, told what to do on stdin."""
    # Either signal: the batch in progress rolls back as the exception unwinds.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):
        serve(Path(sys.argv[1]), sys.stdin.fileno())
