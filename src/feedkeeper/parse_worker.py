"""The parse stage's worker process: pages parsed on a second core, fed over its pipes.

Parsing is the crawl's heaviest stage. On a long listing, each page fetched ahead is
sent to a worker process as soon as it arrives, so it is parsed while this process
fetches and writes. The worker is ``python -m feedkeeper.parse_worker``: it reads
jobs from its stdin and writes parsed pages (``read_keyed_page``) to its stdout, in order,
as length-prefixed pickles. The pipes are read and written by the event loop itself, with
no thread, so the two processes never wait on each other for the GIL; the pages in flight
are bounded by the fetch window. The worker also keys each page's cards for dedupe
(canonical URLs and fingerprints, the pure half of the dedupe stage), so the process that
writes receives cards ready to look up. Its pipes are widened to hold several pages, and
it sends its answers from a thread of its own, so neither process waits for the other to
read while it is busy. For a crawl it also prepares what the writer would otherwise work
out in the busier process: the body as the archive stores it (hashed and compressed), its
encoding, and, while most cards bring new posts, each card's text segmented for the word
index (``card_words``). Short crawls never start a worker: starting one costs an
interpreter. This module imports only the parser and the dedupe keys, so a worker never
loads HTTP or the store; when the parent goes away, the worker reads the end of its input
and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import replace
from typing import BinaryIO

from feedkeeper.card_words import SEGMENT_AHEAD_MAX_CHARS, SegmentedTexts, segment_page_texts
from feedkeeper.errors import ParseError
from feedkeeper.heap import freeze_startup
from feedkeeper.page_reader import KeyedPage, read_keyed_page
from feedkeeper.parse import Profile
from feedkeeper.stored_body import pack_body, unpack_body

# body, content type, URL, profile, whether the body is zlib-compressed (as the archive keeps
# it), whether to pack the body for the archive, whether to segment the cards' text, and
# texts of pages parsed elsewhere to segment with them
Job = tuple[bytes, str | None, str, Profile | None, bool, bool, bool, tuple[str, ...]]

# A listing whose pager shows at least this many pages is worth a worker process.
PARALLEL_FROM_PAGES = 20
# Seconds a worker gets to finish after its input is closed, before it is killed.
STOP_GRACE = 5.0
_HEADER = struct.Struct(">I")  # the length of the pickle that follows
# Bytes a pipe to or from the worker holds (Linux's default is 64 KiB, two or three
# pages): room for several pages one way and parsed pages the other.
PIPE_BYTES = 1 << 20


class WorkerGoneError(Exception):
    """The worker process ended (killed, out of memory) before it answered."""


class ParseWorker:
    """A worker process for parsing, started on first use; the caller parses here if it dies."""

    def __init__(self, profile: Profile | None) -> None:
        self.profile = profile
        # A crawl's worker packs each body for the archive, and segments the cards' text
        # while most cards bring new posts (the crawl says which, page after page).
        self.packs_bodies = False
        self.segments_words = False
        # Texts of pages parsed in the caller, for the worker to segment with the next page.
        self.texts_later: list[str] = []
        self.submitted = 0  # pages handed to a worker (for the profile and the tests)
        self._process: asyncio.subprocess.Process | None = None
        self._waiting: deque[asyncio.Future[KeyedPage]] = deque()
        # Every answer handed out and still held by the caller (see ``_let_go_of_answers``).
        self._handed: weakref.WeakSet[asyncio.Future[KeyedPage]] = weakref.WeakSet()
        self._reader: asyncio.Task[None] | None = None
        self._broken = False
        self._starting = asyncio.Lock()

    @property
    def pid(self) -> int | None:
        """The worker process's id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def is_usable(self) -> bool:
        """False once a worker died: the rest of the run parses in this process."""
        return not self._broken

    async def submit(
        self, body: bytes, content_type: str | None, url: str, *, compressed: bool = False
    ) -> asyncio.Future[KeyedPage]:
        """Send a page to the worker; the future holds its keyed parse, or raises ParseError.

        A ``compressed`` body (zlib, as stored) is decompressed by the worker.
        """
        process = await self._started()
        assert process.stdin is not None
        answer: asyncio.Future[KeyedPage] = asyncio.get_running_loop().create_future()
        self._handed.add(answer)
        if self._broken:  # its answers can no longer be read: the caller parses the page
            answer.set_exception(WorkerGoneError())
            return answer
        self._waiting.append(answer)
        later = tuple(self.texts_later) if self.segments_words else ()
        self.texts_later.clear()
        job = (body, content_type, url, self.profile, compressed, self.packs_bodies,
               self.segments_words, later)  # fmt: skip
        process.stdin.write(_frame(job))
        self.submitted += 1
        return answer

    def segment_later(self, texts: Sequence[str]) -> None:
        """Have ``texts`` (cards' text of a page parsed in the caller) segmented with the next
        page sent, their words among that page's: so the caller never segments, as long as a
        page follows. Kept up to ``SEGMENT_AHEAD_MAX_CHARS``; past that, left to the writer."""
        if sum(map(len, self.texts_later)) + sum(map(len, texts)) <= SEGMENT_AHEAD_MAX_CHARS:
            self.texts_later.extend(texts)

    async def _started(self) -> asyncio.subprocess.Process:
        async with self._starting:  # pages fetched at once must not start two workers
            return await self._start_once()

    async def _start_once(self) -> asyncio.subprocess.Process:
        if self._process is None:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "feedkeeper.parse_worker",
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            self._reader = asyncio.create_task(self._read_answers(self._process))
        return self._process

    async def _read_answers(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        try:
            while True:
                header = await process.stdout.readexactly(_HEADER.size)
                answer = pickle.loads(await process.stdout.readexactly(*_HEADER.unpack(header)))
                waiting = self._waiting.popleft()
                if waiting.cancelled():
                    continue
                if isinstance(answer, ParseError):
                    waiting.set_exception(answer)
                else:
                    waiting.set_result(answer)
        except (asyncio.IncompleteReadError, ConnectionError):
            self._give_up()  # the worker is gone (ended with its input, killed, out of memory)
        except Exception:
            # An answer cannot be read: the worker is of no more use, and is stopped. A reader
            # that stopped silently would leave the pages waiting for ever.
            self._give_up()
            with contextlib.suppress(ProcessLookupError):
                process.kill()

    def _give_up(self) -> None:
        """Leave every page waiting, and every page sent from now on, to the caller to parse."""
        self._broken = True
        for waiting in self._waiting:
            if not waiting.done():
                waiting.set_exception(WorkerGoneError())
        self._waiting.clear()

    async def result(
        self, answer: asyncio.Future[KeyedPage], body: bytes, content_type: str | None, url: str
    ) -> KeyedPage:
        """Wait for a page submitted earlier; parse it here if the worker died."""
        try:
            return await answer
        except WorkerGoneError:
            return read_keyed_page(body, content_type, url, self.profile)

    async def stop(self) -> None:
        """Close the worker's input and wait for it to exit (killed after ``STOP_GRACE``)."""
        process, reader = self._process, self._reader
        self._process = self._reader = None
        self.texts_later.clear()  # a run's text is that run's: the next run starts afresh
        self._starting = asyncio.Lock()  # a lock belongs to one event loop: the next run's
        if process is None or reader is None:
            return
        assert process.stdin is not None
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE)
        except TimeoutError:
            process.kill()
            await process.wait()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        self._let_go_of_answers()

    def _let_go_of_answers(self) -> None:
        """Settle the answers handed out that no one took, as a run cut short leaves them.

        Their pages will not be asked for: without this, asyncio would report each answer that
        holds an exception (a page that failed to parse, or the worker gone with the run's
        signal) as "never retrieved", with its traceback.
        """
        for answer in self._handed:
            if not answer.done():
                answer.cancel()
            elif not answer.cancelled():
                answer.exception()  # marks it as seen
        self._handed.clear()


def _frame(value: object) -> bytes:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _read_job(stream: BinaryIO) -> Job | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None  # the parent closed our input: done
    job: Job = pickle.loads(stream.read(*_HEADER.unpack(header)))
    return job


def widen_pipe(fd: int) -> None:
    """Let the pipe at ``fd`` hold ``PIPE_BYTES`` where the system allows (Linux)."""
    resize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if resize is not None:
        with contextlib.suppress(OSError):  # not a pipe, or over the system's cap
            fcntl.fcntl(fd, resize, PIPE_BYTES)


def serve(jobs: BinaryIO, answers: BinaryIO) -> None:
    """The worker's loop: parse and key each job read from ``jobs``, write the page (or
    ParseError).

    The answers are written by a thread of their own: while the parent is busy (writing a
    batch, refreshing its indexes) and the pipe back is full, the worker goes on parsing
    the pages it was sent (no more than the walk keeps ahead) instead of waiting.
    """
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    sender = threading.Thread(target=_send_answers, args=(outbox, answers), daemon=True)
    sender.start()
    segmented = SegmentedTexts()
    while (job := _read_job(jobs)) is not None:
        body, content_type, url, profile, compressed, pack, segment, later = job
        try:
            if compressed:
                body = unpack_body(body)
            page = read_keyed_page(body, content_type, url, profile)
            answer: object = replace(
                page,
                packed=pack_body(body) if pack else None,
                words=segment_page_texts(page.keyed, later, segmented) if segment else {},
            )
        except ParseError as exc:
            answer = exc
        outbox.put(_frame(answer))
    outbox.put(None)  # the parent closed our input: send what is left, then stop
    sender.join()


def _send_answers(outbox: queue.SimpleQueue[bytes | None], answers: BinaryIO) -> None:
    """Write each framed answer from ``outbox`` to the parent, until None (or no parent).

    Each frame goes whole to the file descriptor, a partial write carried on until done, so
    that no frame can be cut short by another one. A worker that can no longer answer (the
    pipe failing otherwise than by its reader leaving) ends at once rather than stay silent:
    its parent then parses the pages itself.
    """
    fd = answers.fileno()
    try:
        while (frame := outbox.get()) is not None:
            unsent = memoryview(frame)
            while unsent:
                unsent = unsent[os.write(fd, unsent) :]
    except BrokenPipeError:
        return  # the parent is gone
    except OSError:
        os._exit(1)


def main() -> None:
    """The worker process: serve the parent over stdin and stdout until it closes them."""
    widen_pipe(sys.stdin.fileno())
    widen_pipe(sys.stdout.fileno())
    freeze_startup()
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):
        serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
