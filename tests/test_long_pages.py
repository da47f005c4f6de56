"""Long listing pages parse in work that grows with the page, not with the page times its
cards: a blog's archive page lists every post, thousands of rows on one page, and work per
card that walks the whole page would run out of parse time."""

from __future__ import annotations

from typing import Any

import pytest

from feedkeeper.page_reader import read_page
from feedkeeper.parse import parse_listing
from feedkeeper.parse.page import Page
from feedkeeper.parse.page_links import Link
from feedkeeper.parse.profile import Profile

YEARS = (2024, 2023, 2022)
ROWS_PER_YEAR = 1200  # more than the 500 rows the search for a heading once stopped at


def _archive_page() -> tuple[str, list[tuple[str, str]]]:
    """The page, and each row's (URL path, date) as a reader sees them."""
    parts, expected = [], []
    for year in YEARS:
        parts.append(f'<h2 class="archive-year">{year}</h2>')
        for row in range(ROWS_PER_YEAR):
            month, day = 12 - row * 12 // ROWS_PER_YEAR, 28 - row % 28
            path = f"/{year}/{month:02d}/post-{row}/"
            parts.append(
                f'<div class="archive-post"><span class="time">{month:02d}-{day:02d}</span>'
                f'<a class="title" href="{path}">{year} 年的第 {row} 篇文章</a></div>'
            )
            expected.append((path, f"{year}-{month:02d}-{day:02d}"))
    body = "<nav><a href='/'>首页</a></nav><main><div class='archive'>" + "".join(parts)
    return f"<html><body>{body}</div></main></body></html>", expected


def test_every_row_of_a_long_archive_page_takes_the_year_of_its_heading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    html, expected = _archive_page()
    texts_read = 0
    text_of = Page.text_of

    def counting(page: Page, *args: Any) -> str:
        nonlocal texts_read
        texts_read += 1
        return text_of(page, *args)

    monkeypatch.setattr(Page, "text_of", counting)
    page = parse_listing(html, "http://blog.test/archives/")
    base = "http://blog.test"
    assert [(card.url, card.published) for card in page.cards] == [
        (base + path, date) for path, date in expected
    ]
    elements = len(YEARS) * (3 * ROWS_PER_YEAR + 1)
    # a few reads an element: the old search read up to 500 siblings' texts for every row
    assert texts_read <= 5 * elements


def test_a_profile_reads_each_card_from_its_own_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a profile, each card's post links are found among its own links."""
    cards = 1500
    html = (
        "<html><body><main>"
        + "".join(
            f'<div class="entry"><h2><a href="/posts/{n}/">第 {n} 篇文章</a></h2>'
            f'<a href="/tags/t{n % 9}/">标签</a><time datetime="2024-03-{n % 28 + 1:02d}">'
            f"</time><p class='summary'>摘要 {n}</p></div>"
            for n in range(cards)
        )
        + "</main></body></html>"
    )
    profile = Profile(card="div.entry", excerpt="p.summary")
    looked_at = 0
    visible = Link.visible

    def counting(link: Link) -> bool:
        nonlocal looked_at
        looked_at += 1
        return visible.fget(link)

    monkeypatch.setattr(Link, "visible", property(counting))
    page = parse_listing(html, "http://blog.test/", profile)
    assert [(card.url, card.excerpt) for card in page.cards] == [
        (f"http://blog.test/posts/{n}/", f"摘要 {n}") for n in range(cards)
    ]
    assert looked_at <= 10 * cards  # each card's links, not the page's for every card


def test_flat_cards_are_wrapped_with_one_walk_over_the_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cards that are a heading and the lines after it, no element around them, are each
    wrapped in one; what the links learnt of their ancestors is dropped once, not per card
    (every dropping walks all the page's links)."""
    cards = 3000
    html = (
        "<html><body><main>"
        + "".join(
            f'<h2><a href="/posts/{n}/">第 {n} 篇文章</a></h2>'
            f'<p class="meta">2024-05-{n % 28 + 1:02d}</p>'
            f"<p>这是第 {n} 篇文章的摘要，讲一件事。</p>"
            for n in range(cards)
        )
        + "</main></body></html>"
    )
    forgotten = 0
    forget = Page.forget_ancestry

    def counting(page: Page) -> None:
        nonlocal forgotten
        forgotten += 1
        forget(page)

    monkeypatch.setattr(Page, "forget_ancestry", counting)
    page = parse_listing(html, "http://blog.test/")
    assert [(card.url, card.published) for card in page.cards] == [
        (f"http://blog.test/posts/{n}/", f"2024-05-{n % 28 + 1:02d}") for n in range(cards)
    ]
    assert forgotten <= 2


def test_a_block_of_thousands_of_posts_line_by_line_parses_within_the_budget() -> None:
    """A cnblogs day block holding every post as runs of lines is split into its posts.
    Matching each post's links to its root once took the posts times the links (11 s for
    3,000 posts, past the parse budget); each link now walks up once."""
    posts = 3000
    rows = "".join(
        f'<div class="postTitle"><a class="postTitle2" href="/p/{n}">Post number {n}</a></div>'
        f'<div class="postCon">Summary of post {n}, long enough to read as an excerpt.</div>'
        f'<div class="postDesc">posted @ <span data-post-date="2026-01-11 10:00">'
        f"2026-01-11 10:00</span></div>"
        for n in range(posts)
    )
    days = "".join(
        f'<div class="day"><div class="dayTitle"><a href="/archive/{d}.html">2026年1月{d}日</a>'
        f'</div><div class="postTitle"><a class="postTitle2" href="/p/x{d}">Post x{d}</a></div>'
        f'<div class="postCon">Summary of post x{d}, long enough to read as an excerpt.</div></div>'
        for d in (9, 10)
    )
    html = (
        f'<html><body><div class="forFlow"><div class="day">{rows}</div>{days}</div></body></html>'
    )
    page = read_page(html.encode(), "text/html", "http://blog.test/")  # within the budget
    assert len(page.cards) == posts + 2
    assert page.cards[1234].url == "http://blog.test/p/1234"
    assert page.cards[1234].excerpt == "Summary of post 1234, long enough to read as an excerpt."
