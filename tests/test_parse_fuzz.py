"""Random and mutated HTML never makes the listing parser raise anything but our own errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedkeeper.cards import ParsedPage
from feedkeeper.errors import FeedkeeperError, ParseError
from feedkeeper.parse import explain_listing, parse_listing, suggest_profile

PAGES = sorted((Path(__file__).parent / "data" / "parse").glob("*.html"))
SAMPLES = [path.read_text(encoding="utf-8") for path in PAGES]
BASES = ["https://blog.example/", "https://blog.example/page/2/", "http://[::1]:8000/", "x"]
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TAGS = ["div", "article", "li", "ul", "h2", "a", "p", "span", "time", "nav", "aside", "br",
        "script", "template", "main", "section", "em", "i", "meta", "base", "td"]  # fmt: skip
ATTRIBUTES = st.sampled_from(
    [
        'href="/posts/1/"', 'href="/page/2/"', 'href="javascript:void(0)"', 'href="http://[x"',
        'href="//other.example/p/"', 'href="#more"', 'href=""', 'rel="next"', 'rel="tag"',
        'rel="category tag"', 'class="post"', 'class="current"', 'class="is-invisible"',
        'class="fa fa-folder"', 'datetime="2026-01-11T00:30:00+08:00"', 'datetime="9999-99-99"',
        'date="May  9"', 'hidden', 'style="display:none"', 'itemprop="datePublished"',
        'content="2026-02-30"', 'aria-label="next-page"', 'title="2023-01-25 18:36:39 +0000"',
    ]
)  # fmt: skip
TEXTS = st.sampled_from(
    ["", "2026-01-11", "2026年1月11日", "Jan 11, 2026", "May  9", "下一页", "Next ›", "»",
     "Read more", "阅读全文", "分类：技术", "Tags: a, b", "[代码]", "E[X]", "…", "...", "1", "2",
     "&nbsp;", "&amp;", "<", "\x00", "\u2028", "热门文章"]
)  # fmt: skip


@st.composite
def tag_soup(draw: st.DrawFn, depth: int = 0) -> str:
    """Random, often broken, nested markup built from listing-page ingredients."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        if depth < 6 and draw(st.booleans()):
            tag = draw(st.sampled_from(TAGS))
            attrs = " ".join(draw(st.lists(ATTRIBUTES, max_size=3)))
            inner = draw(tag_soup(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}"]))
            parts.append(f"<{tag} {attrs}>{inner}{close}")
        else:
            parts.append(draw(TEXTS) if draw(st.booleans()) else draw(st.text(max_size=20)))
    return "".join(parts)


@st.composite
def mutated_page(draw: st.DrawFn) -> str:
    """A hand-made listing page with slices deleted, duplicated, or overwritten."""
    html = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(html)))
        end = draw(st.integers(start, min(len(html), start + 400)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "truncate"]))
        if action == "delete":
            html = html[:start] + html[end:]
        elif action == "duplicate":
            html = html[:end] + html[start:end] + html[end:]
        elif action == "insert":
            html = html[:start] + draw(tag_soup()) + html[start:]
        else:
            html = html[:start]
    return html


def _only_our_errors(call: Callable[[], object]) -> object:
    try:
        return call()
    except FeedkeeperError:
        return None


def _check(html: str, base: str) -> None:
    page = _only_our_errors(lambda: parse_listing(html, base))
    if isinstance(page, ParsedPage):
        assert 0.0 <= page.confidence <= 1.0
        for card in page.cards:
            assert card.url is not None
            assert card.title is None or card.title.strip()
            assert card.excerpt is None or card.excerpt.strip()
    _only_our_errors(lambda: explain_listing(html, base))
    _only_our_errors(lambda: suggest_profile(html, base))


@FUZZ
@given(st.text(max_size=300), st.sampled_from(BASES))
def test_any_text(html: str, base: str) -> None:
    _check(html, base)


@FUZZ
@given(tag_soup(), st.sampled_from(BASES))
def test_tag_soup(html: str, base: str) -> None:
    _check(f"<html><body>{html}</body></html>", base)


@FUZZ
@given(mutated_page(), st.sampled_from(BASES))
def test_mutated_pages(html: str, base: str) -> None:
    _check(html, base)


def test_deeply_nested_markup() -> None:
    text = "<p>Enough words to make this block a card rather than a bare link.</p>"
    cards = "".join(
        f'<article><h2><a href="/p/{n}/">P{n}</a></h2>{text}</article>' for n in range(3)
    )
    html = "<div>" * 200 + cards + "</div>" * 200
    page = parse_listing(f"<html><body>{html}</body></html>", "https://blog.example/")
    assert [card.title for card in page.cards] == ["P0", "P1", "P2"]
    deeper = "<div>" * 20_000 + cards + "</div>" * 20_000  # refused, not parsed for seconds
    with pytest.raises(ParseError, match="the page nests elements deeper than 256 levels"):
        parse_listing(f"<html><body>{deeper}</body></html>", "https://blog.example/")


def test_binary_garbage() -> None:
    _check(bytes(range(256)).decode("latin-1") * 50, "https://blog.example/")
