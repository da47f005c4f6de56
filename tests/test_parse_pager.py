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


def _row(*shown: tuple[str, str], current: str = "") -> str:
    """A pager of bare links, the current page (if given) a span first."""
    links = "".join(f'<a href="{u}">{t}</a>' for u, t in shown)
    mark = f'<span class="current">{current}</span>' if current else ""
    return f'<div class="pages">{mark}{links}</div>'


@pytest.mark.parametrize(
    ("here", "pager", "next_url", "pages"),
    [
        # The words alone: "下一页", "下页", "后一页" and "››" lead to the next page.
        ("/", _row(("/list_3_2.html", "下一页")), "/list_3_2.html", ["/list_3_2.html"]),
        ("/", _row(("/list_3_2.html", "下页")), "/list_3_2.html", ["/list_3_2.html"]),
        ("/", _row(("/list_3_2.html", "后一页")), "/list_3_2.html", ["/list_3_2.html"]),
        ("/", _row(("/list_3_2.html", "››")), "/list_3_2.html", ["/list_3_2.html"]),
        # "上一页" and "首页" on the second page are pages too, but no next one.
        (
            "/page/2/",
            _row(("/", "首页"), ("/", "上一页"), ("/page/3/", "下一页"), ("/page/8/", "尾页")),
            "/page/3/",
            ["/", "/page/3/", "/page/8/"],
        ),
    ],
)
def test_chinese_pager_words(here: str, pager: str, next_url: str, pages: list[str]) -> None:
    page = parse_listing(_listing(pager), SITE + here)
    assert page.next_url == SITE + next_url
    assert page.page_urls == [SITE + url for url in pages]


@pytest.mark.parametrize(
    ("here", "pager", "next_url", "pages"),
    [
        # "第 2 页" in a pattern of the site's own, with the words beside.
        (
            "/list_3_1.html",
            _row(
                ("/list_3_2.html", "第 2 页"),
                ("/list_3_3.html", "第 3 页"),
                ("/list_3_2.html", "下一页"),
                ("/list_3_9.html", "尾页"),
                current="第 1 页",
            ),
            "/list_3_2.html",
            ["/list_3_2.html", "/list_3_3.html", "/list_3_9.html"],
        ),
        # "第N页" to pages numbered as usual, and no next word: the numbers tell.
        (
            "/",
            _row(("/page/2/", "第2页"), ("/page/3/", "第3页"), ("/page/9/", "尾页")),
            "/page/2/",
            ["/page/2/", "/page/3/", "/page/9/"],
        ),
        # "第二页": the numbers in Chinese, on the second page.
        (
            "/list_3_2.html",
            _row(
                ("/list_3_1.html", "第一页"),
                ("/list_3_3.html", "第三页"),
                ("/list_3_4.html", "第四页"),
                current="第二页",
            ),
            "/list_3_3.html",
            ["/list_3_1.html", "/list_3_3.html", "/list_3_4.html"],
        ),
        # Bare numerals, "一 二 三 … 下一页".
        (
            "/list_3_1.html",
            _row(
                ("/list_3_2.html", "二"),
                ("/list_3_3.html", "三"),
                ("/list_3_4.html", "四"),
                ("/list_3_2.html", "下一页"),
                current="一",
            ),
            "/list_3_2.html",
            ["/list_3_2.html", "/list_3_3.html", "/list_3_4.html"],
        ),
        # Bare numerals to pages numbered as usual, and no next word.
        (
            "/",
            _row(("/page/2/", "二"), ("/page/3/", "三"), ("/page/4/", "四"), current="一"),
            "/page/2/",
            ["/page/2/", "/page/3/", "/page/4/"],
        ),
        # Past ten: "十 十一 十二".
        (
            "/list_3_10.html",
            _row(
                ("/list_3_9.html", "九"),
                ("/list_3_11.html", "十一"),
                ("/list_3_12.html", "十二"),
                current="十",
            ),
            "/list_3_11.html",
            ["/list_3_9.html", "/list_3_11.html", "/list_3_12.html"],
        ),
        (
            "/list_3_20.html",
            _row(("/list_3_21.html", "二十一"), ("/list_3_22.html", "二十二"), current="二十"),
            "/list_3_21.html",
            ["/list_3_21.html", "/list_3_22.html"],
        ),
    ],
)
def test_chinese_page_numbers_are_the_pager_s(
    here: str, pager: str, next_url: str, pages: list[str]
) -> None:
    page = parse_listing(_listing(pager), SITE + here)
    assert page.next_url == SITE + next_url
    assert page.page_urls == [SITE + url for url in pages]


@pytest.mark.parametrize(
    "pager",
    [
        # A series' index: its parts are "篇", no pages; nor are a book's chapters.
        _numbers(("/series/a-1.html", "第一篇"), ("/series/a-2.html", "第二篇")),
        _numbers(("/book/2.html", "第二章 缓存"), ("/book/3.html", "第三章 队列")),
        # Parts numbered in Chinese from one, on a page that is none of them.
        _numbers(("/series/1.html", "一"), ("/series/2.html", "二"), ("/series/3.html", "三")),
        # A month's days named in Chinese numerals, and months.
        _numbers(("/2026/01/2/", "二"), ("/2026/01/3/", "三"), ("/2026/01/4/", "四")),
        _numbers(("/archive/2026/2/", "二月"), ("/archive/2026/3/", "三月")),
        # One link alone shows no pattern.
        _numbers(("/list/2.html", "第二页")),
    ],
)
def test_chinese_numbers_that_are_no_pager_give_no_pages(pager: str) -> None:
    page = parse_listing(_listing(pager), SITE + "/")
    assert page.next_url is None
    assert page.page_urls == []


# WordPress's widget of its latest posts, and a link to one of its pages, with plain
# permalinks: its posts are ?p=N at its home, below the site's root or at it.
def _wordpress_sidebar(home: str) -> str:
    return (
        f'<aside><ul><li><a href="{home}?p=2">Hello world!</a></li>'
        f'<li><a href="{home}?p=3">Why a quarry</a></li>'
        f'<li><a href="{home}?p=5">What the frost took</a></li></ul>'
        f'<ul><li><a href="{home}?page_id=4">About</a></li></ul></aside>'
    )


@pytest.mark.parametrize("home", ["/blog/", "/"])
@pytest.mark.parametrize(
    ("here", "pager", "next_url", "pages"),
    [
        # The only page, or the last: no page after it.
        ("", "", None, []),
        # The second page: ?paged=3 is next, whatever posts ?p=3 and ?p=2 are.
        (
            "?paged=2",
            '<nav class="pagination"><a href="{home}">1</a><span class="current">2</span>'
            '<a href="{home}?paged=3">3</a></nav>',
            "?paged=3",
            ["", "?paged=3"],
        ),
    ],
)
def test_wordpress_posts_at_its_home_are_no_pages(
    home: str, here: str, pager: str, next_url: str | None, pages: list[str]
) -> None:
    html = _listing(pager.format(home=home) + _wordpress_sidebar(home))
    page = parse_listing(html, SITE + home + here)
    assert page.next_url == (next_url and SITE + home + next_url)
    assert page.page_urls == [SITE + home + url for url in pages]


@pytest.mark.parametrize("home", ["/blog/", "/list", "/"])
def test_a_pager_of_p_numbers_on_a_wordpress_page_is_one(home: str) -> None:
    # Numbers and words in a pager block: no post's title, whatever made the page.
    pager = (
        '<div class="pages"><span class="current">1</span>'
        f'<a href="{home}?p=2">2</a><a href="{home}?p=3">3</a><a href="{home}?p=2">Next</a></div>'
    )
    html = _listing(pager + '<a href="/wp-content/uploads/logo.png">Logo</a>')
    page = parse_listing(html, SITE + home)
    assert page.next_url == SITE + home + "?p=2"
    assert page.page_urls == [SITE + home + "?p=2", SITE + home + "?p=3"]


def test_wordpress_posts_in_a_folder_laid_out_flat_are_each_a_card() -> None:
    # Kubrick's heirs: each post a heading and paragraphs, side by side, in /blog/.
    posts = "".join(
        f'<h2><a href="/blog/?p={n}">Stones, part {n}</a></h2>'
        f'<p class="meta">January {n}, 2024 in <a href="/blog/?cat=2">Stone</a></p>'
        f"<p>Some words about the stones of part {n}, long enough to read as a summary.</p>"
        f'<p><a href="/blog/?p={n}#comments">{n} Comments</a></p>'
        for n in (9, 7, 5, 3, 2)
    )
    pager = '<div class="navigation"><a href="/blog/?paged=2">« Older Entries</a></div>'
    page = parse_listing(
        f'<html><body><div id="content">{posts}{pager}</div></body></html>', SITE + "/blog/"
    )
    assert [card.url for card in page.cards] == [SITE + f"/blog/?p={n}" for n in (9, 7, 5, 3, 2)]
    assert page.next_url == SITE + "/blog/?paged=2"
    assert page.page_urls == [SITE + "/blog/?paged=2"]


@pytest.mark.parametrize(
    "button",
    [
        '<a id="load-more" data-next="/page/2/" href="javascript:void(0)">加载更多</a>',
        '<a class="btn-more" data-href="/page/2/" href="#">Load more posts</a>',
        '<a class="ajax-more" data-url="/page/2/">点击加载更多</a>',
    ],
)
def test_a_load_more_link_leading_nowhere_is_a_button_naming_the_next_page(button: str) -> None:
    page = parse_listing(_listing(f'<div class="more">{button}</div>'), f"{SITE}/")
    assert page.next_url == f"{SITE}/page/2/"
    assert page.page_urls == [f"{SITE}/page/2/"]


@pytest.mark.parametrize(
    ("older", "newer"), [("后页&gt;", "&lt;前页"), ("後頁", "前頁"), ("下頁", "上頁")]
)
def test_douban_s_page_words_lead_to_the_next_page(older: str, newer: str) -> None:
    # Douban's pager reads "<前页 … 后页>"; its pages are cursors, told by the words alone.
    pager = (
        f'<div class="paginator"><a href="/notes?before=k2">{newer}</a>'
        f'<a href="/notes?after=k9">{older}</a></div>'
    )
    page = parse_listing(_listing(pager), f"{SITE}/notes?after=k4")
    assert page.next_url == f"{SITE}/notes?after=k9"
