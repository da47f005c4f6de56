"""The parse worker: keyed pages back, as this process would read them, over wide pipes."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import io
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest

from feedkeeper.card_words import SEGMENT_AHEAD_MAX_CHARS, SegmentedTexts, segment_cards
from feedkeeper.cards import Card, PagePattern, Placeholder
from feedkeeper.dedupe import KeyedCard, key_cards
from feedkeeper.page_reader import KeyedPage, read_keyed_page
from feedkeeper.parse_worker import (
    PIPE_BYTES,
    ParseWorker,
    WorkerGoneError,
    _frame,
    serve,
    widen_pipe,
)

PAGE = (
    "<html><body><main>"
    '<article><h2><a href="HTTP://Blog.Test:80/p/1/?utm_source=x&b=2&a=1#top">梯度同步</a></h2>'
    "<p>讲梯度如何在显卡之间同步。</p></article>"
    '<article><h2><a href="/p/2/">显存优化</a></h2><p>讲显存如何省下来。</p></article>'
    '<article><h2><a href="/p/3/">混合精度</a></h2><p>讲半精度训练。</p></article>'
    "</main></body></html>"
).encode()


async def read_in_worker(body: bytes) -> tuple[KeyedPage, int]:
    worker = ParseWorker(None)
    try:
        answer = await (await worker.submit(body, "text/html; charset=utf-8", "http://blog.test/"))
        return answer, _pipe_size(worker)
    finally:
        await worker.stop()


def _pipe_size(worker: ParseWorker) -> int:
    """The size of the pipe the worker reads its jobs from, opened through /proc."""
    fd = os.open(f"/proc/{worker.pid}/fd/0", os.O_RDONLY | os.O_NONBLOCK)
    try:
        return int(fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ))
    finally:
        os.close(fd)


def test_the_worker_answers_cards_keyed_by_canonical_url_and_fingerprint() -> None:
    answer, _ = asyncio.run(read_in_worker(PAGE))
    assert [keyed.url for keyed in answer.keyed] == [
        "http://blog.test/p/1/?a=1&b=2",
        "http://blog.test/p/2/",
        "http://blog.test/p/3/",
    ]
    assert [keyed.card.title for keyed in answer.keyed] == ["梯度同步", "显存优化", "混合精度"]
    fingerprints = [keyed.fingerprint for keyed in answer.keyed]
    assert all(fingerprints) and len(set(fingerprints)) == 3
    assert answer == read_keyed_page(PAGE, "text/html; charset=utf-8", "http://blog.test/")


def test_the_pager_s_own_numbering_crosses_the_pipe() -> None:
    pager = (
        "<ul class='pages'><li><a href='/list_1_2.html'>2</a></li>"
        "<li><a href='/list_1_3.html'>3</a></li></ul></body>"
    )
    answer, _ = asyncio.run(read_in_worker(PAGE.replace(b"</body>", pager.encode())))
    assert answer.parsed.page_patterns == [PagePattern("http://blog.test/list_1_", ".html")]
    assert answer.parsed.page_urls == [
        "http://blog.test/list_1_2.html",
        "http://blog.test/list_1_3.html",
    ]


async def _read_stored_in_worker(data: bytes) -> KeyedPage:
    worker = ParseWorker(None)
    try:
        return await (await worker.submit(data, "text/html", "http://blog.test/", compressed=True))
    finally:
        await worker.stop()


def test_a_body_sent_compressed_as_the_archive_keeps_it_is_read_as_the_body_itself() -> None:
    answer = asyncio.run(_read_stored_in_worker(zlib.compress(PAGE, 1)))
    assert [keyed.card.title for keyed in answer.keyed] == ["梯度同步", "显存优化", "混合精度"]
    assert answer == read_keyed_page(PAGE, "text/html", "http://blog.test/")


async def _read_for_a_crawl(body: bytes, *, segments_words: bool) -> KeyedPage:
    worker = ParseWorker(None)
    worker.packs_bodies, worker.segments_words = True, segments_words
    try:
        return await (await worker.submit(body, "text/html; charset=utf-8", "http://blog.test/"))
    finally:
        await worker.stop()


def test_a_crawls_worker_packs_the_body_and_segments_the_cards_text_for_the_writer() -> None:
    answer = asyncio.run(_read_for_a_crawl(PAGE, segments_words=True))
    assert answer.encoding == "utf-8"
    assert answer.packed is not None
    assert answer.packed.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert answer.packed.size == len(PAGE)
    assert zlib.decompress(answer.packed.data) == PAGE
    assert set(answer.words) == {
        "梯度同步", "讲梯度如何在显卡之间同步。", "显存优化", "讲显存如何省下来。", "混合精度",
        "讲半精度训练。",
    }  # fmt: skip
    assert answer.words["显存优化"] == " 显 存 优 化 显存 存优 优化 显存优 存优化 显存优化 "
    assert answer.words["讲显存如何省下来。"] == (
        " 讲 显 存 如 何 省 下 来 讲显 显存 存如 如何 何省 省下 下来 讲显存 显存如 存如何 如何省"
        " 何省下 省下来 讲显存如 显存如何 存如何省 如何省下 何省下来 。"
    )


async def _read_after_one_parsed_here(*, segments_words: bool) -> list[KeyedPage]:
    worker = ParseWorker(None)
    worker.segments_words = segments_words
    worker.segment_later(["第一页的标题", "第一页的摘要：讲梯度"])  # a page parsed in the caller
    try:
        sent = [await worker.submit(PAGE, "text/html", "http://blog.test/") for _ in range(2)]
        return [await answer for answer in sent]
    finally:
        await worker.stop()


def test_text_of_a_page_parsed_in_the_caller_is_segmented_with_the_next_page_sent() -> None:
    first, second = asyncio.run(_read_after_one_parsed_here(segments_words=True))
    assert first.words["第一页的标题"] == (
        " 第 一 页 的 标 题 第一 一页 页的 的标 标题 第一页 一页的 页的标 的标题"
        " 第一页的 一页的标 页的标题 "
    )
    assert "第一页的摘要：讲梯度" in first.words
    assert len(first.words) == 6 + 2  # the page's own six texts, and the two sent with it
    assert len(second.words) == 6  # sent once


def test_text_of_a_page_parsed_in_the_caller_is_not_sent_to_a_worker_not_segmenting() -> None:
    first, second = asyncio.run(_read_after_one_parsed_here(segments_words=False))
    assert first.words == second.words == {}


def test_text_kept_for_the_next_page_is_bounded() -> None:
    worker = ParseWorker(None)
    worker.segment_later(["梯度" * (SEGMENT_AHEAD_MAX_CHARS // 4)])
    worker.segment_later(["显存" * (SEGMENT_AHEAD_MAX_CHARS // 4) + "。"])  # one over
    worker.segment_later(["混合精度"])
    assert worker.texts_later == ["梯度" * (SEGMENT_AHEAD_MAX_CHARS // 4), "混合精度"]


def test_a_worker_not_asked_to_segment_sends_no_words() -> None:
    answer = asyncio.run(_read_for_a_crawl(PAGE, segments_words=False))
    assert answer.words == {}
    assert answer.packed is not None


def test_the_worker_segments_a_text_shown_again_once() -> None:
    page = read_keyed_page(PAGE, "text/html", "http://blog.test/")
    segmented = SegmentedTexts()
    segmented.words["显存优化"] = "kept"  # what an earlier page left
    words = segment_cards(page.keyed, segmented)
    assert words["显存优化"] == "kept"
    assert (
        segmented.words["混合精度"]
        == words["混合精度"]
        == (" 混 合 精 度 混合 合精 精度 混合精 合精度 混合精度 ")
    )


def test_a_page_with_too_much_card_text_is_left_to_the_writer() -> None:
    excerpt = "梯度" * (SEGMENT_AHEAD_MAX_CHARS // 2)
    card = Card(url="http://blog.test/p/1/", title="梯度同步", excerpt=excerpt)
    segmented = SegmentedTexts()
    assert segment_cards(key_cards([card]), segmented) == {}
    assert segmented.words == {}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are Linux's")
def test_the_worker_widens_its_pipes_to_hold_a_fetch_window_of_pages() -> None:
    _, size = asyncio.run(read_in_worker(PAGE))
    assert size >= PIPE_BYTES


def test_widening_what_is_not_a_pipe_changes_nothing_and_raises_nothing(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"x")
    with path.open("rb") as handle:
        widen_pipe(handle.fileno())
    assert path.read_bytes() == b"x"


def test_cards_cross_the_pipes_as_their_fields_in_order() -> None:
    card = Card(
        url="http://blog.test/p/1/",
        title="梯度同步",
        categories=("ML",),
        excerpt="代码 [代码]",
        placeholders=(Placeholder("code", 1, 1, 3),),
        pinned=True,
    )
    keyed = KeyedCard(card, "http://blog.test/p/1/", "fp", "代码代码", False)
    assert card.__reduce__() == (
        Card,
        ("http://blog.test/p/1/", "梯度同步", None, ("ML",), (), None, None, "代码 [代码]",
         False, (Placeholder("code", 1, 1, 3),), True),
    )  # fmt: skip
    back = pickle.loads(pickle.dumps([keyed, card], pickle.HIGHEST_PROTOCOL))
    assert back == [keyed, card]
    assert back[0].card is back[1]  # shared as it was


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are Linux's")
def test_the_worker_goes_on_parsing_while_the_parent_does_not_read_its_answers() -> None:
    pages = 40  # some 100 KB of answers, against a pipe back of 4 KiB
    jobs = io.BytesIO(b"".join(
        _frame((PAGE, "text/html", f"http://blog.test/{n}", None, False, True, True, ()))
        for n in range(pages)
    ))  # fmt: skip
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    with os.fdopen(write_end, "wb") as answers:
        serving = threading.Thread(target=serve, args=(jobs, answers), daemon=True)
        serving.start()
        deadline = time.monotonic() + 10
        while jobs.tell() < len(jobs.getvalue()) and time.monotonic() < deadline:
            time.sleep(0.01)
        all_read_first = jobs.tell() == len(jobs.getvalue())  # nothing read back yet
        with os.fdopen(read_end, "rb") as back:
            answers_read = []
            for _ in range(pages):
                (size,) = struct.unpack(">I", back.read(4))
                answers_read.append(pickle.loads(back.read(size)))
        serving.join(timeout=30)
    assert all_read_first
    assert not serving.is_alive()
    assert [page.keyed[0].card.title for page in answers_read] == ["梯度同步"] * pages


class _Pipe:
    """The worker's input, as a sink."""

    def write(self, data: bytes) -> None:
        pass


class _UnreadableWorker:
    """A worker process whose answers cannot be read (as a frame cut short leaves them)."""

    pid = None

    def __init__(self) -> None:
        self.stdin = _Pipe()
        self.stdout = asyncio.StreamReader()
        self.killed = False

    def kill(self) -> None:
        self.killed = True


async def _read_with_unreadable_answers() -> tuple[list[str], bool, bool]:
    worker = ParseWorker(None)
    process = _UnreadableWorker()
    worker._process = process  # type: ignore[assignment]
    url = "http://blog.test/"
    waiting = await worker.submit(PAGE, "text/html", url)
    worker._reader = asyncio.create_task(worker._read_answers(process))  # type: ignore[arg-type]
    corrupt = b"\x80\x05\x8c\x02\xff\xfe\x94."  # a pickle whose text is not UTF-8
    process.stdout.feed_data(struct.pack(">I", len(corrupt)) + corrupt)
    pages = [await asyncio.wait_for(worker.result(waiting, PAGE, "text/html", url), 5)]
    sent_after = await worker.submit(PAGE, "text/html", url)
    pages.append(await asyncio.wait_for(worker.result(sent_after, PAGE, "text/html", url), 5))
    return [page.keyed[0].card.title for page in pages], process.killed, worker.is_usable


def test_answers_that_cannot_be_read_leave_every_page_to_this_process() -> None:
    titles, killed, usable = asyncio.run(_read_with_unreadable_answers())
    assert titles == ["梯度同步", "梯度同步"]  # parsed here, the one waiting and the one after
    assert killed and not usable


async def _end_of_answers() -> tuple[bool, bool]:
    worker = ParseWorker(None)
    process = _UnreadableWorker()
    worker._process = process  # type: ignore[assignment]
    waiting = await worker.submit(PAGE, "text/html", "http://blog.test/")
    process.stdout.feed_eof()  # the worker ended, as it does when its input is closed
    await worker._read_answers(process)  # type: ignore[arg-type]
    with pytest.raises(WorkerGoneError):
        await waiting
    return process.killed, worker.is_usable


def test_a_worker_that_ended_is_not_signalled() -> None:
    # Signalling a process that has exited makes the subprocess module reap it behind
    # asyncio's back, which then logs "Unknown child process" on stderr.
    killed, usable = asyncio.run(_end_of_answers())
    assert not killed and not usable


CANNOT_ANSWER = """
import os, queue, threading
from feedkeeper.parse_worker import _send_answers
read_end, write_end = os.pipe()
answers = os.fdopen(write_end, "wb")
os.close(write_end)  # writing now fails otherwise than by the reader leaving
outbox = queue.SimpleQueue()
outbox.put(b"an answer")
sender = threading.Thread(target=_send_answers, args=(outbox, answers))  # as serve() runs it
sender.start()
sender.join()
print("still here", flush=True)
"""


def test_a_worker_that_can_no_longer_answer_ends_rather_than_stay_silent() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CANNOT_ANSWER], capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert b"still here" not in done.stdout
