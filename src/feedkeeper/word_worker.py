"""Segmenting a whole archive's texts for the word index, in a worker process.

Filling the word index anew (``rebuild_search_index``) segments every post's title and
excerpt with ``segment_words``: Python, about a third of the fill's time. The texts go to
a worker (``python -m feedkeeper.word_worker``) in chunks, as pickles on its stdin, and
come back segmented on its stdout in the same order, while this process fills the trigram
index and then feeds each chunk to the word index: SQLite fills in C, so both processes
work at once. Two threads here write the chunks and read the answers, so that neither
process waits for the other to empty a pipe; the chunks are read as the answers are taken,
``AHEAD_CHUNKS`` in flight, so memory holds a few chunks whatever the archive's size. A
few posts are segmented here (starting an interpreter would cost more), and so are the
chunks a worker that died left unanswered.
"""

from __future__ import annotations

import contextlib
import itertools
import pickle
import queue
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from feedkeeper.words import segment_words

Row = tuple[int, str | None, str | None]  # post id, title, excerpt

# Posts a chunk holds: small enough for the first to come back while the trigram index
# is still filling, large enough that pickling costs little beside segmenting.
CHUNK_POSTS = 1000
# Chunks sent ahead of the one being filled: enough to keep the worker busy while the
# trigram index fills (it segments a chunk in half the time the word index takes to fill one).
AHEAD_CHUNKS = 8
# Fewer posts than this are segmented here: a worker would start for a few milliseconds' work.
PARALLEL_FROM_POSTS = 4000
# Seconds a worker gets to exit once its input is closed, before it is killed.
STOP_GRACE = 5.0


def segment_rows(rows: Sequence[Row]) -> list[Row]:
    """Return the rows with their title and excerpt segmented by ``segment_words``."""
    return [
        (post_id, segment_words(title), segment_words(excerpt)) for post_id, title, excerpt in rows
    ]


@contextlib.contextmanager
def segmented_chunks(chunks: Iterator[list[Row]]) -> Iterator[Iterator[list[Row]]]:
    """Yield the chunks segmented, in order: by a worker process when there are many rows.

    ``chunks`` is read in this thread, ``AHEAD_CHUNKS`` before the block starts (the
    worker segments them meanwhile) and one more as the block takes each answer.
    """
    ahead = list(itertools.islice(chunks, AHEAD_CHUNKS))
    if sum(map(len, ahead)) < PARALLEL_FROM_POSTS:  # then there are no more
        yield (segment_rows(chunk) for chunk in itertools.chain(ahead, chunks))
        return
    try:
        worker = WordWorker()
    except OSError:  # no interpreter to start (out of processes or memory): segment here
        yield (segment_rows(chunk) for chunk in itertools.chain(ahead, chunks))
        return
    try:
        for chunk in ahead:
            worker.send(chunk)
        yield worker.answers(chunks)
    except BaseException:
        worker.stop(kill=True)  # the block failed: its answers are not wanted
        raise
    worker.stop(kill=False)


class WordWorker:
    """A segmenting process fed and read by two threads of this one."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "feedkeeper.word_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._sent: deque[list[Row]] = deque()  # the chunks not yet answered, in order
        # Chunks for the sending thread, None at the end; answers, None once the worker is gone.
        self._outbox: queue.SimpleQueue[list[Row] | None] = queue.SimpleQueue()
        self._answers: queue.SimpleQueue[list[Row] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._send, daemon=True),
            threading.Thread(target=self._receive, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def send(self, chunk: list[Row]) -> None:
        """Queue a chunk for the worker (written by a thread: this one does not wait)."""
        self._sent.append(chunk)
        self._outbox.put(chunk)

    def answers(self, more: Iterator[list[Row]]) -> Iterator[list[Row]]:
        """The chunks sent segmented, in order, sending a chunk of ``more`` for each taken.

        From the first chunk the worker left unanswered (it died), they are segmented here.
        """
        while self._sent:
            answer = self._answers.get()
            if answer is None:
                yield from (segment_rows(chunk) for chunk in itertools.chain(self._sent, more))
                return
            self._sent.popleft()
            for chunk in itertools.islice(more, 1):
                self.send(chunk)
            yield answer

    def stop(self, *, kill: bool) -> None:
        """End the worker (at once with ``kill``, else after ``STOP_GRACE``) and its threads."""
        self._outbox.put(None)
        if not kill:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(STOP_GRACE)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for thread in self._threads:
            thread.join()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    def _send(self) -> None:
        stream = self.process.stdin
        assert stream is not None
        with contextlib.suppress(OSError):  # the worker died: the answers say so
            while (chunk := self._outbox.get()) is not None:
                pickle.dump(chunk, stream, pickle.HIGHEST_PROTOCOL)
                stream.flush()
            stream.close()

    def _receive(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while True:
                self._answers.put(pickle.load(stream))
        except (EOFError, OSError, pickle.UnpicklingError):
            self._answers.put(None)


def serve(jobs: BinaryIO, answers: BinaryIO) -> None:
    """The worker's loop: segment each chunk read from ``jobs``, write it to ``answers``."""
    while True:
        try:
            rows = pickle.load(jobs)
        except EOFError:
            return  # the parent closed our input: done
        pickle.dump(segment_rows(rows), answers, pickle.HIGHEST_PROTOCOL)
        answers.flush()


def main() -> None:
    """The worker process: serve the parent over stdin and stdout until it closes them."""
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):
        serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
