"""The pager: numbered links in URL patterns of the site's own, and what is no pager."""

from __future__ import annotations

import pytest

from feedkeeper.parse import parse_listing

SITE = "https://b.example"


def _listing(pager: str) -> str:
    cards = "".join(
        f'<article class="post"><h2><a href="/posts/{n}/">Post number {n}</a></h2>'
        f"<p>What post {n} is about, in a sentence or two.</p></article>"
        for n in range(1, 6)
    )
    return f"<html><body><main><section>{cards}</section>{pager}</main></body></html>"


def _numbers(*shown: tuple[str, str]) -> str:
    return (
        "<ul class='pages'>"
        + "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in shown)
        + "</ul>"
    )


@pytest.mark.parametrize(
    ("here", "pager", "next_url", "pages"),
    [
        # Sina's blog: the page number is the last of three runs of digits.
        (
            "/s/articlelist_1234_0_1.html",
            _numbers(("/s/articlelist_1234_0_2.html", "2"), ("/s/articlelist_1234_0_3.html", "3")),
            "/s/articlelist_1234_0_2.html",
            ["/s/articlelist_1234_0_2.html", "/s/articlelist_1234_0_3.html"],
        ),
        # Its second page: the number is the URL's, the current page marked by no class known.
        (
            "/s/articlelist_1234_0_2.html",
            "<ul><li><a href='/s/articlelist_1234_0_1.html'>1</a></li>"
            "<li class='SG_pgon'><span>2</span></li>"
            "<li><a href='/s/articlelist_1234_0_3.html'>3</a></li>"
            "<li><a href='/s/articlelist_1234_0_4.html'>4</a></li></ul>",
            "/s/articlelist_1234_0_3.html",
            [
                "/s/articlelist_1234_0_1.html",
                "/s/articlelist_1234_0_3.html",
                "/s/articlelist_1234_0_4.html",
            ],
        ),
        # 51CTO's /p_3, with the first page unnumbered.
        (
            "/u_1",
            _numbers(("/u_1/p_2", "2"), ("/u_1/p_3", "3")),
            "/u_1/p_2",
            ["/u_1/p_2", "/u_1/p_3"],
        ),
        # Astro's /3/: the first page is the root, the current one a span.
        (
            "/2/",
            '<nav><a href="/">1</a><span aria-current="page">2</span>'
            '<a href="/3/">3</a><a href="/4/">4</a></nav>',
            "/3/",
            ["/", "/3/", "/4/"],
        ),
        # Chinese CMSs' index_2.html and index-2.html, and /list/2.html.
        (
            "/news/",
            _numbers(("/news/index-2.html", "2"), ("/news/index-3.html", "3")),
            "/news/index-2.html",
            ["/news/index-2.html", "/news/index-3.html"],
        ),
        (
            "/list/",
            _numbers(("/list/2.html", "2"), ("/list/3.html", "3"), ("/list/9.html", "9")),
            "/list/2.html",
            ["/list/2.html", "/list/3.html", "/list/9.html"],
        ),
    ],
)
def test_numbered_links_in_a_pattern_of_the_site_s_own_are_its_pages(
    here: str, pager: str, next_url: str, pages: list[str]
) -> None:
    page = parse_listing(_listing(pager), SITE + here)
    assert page.next_url == SITE + next_url
    assert page.page_urls == [SITE + url for url in pages]


@pytest.mark.parametrize(
    "pager",
    [
        # A calendar's days, a list of years.
        _numbers(("/2026/01/15/", "15"), ("/2026/01/16/", "16"), ("/2026/01/17/", "17")),
        _numbers(("/archive/2025/", "2025"), ("/archive/2026/", "2026")),
        _numbers(("/date/2026-01-2", "2"), ("/date/2026-01-3", "3")),
        _numbers(("/archive/2026/2/", "2"), ("/archive/2026/3/", "3")),
        # One link alone shows no pattern.
        _numbers(("/list/2.html", "2")),
        # Numbers that do not run on (4 and 9 from the first page).
        _numbers(("/list/4.html", "4"), ("/list/9.html", "9")),
        # Numbers whose URLs differ elsewhere than in the number.
        _numbers(("/a/2.html", "2"), ("/b/3.html", "3")),
        # Numbers in two blocks apart.
        '<header><div><div><a href="/list/2.html">2</a></div></div></header>'
        '<footer><div><div><a href="/list/3.html">3</a></div></div></footer>',
        # Fragments are no pages.
        _numbers(("#page2", "2"), ("#page3", "3")),
    ],
)
def test_numbered_links_that_are_no_pager_give_no_pages(pager: str) -> None:
    page = parse_listing(_listing(pager), SITE + "/")
    assert page.next_url is None
    assert page.page_urls == []


def test_a_next_word_to_the_site_s_own_pattern_is_checked_against_its_numbers() -> None:
    # On page 2, "»" to the last page (9) is no next page: the numbers say 3.
    pager = (
        "<ul><li><a href='/list/1.html'>1</a></li><li class='on'><span>2</span></li>"
        "<li><a href='/list/3.html'>3</a></li><li><a href='/list/9.html'>»</a></li></ul>"
    )
    page = parse_listing(_listing(pager), SITE + "/list/2.html")
    assert page.next_url == SITE + "/list/3.html"


def test_numbered_parts_of_another_sequence_are_no_pages() -> None:
    # A series' parts in the sidebar: this page is none of them, and part 1 is elsewhere.
    pager = _numbers(("/series/rust/part-1", "1"), ("/series/rust/part-2", "2"))
    page = parse_listing(_listing(pager), SITE + "/")
    assert page.next_url is None
    assert page.page_urls == []


def _select(*options: tuple[str, str, bool]) -> str:
    shown = "".join(
        f'<option value="{value}"{" selected" if chosen else ""}>{text}</option>'
        for value, text, chosen in options
    )
    return f'<div class="pages"><select onchange="location.href=this.value">{shown}</select></div>'


@pytest.mark.parametrize(
    ("pager", "expected"),
    [
        (
            _select(("/list_3_1.html", "第 1 页", True), ("/list_3_2.html", "第 2 页", False)),
            "/list_3_2.html",
        ),
        (
            _select(
                ("/?page=1", "Page 1", False),
                ("/?page=2", "Page 2", True),
                ("/?page=3", "Page 3", False),
            ),
            "/?page=3",
        ),
        # The last page, a month archive's dropdown, a category's: no next page.
        (_select(("/?page=1", "1", False), ("/?page=2", "2", True)), None),
        (
            _select(("/2025/10/", "October 2025", True), ("/2025/09/", "September 2025", False)),
            None,
        ),
        (_select(("/?cat=3", "News", True), ("/?cat=4", "Notes", False)), None),
    ],
)
def test_the_option_after_the_chosen_one_in_a_select_of_pages_is_the_next(
    pager: str, expected: str | None
) -> None:
    page = parse_listing(_listing(pager), SITE + "/")
    assert page.next_url == (expected and SITE + expected)
