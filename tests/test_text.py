"""Tests for the small text helpers: trailing ellipses."""

from __future__ import annotations

import pytest

from feedkeeper.text import (
    _INVISIBLE_RE,
    JSON_RAW_CONTROLS_UTF8_RE,
    drop_invisible,
    escape_json_controls,
    split_ellipsis,
)


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


def test_the_utf8_search_finds_exactly_the_characters_json_controls_are_escaped_for() -> None:
    """The export searches its JSON bytes with one twin and escapes with the other."""
    for code in range(0x20, 0x3100):
        char = chr(code)
        escaped = escape_json_controls(f"a{char}") != f"a{char}"
        assert (JSON_RAW_CONTROLS_UTF8_RE.search(char.encode()) is not None) == escaped, hex(code)


def test_drop_invisible_looks_for_exactly_the_characters_it_drops() -> None:
    """Its quick test for text holding none searches for each character of the pattern."""
    for code in range(0x20, 0x10000):
        char = chr(code)
        if 0xD800 <= code < 0xE000:
            continue  # surrogates: no text holds one alone
        dropped = drop_invisible(f"一{char}二") != f"一{char}二"
        assert (_INVISIBLE_RE.search(char) is not None) == dropped, hex(code)
