"""Markup limits: a small page is measured on its tree, a big one on its text, alike."""

from __future__ import annotations

import time

import pytest

from feedkeeper.errors import ParseError
from feedkeeper.markup import (
    MAX_DEPTH,
    SMALL_PAGE_TAGS,
    check_markup,
    check_time,
    parse_markup,
    time_budget,
)


def _nested(depth: int, tag: str = "div") -> str:
    return f"<html><body>{f'<{tag}>' * depth}x{f'</{tag}>' * depth}</body></html>"


def _refused_by_text(html: str) -> bool:
    try:
        check_markup(html)
    except ParseError:
        return True
    return False


def _refused_by_tree(html: str) -> bool:
    try:
        parse_markup(html)
    except ParseError as exc:
        assert exc.message == f"the page nests elements deeper than {MAX_DEPTH} levels"
        return True
    return False


@pytest.mark.parametrize("depth", [20, 40, MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1, 400])
@pytest.mark.parametrize("tag", ["div", "section", "span"])
def test_a_small_page_is_refused_at_the_same_depth_as_by_the_text_scan(
    depth: int, tag: str
) -> None:
    html = _nested(depth, tag)
    assert html.count("<") <= SMALL_PAGE_TAGS
    assert _refused_by_tree(html) == _refused_by_text(html)
    assert _refused_by_tree(html) == (depth + 2 > MAX_DEPTH)  # <html> and <body> count


def test_a_small_page_of_unclosed_inline_tags_is_refused() -> None:
    with pytest.raises(ParseError, match="deeper than 256 levels"):
        parse_markup("<html><body>" + "<b>x" * 1_000 + "</body></html>")


def test_a_big_page_is_measured_before_it_is_parsed() -> None:
    html = _nested(SMALL_PAGE_TAGS)  # twice as many tags as a small page may hold
    with pytest.raises(ParseError, match="deeper than 256 levels"):
        parse_markup(html)


def test_a_page_within_the_limits_is_parsed() -> None:
    tree = parse_markup("<html><body><p>one\x00two</p></body></html>")
    paragraph = tree.css_first("p")
    assert paragraph is not None
    assert paragraph.text() == "one\ufffdtwo"


def _work(seconds: float) -> None:
    """Keep this thread busy for ``seconds`` of its own CPU time."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def test_time_spent_waiting_is_not_counted_against_the_parse_budget() -> None:
    # A parse on a busy machine (or a stopped process) waits without working: not refused.
    with time_budget(0.2):
        time.sleep(0.4)
        check_time()
        _work(0.1)
        check_time()


def test_the_parse_budget_counts_the_work_done_before_and_after_a_wait() -> None:
    with time_budget(0.2), pytest.raises(ParseError, match="to parse \\(refused\\)"):
        _work(0.12)
        time.sleep(0.3)
        check_time()  # 0.12 s of work so far: within the budget
        _work(0.12)
        check_time()


def test_work_past_the_parse_budget_is_refused() -> None:
    with time_budget(0.1), pytest.raises(ParseError, match="to parse \\(refused\\)"):
        _work(0.15)
        check_time()
