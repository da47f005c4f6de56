"""Every page a pager shows is listed: numbered links leading to offsets (``?start=20``,
ExpressionEngine's ``/P20``) or to numbers counted from 0 (Drupal's ``?page=2``), and the
links to the first or last page that show an icon or "… 57"."""

from __future__ import annotations

import pytest

from feedkeeper.cards import PagePattern
from feedkeeper.parse import parse_listing
from feedkeeper.parse.pager_numbers import Numbering
from test_parse_pager import SITE, _listing


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


@pytest.mark.parametrize(
    ("here", "pager", "pages"),
    [
        # An icon labelled "Last page" in the pager's <nav>, around the numbers' <ul>.
        (
            "/",
            '<nav class="pagination"><ul><li><a href="/page/2/">2</a></li>'
            '<li><a href="/page/3/">3</a></li></ul>'
            '<a href="/page/57/" aria-label="Last page"><svg viewBox="0 0 8 8"><path d="M0 0"/>'
            "</svg></a></nav>",
            ["/page/2/", "/page/3/", "/page/57/"],
        ),
        # Icons classed "first" and "last", labelled nothing, on page 3.
        (
            "/page/3/",
            '<nav class="pagination"><a href="/" class="first"><i class="icon-first"></i></a>'
            '<ul><li><a href="/page/2/">2</a></li><li class="active"><span>3</span></li>'
            '<li><a href="/page/4/">4</a></li></ul>'
            '<a href="/page/57/" class="last"><i class="icon-last"></i></a></nav>',
            ["/", "/page/2/", "/page/4/", "/page/57/"],
        ),
        # Discuz's "... 10" classed "last", and its "下一页".
        (
            "/forum-2-1.html",
            '<div class="pg"><strong>1</strong><a href="/forum-2-2.html">2</a>'
            '<a href="/forum-2-3.html">3</a><a href="/forum-2-10.html" class="last">... 10</a>'
            '<label><input type="text" name="custompage" size="2"/>'
            '<span title="共 10 页"> / 10 页</span></label>'
            '<a href="/forum-2-2.html" class="nxt">下一页</a></div>',
            ["/forum-2-2.html", "/forum-2-3.html", "/forum-2-10.html"],
        ),
        # Arrows alone, each labelled: "Go to first page" and "Last page" are pages too.
        (
            "/page/2/",
            '<nav class="pagination"><a href="/" aria-label="Go to first page"><svg/></a>'
            '<a href="/" aria-label="Previous page"><svg/></a>'
            '<a href="/page/3/" aria-label="Next page"><svg/></a>'
            '<a href="/page/57/" aria-label="Last page"><svg/></a></nav>',
            ["/", "/page/3/", "/page/57/"],
        ),
    ],
)
def test_links_to_the_first_and_last_pages_showing_icons_are_pages(
    here: str, pager: str, pages: list[str]
) -> None:
    page = parse_listing(_listing(pager), SITE + here)
    assert page.page_urls == [SITE + url for url in pages]


def test_a_link_to_a_numbered_page_away_from_the_pager_is_none_of_its_pages() -> None:
    # A sidebar's "popular" link to another listing's page 3, beside no pager.
    aside = '<aside><div><a href="/tag/go/page/3/"><img src="/i.png" alt=""></a></div></aside>'
    pager = _pager(("/page/2/", "2"), ("/page/3/", "3"))
    page = parse_listing(_listing(pager + aside), SITE + "/")
    assert page.page_urls == [SITE + "/page/2/", SITE + "/page/3/"]


@pytest.mark.parametrize(
    ("here", "shown"),
    [
        ("/list_1_1.html", [("/list_1_2.html", "2"), ("/list_1_3.html", "3")]),
        ("/blog", [("/blog?start=10", "2"), ("/blog?start=20", "3")]),
        # phpBB's offsets after the forum's number, on its second page.
        (
            "/viewforum.php?f=2&start=25",
            [("/viewforum.php?f=2", "1"), ("/viewforum.php?f=2&start=50", "3")],
        ),
    ],
)
def test_a_pager_shown_above_and_below_the_cards_lists_its_pages(
    here: str, shown: list[tuple[str, str]]
) -> None:
    # A forum's pager stands above its topics and again below them.
    pager = f"<div class='action-bar'><div class='pagination'>{_pager(*shown)}</div></div>"
    cards = _listing("").removeprefix("<html><body>").removesuffix("</body></html>")
    page = parse_listing(f"<html><body>{pager}{cards}{pager}</body></html>", SITE + here)
    assert page.page_urls == [SITE + url for url, _ in shown]


@pytest.mark.parametrize(
    "current",
    [
        '<li class="current"><a href="/index.php/page/1/">1</a></li>',
        '<li><a class="page-num active" href="/?page=1">1</a></li>',
        '<li><a aria-current="page" href="/blog/page/1/">1</a></li>',
    ],
)
def test_the_current_page_s_own_link_is_no_other_page(current: str) -> None:
    # Typecho's home page marks its "1", which leads to /index.php/page/1/: this page.
    pager = (
        f"<ol class='page-navigator'>{current}<li><a href='/index.php/page/2/'>2</a></li>"
        "<li><a href='/index.php/page/3/'>3</a></li>"
        "<li class='next'><a href='/index.php/page/2/'>后一页 &raquo;</a></li></ol>"
    )
    page = parse_listing(_listing(pager), SITE + "/")
    assert page.next_url == SITE + "/index.php/page/2/"
    assert page.page_urls == [SITE + "/index.php/page/2/", SITE + "/index.php/page/3/"]
