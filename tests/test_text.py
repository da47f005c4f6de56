"""Tests for the small text helpers: trailing ellipses."""

from __future__ import annotations

import pytest

from feedkeeper.text import split_ellipsis


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A post...", ("A post", True)),
        ("A post ...  ", ("A post", True)),
        ("A post…", ("A post", True)),
        ("A post \u2026\u2026\n", ("A post", True)),
        ("A post.....", ("A post", True)),
        ("A post..", ("A post..", False)),
        ("A post.", ("A post.", False)),
        ("A post… ...", ("A post…", True)),
        ("A post.…", ("A post.", True)),
        ("...", ("", True)),
        ("", ("", False)),
        ("   ", ("   ", False)),
        ("A post\u3000...\u00a0", ("A post", True)),
        ("Ends with a word", ("Ends with a word", False)),
        ("一篇长文⋯⋯", ("一篇长文", True)),  # the midline ellipsis, doubled
        ("一篇长文。。。", ("一篇长文", True)),
        ("一篇长文。", ("一篇长文。", False)),
        ("A post . . .", ("A post", True)),
        ("A post (...)", ("A post", True)),
        ("一篇长文（……）", ("一篇长文", True)),
        ("A post [...]", ("A post", True)),
        ("Call f(...)", ("Call f(...)", False)),  # a call's arguments
        ("v2..", ("v2..", False)),
        ("引文…」", ("引文…」", False)),
    ],
)
def test_split_ellipsis_drops_only_a_trailing_ellipsis(
    text: str, expected: tuple[str, bool]
) -> None:
    assert split_ellipsis(text) == expected
