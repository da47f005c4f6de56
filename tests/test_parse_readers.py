"""The card readers' shortcuts answer what the plain walks and readings they replace answer."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from feedkeeper.parse.badges import (
    _CARD_PIN_RE,
    _CJK_PIN_RE,
    _MARK_RE,
    FEATURED_POST_WORDS,
    OTHER_PIN_WORDS,
    _holds_cjk_pin,
    _is_classed_pinned,
    may_hold_other_pin_word,
    may_hold_pin_word,
)
from feedkeeper.parse.dates import parse_date
from feedkeeper.parse.dom import ancestors, contains, element_children, has_element_sibling
from feedkeeper.parse.machine_dates import parse_machine_value
from feedkeeper.parse.node_text import stripped_text
from feedkeeper.parse.page import load_page
from feedkeeper.parse.read_more import _READ_MORE_ENDS, _TRAILING_READ_MORE, _before_read_more
from feedkeeper.parse.vocab import READ_MORE_RE, is_read_more
from feedkeeper.parse.when import scan_card

PAGE = """<html><body>
<main><div class="list">
  <article><h2><a href="/p/1/">One 2025</a></h2>
    <span><time datetime="2025-01-02">Jan 2</time></span>
    <p>Tags: <a href="/p/1/#c">x</a> <!-- c --> <i class="fa fa-tag"></i> y</p></article>
  <article><h3><a href="/p/2/">Two</a></h3><div><span class="sr-only">x</span>&nbsp;</div>
    <p>分类: notes <em>2025-01-03</em></p></article>
</div></main></body></html>"""


def _elements(tree: LexborHTMLParser) -> list[LexborNode]:
    assert tree.root is not None
    return list(tree.root.traverse())


def test_has_element_sibling_is_whether_the_parent_has_another_child_element() -> None:
    tree = LexborHTMLParser(PAGE)
    for node in _elements(tree):
        parent = node.parent
        if parent is None or (node.tag or "-").startswith("-"):
            continue
        assert has_element_sibling(node) == (len(element_children(parent)) != 1)


def test_contains_is_whether_the_node_or_an_ancestor_is_the_outer_one() -> None:
    tree = LexborHTMLParser(PAGE)
    elements = _elements(tree)
    for outer in elements:
        for inner in elements:
            lineage = [inner.mem_id, *(a.mem_id for a in ancestors(inner))]
            assert contains(outer, inner) == (outer.mem_id in lineage)


def test_machine_values_read_alike_whatever_their_length() -> None:
    short = "2025-01-02T03:04:05+08:00"
    padded = short + " " * 60  # past the length whose readings are kept
    assert len(padded) > 64
    assert parse_machine_value(padded) == parse_machine_value(short)
    assert parse_machine_value(short) == ("2025-01-02", "2025-01-02T03:04:05+08:00")
    long_text = "posted on " + "x" * 80 + " 2025-01-02"
    assert parse_machine_value(long_text) == (parse_date(long_text), None)


def test_read_more_verdicts_are_the_pattern_s_for_short_texts_only() -> None:
    for text in ("Read more", "阅读全文 »", "A title", "", "more " * 10):
        expected = bool(text) and len(text) <= 30 and READ_MORE_RE.match(text) is not None
        assert is_read_more(text) == expected
        assert is_read_more(text) == expected  # asked again: the kept verdict


def test_a_scan_without_labels_finds_the_same_dates_and_icons() -> None:
    page = load_page(PAGE, "https://blog.example/")
    for card in page.tree.css("article"):
        full = scan_card(page, card, None)
        lean = scan_card(page, card, None, labels=False)
        assert [hit.node.mem_id for hit in lean.dates] == [hit.node.mem_id for hit in full.dates]
        assert [hit.date for hit in lean.dates] == [hit.date for hit in full.dates]
        assert [icon.mem_id for icon in lean.icons] == [icon.mem_id for icon in full.icons]
    first, second = (scan_card(page, card, None) for card in page.tree.css("article"))
    assert [hit.date for hit in first.dates] == ["2025-01-02"]
    assert len(first.icons) == 1 and len(first.labels) == 1
    assert [hit.date for hit in second.dates] == ["2025-01-03"]
    assert len(second.labels) == 1


def test_the_pin_word_test_misses_no_word_the_pin_pattern_takes() -> None:
    words = ["置顶", "已置顶", "[置頂]", "Pinned", "PINNED", "Sticky", "PİNNED", "pınned", "ſticky"]
    words += ["STIC\u212aY", "【置顶】", "Featured post", "FEATURED  POST"]
    for word in words:
        assert _MARK_RE.match(word), word
        assert may_hold_pin_word(f"正文 {word} 正文"), word
    for text in ("设置 位置", "pin ned", "a plain title", "stick y"):
        assert not may_hold_pin_word(text), text


@pytest.mark.parametrize(
    "text",
    ["置顶", "位置 设置", "设置顶部", "置頂", "固定された記事", "固定", "固定記事", "固定表示",
     "ピン", "ピン留め", "\U0001f4cc", "", "置", "固定記事" + "置" * 100, "置" * 100 + "置顶",
     "固" * 70 + "定表示", "位置" * 80 + "ピン留め"],
)  # fmt: skip
def test_the_cjk_pin_search_finds_what_its_pattern_does(text: str) -> None:
    """Its search by first character holds to the pattern, past its bound on tries too."""
    assert _holds_cjk_pin(text) == (_CJK_PIN_RE.search(text) is not None)
    assert _holds_cjk_pin(f"正文{text}正文") == (_CJK_PIN_RE.search(f"正文{text}正文") is not None)


@pytest.mark.parametrize(
    "names",
    ["post sticky", "post STICKY", "node--sticky", "sticky-entry", "is-top", "istop-post",
     "top-post", "TopPost", "pinned", "Pinned-Item", "entry", "post-123 hentry", "", "top",
     "stop", "ſticky", "STIC\u212aY", "post ſtic\u212ay", "卡片 sticky", "desktop laptop"],
)  # fmt: skip
def test_the_pinned_class_test_answers_what_its_pattern_does(names: str) -> None:
    """Classes in ASCII without its words are not searched: the pattern finds none there."""
    assert _is_classed_pinned(names) == (_CARD_PIN_RE.search(names) is not None)


@pytest.mark.parametrize("phrase", _TRAILING_READ_MORE)
def test_the_read_more_ending_test_misses_no_phrase(phrase: str) -> None:
    """A text is asked for the phrases only where its last character, lowered, ends one:
    ``str.lower`` lowers a last character alone as in its text but for a final sigma."""
    assert phrase[-1] not in "σς"
    for shown in (phrase, phrase.upper(), phrase.title()):
        if shown.lower() == phrase:  # the phrase as the search lowers it
            assert shown[-1:].lower() in _READ_MORE_ENDS, shown
            assert _before_read_more(f"正文 {shown}") == "正文", shown


@pytest.mark.parametrize("word", OTHER_PIN_WORDS + FEATURED_POST_WORDS)
def test_the_other_languages_pin_test_misses_none_of_their_pin_words(word: str) -> None:
    """The page-level test that gates the search is kept true to the one list of words."""
    for shown in (word, word.upper(), word.title(), word.replace(" ", "  ")):
        assert _MARK_RE.match(f"[{shown}]"), shown
        assert may_hold_other_pin_word(f"正文 {shown} 正文"), shown


def test_the_stripped_text_is_the_nodes_text_each_piece_trimmed() -> None:
    """Passing over the text nodes of ASCII whitespace changes nothing joined."""
    html = (
        "<div>\n  <p> a\u00a0</p>\r\n\t<span>\u3000b </span> \x0b <i></i>"
        "<b>\n</b>c <em> </em>\f<!-- x --><script> s </script>\u2003</div>"
    )
    for node in LexborHTMLParser(html).css("div, div *"):
        assert stripped_text(node) == node.text(strip=True), node.html
