"""Listing pages into cards with no configuration: hand-made pages of several shapes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from feedkeeper.errors import ParseError
from feedkeeper.parse import explain_listing, parse_listing
from feedkeeper.parse.urls import is_sibling_site
from feedkeeper.parse.vocab import READ_MORE_PHRASES

PAGES = Path(__file__).parent / "data" / "parse"
EXPECTED = sorted(PAGES.glob("*.json"))


def _load(name: str) -> tuple[str, dict[str, object]]:
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    return (PAGES / f"{name}.html").read_text(encoding="utf-8"), expected


@pytest.mark.parametrize("name", [path.stem for path in EXPECTED])
def test_hand_made_listing(name: str) -> None:
    html, expected = _load(name)
    page = parse_listing(html, str(expected["base_url"]))
    assert [card.to_json() for card in page.cards] == expected["cards"]
    assert page.next_url == expected["next_url"]
    assert page.page_urls == expected["page_urls"]
    assert page.skipped == expected["skipped"]
    assert page.confidence >= 0.9
    assert page.warnings == []


def test_timestamps_come_from_the_markup_only() -> None:
    html, expected = _load("read-more")
    page = parse_listing(html, str(expected["base_url"]))
    stamps = [card.published_at for card in page.cards]
    assert stamps == ["2026-01-10T16:30:00Z", None, "2025-12-28T09:00:00+09:00"]


def test_absent_fields_are_none_never_empty() -> None:
    for path in EXPECTED:
        html, expected = _load(path.stem)
        for card in parse_listing(html, str(expected["base_url"])).cards:
            for value in (card.url, card.title, card.category, card.published, card.excerpt):
                assert value is None or value.strip()
            assert all(name.strip() for name in card.categories + card.tags)


def _listing(cards: str, extra: str = "") -> str:
    return f"<html><body><main><section>{cards}</section>{extra}</main></body></html>"


def _card(n: int, body: str = "") -> str:
    return (
        f'<article class="post"><h2><a href="/posts/{n}/">Post {n}</a></h2>'
        f"<p>What post {n} is about, in a sentence or two.</p>{body}</article>"
    )


CARDS = "".join(_card(n) for n in range(3))


def test_urls_resolve_against_base_href_and_keep_their_spelling() -> None:
    html = (
        '<html><head><base href="https://cdn.example/blog/"></head><body><main>'
        + "".join(
            f'<article><h2><a href="2018/kali 安装[{n}]/">P{n}</a></h2><p>Text {n}.</p></article>'
            for n in range(3)
        )
        + "</main></body></html>"
    )
    page = parse_listing(html, "https://blog.example/")
    assert page.cards[0].url == "https://cdn.example/blog/2018/kali 安装[0]/"


def test_page_without_cards_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_listing("<html><body><p>Nothing here.</p></body></html>", "https://a.example/")


def test_next_link_to_another_site_is_ignored() -> None:
    pager = '<nav><a rel="next" href="https://elsewhere.example/page/2/">Next</a></nav>'
    page = parse_listing(_listing(CARDS, pager), "https://blog.example/")
    assert page.next_url is None


def test_disabled_next_link_is_ignored() -> None:
    pager = (
        '<nav><a class="prev" href="/">1</a>'
        '<span class="disabled"><a href="/page/3/">下一页</a></span></nav>'
    )
    page = parse_listing(_listing(CARDS, pager), "https://blog.example/page/2/")
    assert page.next_url is None


@pytest.mark.parametrize(
    ("pager", "expected"),
    [
        ('<a href="/page/2/">下一页</a>', "https://blog.example/page/2/"),
        ('<a href="/older/">Older posts</a>', "https://blog.example/older/"),
        ('<a href="/page/2/">»</a>', "https://blog.example/page/2/"),
        ('<a href="/page/2/">›</a>', "https://blog.example/page/2/"),
        ('<a href="/page2/" aria-label="next-page"><i></i></a>', "https://blog.example/page2/"),
        ('<span class="current">1</span> <a href="/page/2/">2</a>', "https://blog.example/page/2/"),
        ('<a href="/?page=2">2</a>', "https://blog.example/?page=2"),
        (
            '<a href="/page/2/"><i class="fa fa-angle-right"></i></a>',
            "https://blog.example/page/2/",
        ),
        (
            '<a href="/page/2/"><i class="material-icons">chevron_right</i></a>',
            "https://blog.example/page/2/",
        ),
    ],
)
def test_next_link_forms(pager: str, expected: str) -> None:
    page = parse_listing(_listing(CARDS, f"<nav>{pager}</nav>"), "https://blog.example/")
    assert page.next_url == expected


def test_an_icon_link_back_to_the_previous_page_is_no_next() -> None:
    pager = '<nav><a href="/page/2/"><i class="fa fa-angle-left"></i></a></nav>'
    page = parse_listing(_listing(CARDS, pager), "https://blog.example/page/3/")
    assert page.next_url is None


@pytest.mark.parametrize(
    ("pager", "url", "expected"),
    [
        # WordPress's next_posts_link(' Previous'): the older posts, the following page.
        ('<div class="nav-previous"><a href="/page/2/"> Previous</a></div>', "/", "/page/2/"),
        ('<a href="/page/3/">Previous</a> <a href="/">Next</a>', "/page/2/", "/page/3/"),
        ('<a href="/page/4/">Previous</a> <a href="/page/2/">Next</a>', "/page/3/", "/page/4/"),
        # Only a "next" leading back: taken as it reads (a site numbered backwards).
        ('<a href="/page/2/">Next</a>', "/page/3/", "/page/2/"),
        # A "previous" leading to the page before is still no next.
        ('<a href="/page/2/">Previous</a>', "/page/3/", None),
    ],
)
def test_a_pager_label_reading_backwards_yields_to_the_page_numbers(
    pager: str, url: str, expected: str | None
) -> None:
    page = parse_listing(_listing(CARDS, f"<nav>{pager}</nav>"), f"https://blog.example{url}")
    assert page.next_url == (expected and f"https://blog.example{expected}")


@pytest.mark.parametrize(
    ("head", "pager", "expected"),
    [
        # MkDocs and Sphinx name the next document of their navigation in the head.
        ("/docs/about/", '<span class="current">1</span> <a href="/page/2/">2</a>', "/page/2/"),
        ("/about.html", "", None),
        # A listing's own: numbered, or a cursor.
        ("/page/2/", "", "/page/2/"),
        (
            "/search?updated-max=2025-01-01T00:00:00Z&max-results=7",
            "",
            "/search?updated-max=2025-01-01T00:00:00Z&max-results=7",
        ),
    ],
)
def test_a_head_next_link_counts_only_where_it_names_a_listing_page(
    head: str, pager: str, expected: str | None
) -> None:
    html = _listing(CARDS, f"<nav>{pager}</nav>").replace(
        "<html>", f'<html><head><link rel="next" href="{head}"></head>'
    )
    page = parse_listing(html, "https://blog.example/")
    assert page.next_url == (expected and f"https://blog.example{expected}")


@pytest.mark.parametrize(
    "older",
    [
        '<a class="blog-pager-older-link" href="/search?updated-max=x" title="较早的博文">'
        "较早的博文</a>",
        '<a href="/search?updated-max=x">較舊的文章</a>',
        '<a href="/search?updated-max=x">前の投稿</a>',
        '<a class="blog-pager-older-link" href="/search?updated-max=x"><i class="arrow"></i></a>',
        # Blogger's own labels in other languages, read by the words or by the class alone
        '<a class="blog-pager-older-link" href="/search?updated-max=x">Ältere Posts</a>',
        '<a class="blog-pager-older-link" href="/search?updated-max=x">Post più vecchi</a>',
        '<a class="blog-pager-older-link" href="/search?updated-max=x">Старые сообщения</a>',
        '<a class="blog-pager-older-link" href="/search?updated-max=x">이전 게시물</a>',
        '<a class="blog-pager-older-link" href="/search?updated-max=x">Vanhemmat tekstit</a>',
    ],
)
def test_older_posts_read_as_the_next_page_in_other_words(older: str) -> None:
    page = parse_listing(_listing(CARDS, f"<nav>{older}</nav>"), "https://blog.example/")
    assert page.next_url == "https://blog.example/search?updated-max=x"


def test_a_next_class_holding_words_the_vocabulary_lacks_is_no_next_page() -> None:
    # WordPress's nav-next holds the newer posts, a page back, in the blog's language
    pager = '<div class="nav-next"><a href="/search?updated-max=y">Uudemmat tekstit</a></div>'
    page = parse_listing(_listing(CARDS, f"<nav>{pager}</nav>"), "https://blog.example/")
    assert page.next_url is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [("/posts/", "/posts/page/2/"), ("/posts/page/2/", "/posts/page/3/")],
)
def test_a_last_page_arrow_yields_to_the_page_after(url: str, expected: str) -> None:
    # Hugo Coder: "»" leads to the last page; the "›" to the next is hidden on phones.
    number = 2 if "page" in url else 1
    pager = "".join(
        f'<li><a href="/posts/page/{n}/">{n}</a></li>' if n != number else f"<li>{n}</li>"
        for n in (1, 2, 3)
    ).replace('href="/posts/page/1/"', 'href="/posts/"')
    pager += f'<li class="hidden"><a href="/posts/page/{number + 1}/">›</a></li>'
    pager += '<li><a href="/posts/page/5/">»</a></li>'
    page = parse_listing(_listing(CARDS, f"<ul>{pager}</ul>"), f"https://blog.example{url}")
    assert page.next_url == f"https://blog.example{expected}"


def test_numbered_pager_on_the_last_page_has_no_next() -> None:
    pager = '<nav><a href="/">1</a> <span class="current">2</span></nav>'
    page = parse_listing(_listing(CARDS, pager), "https://blog.example/page/2/")
    assert page.next_url is None
    assert page.page_urls == ["https://blog.example/"]


@pytest.mark.parametrize(
    ("pager", "url", "expected"),
    [
        # digits that are no decimal numbers, which int() refuses: the parse failed
        ('<span class="current">①</span> <a href="/page/2/">②</a> <a href="/page/2/">next</a>',
         "https://blog.example/", "https://blog.example/page/2/"),
        ('<span class="current">²</span> <a href="/page/1/">1</a> <a href="/page/3/">3</a>',
         "https://blog.example/page/2/", "https://blog.example/page/3/"),
        ('<a href="/?start=20">more</a> <a href="/?start=²">²</a>',
         "https://blog.example/?start=10", "https://blog.example/?start=20"),
    ],
)  # fmt: skip
def test_a_pager_numbered_in_other_digits_still_leads_on(
    pager: str, url: str, expected: str
) -> None:
    page = parse_listing(_listing(CARDS, f"<nav>{pager}</nav>"), url)
    assert len(page.cards) == 3
    assert page.next_url == expected


def test_read_more_and_meta_lines_are_not_excerpt() -> None:
    card = (
        '<div class="c"><h3><a href="/p/{n}/">T{n}</a></h3>'
        '<div class="m"><span>2026-01-11</span> <a href="/tags/x/">#x</a> <span>3 min</span></div>'
        '<div class="e"><p>First line.</p><p>Second <b>bold</b>line…</p>'
        '<a href="/p/{n}/#more">继续阅读</a></div></div>'
    )
    page = parse_listing(
        _listing("".join(card.format(n=n) for n in range(3))), "https://b.example/"
    )
    card0 = page.cards[0]
    assert (card0.excerpt, card0.truncated, card0.tags) == (
        "First line. Second boldline",
        True,
        ("x",),
    )


def test_full_card_overlay_link_gives_the_url_and_heading_the_title() -> None:
    card = (
        '<article class="entry"><header><h2>Title {n}</h2></header>'
        "<footer><span>January 25, 2023</span>&nbsp;·&nbsp;10 min</footer>"
        '<a class="entry-link" aria-label="post link to Title {n}" href="/posts/{n}/"></a>'
        "</article>"
    )
    page = parse_listing(
        _listing("".join(card.format(n=n) for n in range(3))), "https://b.example/"
    )
    first = page.cards[0]
    assert (first.url, first.title, first.published, first.excerpt) == (
        "https://b.example/posts/0/",
        "Title 0",
        "2023-01-25",
        None,
    )


def test_pinned_duplicate_is_read_once() -> None:
    cards = _card(2) + CARDS  # post 2 pinned on top, then the listing in date order
    page = parse_listing(_listing(cards), "https://blog.example/")
    assert [card.title for card in page.cards] == ["Post 2", "Post 0", "Post 1"]


def test_parent_and_child_categories_come_in_order() -> None:
    meta = (
        '<div class="cats"><a href="/categories/tools/">Tools</a> / '
        '<a href="/categories/tools/editors/">Editors</a></div>'
    )
    page = parse_listing(_listing("".join(_card(n, meta) for n in range(3))), "https://b.example/")
    assert page.cards[0].categories == ("Tools", "Editors")
    assert page.cards[0].category == "Tools"


def test_parallel_listings_of_one_path_are_numbered_in_the_explanation() -> None:
    # cnblogs's day groups, each a listing of its own at the same path, read as one listing
    # printed twice.
    html = (PAGES.parent / "explain" / "cnblogs-days.html").read_text(encoding="utf-8")
    lines = [
        line
        for line in explain_listing(html, "https://www.cnblogs.com/binghe-dev/").splitlines()
        if line.startswith("Listing")
    ]
    assert lines == [
        "Listing 1 of 2: div#mainContent > div.forFlow > div.day",
        "Listing 2 of 2: div#mainContent > div.forFlow > div.day",
    ]


def test_explanation_names_the_listing_and_the_rejected_widget() -> None:
    html, expected = _load("div-grid")
    text = explain_listing(html, str(expected["base_url"]))
    assert "Listing: div.layout > div.main > div.grid" in text
    assert "Cards taken (4):" in text
    assert "div.side > ul: 10 blocks" in text
    assert "bare links" in text
    assert "Next page: https://zhan.example/page/2/" in text


def test_explanation_of_a_page_without_cards() -> None:
    text = explain_listing("<html><body><p>Nothing.</p></body></html>", "https://a.example/")
    assert text.startswith("No listing found")


def _big_page(cards: int) -> str:
    words = "Some words about the topic of this post, with a little <em>detail</em>. " * 30
    chinese = "更多的中文内容，用来填充这个摘要。" * 40
    items = "".join(
        f'<article class="post"><h2><a href="/posts/{n}/">Post {n}</a></h2>'
        f'<div class="meta"><time datetime="2026-01-11T08:00:00+08:00">2026-01-11</time>'
        f' in <a href="/categories/c{n % 5}/">Category {n % 5}</a></div>'
        f'<div class="excerpt"><p>{words}</p><p>{chinese}...</p></div>'
        f'<a class="more" href="/posts/{n}/#more">Read more</a></article>'
        for n in range(cards)
    )
    hot = "".join(f'<li><a href="/posts/{n}/">Post {n}</a></li>' for n in range(10))
    return (
        "<html><body><header><nav><a href='/'>Home</a><a href='/about/'>About</a></nav></header>"
        f"<main><section class='posts'>{items}</section>"
        "<nav><span class='current'>1</span><a href='/page/2/'>2</a></nav></main>"
        f"<aside><h3>Hot</h3><ul>{hot}</ul></aside></body></html>"
    )


def test_a_large_page_parses_in_milliseconds() -> None:
    html = _big_page(48)
    assert len(html.encode()) > 200_000
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        page = parse_listing(html, "https://blog.example/")
        timings.append(time.perf_counter() - started)
    assert len(page.cards) == 48
    # Generous for a busy shared machine; the benchmark holds the real figure.
    assert min(timings) < 0.1


def test_heading_inside_a_whole_card_link_names_the_post() -> None:
    card = (
        '<article class="post-card"><a class="image" href="/p/{n}/"><img src="/i.png"></a>'
        '<div class="content"><a class="content-link" href="/p/{n}/">'
        '<header><div class="primary-tag">Notes</div><h2 class="title">Title {n}</h2></header>'
        '<section class="excerpt"><p>The excerpt of post {n}, long enough to win.</p></section>'
        '</a><footer><time datetime="2026-01-11">Jan 11, 2026</time> <span>5 min read</span>'
        "</footer></div></article>"
    )
    page = parse_listing(
        _listing("".join(card.format(n=n) for n in range(3))), "https://b.example/"
    )
    first = page.cards[0]
    assert (first.url, first.title, first.published, first.excerpt) == (
        "https://b.example/p/0/",
        "Title 0",
        "2026-01-11",
        "The excerpt of post 0, long enough to win.",
    )


def test_an_intro_block_beside_the_cards_is_no_card() -> None:
    intro = (
        '<div class="intro"><h2>Hello, I write about tools</h2>'
        '<p>Ten years of notes on editors and shells. <a href="/about/">About me</a></p></div>'
    )
    page = parse_listing(_listing(intro + CARDS), "https://blog.example/")
    assert [card.title for card in page.cards] == ["Post 0", "Post 1", "Post 2"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Posted on January 11, 2025 by admin in Machine Learning", "2025-01-11"),
        ("发表于 2025-01-11 | 分类于 机器学习 | 阅读次数 300 | 评论 2", "2025-01-11"),
        ("posted @ 2026-01-11 21:30 小舟 阅读(36) 评论(0) 推荐(0) 编辑", "2026-01-11"),
        # A longer line that does not open with the label mentions a date: no date line.
        ("We moved the blog on January 11, 2025, and kept every old link", None),
    ],
)
def test_a_long_meta_line_opening_with_its_label_gives_the_date(
    line: str, expected: str | None
) -> None:
    html = _listing("".join(_card(n, f'<div class="meta">{line}</div>') for n in range(3)))
    cards = parse_listing(html, "https://b.example/").cards
    assert [card.published for card in cards] == [expected] * 3


@pytest.mark.parametrize(
    ("heading", "pinned"),
    [
        ("置顶文章", True),
        ("📌 Pinned posts", True),
        ("Sticky", True),
        ("Featured", False),
        ("置顶功能的三种做法与取舍", False),
    ],
)
@pytest.mark.parametrize("inside", [True, False])
def test_a_section_headed_as_pinned_pins_its_cards(
    heading: str, pinned: bool, inside: bool
) -> None:
    first = "".join(_card(n) for n in range(2))
    rest = "".join(_card(n) for n in range(2, 6))
    if inside:  # the heading as the section's first element
        html = _listing(
            f'<section class="top"><h2>{heading}</h2>{first}</section>'
            f'<section class="list"><h2>文章列表</h2>{rest}</section>'
        )
    else:  # the heading before the element holding the cards
        html = _listing(
            f'<h2 class="divider">{heading}</h2><div class="cards">{first}</div>'
            f'<h2 class="divider">文章列表</h2><div class="cards">{rest}</div>'
        )
    cards = parse_listing(html, "https://b.example/").cards
    assert [card.pinned for card in cards] == [pinned] * 2 + [False] * 4


# A pin a theme shows on every card: a badge, a word, an icon, a class, a title's badge.
_PIN_ON_EVERY_CARD = [
    '<span class="badge">置顶</span>',
    "<p>Pinned</p>",
    '<i class="fas fa-thumbtack" title="Pinned"></i>',
    '<h2><span class="badge">TOP</span><a href="/posts/{n}/">Post {n}</a></h2>',
    '<h2><a href="/posts/{n}/">[置顶] Post {n}</a></h2>',
    "sticky",
]


@pytest.mark.parametrize("mark", _PIN_ON_EVERY_CARD)
def test_a_pin_every_card_shows_pins_none(mark: str) -> None:
    cards = []
    for n in range(4):
        card = _card(n, "" if mark.startswith("<h2") or mark == "sticky" else mark)
        if mark.startswith("<h2"):
            card = card.replace(f'<h2><a href="/posts/{n}/">Post {n}</a></h2>', mark.format(n=n))
        if mark == "sticky":
            card = card.replace('class="post"', 'class="post sticky"')
        cards.append(card)
    page = parse_listing(_listing("".join(cards)), "https://b.example/")
    assert [(card.title, card.pinned, card.excerpt) for card in page.cards] == [
        (f"Post {n}", False, f"What post {n} is about, in a sentence or two.") for n in range(4)
    ]


@pytest.mark.parametrize(
    ("dates", "pinned"),
    [
        (["2024-03-09", "2024-03-05", "2024-02-20", "2024-01-02"], False),  # as any listing
        # Out of date order: the author's order of pinned posts (Hexo's ``top``).
        (["2023-12-28", "2018-10-05", "2018-12-23", "2018-10-03"], True),
    ],
)
def test_a_pin_on_every_card_pins_them_only_out_of_date_order(
    dates: list[str], pinned: bool
) -> None:
    badge = '<span class="badge">置顶</span><time datetime="{date}">{date}</time>'
    cards = "".join(_card(n, badge.format(date=date)) for n, date in enumerate(dates))
    page = parse_listing(_listing(cards), "https://b.example/")
    assert [(card.published, card.pinned) for card in page.cards] == [
        (date, pinned) for date in dates
    ]


def test_cards_each_showing_a_pin_under_a_pinned_heading_stay_pinned() -> None:
    badge = '<span class="badge">置顶</span>'
    pinned = "".join(_card(n, badge) for n in range(3))
    html = _listing(f'<h2 class="divider">置顶文章</h2><div class="cards">{pinned}</div>')
    assert [card.pinned for card in parse_listing(html, "https://b.example/").cards] == [True] * 3


def test_a_label_before_a_link_names_its_kind_whatever_its_path() -> None:
    meta = (
        '<p class="meta">Posted in <a href="/topics/ml/">ML</a> | 标签：'
        '<a href="/k/1.html">torch</a>, <a href="/k/2.html">cuda</a> · '
        '<a href="/about/">About</a></p>'
    )
    html = _listing("".join(_card(n, meta) for n in range(3)))
    cards = parse_listing(html, "https://b.example/").cards
    assert [card.url for card in cards] == [f"https://b.example/posts/{n}/" for n in range(3)]
    assert {(card.categories, card.tags) for card in cards} == {(("ML",), ("torch", "cuda"))}


def test_names_in_elements_classed_as_terms_are_read_without_links() -> None:
    meta = (
        '<div class="page-info"><span class="page-category-info" aria-label="分类">'
        '<svg></svg><span class="page-category-item clickable" role="navigation">后端</span>'
        '</span><span class="page-tag-info"><span class="page-tag-item tag3 clickable">'
        'Python</span><span class="page-tag-item tag5 clickable">asyncio</span></span>'
        '<span class="tag is-warning">置顶</span><p class="tagline">A longer line that is '
        "no name of anything at all</p></div>"
    )
    html = _listing("".join(_card(n, meta) for n in range(3)))
    cards = parse_listing(html, "https://b.example/").cards
    assert {(card.categories, card.tags) for card in cards} == {(("后端",), ("Python", "asyncio"))}
    assert all("后端" not in (card.excerpt or "") for card in cards)


@pytest.mark.parametrize(
    "section",
    [
        '<a href="/list/essay/">[随笔]</a>',  # DedeCMS, PHPCMS
        '<em>[<a href="/forum.php?mod=forumdisplay&amp;typeid=2">随笔</a>]</em>',  # Discuz
        '【<a href="/list/essay/">随笔</a>】',
    ],
)
def test_a_section_named_in_brackets_before_the_title_is_the_category(section: str) -> None:
    """The bracketed section before a title link was read as nothing (or the excerpt's)."""
    cards = "".join(
        f'<li>{section} <a href="/p/{n}.html">第{n}篇文章的标题</a>'
        f"<span>2024-03-1{n}</span><p>第{n}篇文章的摘要，写得足够长一些。</p></li>"
        for n in range(3)
    )
    page = parse_listing(f"<html><body><ul>{cards}</ul></body></html>", "https://b.example/")
    assert [(c.title, c.category, c.excerpt) for c in page.cards] == [
        (f"第{n}篇文章的标题", "随笔", f"第{n}篇文章的摘要，写得足够长一些。") for n in range(3)
    ]


def test_pills_show_the_category_alone_and_the_tags_side_by_side() -> None:
    """Notion's and Tailwind themes' pills with no link were the excerpt's first words."""
    one = '<div class="notion-pill">Design systems</div><span class="pill">5 min read</span>'
    several = '<span class="chip">Python</span><span class="chip">asyncio</span>'
    for meta, expected in (
        ((one, (("Design systems",), ()))),
        (several, ((), ("Python", "asyncio"))),
    ):
        html = _listing("".join(_card(n, meta) for n in range(3)))
        cards = parse_listing(html, "https://b.example/").cards
        assert {(card.categories, card.tags) for card in cards} == {expected}
        assert all(not (card.excerpt or "").startswith(("Design", "Python")) for card in cards)


@pytest.mark.parametrize(
    "actions",
    [
        "<button>赞同 128</button><button>12 条评论</button><button>分享</button>",
        "<button>Like 123</button><button>4 comments</button><button>Share</button>",
    ],
)
def test_a_card_s_buttons_are_no_part_of_its_excerpt(actions: str) -> None:
    body = (
        f'<div class="rich"><span>显存优化的几种做法…</span><div class="act">{actions}</div></div>'
    )
    html = _listing("".join(_card(n, body) for n in range(3)).replace("<p>", "<p hidden>"))
    cards = parse_listing(html, "https://b.example/").cards
    assert [(card.excerpt, card.truncated) for card in cards] == [("显存优化的几种做法", True)] * 3


@pytest.mark.parametrize(
    "mark",
    [
        '<i class="index-pin iconfont icon-top" title="Pin on top"></i>',  # Fluid
        '<i class="fas fa-thumbtack level-item" title="Pinned"></i>',  # Icarus
        "<div class='pin'><img alt='' src='/twemoji/1f4cc.svg'></div>",  # Volantis
        '<footer class="entry-footer"><p>Featured post</p></footer>',  # Twenty Twenty-One
        '<footer class="entry-footer"><p>Featured post</p></footer> ',  # ... with the class
        "<p>Pinned</p>",
        '<span class="badge">置顶</span>',
    ],
)
def test_a_pin_shown_apart_pins_the_post_and_is_no_excerpt(mark: str) -> None:
    cards = "".join(_card(n, mark if n == 0 else "") for n in range(3))
    if mark.endswith(" "):  # WordPress marks a sticky post's card too
        cards = cards.replace('<article class="post">', '<article class="post sticky">', 1)
    page = parse_listing(_listing(cards), "https://b.example/")
    assert [card.pinned for card in page.cards] == [True, False, False]
    assert page.cards[0].excerpt == "What post 0 is about, in a sentence or two."


@pytest.mark.parametrize(
    "mark", ['<i class="spinner"></i>', '<i class="fa fa-pinterest"></i>', "<p>Pinyin</p>"]
)
def test_words_that_hold_pin_are_no_pin(mark: str) -> None:
    cards = "".join(_card(n, mark) for n in range(3))
    assert not any(
        card.pinned for card in parse_listing(_listing(cards), "https://b.example/").cards
    )


# A pinned post's title with its badge: a short word or a bare icon, in the heading, in the
# title's link, or just before the heading.
_TITLE_PINS = [
    '<h2><span class="badge">顶</span> <a href="/posts/0/">Post 0</a></h2>',
    '<h2><a href="/posts/0/"><em>顶</em>Post 0</a></h2>',
    '<span class="label">顶</span><h2><a href="/posts/0/">Post 0</a></h2>',
    '<h2><a href="/posts/0/"><span class="tag">[顶]</span> Post 0</a></h2>',
    '<h2><span class="badge">TOP</span><a href="/posts/0/">Post 0</a></h2>',
    '<em class="top">TOP</em><h2><a href="/posts/0/">Post 0</a></h2>',
    '<h2><i class="iconfont icon-top"></i> <a href="/posts/0/">Post 0</a></h2>',
    '<h2><a href="/posts/0/"><i class="icon-zhiding"></i>Post 0</a></h2>',
    '<h2><i class="fa fa-thumb-tack"></i> <a href="/posts/0/">Post 0</a></h2>',
]


@pytest.mark.parametrize("title", _TITLE_PINS)
def test_a_short_pin_badge_or_a_bare_pin_icon_at_the_title_pins_the_post(title: str) -> None:
    first = f"<article class='post'>{title}<p>What post 0 is about, in a sentence or two.</p>"
    cards = first + "</article>" + "".join(_card(n) for n in range(1, 3))
    page = parse_listing(_listing(cards), "https://b.example/")
    assert [(card.title, card.pinned) for card in page.cards] == [
        ("Post 0", True),
        ("Post 1", False),
        ("Post 2", False),
    ]
    assert page.cards[0].excerpt == "What post 0 is about, in a sentence or two."


@pytest.mark.parametrize(
    "meta",
    [
        '<div class="meta"><i class="fa fa-thumb-tack"></i> 2024-03-01</div>',
        '<div class="meta"><span class="iconfont icon-zhiding"></span> 2024-03-01</div>',
    ],
)
def test_a_pin_icon_named_in_pinyin_or_as_font_awesome_4_s_pins_the_post(meta: str) -> None:
    cards = "".join(_card(n, meta if n == 0 else "") for n in range(3))
    page = parse_listing(_listing(cards), "https://b.example/")
    assert [card.pinned for card in page.cards] == [True, False, False]


def test_top_and_ding_elsewhere_pin_nothing() -> None:
    # A title or an excerpt that opens with the word, a vote's "顶", a "back to top" link
    # in a card and on the page, an arrow icon in a card's footer: no pin.
    cards = [
        '<h2><a href="/posts/0/">Top 10 tips for Vim</a></h2><p>Top of the list: learn the '
        "motions before the plugins.</p>",
        '<h2><a href="/posts/1/">顶级论文是怎么写出来的</a></h2><p>顶会的审稿人只看前两页。</p>'
        '<div class="digg"><a href="javascript:;" class="up">顶</a><span>12</span></div>',
        '<h2><a href="/posts/2/">Post 2</a></h2><p>What post 2 is about, in a sentence.</p>'
        '<footer><i class="iconfont icon-top"></i><a href="#top">Top</a></footer>',
    ]
    # Bootstrap's picture above a card's title is classed "top" too.
    cards.append(
        '<img class="card-img-top rounded-top" src="/cover.png" alt="">'
        '<h2><a href="/posts/3/">Post 3</a></h2><p>What post 3 is about, in a sentence.</p>'
    )
    back = '<a class="back-to-top" href="#top"><i class="iconfont icon-top"></i>TOP</a>'
    html = _listing("".join(f"<article class='post'>{card}</article>" for card in cards), back)
    page = parse_listing(html, "https://b.example/")
    assert [(card.title, card.pinned) for card in page.cards] == [
        ("Top 10 tips for Vim", False),
        ("顶级论文是怎么写出来的", False),
        ("Post 2", False),
        ("Post 3", False),
    ]


@pytest.mark.parametrize(
    "meta",
    [
        # Icarus in Chinese: "%s发表", "%s更新", a label closing each date's element.
        '<span><time datetime="2023-08-12">2023-08-12</time>发表</span>'
        '<span><time datetime="2023-09-01">2023-09-01</time>更新</span>',
        '<span><time datetime="2023-09-01">2023-09-01</time>更新</span>'
        '<span><time datetime="2023-08-12">2023-08-12</time>发表</span>',
        # Labels before their dates: a label between two dates is the second's.
        'Posted <time datetime="2023-08-12">Aug 12</time> Updated '
        '<time datetime="2023-09-01">Sep 1</time>',
    ],
)
def test_a_label_closing_the_date_s_element_is_the_date_s(meta: str) -> None:
    html = _listing("".join(_card(n, f'<div class="level">{meta}</div>') for n in range(3)))
    assert [card.published for card in parse_listing(html, "https://b.example/").cards] == [
        "2023-08-12"
    ] * 3


@pytest.mark.parametrize("layout", ["right-sidebar", "ast-left-sidebar", "both-sidebars"])
def test_a_sidebar_named_on_the_body_is_the_page_s_layout(layout: str) -> None:
    html = _listing(CARDS).replace("<body>", f'<body class="blog {layout}">')
    page = parse_listing(html, "https://b.example/")
    assert len(page.cards) == 3
    assert page.confidence == 1.0 and page.warnings == []


def test_a_title_shown_twice_is_no_part_of_the_excerpt() -> None:
    def card(n: int) -> str:  # one title for phones, one for desktops (VitePress themes)
        title = f"Vue 3.5 post number {n}"
        return (
            f'<div class="blog-item"><a href="/p/{n}.html"><p class="title mobile">{title}</p>'
            f'<div class="info"><p class="title pc">{title}</p><p class="desc">Summary of'
            f' post {n}.</p><div class="badges"><span>2025-11-0{n + 1}</span></div></div></a>'
            "</div>"
        )

    cards = parse_listing(_listing("".join(card(n) for n in range(3))), "https://b.example/").cards
    assert [(card.title, card.excerpt) for card in cards] == [
        (f"Vue 3.5 post number {n}", f"Summary of post {n}.") for n in range(3)
    ]


@pytest.mark.parametrize("when", ["3天前", "2 days ago", "5 小时前"])
def test_a_meta_line_with_a_relative_date_is_no_excerpt(when: str) -> None:
    meta = f"<div><span>粥里有勺糖</span><span>{when}</span><span>Vue · 源码</span></div>"
    html = _listing("".join(_card(n, meta) for n in range(3)))
    cards = parse_listing(html, "https://b.example/").cards
    assert [(card.excerpt, card.published) for card in cards] == [
        (f"What post {n} is about, in a sentence or two.", None) for n in range(3)
    ]


# Relative dates said without a digit, in the languages the parser reads.
_WORDED_RELATIVE_DATES = [
    "yesterday", "Today", "just now", "an hour ago", "a day ago", "a few minutes ago",
    "昨天", "前天", "今天", "刚刚", "昨日", "半小时前", "一天前", "たった今",
    "vor einem Tag", "il y a une heure", "hace un momento", "un'ora fa",
]  # fmt: skip


def _worded_card(n: int, when: str) -> str:
    return (
        f'<article class="post"><h2><a href="/posts/{n}/">Post {n}</a></h2>'
        f'<div class="meta"><span{when}</span></div>'
        f"<div>What post {n} is about, in a sentence or two.</div></article>"
    )


@pytest.mark.parametrize("when", _WORDED_RELATIVE_DATES)
def test_a_relative_date_said_in_words_is_a_meta_line_as_one_with_digits(when: str) -> None:
    html = _listing("".join(_worded_card(n, f">{when}") for n in range(3)))
    cards = parse_listing(html, "https://b.example/").cards
    assert [(card.excerpt, card.published) for card in cards] == [
        (f"What post {n} is about, in a sentence or two.", None) for n in range(3)
    ]


@pytest.mark.parametrize("when", _WORDED_RELATIVE_DATES)
def test_a_relative_date_said_in_words_gives_the_date_its_element_holds(when: str) -> None:
    # In full in its title (Zibll), or as the time since the epoch ("timeago" scripts):
    # 1712649600 is 2024-04-09 08:00 UTC.
    titled = [_worded_card(n, f' title="2024-03-0{n + 1} 10:00:00">{when}') for n in range(3)]
    timed = [_worded_card(n, f' data-time="{1712649600 + 86400 * n}">{when}') for n in range(3)]
    for cards, dates in [
        (titled, ["2024-03-01", "2024-03-02", "2024-03-03"]),
        (timed, ["2024-04-09", "2024-04-10", "2024-04-11"]),
    ]:
        read = parse_listing(_listing("".join(cards)), "https://b.example/").cards
        assert [card.published for card in read] == dates


def test_words_of_a_relative_date_in_a_title_or_an_excerpt_stay_text() -> None:
    # The meta line's "Today" gives the date its title holds; the title's and the
    # excerpt's words are theirs.
    titles = ["Yesterday", "Just now", "An hour ago"]
    cards = "".join(
        f'<article class="post"><h2><a href="/posts/{n}/">{title}</a></h2>'
        f"<div>Yesterday the build went green; an hour ago it was red.</div>"
        f'<div class="meta"><span title="2024-03-01 10:00:00">Today</span> in Notes</div>'
        "</article>"
        for n, title in enumerate(titles)
    )
    read = parse_listing(_listing(cards), "https://b.example/").cards
    assert [(card.title, card.excerpt, card.published) for card in read] == [
        (title, "Yesterday the build went green; an hour ago it was red.", "2024-03-01")
        for title in titles
    ]


@pytest.mark.parametrize(
    ("when", "text"),
    [
        ("3 days ago", "What I did <em>{when}</em>: wrote post {n}, which is about a thing."),
        ("yesterday", "What I did <em>{when}</em>: wrote post {n}, which is about a thing."),
        ("heute", "Worum es in Beitrag {n} geht, lesen Sie <em>{when}</em> oder morgen."),
        ("昨天", "我<em>{when}</em>写了第 {n} 篇文章，讲的是一件小事。"),
    ],
)
def test_a_relative_date_in_running_text_is_the_excerpt_s(when: str, text: str) -> None:
    cards = "".join(
        f'<article class="post"><h2><a href="/posts/{n}/">Post {n}</a></h2>'
        f"<p>{text.format(when=when, n=n)}</p></article>"
        for n in range(3)
    )
    read = parse_listing(_listing(cards), "https://b.example/").cards
    shown = text.replace("<em>", "").replace("</em>", "")
    assert [card.excerpt for card in read] == [shown.format(when=when, n=n) for n in range(3)]


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_a_short_excerpt_beside_a_meta_line_is_found_however_deep(depth: int) -> None:
    def card(n: int) -> str:
        inner = f'<p>Short note {n}.</p><div class="meta"><time datetime="2025-11-0{n + 1}">'
        inner += f"Nov {n + 1}</time></div>"
        for _ in range(depth):
            inner = f"<div>{inner}</div>"
        return f'<article><h2><a href="/p/{n}/">Post {n}</a></h2>{inner}</article>'

    cards = parse_listing(_listing("".join(card(n) for n in range(3))), "https://b.example/").cards
    assert [(card.excerpt, card.published) for card in cards] == [
        (f"Short note {n}.", f"2025-11-0{n + 1}") for n in range(3)
    ]


def test_an_author_s_headline_beside_the_name_is_no_excerpt() -> None:
    meta = (
        '<div class="meta"><div class="who"><div><a href="/people/ada">Ada</a></div>'
        '<div class="headline"><div class="badge">大模型算法工程师</div></div></div></div>'
        '<div class="rich"><div class="inner"><span>What the post is about, at length.</span>'
        "</div></div>"
    )
    html = _listing("".join(_card(n, meta) for n in range(3)).replace("<p>", "<p hidden>"))
    cards = parse_listing(html, "https://b.example/").cards
    assert [card.excerpt for card in cards] == ["What the post is about, at length."] * 3


def _lead(n: int, *, heading: str = "h2", date: bool = True) -> str:
    shown = f'<time datetime="2025-12-0{n}">Dec {n}</time>' if date else ""
    return (
        f'<{heading}><a href="/p/{n}.html">Newest post {n}</a></{heading}>{shown}'
        f"<p>What the newest post is about.</p>"
    )


@pytest.mark.parametrize(
    "featured",
    [
        f'<div id="featured"><article>{_lead(9)}</article></div>',
        f'<aside id="featured" class="body"><article>{_lead(9, heading="h1")}</article></aside>',
    ],
)
def test_a_lone_post_shown_before_the_listing_is_a_card(featured: str) -> None:
    rows = "".join(f"<article>{_lead(n)}</article>" for n in range(1, 5))
    html = _listing(
        f'{featured}<section id="content"><h1>Other posts</h1>'
        f'<div class="list">{rows}</div></section>'
    )
    cards = parse_listing(html, "https://b.example/").cards
    assert [card.url for card in cards] == [
        f"https://b.example/p/{n}.html" for n in (9, 1, 2, 3, 4)
    ]
    assert cards[0].published == "2025-12-09"


@pytest.mark.parametrize(
    "before",
    [
        # No date: an introduction, not a post.
        f'<div class="intro">{_lead(9, date=False)}</div>',
        # Links to several posts: a widget.
        f'<div class="hot">{_lead(8)}{_lead(9)}</div>',
        # A nav is no wrapper of a post.
        f"<nav>{_lead(9)}</nav>",
    ],
)
def test_what_is_no_lone_post_before_the_listing_stays_out(before: str) -> None:
    rows = "".join(f"<article>{_lead(n)}</article>" for n in range(1, 5))
    html = _listing(f'{before}<div class="list">{rows}</div>')
    cards = parse_listing(html, "https://b.example/").cards
    assert [card.url for card in cards] == [f"https://b.example/p/{n}.html" for n in range(1, 5)]


@pytest.mark.parametrize(
    ("hidden", "shown"), [("d-none", "d-md-inline-block"), ("hidden", "md:block")]
)
def test_what_is_hidden_on_phones_only_is_read(hidden: str, shown: str) -> None:
    body = (
        f'<span class="{hidden} {shown}">2025年11月28日</span>'
        f'<div class="{hidden} {shown}"><p>Shown on a desktop, hidden on a phone.</p></div>'
    )
    html = _listing("".join(_card(n, body) for n in range(3)).replace("<p>What", "<p hidden>What"))
    cards = parse_listing(html, "https://b.example/").cards
    assert [(card.published, card.excerpt) for card in cards] == [
        ("2025-11-28", "Shown on a desktop, hidden on a phone.")
    ] * 3


def test_a_badge_word_in_code_or_prose_is_no_pin() -> None:
    bodies = [
        "<p>Make the header <code>sticky</code> with one line of CSS.</p>",
        '<div class="meta"><span class="flag">置顶</span></div>',
        "<p>We pinned nothing: the word Pinned here is part of a sentence.</p>",
    ]
    html = _listing("".join(_card(n, body) for n, body in enumerate(bodies)))
    assert [card.pinned for card in parse_listing(html, "https://b.example/").cards] == [
        False,
        True,
        False,
    ]


def test_dates_after_passed_over_parts_of_a_card_are_found() -> None:
    # The title link, a hidden badge and an icon are not looked into; what follows them,
    # past whitespace and a no-break space, still is.
    cards = "".join(
        f'<div class="row"><a href="/posts/{n}/">Post {n}</a>\n  '
        f'<span hidden>draft</span> <i class="icon"></i>&nbsp;\n'
        f"<span>2025-03-0{n + 1}</span>\n<p>What post {n} is about, in a sentence.</p></div>"
        for n in range(3)
    )
    page = parse_listing(_listing(cards), "https://blog.example/")
    assert [card.published for card in page.cards] == ["2025-03-01", "2025-03-02", "2025-03-03"]


@pytest.mark.parametrize(
    "badge", ["置顶", "已置顶", "置頂", "PINNED", "ſticky", "PİNNED", "pınned", "\U0001f4cc"]
)
def test_a_pin_badge_is_seen_in_any_letter_case(badge: str) -> None:
    bodies = ["", f'<div class="meta"><span class="flag">{badge}</span></div>', ""]
    html = _listing("".join(_card(n, body) for n, body in enumerate(bodies)))
    pinned = [card.pinned for card in parse_listing(html, "https://b.example/").cards]
    assert pinned == [False, True, False]


@pytest.mark.parametrize(
    "ending", ["阅读全文 »", "Read  MORE → ", "continue reading>>\n", "查看全文", "Read more."]
)
def test_a_read_more_written_as_text_ends_no_excerpt(ending: str) -> None:
    cards = "".join(
        f'<article class="post"><h2><a href="/posts/{n}/">Post {n}</a></h2>'
        f"<p>What post {n} is about, in a sentence or two. {ending}</p></article>"
        for n in range(3)
    )
    excerpt = parse_listing(_listing(cards), "https://b.example/").cards[0].excerpt
    kept = " Read more." if ending == "Read more." else ""  # words after the button's: text
    assert excerpt == f"What post 0 is about, in a sentence or two.{kept}"


@pytest.mark.parametrize(
    "words", ["Read the rest of this entry »", "Read on →", "Read more of this post"]
)
def test_a_classic_theme_s_read_more_link_is_no_part_of_the_excerpt(words: str) -> None:
    """Kubrick and the themes after it write their own words on the link to the post (not
    always to its ``#more``): they stayed at the end of the excerpt."""
    cards = "".join(
        f'<div class="post"><h2><a href="/{n}/post-{n}/">Post {n}</a></h2>'
        f'<div class="entry"><p>What post {n} is about, in a sentence or two.</p>'
        f'<p><a href="/{n}/post-{n}/" class="more-link">{words}</a></p></div></div>'
        for n in range(3)
    )
    card = parse_listing(_listing(cards), "https://b.example/").cards[0]
    assert card.excerpt == "What post 0 is about, in a sentence or two."


@pytest.mark.parametrize("phrase", READ_MORE_PHRASES)
def test_every_read_more_phrase_ends_no_excerpt_as_text_or_as_a_link(phrase: str) -> None:
    """One list of phrases: what a read-more link says, and what an excerpt's end drops."""
    shown = phrase.title() if phrase.isascii() else phrase
    cards = "".join(
        f'<article class="post"><h2><a href="/posts/{n}/">Post {n}</a></h2>'
        f"<p>What post {n} is about, in a sentence or two. {shown} »</p>"
        f'<a href="/posts/{n}/">{shown}</a></article>'
        for n in range(3)
    )
    card = parse_listing(_listing(cards), "https://b.example/").cards[0]
    assert (card.url, card.excerpt) == (
        "https://b.example/posts/0/",
        "What post 0 is about, in a sentence or two.",
    )


@pytest.mark.parametrize(
    ("title", "expected", "pinned"),
    [
        ("Post [置顶] ", "Post", True),
        ("Post 【原创】", "Post", False),
        ("Post (Pinned)\n", "Post", True),
        ("Post (draft)", "Post (draft)", False),
        ("Post about sticky notes", "Post about sticky notes", False),
    ],
)
def test_a_badge_after_the_title_is_no_part_of_it(title: str, expected: str, pinned: bool) -> None:
    cards = "".join(
        f'<article class="post"><h2><a href="/posts/{n}/">{title if n == 0 else "Other"}</a></h2>'
        f"<p>What post {n} is about, in a sentence or two.</p></article>"
        for n in range(3)
    )
    card = parse_listing(_listing(cards), "https://b.example/").cards[0]
    assert (card.title, card.pinned) == (expected, pinned)


@pytest.mark.parametrize(
    ("in_card", "aside"),
    [
        # A post's own image (a page bundle's cover.jpg) and an author's page above the
        # author's other posts: the post stays a post, the author's page is none.
        (
            '<a href="/posts/p{n}/cover.jpg"><img src="/posts/p{n}/cover.jpg" alt=""></a>'
            '<a class="author" href="/ada">Ada</a> <a href="/ada/p{n}-notes">notes</a>',
            '<a href="/posts/p1/comment-page-1#c-9">a comment</a>',  # the post's own page
        ),
        ("", '<a href="/posts/p1/?utm_source=sidebar">Post 1</a>'),  # the same page again
    ],
)
def test_a_post_stays_a_post_beside_pages_below_it(in_card: str, aside: str) -> None:
    """A folder above another URL on the page is no post (an author's /ada beside
    /ada/a-post); a post's own images and comment pages, or the post linked again with a
    query, leave it a post."""
    cards = "".join(
        f'<article><h2><a href="/posts/p{n}/">Post {n}</a></h2><time>2026-01-1{n}</time>'
        + in_card.format(n=n)
        + f"<p>The body of post {n}, long enough to be an excerpt.</p></article>"
        for n in range(1, 4)
    )
    html = f"<html><body><main>{cards}</main><aside>{aside}</aside></body></html>"
    page = parse_listing(html, "https://a.example/")
    assert [card.url for card in page.cards] == [
        f"https://a.example/posts/p{n}/" for n in (1, 2, 3)
    ]


def test_characters_that_show_nothing_are_no_part_of_a_card() -> None:
    """A zero-width space, a soft hyphen, a word joiner or a stray BOM in a title, an excerpt
    or a tag would make versions that look unchanged and words search cannot find."""
    cards = "".join(
        f'<article class="post"><h2><a href="/posts/{n}/">快速\u200b上手 DDP\u00ad{n}</a></h2>'
        f'<div class="meta"><a rel="tag" href="/tags/ddp/">\ufeffDDP</a></div>'
        f"<p>梯度\u2060同步的\u200b 一篇\u200b长文 {n}</p></article>"
        for n in range(3)
    )
    card = parse_listing(_listing(cards), "https://b.example/").cards[0]
    assert (card.title, card.excerpt, card.tags) == (
        "快速上手 DDP0",
        "梯度同步的 一篇长文 0",
        ("DDP",),
    )


def test_a_post_shown_pinned_at_the_top_and_again_in_its_place_is_pinned() -> None:
    pinned = (
        '<article class="post"><h2><a href="/posts/2/">Post 2</a> <span class="badge">置顶</span>'
        "</h2><p>What post 2 is about, in a sentence or two.</p></article>"
    )
    html = _listing(pinned + "".join(_card(n) for n in range(4)))
    cards = parse_listing(html, "https://b.example/").cards
    assert [(card.url, card.pinned) for card in cards] == [
        ("https://b.example/posts/2/", True),
        ("https://b.example/posts/0/", False),
        ("https://b.example/posts/1/", False),
        ("https://b.example/posts/3/", False),
    ]


def test_a_pushpin_before_the_title_is_a_pin_badge_not_a_part_of_the_title() -> None:
    """Written in while the post is pinned, gone when it is not: no version either way."""
    found = parse_listing(_headed('<a href="/posts/0/">📌 Post 0</a>'), "https://b.example/")
    assert [(card.title, card.pinned) for card in found.cards] == PINNED_FIRST


def _headed(first: str) -> str:
    """Three posts' cards; the first's heading shows ``first`` (its link and badges)."""
    cards = "".join(
        f'<article class="post"><h2>{first if n == 0 else f"<a href=/posts/{n}/>Post {n}</a>"}'
        f"</h2><p>What post {n} is about, in a sentence or two.</p></article>"
        for n in range(3)
    )
    return _listing(cards)


PINNED_FIRST = [("Post 0", True), ("Post 1", False), ("Post 2", False)]


@pytest.mark.parametrize(
    ("shown", "title", "pinned"),
    [
        ("Sticky: Post 0", "Post 0", True),  # WordPress themes' label before a sticky post
        ('<span class="sticky-label">Sticky:</span> Post 0', "Post 0", True),
        ("Pinned：Post 0", "Post 0", True),
        ("Sticky notes in Post 0", "Sticky notes in Post 0", False),
        ("Top: Post 0", "Top: Post 0", False),  # "Top" leads titles as a word of them
    ],
)
def test_a_pin_label_with_its_colon_before_the_title_is_no_part_of_it(
    shown: str, title: str, pinned: bool
) -> None:
    card = parse_listing(_headed(f'<a href="/posts/0/">{shown}</a>'), "https://b.example/").cards[0]
    assert (card.title, card.pinned) == (title, pinned)


@pytest.mark.parametrize(
    "badge",
    [
        "<strong>Sticky:</strong>",
        "<span>Angepinnt:</span>",
        "<em>Épinglé :</em>",
        '<div class="pinned"><svg></svg><span>固定された記事</span></div>',  # note.com
    ],
)
def test_a_pin_badge_beside_the_title_link_pins_the_post(badge: str) -> None:
    found = parse_listing(_headed(f'{badge} <a href="/posts/0/">Post 0</a>'), "https://b.example/")
    assert [(card.title, card.pinned) for card in found.cards] == PINNED_FIRST
    assert found.cards[0].excerpt == "What post 0 is about, in a sentence or two."


def _cards_with(body: str, meta: str = "") -> str:
    """Three cards whose excerpt paragraph is ``body`` (``{n}`` is the card's number)."""
    return _listing(
        "".join(
            f'<article class="post"><h2><a href="/posts/{n}/">Post {n}</a></h2>{meta}'
            f"<p>{body}</p></article>".replace("{n}", str(n))
            for n in range(3)
        )
    )


def test_placeholders_written_full_width_or_spaced_are_the_tokens() -> None:
    html = _cards_with("排版插件改了括号：［代码］ 以及 [ 公式 ] 和 ［ Math ］ {n}")
    card = parse_listing(html, "https://b.example/").cards[0]
    assert card.excerpt == "排版插件改了括号：[代码] 以及 [公式] 和 [Math] 0"
    assert [(p.kind, p.ordinal) for p in card.placeholders] == [
        ("code", 1),
        ("formula", 1),
        ("math", 1),
    ]


@pytest.mark.parametrize("spaced", ["[公式 ]", "[ 公式]", "[\u3000公式]"])
def test_a_placeholder_spaced_on_one_side_alone_is_the_token(spaced: str) -> None:
    html = _cards_with(f"推导见 {spaced} 的第二行 {{n}}")
    card = parse_listing(html, "https://b.example/").cards[0]
    assert card.excerpt == "推导见 [公式] 的第二行 0"
    assert [p.kind for p in card.placeholders] == ["formula"]


def test_links_to_places_in_the_post_are_the_excerpt_s_not_a_meta_line() -> None:
    """Only the anchor of the comments is meta; ``#code-1`` and ``#eq-1`` are the post's."""
    meta = '<div class="meta"><a href="/posts/{n}/#comments">3 条评论</a></div>'
    body = (
        '实现见 <a href="/posts/{n}/#code-1">[代码]</a>，'
        '推导见 <a href="/posts/{n}/#eq-1">[公式]</a>。'
    )
    html = _cards_with(body, meta)
    card = parse_listing(html, "https://b.example/").cards[0]
    assert card.excerpt == "实现见 [代码]，推导见 [公式]。"
    assert [p.kind for p in card.placeholders] == ["code", "formula"]


@pytest.mark.parametrize(
    ("label", "anchor", "truncated"),
    [
        ("[...]", "", True),
        ("…", "", True),
        ("→", "", False),
        ("(more&hellip;)", "", True),  # WordPress's own more-link's words
        ("Read more ...", "", True),
        ("阅读全文… »", "", True),
        ("Continue reading →", "", False),
        ("阅读全文", "", False),
        # WordPress's anchor, written only where the post goes on past its <!--more-->
        ("→", "#more-30{n}", True),
        ("Continue reading →", "#more-30{n}", True),
        ("Lire la suite", "#more-30{n}", True),
    ],
)
def test_a_more_link_labelled_by_a_mark_ends_the_excerpt(
    label: str, anchor: str, truncated: bool
) -> None:
    """WordPress's more-link shows "[...]", "…", an arrow or "(more…)": an ellipsis on the
    link, or its ``#more-302`` anchor, says the excerpt was cut where it stands."""
    html = _cards_with(
        f'见 [公式] 的推导 <a href="/posts/{{n}}/{anchor}" class="more-link">{label}</a>'
    )
    card = parse_listing(html, "https://b.example/").cards[0]
    assert (card.excerpt, card.truncated) == ("见 [公式] 的推导", truncated)
    assert [p.kind for p in card.placeholders] == ["formula"]


def test_a_term_or_a_person_linked_in_the_text_is_a_word_of_the_excerpt() -> None:
    """Neither a meta line that cuts the excerpt short nor the card's category or tag."""
    meta = '<div class="meta"><a href="/categories/dl/" rel="category">深度学习</a></div>'
    body = (
        '本文属于 <a href="/categories/ml/">机器学习</a> 系列。先看 [Math]，'
        '再用 <a href="/tags/pytorch/">PyTorch</a> 实现：[代码]，'
        '感谢 <a href="https://github.com/someone">@someone</a> 指出 [公式] 的错误。'
    )
    card = parse_listing(_cards_with(body, meta), "https://b.example/").cards[0]
    assert card.excerpt == (
        "本文属于 机器学习 系列。先看 [Math]，再用 PyTorch 实现：[代码]，"
        "感谢 @someone 指出 [公式] 的错误。"
    )
    assert [p.kind for p in card.placeholders] == ["math", "code", "formula"]
    assert (card.category, card.tags) == ("深度学习", ())


def test_a_short_paragraph_that_ends_a_sentence_is_text_though_it_links_a_term() -> None:
    meta = '<div class="meta"><a href="/categories/dl/" rel="category">深度学习</a></div>'
    body = (
        '用 <a href="/tags/pytorch/">#PyTorch</a> 实现：[代码]</p>'
        "<p>这一段较长的正文继续解释实现细节。"
    )
    card = parse_listing(_cards_with(body, meta), "https://b.example/").cards[0]
    assert card.excerpt == "用 #PyTorch 实现：[代码] 这一段较长的正文继续解释实现细节。"
    assert card.tags == ("PyTorch",)  # a hashtag written in the text is the post's tag too


def test_a_hashtag_ending_a_short_latin_sentence_is_a_word_of_it_and_the_post_s_tag() -> None:
    """WriteFreely tags a post by hashtags in its text: the excerpt was lost as a meta line."""
    body = 'Ten years later I still pick Postgres. <a href="/blog/tag:postgres">#postgres</a>'
    card = parse_listing(_cards_with(body), "https://b.example/").cards[0]
    assert (card.excerpt, card.tags) == (
        "Ten years later I still pick Postgres. #postgres",
        ("postgres",),
    )


@pytest.mark.parametrize(
    ("written", "expected", "truncated"),
    [
        ("拉格朗日对偶 [公式]……点击阅读全文", "拉格朗日对偶 [公式]", True),
        ("拉格朗日对偶 [公式]……（阅读全文）", "拉格朗日对偶 [公式]", True),
        ("拉格朗日对偶 [公式]…… [阅读全文]", "拉格朗日对偶 [公式]", True),
        ("Lagrange duality [公式]...more", "Lagrange duality [公式]", True),
        ("Lagrange duality [公式]... »", "Lagrange duality [公式]", True),
        ("Lagrange duality [公式] Read More...", "Lagrange duality [公式]", False),
    ],
)
def test_a_read_more_written_as_text_in_its_dress_ends_no_excerpt(
    written: str, expected: str, truncated: bool
) -> None:
    """Brackets, arrows, "click to", and the excerpt's own ellipsis before a bare "more"."""
    card = parse_listing(_cards_with(written), "https://b.example/").cards[0]
    assert (card.excerpt, card.truncated) == (expected, truncated)
    assert [p.kind for p in card.placeholders] == ["formula"]


def test_an_external_link_mark_after_a_title_is_no_part_of_it() -> None:
    cards = "".join(
        f'<article class="post"><h2><a href="/posts/{n}/">Homelab 202{n} <span>↗</span></a></h2>'
        f"<p>What post {n} is about, in a sentence or two.</p></article>"
        for n in range(3)
    )
    titles = [card.title for card in parse_listing(_listing(cards), "https://b.example/").cards]
    assert titles == ["Homelab 2020", "Homelab 2021", "Homelab 2022"]


def test_a_link_labelled_as_the_author_s_is_no_post_whatever_its_address() -> None:
    """Z-Blog's "作者:<a>" to a member page of an address no rule knows (``?who=1`` for
    its ``?auth=1``): a person's page, so the cards read as with the known address."""
    html, expected = _load("zblog-default")
    assert html.count("?auth=1") == 3
    page = parse_listing(html.replace("?auth=1", "?who=1"), str(expected["base_url"]))
    assert [card.to_json() for card in page.cards] == expected["cards"]


@pytest.mark.parametrize(
    ("site", "other", "expected"),
    [
        ("zhihu.com", "zhuanlan.zhihu.com", True),  # site_of drops www.
        ("example.co.uk", "blog.example.co.uk", True),
        ("news.example.com.cn", "blog.example.com.cn", True),
        ("example.co.uk", "other.co.uk", False),
        ("example.com", "example.org", False),
        ("127.0.0.1", "127.0.0.2", False),
        ("example.com", "example.com", False),  # the same site, not a sibling
    ],
)
def test_sibling_sites_are_hosts_of_one_domain(site: str, other: str, expected: bool) -> None:
    assert is_sibling_site(site, other) is expected


def test_a_listing_of_its_own_posts_is_kept_beside_a_sibling_host_s_links() -> None:
    own = "".join(
        f'<article><h2><a href="/posts/{n}/">Post {n}</a></h2><time>2024-03-1{n}</time>'
        f"<p>What post {n} is about, in a sentence or two.</p></article>"
        for n in range(3)
    )
    footer = "".join(
        f'<li><a href="https://blog.example.com/p/{n}/">Engineering note {n}</a></li>'
        for n in range(4)
    )
    html = f"<html><body><main>{own}</main><footer><ul>{footer}</ul></footer></body></html>"
    cards = parse_listing(html, "https://www.example.com/news/").cards
    assert [card.url for card in cards] == [f"https://www.example.com/posts/{n}/" for n in range(3)]


def test_a_post_with_pages_below_it_linked_elsewhere_is_still_a_post() -> None:
    # Hexo Shoka's sidebar links a series' chapter below the post it belongs to: the post's
    # URL, a folder above another the page links, was taken for an author's page and its
    # card skipped.
    sidebar = '<aside class="sidebar"><a href="/posts/1/chapter-2/">Chapter 2</a></aside>'
    page = parse_listing(_listing(CARDS, sidebar), "https://b.example/")
    assert [card.url for card in page.cards] == [
        "https://b.example/posts/0/",
        "https://b.example/posts/1/",
        "https://b.example/posts/2/",
    ]


@pytest.mark.parametrize(
    ("names", "is_sidebar"),
    [
        ("layout--page layout--page--sidebar", False),  # TeXt: the page's variant
        ("no-sidebar", False),
        ("sidebar", True),
        ("layout__sidebar", True),  # a BEM element: the sidebar itself
        ("widget-area", True),
    ],
)
def test_a_class_naming_a_layout_with_a_sidebar_is_no_sidebar(names: str, is_sidebar: bool) -> None:
    from selectolax.lexbor import LexborHTMLParser

    from feedkeeper.parse.frame import has_sidebar_token

    node = LexborHTMLParser(f'<div class="{names}"></div>').css_first("div")
    assert node is not None
    assert has_sidebar_token(node) is is_sidebar


def test_a_card_classed_by_what_it_holds_has_the_shape_of_the_others() -> None:
    # Hugo Stack classes a card with a cover `has-image`: "weak repeated structure: 67%".
    cards = CARDS.replace('<article class="post">', '<article class="has-image post">', 1)
    page = parse_listing(_listing(cards), "https://b.example/")
    assert len(page.cards) == 3
    assert (page.confidence, page.warnings) == (1.0, [])


@pytest.mark.parametrize(
    ("here", "pager", "expected"),
    [
        # Dreamwidth's and LiveJournal's "Previous 20" leads to the older entries.
        ("https://b.example/", '<a href="/?skip=20">Previous 20</a>', "https://b.example/?skip=20"),
        (
            "https://b.example/?skip=20",
            '<a href="/?skip=0">Next 20</a> <a href="/?skip=40">Previous 20</a>',
            "https://b.example/?skip=40",
        ),
        (
            "https://b.example/blog",
            '<a href="/blog?start=10">&gt;&gt;</a>',
            "https://b.example/blog?start=10",
        ),
        ("https://b.example/", '<a href="/tag/x?skip=20">Previous 20</a>', None),  # elsewhere
    ],
)
def test_a_larger_offset_of_the_same_listing_is_the_next_page(
    here: str, pager: str, expected: str | None
) -> None:
    page = parse_listing(_listing(CARDS, f'<nav class="nav">{pager}</nav>'), here)
    assert page.next_url == expected


def test_zhihu_edited_on_is_an_update_not_the_publication() -> None:
    # Zhihu's "编辑于" (edited on) was taken for the day the post was published.
    meta = '<div class="ContentItem-time"><span>编辑于 2024-04-16 10:12</span></div>'
    page = parse_listing(_cards_with("摘要文字 {n}，讲的是如何训练。", meta), "https://b.example/")
    assert [card.published for card in page.cards] == [None, None, None]
