"""`feedkeeper show`: a post and its versions, each change as a readable diff."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import sample_archive
from feedkeeper.cli import main
from feedkeeper.store import Store
from feedkeeper.store.read import find_post
from feedkeeper.worddiff import diff_segments, elide

from conftest import rows


@pytest.fixture
def sample(db_path: Path) -> Iterator[Store]:
    store = sample_archive.open_copy(db_path)
    yield store
    store.close()


def test_diff_of_chinese_text_is_by_character() -> None:
    assert diff_segments("关键创新在于分块", "核心创新在于分块") == [
        ("-", "关键"),
        ("+", "核心"),
        ("=", "创新在于分块"),
    ]


def test_diff_of_latin_text_is_by_word() -> None:
    assert diff_segments("the quick brown fox", "the quick red fox!") == [
        ("=", "the quick "),
        ("-", "brown"),
        ("+", "red"),
        ("=", " fox"),
        ("+", "!"),
    ]


def test_diff_of_equal_texts_is_one_kept_run() -> None:
    assert diff_segments("same 一样", "same 一样") == [("=", "same 一样")]


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail the block if it runs longer than ``seconds`` (the diff once took hours here)."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still diffing after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _sides(segments: list[tuple[str, str]]) -> tuple[str, str]:
    old = "".join(text for op, text in segments if op != "+")
    new = "".join(text for op, text in segments if op != "-")
    return old, new


def test_the_diff_of_megabyte_long_excerpts_ends_at_once() -> None:
    """A hostile page's "excerpt" can be a megabyte: its diff keeps the common start and end
    and aligns what is between in bounded work, instead of running for hours."""
    start, end = "梯度下降的细节。" * 60_000, "显存占用更低。" * 60_000
    old, new = start + "旧的说法" + end, start + "新的说法，多一句" + end
    periodic_old, periodic_new = "的了是" * 5_000, "的是了" * 5_000  # the matcher's worst case
    unrelated_old, unrelated_new = "梯度" * 40_000, "显存" * 40_000
    with _deadline(20):
        assert diff_segments(old, new) == [
            ("=", start), ("-", "旧"), ("+", "新"), ("=", "的说法"), ("+", "，多一句"), ("=", end)
        ]  # fmt: skip
        periodic = diff_segments(periodic_old, periodic_new)
        unrelated = diff_segments(unrelated_old, unrelated_new)
    assert _sides(periodic) == (periodic_old, periodic_new)
    assert unrelated == [("-", unrelated_old), ("+", unrelated_new)]


def test_elide_keeps_context_beside_changes_and_whole_words() -> None:
    before = "The quick brown fox jumps over the lazy dog near the river bank today"
    after = before.replace("jumps", "leaps")
    assert elide(diff_segments(before, after), context=10) == [
        ("=", "The quick brown fox "),
        ("-", "jumps"),
        ("+", "leaps"),
        ("=", " over the …"),
    ]
    long_word = "a" * 5 + " " + "b" * 40  # no word boundary near the cut: cut inside the word
    assert elide([("=", long_word), ("+", "x")], context=10) == [("=", "…" + "b" * 10), ("+", "x")]
    assert elide([("+", "x"), ("=", "长" * 40), ("-", "y")], context=5) == [
        ("+", "x"),
        ("=", "长" * 5 + "…" + "长" * 5),
        ("-", "y"),
    ]


def test_show_prints_the_first_version_then_what_changed(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "1", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == (
        "post 1  https://blog.example/p/flash  site blog.example\n"
        "also at https://blog.example/p/flash-v2\n"
        "first seen 2026-01-10 08:00:00 UTC, last seen 2026-01-14 10:00:00 UTC,"
        " 4 sightings, 3 versions\n"
        "\n"
        "version 1  observed 2026-01-10 08:00:00 UTC  run 1\n"
        "  title: FlashAttention 详解\n"
        "  category: NLP\n"
        "  categories: NLP, Deep Learning\n"
        "  tags: attention, gpu\n"
        "  published: 2026-01-05\n"
        "  truncated: yes\n"
        "  excerpt: FlashAttention的关键创新在于分块计算自注意力 [代码] 以及 [公式]\n"
        "  placeholders: code 1 pending, formula 1 pending\n"
        "\n"
        "version 2  observed 2026-01-12 09:30:00 UTC  run 2\n"
        "  title: FlashAttention 详解 → FlashAttention 详解(修订)\n"
        "  truncated: yes → no\n"
        "  excerpt: FlashAttention的关键创新在于分块计算自注意力"
        "{+,显存占用更低+} [代码][- 以及 [公式]-]\n"
        "  placeholders: code 1 pending, formula 1 pending → code 1 pending\n"
        "\n"
        "version 3  observed 2026-01-14 10:00:00 UTC  run 4\n"
        "  excerpt: FlashAttention的[-关键-]{+核心+}创新在于分块计算自注意力,显存占用更低 [代码]\n"
    )


def test_show_a_post_known_by_its_excerpt(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [key] = rows(sample, "SELECT key FROM post WHERE id = 4")
    assert main(["show", key["key"], "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == (
        f"post 4  {key['key']}  site blog.example\n"
        "first seen 2026-01-10 08:00:00 UTC, last seen 2026-01-10 08:00:00 UTC,"
        " 1 sighting, 1 version\n"
        "\n"
        "version 1  observed 2026-01-10 08:00:00 UTC  run 1\n"
        "  truncated: no\n"
        f"  excerpt: {sample_archive.GRADIENT_EXCERPT}\n"
    )


@pytest.mark.parametrize(
    ("ref", "post_id"),
    [
        ("1", 1),
        ("https://blog.example/p/formula", 2),
        ("HTTPS://Blog.Example/p/formula#comments", 2),  # canonicalised like the crawl does
        ("https://blog.example/p/flash-v2?utm_source=mail", 1),  # an alias
        ("  5 ", 5),
        ("99", None),
        ("https://blog.example/p/none", None),
        ("http://bad:port/", None),
        ("formula", None),
        ("²", None),  # a digit, but no number
        ("５", 5),  # a full-width number is one
    ],
)
def test_find_post(sample: Store, ref: str, post_id: int | None) -> None:
    assert find_post(sample.engine, ref) == post_id


def test_show_an_unknown_post(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "https://blog.example/p/none", "--db", str(db_path)]) == 1
    assert capsys.readouterr().err == (
        "error: no post 'https://blog.example/p/none' in the archive:"
        " give a post id, a URL or a key\n"
    )
