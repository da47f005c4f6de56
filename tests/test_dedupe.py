"""Identity and change rules, on hand-made values."""

from __future__ import annotations

import hashlib

import pytest

from feedkeeper.identity import canonical_url, fingerprint, is_repost_evidence, text_key
from feedkeeper.versions import Change, Fields, merge


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/a/b/", "https://example.com/a/b/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a/#comments", "https://example.com/a/"),
        ("https://example.com/a/?utm_source=rss&utm_medium=feed", "https://example.com/a/"),
        ("https://example.com/a/?b=2&fbclid=x&a=1", "https://example.com/a/?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/p?id=7&spm=a.b.c", "https://example.com/p?id=7"),
        (
            "https://medium.com/pub/a-post-1f2e?source=collection_home----abc-----0",
            "https://medium.com/pub/a-post-1f2e",
        ),
        ("https://example.com/%E5%88%86%E8%AF%8D/", "https://example.com/分词/"),
        ("https://example.com/%e5%88%86%e8%af%8d/", "https://example.com/分词/"),
        ("https://example.com/%7Eada/%41-b", "https://example.com/~ada/A-b"),
        ("https://example.com/a%2fb%20c", "https://example.com/a%2fb%20c"),  # reserved: kept
        ("https://example.com/%FF%E5", "https://example.com/%FF%E5"),  # no UTF-8: kept
        ("http://gov.example/news/1.jsp;jsessionid=0A1B2C", "http://gov.example/news/1.jsp"),
        ("http://gov.example/n/7/;JSESSIONID=0A1B?id=3", "http://gov.example/n/7/?id=3"),
        ("http://gov.example/n;type=a/1;jsessionid=9F", "http://gov.example/n;type=a/1"),
        ("https://example.com/view.php?id=4&PHPSESSID=k2j3", "https://example.com/view.php?id=4"),
        ("https://example.com/a.jsp?jsessionid=0A1B&p=2", "https://example.com/a.jsp?p=2"),
        ("https://example.com/a;b=1", "https://example.com/a;b=1"),  # other parameters: kept
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_fingerprint_ignores_case_space_and_punctuation() -> None:
    a = fingerprint("DDP 入门", "Quick Start: 一个最简单的DDP例子!")
    b = fingerprint("ddp  入门", "Quick start 一个最简单的 DDP 例子")
    assert a == b
    assert a != fingerprint("DDP 入门", "另一篇文章")
    assert fingerprint(None, None) is None
    assert fingerprint("", "  ...  ") is None


def test_a_text_key_folds_the_text_once_for_the_fingerprint_and_the_repost_evidence() -> None:
    key = text_key("DDP 入门", "Quick Start: 一个最简单的DDP例子!")
    assert key.folded_excerpt == "quickstart一个最简单的ddp例子"
    assert (
        key.fingerprint
        == hashlib.sha256("ddp入门\x1fquickstart一个最简单的ddp例子".encode()).hexdigest()[:32]
    )
    assert key.fingerprint == fingerprint("DDP 入门", "Quick Start: 一个最简单的DDP例子!")
    assert key.is_evidence
    assert not text_key("DDP 入门", "DDP 入门").is_evidence  # the excerpt only repeats the title
    assert not text_key("DDP 入门", "Read more").is_evidence  # too little text
    assert not text_key(None, "Quick Start: 一个最简单的DDP例子!").is_evidence  # no title
    assert text_key(None, None) == text_key("", "  ...  ")
    assert text_key(None, None).fingerprint is None
    for title, excerpt in [("T", "Read more"), ("梯度同步", "讲梯度如何在显卡之间同步的一篇长文")]:
        assert text_key(title, excerpt).is_evidence == is_repost_evidence(title, excerpt)


FULL = Fields(
    title="T", category="Python", published="2026-01-11", excerpt="abc def", truncated=True
)


def test_missing_fields_are_not_a_change() -> None:
    merged, change = merge(FULL, Fields(title="T", excerpt="abc def", truncated=True))
    assert change is Change.UNCHANGED
    assert merged == FULL


def test_learning_an_unknown_value_fills_in() -> None:
    pinned = Fields(title="T", excerpt="abc def", truncated=True)
    merged, change = merge(pinned, Fields(title="T", category="Python", published="2026-01-11"))
    assert change is Change.FILLED
    assert merged.category == "Python"
    assert merged.published == "2026-01-11"


@pytest.mark.parametrize(
    "seen",
    [
        Fields(title="T (updated)"),
        Fields(category="Deep Learning"),
        Fields(published="2026-01-12"),
        Fields(excerpt="abc xyz", truncated=True),
    ],
)
def test_a_different_value_is_a_change(seen: Fields) -> None:
    merged, change = merge(FULL, seen)
    assert change is Change.CHANGED
    assert merged.title == (seen.title or "T")


def test_an_excerpt_cut_shorter_is_the_same_text() -> None:
    merged, change = merge(FULL, Fields(excerpt="abc", truncated=True))
    assert change is Change.UNCHANGED
    assert merged.excerpt == "abc def"


def test_a_longer_cut_of_the_same_excerpt_fills_in() -> None:
    merged, change = merge(FULL, Fields(excerpt="abc def ghi", truncated=True))
    assert change is Change.FILLED
    assert merged.excerpt == "abc def ghi"


@pytest.mark.parametrize(
    ("known", "seen"),
    [
        ("需要 PyTorch>=1.5 才能运行", "需要 PyTorch<=15 才能运行"),
        ("学习率设为 1e-3，批大小 0.5k", "学习率设为 1e3，批大小 05k"),
        ("return a+b", "return a-b"),
        ("调用 nn.functional.relu 即可", "调用 NN.FUNCTIONAL.RELU 即可"),
    ],
)
def test_an_edit_of_signs_case_or_points_in_a_cut_excerpt_is_a_change(
    known: str, seen: str
) -> None:
    """What an edit changes in meaning is a version, though a fingerprint folds it away."""
    current = Fields(title="T", excerpt=known, truncated=True)
    merged, change = merge(current, Fields(title="T", excerpt=seen, truncated=True))
    assert change is Change.CHANGED
    assert merged.excerpt == seen


@pytest.mark.parametrize(
    "seen",
    [
        "用 GPU显存 跑 DDP，然后",  # a spacing plugin's spaces gone, and cut shorter
        "用ＧＰＵ 显存 跑 ＤＤＰ, 然后看",  # full-width forms, as another theme writes them
    ],
)
def test_a_cut_that_differs_in_spaces_or_width_alone_is_the_same_text(seen: str) -> None:
    current = Fields(title="T", excerpt="用 GPU 显存 跑 DDP，然后看梯度", truncated=True)
    merged, change = merge(current, Fields(title="T", excerpt=seen, truncated=True))
    assert change is Change.UNCHANGED
    assert merged.excerpt == "用 GPU 显存 跑 DDP，然后看梯度"


def test_categories_and_tags_alone_do_not_make_a_version() -> None:
    merged, change = merge(FULL, Fields(categories=("Python", "Tips"), tags=("ddp",)))
    assert change is Change.FILLED
    assert merged.tags == ("ddp",)
