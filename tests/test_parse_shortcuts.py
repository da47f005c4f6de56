"""The parser's shortcuts answer as the work they spare would: a card's links found by the
narrower query, the tests told before a pattern is tried, the pager's kept answers."""

from __future__ import annotations

import re

import pytest

from feedkeeper.parse.link_markup import is_author_labelled, markup_kind
from feedkeeper.parse.link_roles import _WORDLESS_RE, MAX_MORE_MARK, is_more_mark
from feedkeeper.parse.page import _LINKS_AND_MARKS, MARKS_SELECTOR, load_page
from feedkeeper.parse.pager import _reads
from feedkeeper.parse.vocab import (
    AUTHOR_LABEL_END_RE,
    NEXT_HINT_RE,
    NEXT_RE,
    PREV_RE,
    TERM_LABEL_END_RE,
)

BASE = "https://blog.example/"
CARD = '<article><h2><a href="/p/{n}/">Post {n}</a></h2>{extra}<p>Text {n}.</p></article>'


def _page(extra: str = "", head: str = "", html_attrs: str = "") -> str:
    cards = "".join(CARD.format(n=n, extra=extra) for n in range(3))
    return f"<html{html_attrs}><head>{head}</head><body>{cards}</body></html>"


@pytest.mark.parametrize(
    ("extra", "head", "html_attrs", "linking"),
    [
        ("", "", "", "a[href]"),
        ('<span class="post-author">Ada</span>', "", "", "a[href]"),
        ('<li data-link="/p/9/">more</li>', "", "", None),
        ("<span onclick=\"location='/x'\">go</span>", "", "", None),
        ("", '<meta data-link="/x">', "", None),
        ("", "", ' data-link="/x"', None),
    ],
)
def test_a_cards_links_and_marks_are_those_of_the_full_query(
    extra: str, head: str, html_attrs: str, linking: str | None
) -> None:
    page = load_page(_page(extra, head, html_attrs), BASE)
    if linking is None:  # a link or an opener beside a[href]: the full _LINKING asked
        assert page.linking != "a[href]"
    else:
        assert page.linking == linking
    for root in page.tree.css("article"):
        full = root.css(_LINKS_AND_MARKS)
        by_id = {link.node.mem_id: link for link in page.links}
        links = [by_id[n.mem_id] for n in full if n.mem_id in by_id and n.mem_id != root.mem_id]
        marks = [n.mem_id for n in full if n.mem_id not in by_id]
        assert page.links_under(root) == links
        assert [n.mem_id for n in page.marks_under(root)] == marks


def test_marks_are_found_where_the_page_holds_one() -> None:
    page = load_page(_page('<span class="byline">by Ada</span>'), BASE)
    root = page.tree.css_first("article")
    assert root is not None
    assert [n.attributes.get("class") for n in page.marks_under(root)] == ["byline"]
    unmarked = load_page(_page(), BASE)
    assert all(not unmarked.marks_under(r) for r in unmarked.tree.css("article"))
    assert not unmarked.tree.css(MARKS_SELECTOR)


@pytest.mark.parametrize("text", [" ", "\n\t  ", "\u3000", "\xa0 \u2003", "\x1c"])
def test_label_patterns_match_no_whitespace(text: str) -> None:
    for pattern in (TERM_LABEL_END_RE, AUTHOR_LABEL_END_RE):
        assert pattern.search(text) is None


def test_a_label_before_a_link_still_gives_its_kind() -> None:
    page = load_page(
        '<html><body><p>分类：<a href="/p/1/">机器学习</a> 作者: <a href="/?auth=1">Ada</a>'
        "</p></body></html>",
        BASE,
    )
    term, author = page.tree.css("a")
    assert markup_kind(term, {}) == "category"
    assert is_author_labelled(author)


@pytest.mark.parametrize(
    "text", ["»", "→", "[...]", "…", "_", "a»", "1…", "»a", "(…)", "__", "é", "٣", "²»", "Ⅻ"]
)
def test_a_more_mark_is_told_as_the_pattern_tells(text: str) -> None:
    expected = 0 < len(text) <= MAX_MORE_MARK and _WORDLESS_RE.fullmatch(text) is not None
    assert is_more_mark(text) == expected


def test_every_character_the_first_test_passes_over_fails_the_pattern() -> None:
    alnum = [chr(c) for c in range(0x3000) if chr(c).isalnum()]
    assert all(re.fullmatch(r"[\W_]", char) is None for char in alnum)


@pytest.mark.parametrize(
    ("own", "parent"),
    [
        ("nav-next", ""),
        ("", "older posts"),
        ("page-next-link", "pager"),
        ("next_page", ""),
        ("nextpage", "x"),
        ("", "下一页"),
        ("btn\tNEXT", ""),
        ("contextual", "annexed"),
        ("", ""),
    ],
)
def test_one_search_of_both_classes_finds_a_next_hint_as_the_tokens_would(
    own: str, parent: str
) -> None:
    tokens = own.split() + parent.split()
    assert (NEXT_HINT_RE.search(f"{own} {parent}") is not None) == any(
        NEXT_HINT_RE.search(token) for token in tokens
    )


@pytest.mark.parametrize("text", ["下一页", "Next »", "»", "Older posts", "上一页", "Prev", "2"])
def test_the_pager_words_are_read_as_their_patterns_say(text: str) -> None:
    assert _reads("next", text) == (NEXT_RE.match(text) is not None)
    assert _reads("previous", text) == (PREV_RE.match(text) is not None)
