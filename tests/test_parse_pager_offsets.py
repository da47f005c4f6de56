"""Pagers whose numbered links lead to offsets (``?start=20``, ExpressionEngine's ``/P20``)
or to numbers counted from 0 (Drupal's ``?page=2``): every page they show is listed."""

from __future__ import annotations

import pytest

from feedkeeper.cards import PagePattern
from feedkeeper.parse import parse_listing
from feedkeeper.parse.pager_numbers import Numbering

SITE = "https://b.example"


def _listing(pager: str) -> str:
    cards = "".join(
        f'<article class="post"><h2><a href="/posts/{n}/">Post number {n}</a></h2>'
        f"<p>What post {n} is about, in a sentence or two.</p></article>"
        for n in range(1, 6)
    )
    return f"<html><body><main><section>{cards}</section>{pager}</main></body></html>"


def _pager(*shown: tuple[str, str], current: str = "") -> str:
    items = "".join(f'<li><a href="{url}">{text}</a></li>' for url, text in shown)
    if current:
        items = f'<li class="active"><span>{current}</span></li>' + items
    return f"<ul class='pagination'>{items}</ul>"


@pytest.mark.parametrize(
    ("here", "pager", "next_url", "pages"),
    [
        # Joomla's ?start=, ten posts a page, from its first page.
        (
            "/blog",
            _pager(("/blog?start=10", "2"), ("/blog?start=20", "3"), ("/blog?start=30", "4")),
            "/blog?start=10",
            ["/blog?start=10", "/blog?start=20", "/blog?start=30"],
        ),
        # Its second page: page 1 unnumbered, then 3 and 4, and a "Next".
        (
            "/blog?start=10",
            "<ul class='pagination'><li><a href='/blog'>1</a></li>"
            "<li class='active'><span>2</span></li><li><a href='/blog?start=20'>3</a></li>"
            "<li><a href='/blog?start=30'>4</a></li><li><a href='/blog?start=20'>Next</a></li>"
            "</ul>",
            "/blog?start=20",
            ["/blog", "/blog?start=20", "/blog?start=30"],
        ),
        # phpBB's &start=, 25 topics a page, beside the forum's own number.
        (
            "/viewforum.php?f=2",
            _pager(
                ("/viewforum.php?f=2&start=25", "2"),
                ("/viewforum.php?f=2&start=50", "3"),
                ("/viewforum.php?f=2&start=25", "Next"),
            ),
            "/viewforum.php?f=2&start=25",
            ["/viewforum.php?f=2&start=25", "/viewforum.php?f=2&start=50"],
        ),
        # ?offset= counted from 1, twenty a page.
        (
            "/list",
            _pager(("/list?offset=21", "2"), ("/list?offset=41", "3")),
            "/list?offset=21",
            ["/list?offset=21", "/list?offset=41"],
        ),
        # ExpressionEngine's /P20 on page 3, its first page the listing itself.
        (
            "/blog/P20",
            _pager(("/blog/", "1"), ("/blog/P10", "2"), ("/blog/P30", "4"), ("/blog/P40", "5")),
            "/blog/P30",
            ["/blog/", "/blog/P10", "/blog/P30", "/blog/P40"],
        ),
        # An offset in /page/N/: "3" leads to /page/20/, no page 20.
        (
            "/",
            _pager(("/page/10/", "2"), ("/page/20/", "3"), ("/page/30/", "4")),
            "/page/10/",
            ["/page/10/", "/page/20/", "/page/30/"],
        ),
        # Drupal's ?page= counts from 0: ?page=1 is page 2, and "last »" is page 9.
        (
            "/blog?page=1",
            "<ul class='pager'><li><a href='/blog'>1</a></li><li class='pager-current'>2</li>"
            "<li><a href='/blog?page=2'>3</a></li><li><a href='/blog?page=3'>4</a></li>"
            "<li><a href='/blog?page=2'>next ›</a></li><li><a href='/blog?page=8'>last »</a></li>"
            "</ul>",
            "/blog?page=2",
            ["/blog", "/blog?page=2", "/blog?page=3", "/blog?page=8"],
        ),
    ],
)
def test_numbered_links_to_offsets_are_the_listing_s_pages(
    here: str, pager: str, next_url: str, pages: list[str]
) -> None:
    page = parse_listing(_listing(pager), SITE + here)
    assert page.next_url == SITE + next_url
    assert page.page_urls == [SITE + url for url in pages]


@pytest.mark.parametrize(
    "pager",
    [
        # Offsets that grow unevenly, or in URLs that differ elsewhere too.
        _pager(("/list?start=10", "2"), ("/list?start=25", "3")),
        _pager(("/a?start=10", "2"), ("/b?start=20", "3")),
        # Ids that happen to be multiples of the numbers, in two blocks apart.
        '<header><div><div><a href="/item?id=10">2</a></div></div></header>'
        '<footer><div><div><a href="/item?id=20">3</a></div></div></footer>',
        # A calendar's days of a month, whatever the step.
        _pager(("/2026/01/10/", "2"), ("/2026/01/20/", "3")),
    ],
)
def test_numbers_leading_to_no_offsets_give_no_pages(pager: str) -> None:
    page = parse_listing(_listing(pager), SITE + "/")
    assert page.next_url is None
    assert page.page_urls == []


def test_an_offset_pattern_names_its_pages() -> None:
    numbering = Numbering([PagePattern(SITE + "/blog?start=", "", step=10, first=0)])
    assert numbering.number(SITE + "/blog?start=0") == 1
    assert numbering.number(SITE + "/blog?start=30") == 4
    assert numbering.number(SITE + "/blog?start=35") is None  # between two pages
    assert numbering.url_of(SITE + "/blog?start=30", 5) == SITE + "/blog?start=40"
    drupal = Numbering([PagePattern(SITE + "/blog?page=", "", step=1, first=0)])
    assert drupal.number(SITE + "/blog?page=2") == 3
    assert drupal.url_of(SITE + "/blog?page=2", 4) == SITE + "/blog?page=3"
