"""Shapes of real themes and platforms, each cut down to the markup that tells."""

from __future__ import annotations

from typing import Any

import pytest

from feedkeeper.errors import ParseError
from feedkeeper.parse import parse_listing

BASE = "https://b.example/"


def _page(cards: str, before: str = "", after: str = "") -> str:
    return f"<html><body>{before}<main><div class='list'>{cards}</div>{after}</main></body></html>"


def _card(n: int, title: str | None = None, meta: str = "", body: str | None = None) -> str:
    title = title if title is not None else f'<a href="/posts/{n}/">Post {n}</a>'
    body = body if body is not None else f"<p>What post {n} is about, in a sentence or two.</p>"
    return f'<article class="post"><h2>{title}</h2>{meta}{body}</article>'


def _cards(html: str, base: str = BASE) -> list[dict[str, Any]]:
    return [card.to_json() for card in parse_listing(html, base).cards]


def test_a_post_under_a_person_s_folder_is_a_post() -> None:
    # OSChina: /u/<id>/blog/<id> is a post of that person's blog, not their page.
    cards = "".join(
        f'<div class="item"><a class="header" href="/u/4526289/blog/1730{n}">Post {n}</a>'
        f"<p>What post {n} is about, in a sentence or two.</p>"
        f'<a href="/u/4526289">小舟</a></div>'
        for n in range(3)
    )
    assert [card["url"] for card in _cards(_page(cards))] == [
        f"https://b.example/u/4526289/blog/1730{n}" for n in range(3)
    ]


@pytest.mark.parametrize("badge", ["原", "置顶", "推荐", "顶"])
def test_a_badge_beside_the_title_in_a_link_is_no_title(badge: str) -> None:
    def title(n: int) -> str:
        return (
            f'<a href="/posts/{n}/"><div class="label">{badge}</div>'
            f'<span class="text-ellipsis">Post {n}</span></a>'
        )

    comments = '<a href="/posts/{n}/#comments">21</a>'
    html = _page("".join(_card(n, title(n), comments.format(n=n)) for n in range(3)))
    cards = _cards(html)
    assert [(card["url"], card["title"]) for card in cards] == [
        (f"https://b.example/posts/{n}/", f"Post {n}") for n in range(3)
    ]
    assert all(
        card["excerpt"] == f"What post {n} is about, in a sentence or two."
        for n, card in enumerate(cards)
    )


def test_a_count_linking_the_post_names_no_post() -> None:
    # The count's text is longer than the title's: only its being a number tells.
    cards = "".join(
        f'<div class="row"><a href="/p/{n}/#comments">1234{n}</a> '
        f'<a href="/p/{n}/">Go{n}</a><p>About post {n}, a sentence or so.</p></div>'
        for n in range(3)
    )
    cards_read = _cards(_page(cards))
    assert [(card["url"], card["title"]) for card in cards_read] == [
        (f"https://b.example/p/{n}/", f"Go{n}") for n in range(3)
    ]


def test_hashtag_links_are_tags_whatever_their_path() -> None:
    meta = (
        '<div class="topic"><a href="/topic/mysql.html">#MySQL</a> '
        '<a href="/topic/db.html">#数据库</a></div>'
    )
    assert {
        tuple(card["tags"])
        for card in _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    } == {("MySQL", "数据库")}


def test_badges_classed_as_tags_are_no_tags() -> None:
    meta = (
        '<div><span class="tag-original">原创</span><span class="tag-recommend">推荐</span></div>'
    )
    assert all(
        card["tags"] == [] for card in _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    )


@pytest.mark.parametrize("marked", ["post istop-post", "post is-sticky", "post sticky"])
def test_a_card_classed_as_pinned_is_pinned(marked: str) -> None:
    cards = "".join(_card(n) for n in range(3)).replace('class="post"', f'class="{marked}"', 1)
    assert [card["pinned"] for card in _cards(_page(cards))] == [True, False, False]


def test_a_relative_date_whose_title_gives_the_date_in_full_gives_that_date() -> None:
    meta = '<div class="meta"><span title="2026-01-09 20:36:40">3天前</span></div>'
    cards = _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    assert [card["published"] for card in cards] == ["2026-01-09"] * 3


@pytest.mark.parametrize("heading", ["Archive", "归档", "Latest Posts"])
def test_the_page_s_own_h1_is_no_widget_title(heading: str) -> None:
    rows = "".join(
        f'<li><a href="/blog/p{n}/">Post {n}</a> <time datetime="2025-0{n}-01">2025</time></li>'
        for n in range(1, 7)
    )
    page = parse_listing(
        f"<html><body><main><h1>{heading}</h1><ol>{rows}</ol></main></body></html>", BASE
    )
    assert len(page.cards) == 6
    assert page.warnings == [] and page.confidence == 1.0


def test_a_page_header_is_no_card_beside_a_short_listing() -> None:
    header = (
        '<header><a href="/">Site</a><nav><ul><li><a href="/" aria-current="page">Home</a></li>'
        '<li><a href="/blog/">Blog</a></li><li><a href="/about/">About</a></li></ul></nav></header>'
    )
    rows = "".join(
        f'<li><a href="/blog/p{n}/">Post number {n}</a> '
        f'<time datetime="2025-0{n}-01">Jan</time></li>'
        for n in range(1, 4)
    )
    html = f"<html><body>{header}<main><h1>Posts</h1><ol>{rows}</ol></main></body></html>"
    page = parse_listing(html, "https://b.example/blog/")
    assert [card.url for card in page.cards] == [
        f"https://b.example/blog/p{n}/" for n in range(1, 4)
    ]
    assert page.page_urls == []  # the nav's "Home" is the site's, not this listing's page


@pytest.mark.parametrize(
    "line",
    [
        "6 min, 1180 words",
        "1.2k words",
        "Reading time: 6 minutes",
        "Word count: 1180",
        "本文字数：1.2k",
        "1180 字",
        "字数统计: 1180 | 阅读时长 ≈ 6 分钟",
        "约 6 分钟读完",
    ],
)
def test_reading_time_and_word_count_are_no_excerpt(line: str) -> None:
    meta = f'<div class="column"><span>{line}</span></div>'
    cards = _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    assert [card["excerpt"] for card in cards] == [
        f"What post {n} is about, in a sentence or two." for n in range(3)
    ]


@pytest.mark.parametrize("words", ["评论", "Comments", "查看评论", "12 条评论", "Leave a comment"])
def test_a_comments_link_names_no_title(words: str) -> None:
    status = (
        '<article class="post status"><div class="content">'
        "<p>2025 年的最后一天，写点什么。</p></div>"
        '<footer><time datetime="2025-12-31">12-31</time> '
        f'<a class="read-more" href="/s/1/">{words}</a></footer></article>'
    )
    cards = _cards(_page("".join(_card(n) for n in range(3)) + status))
    assert (cards[-1]["url"], cards[-1]["title"]) == ("https://b.example/s/1/", None)


def test_a_card_s_only_date_classed_updated_is_its_date() -> None:
    # tagDiv's Newspaper: hAtom's "updated" on the one date a card shows.
    meta = (
        '<span class="td-post-date"><time class="entry-date updated td-module-date"'
        ' datetime="2026-01-09T15:20:00+08:00">2026年1月9日</time></span>'
    )
    cards = _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    assert [card["published"] for card in cards] == ["2026-01-09"] * 3


def test_a_date_labelled_updated_alone_is_no_published_date() -> None:
    meta = '<span>Updated <time class="updated" datetime="2026-01-09">Jan 9</time></span>'
    cards = _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    assert [card["published"] for card in cards] == [None] * 3


@pytest.mark.parametrize("shown", ["昨天 15:04", "今天 09:30", "yesterday 10:00:00"])
def test_a_day_word_titled_with_the_full_date_gives_it(shown: str) -> None:
    meta = f'<div class="meta"><span title="2026-01-10 15:04:51">{shown}</span></div>'
    cards = _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    assert [card["published"] for card in cards] == ["2026-01-10"] * 3


def test_a_month_and_day_with_a_time_takes_its_year_from_its_neighbours() -> None:
    dates = ["2026-01-11", "12-05 10:21", "2025-11-01"]
    html = _page(
        "".join(
            _card(n, meta=f'<div class="meta"><span>{d}</span></div>') for n, d in enumerate(dates)
        )
    )
    assert [card["published"] for card in _cards(html)] == [
        "2026-01-11",
        "2025-12-05",
        "2025-11-01",
    ]


def test_pager_words_with_a_page_count_read_as_pager_words() -> None:
    pager = (
        '<nav class="pagination"><a class="prev" href="/">« 上一页 1/5</a>'
        '<a class="next" href="/page/3/">下一页 3/5 »</a></nav>'
    )
    page = parse_listing(_page("".join(_card(n) for n in range(3)), after=pager), BASE + "page/2/")
    assert page.next_url == "https://b.example/page/3/"
    assert page.page_urls == ["https://b.example/", "https://b.example/page/3/"]


def test_a_place_s_pin_is_no_pinned_post() -> None:
    meta = '<div class="meta"><i class="fa fa-map-pin"></i> 大理</div>'
    cards = _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    assert [card["pinned"] for card in cards] == [False] * 3


def test_a_hashtag_in_a_heading_is_a_post_s_title() -> None:
    cards = "".join(_card(n, f'<a href="/posts/{n}/">#100DaysOfCode{n}</a>') for n in range(3))
    assert [(card["url"], card["title"]) for card in _cards(_page(cards))] == [
        (f"https://b.example/posts/{n}/", f"#100DaysOfCode{n}") for n in range(3)
    ]


def test_a_read_more_link_marked_as_a_tag_is_no_tag() -> None:
    # Drupal gives every teaser's "Read more" rel="tag".
    meta = (
        '<ul class="links"><li><a href="/posts/{n}/" rel="tag">Read more'
        '<span class="visually-hidden"> about it</span></a></li></ul>'
    )
    cards = _cards(_page("".join(_card(n, meta=meta.format(n=n)) for n in range(3))))
    assert [card["tags"] for card in cards] == [[]] * 3


def test_a_list_of_term_links_under_a_label_names_them() -> None:
    # Drupal's field list: the label a heading above the list, the terms at /taxonomy/term/N.
    meta = (
        '<div class="field--tags"><h3 class="field__label">Tags</h3><ul>'
        '<li><a href="/taxonomy/term/4">news</a></li><li><a href="/taxonomy/term/7">space</a></li>'
        "</ul></div>"
    )
    cards = _cards(_page("".join(_card(n, meta="", body=_body(n) + meta) for n in range(3))))
    assert [(card["tags"], card["excerpt"]) for card in cards] == [
        (["news", "space"], f"What post {n} is about, in a sentence or two.") for n in range(3)
    ]


def _body(n: int) -> str:
    return f"<p>What post {n} is about, in a sentence or two.</p>"


@pytest.mark.parametrize(
    ("href", "text", "kind"),
    [("/tagged/visible%20mending", "#visible mending", "tags"), ("/tag:sqlite", "#sqlite", "tags")],
)
def test_tag_pages_of_tumblr_and_writefreely_are_tags(href: str, text: str, kind: str) -> None:
    meta = f'<ul class="tags"><li><a class="hashtag" href="{href}">{text}</a></li></ul>'
    cards = _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    assert [card[kind] for card in cards] == [[text.lstrip("#")]] * 3


def test_a_class_naming_a_category_inside_a_tag_link_is_that_tag() -> None:
    meta = (
        '<a href="/tag:sqlite" class="hashtag"><span>#</span><span class="p-category">sqlite'
        '</span></a> <a href="/tag:databases" class="hashtag"><span>#</span>'
        '<span class="p-category">databases</span></a>'
    )
    cards = _cards(_page("".join(_card(n, meta=f"<p class='meta'>{meta}</p>") for n in range(3))))
    assert [(card["tags"], card["categories"]) for card in cards] == [
        (["sqlite", "databases"], [])
    ] * 3


@pytest.mark.parametrize("line", ["Hits: 388", "LGTM 12", "いいね 5"])
def test_hits_and_reactions_are_no_excerpt(line: str) -> None:
    meta = f"<dl class='article-info'><dd>{line}</dd></dl>"
    cards = _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    assert [card["excerpt"] for card in cards] == [
        f"What post {n} is about, in a sentence or two." for n in range(3)
    ]


def test_read_more_followed_by_the_title_is_a_read_more_link() -> None:
    more = '<p class="readmore"><a href="/posts/{n}/">Read more: Post {n}, at length</a></p>'
    cards = _cards(_page("".join(_card(n, body=_body(n) + more.format(n=n)) for n in range(3))))
    assert [card["excerpt"] for card in cards] == [
        f"What post {n} is about, in a sentence or two." for n in range(3)
    ]


def test_a_card_wrapping_one_article_marked_sticky_is_pinned() -> None:
    rows = "".join(
        f'<div class="views-row"><article class="node{" node--sticky" if n == 0 else ""}">'
        f'<h2><a href="/posts/{n}/">Post {n}</a></h2>{_body(n)}</article></div>'
        for n in range(3)
    )
    assert [card["pinned"] for card in _cards(_page(rows))] == [True, False, False]


def test_japanese_labels_and_pinned_sections_are_read() -> None:
    meta = '<p>テーマ：<a href="/theme-101.html">冬のごはん</a></p>'
    first = "".join(_card(n, meta=meta) for n in range(2))
    rest = "".join(_card(n, meta=meta) for n in range(2, 5))
    html = _page(
        f'<h2 class="divider">固定された記事</h2><div class="cards">{first}</div>'
        f'<h2 class="divider">記事</h2><div class="cards">{rest}</div>'
    )
    cards = _cards(html)
    assert [card["categories"] for card in cards] == [["冬のごはん"]] * 5
    assert [card["pinned"] for card in cards] == [True, True, False, False, False]


@pytest.mark.parametrize(
    "pager",
    [
        '<a class="skin-paginationNext" href="/entrylist-2.html"><span>次へ</span></a>',
        '<a aria-label="Go to next page" href="/entrylist-2.html"><i class="icon"></i></a>',
    ],
)
def test_next_links_in_japanese_and_with_go_to_labels(pager: str) -> None:
    page = parse_listing(_page("".join(_card(n) for n in range(3)), after=pager), BASE)
    assert page.next_url == "https://b.example/entrylist-2.html"


def test_an_author_s_handle_is_a_meta_line() -> None:
    # Qiita: no summary, the author's handle above the title.
    cards = "".join(
        f'<article><header><p><a href="/tanaka_dev">@tanaka_dev</a><span>(田中 悠)</span></p>'
        f'<time datetime="2025-01-1{n}T03:00:00Z">1月</time></header>'
        f'<h2><a href="/tanaka_dev/items/{n}">Post {n} in Rust</a></h2></article>'
        for n in range(3)
    )
    assert [card["excerpt"] for card in _cards(_page(cards))] == [None] * 3


def test_days_of_several_posts_in_lines_give_each_post_its_date() -> None:
    # cnblogs: a day's posts as lines (title, summary, "posted @" line) under a day title
    # linking the day's archive, which is no post.
    def post(n: int, day: str) -> str:
        title = f'<a class="postTitle2" href="/ada/p/{n}"><span>标题{n} 讲一个故事</span></a>'
        more = f'<a href="/ada/p/{n}" class="c_b_p_desc_readmore">阅读全文</a>'
        return (
            f'<div class="postTitle">{title}</div><div class="postCon"><div class="c_b_p_desc">'
            f"摘要：第{n}篇的摘要内容，讲了很多东西。{more}</div></div>"
            f'<div class="postDesc">posted @ <span data-post-date="{day} 10:0{n}">{day} 10:0{n}'
            '</span> <a href="/ada">阿达</a> <span>阅读(1)</span></div>'
        )

    days = "".join(
        f'<div class="day"><div class="dayTitle"><a href="/ada/archive/{day.replace("-", "/")}">'
        f"{day}</a></div>{post(2 * i + 1, day)}{post(2 * i + 2, day)}</div>"
        for i, day in enumerate(["2025-11-18", "2025-11-17"])
    )
    cards = _cards(_page(f'<div class="forFlow">{days}</div>'))
    assert [(card["url"], card["published"]) for card in cards] == [
        ("https://b.example/ada/p/1", "2025-11-18"),
        ("https://b.example/ada/p/2", "2025-11-18"),
        ("https://b.example/ada/p/3", "2025-11-17"),
        ("https://b.example/ada/p/4", "2025-11-17"),
    ]


@pytest.mark.parametrize("comments", ["/posts/{n}/comments/", "/posts/{n}/?comments"])
def test_a_comment_count_linked_below_or_beside_the_post_is_the_post_s(comments: str) -> None:
    # Habr's <a href="/ru/articles/801234/comments/">12</a>, vc.ru's "…-slug?comments".
    meta = '<div class="meta"><a href="' + comments + '"><span>{c}</span></a></div>'
    html = _page("".join(_card(n, meta=meta.format(n=n, c=10 + n)) for n in range(3)))
    assert [(card["url"], card["title"]) for card in _cards(html)] == [
        (f"https://b.example/posts/{n}/", f"Post {n}") for n in range(3)
    ]


def test_hubs_are_categories_and_their_profile_mark_is_no_part_of_the_name() -> None:
    meta = (
        '<div class="hubs"><a href="/ru/hubs/python/">Python<span title="Профильный хаб">*'
        '</span></a> <a href="/ru/hubs/ml/">ML</a></div>'
    )
    html = _page("".join(_card(n, meta=meta) for n in range(3)))
    assert [card["categories"] for card in _cards(html)] == [["Python", "ML"]] * 3


@pytest.mark.parametrize(
    ("header", "published"),
    [
        ("sexta-feira, 15 de março de 2024", "2024-03-15"),
        ("Sabtu, 2 Maret 2024", "2024-03-02"),
        ("Freitag, 15. März 2024", "2024-03-15"),
        ("Friday, March 15, 2024", "2024-03-15"),
    ],
)
def test_a_date_header_opening_with_a_weekday_in_any_language_dates_its_posts(
    header: str, published: str
) -> None:
    posts = "".join(
        f'<div class="post"><h3><a href="/2024/03/p{n}.html">Post {n}</a></h3>'
        f"<p>What post {n} is about, in a sentence or two.</p></div>"
        for n in range(2)
    )
    group = f'<div class="day"><h2 class="date-header"><span>{header}</span></h2>{posts}</div>'
    other = (
        '<div class="day"><h2 class="date-header"><span>2024-03-01</span></h2>'
        '<div class="post"><h3><a href="/2024/03/p9.html">Post 9</a></h3>'
        "<p>What post 9 is about, in a sentence or two.</p></div></div>"
    )
    cards = _cards(_page(group + other))
    assert [card["published"] for card in cards] == [published, published, "2024-03-01"]


@pytest.mark.parametrize(
    ("more", "language"),
    [("Weiterlesen", "de"), ("Lire la suite »", "fr"), ("Leer más", "es"),
     ("Читать далее", "ru"), ("繼續閱讀", "zh-TW"), ("더보기", "ko"), ("Czytaj dalej", "pl")],
)  # fmt: skip
def test_read_more_in_other_languages_is_no_part_of_the_excerpt(more: str, language: str) -> None:
    body = '<p>What post {n} is about, cut short…</p><p><a href="/posts/{n}/">' + more + "</a></p>"
    html = _page("".join(_card(n, body=body.format(n=n)) for n in range(3)))
    cards = _cards(html)
    assert [(card["excerpt"], card["truncated"]) for card in cards] == [
        (f"What post {n} is about, cut short", True) for n in range(3)
    ], language


@pytest.mark.parametrize("badge", ["공지", "Angepinnt", "Épinglé", "Закреплено", "置頂"])
def test_pin_badges_in_other_languages_pin_the_post(badge: str) -> None:
    meta = f'<div class="meta"><span class="badge">{badge}</span></div>'
    html = _page(_card(0, meta=meta) + _card(1) + _card(2))
    cards = _cards(html)
    assert [card["pinned"] for card in cards] == [True, False, False]
    assert cards[0]["excerpt"] == "What post 0 is about, in a sentence or two."


def test_a_sidebar_column_beside_the_posts_gives_no_cards() -> None:
    # Dotclear: div#wrapper holds div#main (the posts) and div#sidebar, whose "latest
    # posts" list links other posts: the two columns are no listing of groups.
    posts = "".join(
        f'<div class="post"><h2 class="post-title"><a href="/post/2024/0{n + 1}/p{n}">Post {n}'
        f'</a></h2><p class="post-info">Par Thomas, 1 avril 2024</p><div class="post-content">'
        f"<p>What post {n} is about, in a sentence or two, and a little more besides.</p>"
        "</div></div>"
        for n in range(3)
    )
    others = "".join(
        f'<li><a href="/post/2023/0{n + 1}/old-{n}">Old post {n}</a></li>' for n in range(3)
    )
    html = (
        '<html><body><div id="page"><div id="wrapper"><div id="main" role="main">'
        f'<div id="content">{posts}</div></div><div id="sidebar" role="complementary">'
        f'<div class="widget lastposts"><h2>Derniers billets</h2><ul>{others}</ul></div>'
        "</div></div></div></body></html>"
    )
    assert [card["url"] for card in _cards(html)] == [
        f"https://b.example/post/2024/0{n + 1}/p{n}" for n in range(3)
    ]


@pytest.mark.parametrize("param", ["page", "currentPage", "pageNo", "page_no"])
def test_a_pager_s_numbers_in_other_query_names_are_pages(param: str) -> None:
    # Naver's PostList.naver?blogId=x&currentPage=3, where "다음" jumps to the next ten.
    base = f"https://b.example/PostList?blogId=x&{param}=2"
    pager = "".join(
        f'<a href="/PostList?blogId=x&amp;{param}={n}">{n}</a>' if n != 2 else "<strong>2</strong>"
        for n in range(1, 11)
    )
    pager += f'<a href="/PostList?blogId=x&amp;{param}=11">다음</a>'
    page = parse_listing(_page("".join(_card(n) for n in range(3)), after=pager), base)
    assert page.next_url == f"https://b.example/PostList?blogId=x&{param}=3"


def test_a_pager_beside_the_cards_gives_no_cards() -> None:
    # Pixnet: the pager's "2", "3" and "下一頁" lead to /blog/2, /blog/3, beside posts at
    # /blog/post/<id>: a pager, not a card.
    cards = "".join(
        f'<div class="article"><h2 class="title"><a href="/blog/post/50310{n}">Post {n}</a>'
        f"</h2><div class='article-body'><p>What post {n} is about, in a sentence or two.</p>"
        "</div></div>"
        for n in range(3)
    )
    pager = (
        '<div class="page"><span class="number"><a class="previous-page disabled">上一頁</a>'
        '<a class="current-page">1</a><a href="/blog/2">2</a><a href="/blog/3">3</a>'
        '<a class="next-page" href="/blog/2">下一頁</a><a class="last-page" href="/blog/31">'
        "最末頁</a></span></div>"
    )
    html = f"<html><body><div id='article-box'>{cards}{pager}</div></body></html>"
    page = parse_listing(html, "https://b.example/blog")
    assert [card.url for card in page.cards] == [
        f"https://b.example/blog/post/50310{n}" for n in range(3)
    ]
    assert page.next_url == "https://b.example/blog/2"


_ONE_POST = (
    '<article class="post-card"><h2 class="post-card__title"><a href="/posts/x8/">Title 8</a>'
    '</h2><div class="meta"><a href="/categories/a/" rel="category tag">A</a> · '
    '<time datetime="2025-01-09">2025-01-09</time></div><p class="excerpt">What post 8 is'
    ' about, in a sentence or two...</p><a class="more" href="/posts/x8/">Read more</a>'
    "</article>"
)


@pytest.mark.parametrize(
    "frame",
    [
        # the page's header, main and footer: its nav's links are no posts
        "<header><a href='/'>Blog</a><nav><a href='/about/'>About</a> <a href='/archives/'>"
        "Archives</a></nav></header><main>{post}<nav class='pagination'><a href='/' rel='prev'>"
        "Prev</a> <span>2</span></nav></main><footer>(c) 2026</footer>",
        # a sidebar listing other posts beside it
        "<main id='main'>{post}<nav class='pagination'><a href='/'>1</a></nav></main>"
        "<aside class='sidebar'><section class='widget'><h3 class='widget-title'>热门文章</h3>"
        "<ul><li><a href='/posts/x1/'>Post one</a></li><li><a href='/posts/x2/'>Post two</a>"
        "</li></ul></section></aside>",
    ],
)
def test_a_page_of_one_post_gives_its_card(frame: str) -> None:
    # A blog's last page often shows a single post: no listing repeats around it.
    html = f"<html><body>{frame.format(post=_ONE_POST)}</body></html>"
    page = parse_listing(html, "https://b.example/page/2/")
    assert [(c.url, c.title, c.published, c.categories) for c in page.cards] == [
        ("https://b.example/posts/x8/", "Title 8", "2025-01-09", ("A",))
    ]
    assert page.cards[0].excerpt == "What post 8 is about, in a sentence or two"


def test_a_lone_heading_link_with_nothing_besides_is_no_card() -> None:
    html = "<html><body><main><h2><a href='/posts/x8/'>Title 8</a></h2></main></body></html>"
    with pytest.raises(ParseError):
        parse_listing(html, "https://b.example/")


def test_items_a_script_opens_from_data_link_are_the_posts() -> None:
    # WeChat's album: no <a> at all, each item names its article in data-link.
    items = "".join(
        f'<li class="item" data-link="/s?mid={n}&amp;idx=1"><div class="title">'
        f"<span>Notes on chapter {n} of the book</span></div>"
        f'<div class="info"><span class="time">2025-03-0{n}</span></div></li>'
        for n in range(1, 4)
    )
    cards = _cards(f"<html><body><ul class='list'>{items}</ul></body></html>")
    assert [(card["url"], card["title"]) for card in cards] == [
        (f"{BASE}s?mid={n}&idx=1", f"Notes on chapter {n} of the book") for n in range(1, 4)
    ]


def test_a_data_link_around_a_link_is_no_second_link() -> None:
    cards = "".join(f'<div data-link="/elsewhere/{n}/">{_card(n)}</div>' for n in range(1, 4))
    assert [card["url"] for card in _cards(_page(cards))] == [
        f"{BASE}posts/{n}/" for n in range(1, 4)
    ]


def test_a_post_titled_with_a_number_beside_a_pager_is_a_card() -> None:
    # The Pixnet pager above beside posts titled "2024" (a year in review) and "42": their
    # numbers are headings among excerpts, the pager's lead to several pages.
    cards = "".join(
        f'<div class="article"><h2 class="title"><a href="/blog/post/50310{n}">{title}</a>'
        f"</h2><div class='article-body'><p>What post {n} is about, in a sentence or two.</p>"
        "</div></div>"
        for n, title in enumerate(["Post 0", "2024", "Post 2", "42"])
    )
    pager = (
        '<div class="page"><span class="number"><a class="current-page">1</a>'
        '<a href="/blog/2">2</a><a href="/blog/3">3</a><a class="next-page" href="/blog/2">'
        "下一頁</a></span></div>"
    )
    html = f"<html><body><div id='article-box'>{cards}{pager}</div></body></html>"
    page = parse_listing(html, "https://b.example/blog")
    assert [(card.url, card.title) for card in page.cards] == [
        ("https://b.example/blog/post/503100", "Post 0"),
        ("https://b.example/blog/post/503101", "2024"),
        ("https://b.example/blog/post/503102", "Post 2"),
        ("https://b.example/blog/post/503103", "42"),
    ]
    assert page.next_url == "https://b.example/blog/2"


def test_rows_titled_with_a_number_are_rows_and_the_pager_s_rows_are_not() -> None:
    # A list of titles and dates whose last rows are the pager's: "1984" is a row of the
    # list (a date beside it), "2", "3" and "下一页" are the pager's.
    rows = (
        '<li><a href="/notes/7.html">读《动物农场》</a> <span class="date">2024-03-02</span></li>'
        '<li><a href="/notes/6.html">1984</a> <span class="date">2024-02-11</span></li>'
        '<li><a href="/notes/5.html">冬天的书单</a> <span class="date">2024-01-20</span></li>'
        '<li><a href="/notes/list_2.html">2</a></li><li><a href="/notes/list_3.html">3</a></li>'
        '<li><a href="/notes/list_2.html">下一页</a></li>'
    )
    page = parse_listing(f"<html><body><main><ul>{rows}</ul></main></body></html>", BASE)
    assert [(card.title, card.published) for card in page.cards] == [
        ("读《动物农场》", "2024-03-02"),
        ("1984", "2024-02-11"),
        ("冬天的书单", "2024-01-20"),
    ]
    assert page.next_url == "https://b.example/notes/list_2.html"


@pytest.mark.parametrize(
    "meta",
    [
        '<a href="/posts/{n}/">Continue reading</a>',
        '<div class="meta"><a href="/posts/{n}/">March {day}, 2024</a></div>',
    ],
)
def test_a_number_named_a_title_out_of_a_heading_is_the_title(meta: str) -> None:
    # Themes that title a card with a classed link, not a heading: a number there is the
    # post's title ("2023"), not a count, whatever other link leads to the post.
    cards = "".join(
        f'<div class="post"><div class="title"><a href="/posts/{n}/">{title}</a></div>'
        f"<p>What post {n} is about, in a sentence or two.</p>{meta.format(n=n, day=9 - n)}</div>"
        for n, title in enumerate(["2023", "Post 1", "42"])
    )
    assert [(card["url"], card["title"]) for card in _cards(_page(cards))] == [
        ("https://b.example/posts/0/", "2023"),
        ("https://b.example/posts/1/", "Post 1"),
        ("https://b.example/posts/2/", "42"),
    ]


@pytest.mark.parametrize(
    ("more", "titles"),
    [
        ("Read more", ["2023", "Notes on SQLite", "42", "1984"]),
        ("→", ["2023", "Notes on SQLite", "42", "1984"]),
        ("阅读全文", ["2048", "404", "100", "1984"]),
    ],
)
def test_a_row_titled_with_a_number_beside_its_read_more_is_titled_so(
    more: str, titles: list[str]
) -> None:
    # A row's plain link, then its date, then its "Read more": the number first is the
    # post's title ("2023"), not a count, and the row is a card, not a pager's item.
    rows = "".join(
        f'<li><a href="/posts/{n}/">{title}</a> <span>2024-01-0{n + 1}</span> '
        f'<a href="/posts/{n}/">{more}</a></li>'
        for n, title in enumerate(titles)
    )
    pager = '<nav class="pagination"><a href="/page/2/">2</a> <a href="/page/2/">Next</a></nav>'
    page = parse_listing(f"<html><body><main><ul>{rows}</ul>{pager}</main></body></html>", BASE)
    assert [(card.url, card.title) for card in page.cards] == [
        (f"{BASE}posts/{n}/", title) for n, title in enumerate(titles)
    ]
    assert page.next_url == f"{BASE}page/2/"


@pytest.mark.parametrize(
    "count",
    [
        '<a href="/p/{n}/">{c}</a> comments',
        '<span>阅读 <a href="/p/{n}/">{c}</a></span>',
        '<span class="views"><a href="/p/{n}/">{c}</a></span>',
        '<a href="/p/{n}/"><i class="icon-eye"></i>{c}</a>',
        '<a href="/p/{n}/">{c}</a>',
    ],
)
def test_a_count_is_no_title_where_a_number_beside_it_is_one(count: str) -> None:
    # Untitled notes showing a count (by its word, its class, its icon, or after the
    # excerpt) beside posts titled with a number: the count names no post, the title does.
    def card(n: int, lead: str, tail: str) -> str:
        return (
            f'<div class="post">{lead}<p>A note, number {n}, on the weather and a walk.</p>'
            f'{tail} <a href="/p/{n}/">Read more</a></div>'
        )

    cards = "".join(
        card(n, f'<a href="/p/{n}/">{c}</a>', "")
        if n % 2 == 0
        else card(n, "", count.format(n=n, c=c))
        for n, c in enumerate([2023, 42, 1984, 7])
    )
    page = parse_listing(f"<html><body><main>{cards}</main></body></html>", BASE)
    assert [(card.url, card.title) for card in page.cards] == [
        (f"{BASE}p/0/", "2023"),
        (f"{BASE}p/1/", None),
        (f"{BASE}p/2/", "1984"),
        (f"{BASE}p/3/", None),
    ]


@pytest.mark.parametrize(
    "head",
    [
        # A rank or a count linked to the post before its title, or in its heading.
        '<a href="/posts/{n}/">1{n}</a><h2>A post on topic {n}</h2>',
        '<h2><a href="/posts/{n}/">1{n}</a> <a href="/posts/{n}/">A post on topic {n}</a></h2>',
        '<h2><a href="/posts/{n}/">1{n}</a> A post on topic {n}</h2>',
        '<h2><span class="rank"><a href="/posts/{n}/">1{n}</a></span> A post on topic {n}</h2>',
    ],
)
def test_a_bare_number_is_no_title_where_the_card_shows_one(head: str) -> None:
    cards = "".join(
        f'<div class="post">{head.format(n=n)}<p>What post {n} is about, in a sentence.</p></div>'
        for n in range(3)
    )
    assert [(card["url"], card["title"], card["excerpt"]) for card in _cards(_page(cards))] == [
        (f"{BASE}posts/{n}/", f"A post on topic {n}", f"What post {n} is about, in a sentence.")
        for n in range(3)
    ]


@pytest.mark.parametrize(
    "beside",
    [
        "",
        '<span class="count">(12)</span>',
        "<small>12 comments</small>",
        "<time>2024-03-01</time>",
    ],
)
def test_a_number_alone_in_its_heading_stays_the_title(beside: str) -> None:
    # Posts titled with a number, linked in their heading alone or beside a count or a date.
    cards = "".join(
        f'<div class="post"><h2><a href="/posts/{n}/">{title}</a> {beside}</h2>'
        f"<p>What post {n} is about, in a sentence.</p></div>"
        for n, title in enumerate(["2023", "42", "1984"])
    )
    assert [card["title"] for card in _cards(_page(cards))] == ["2023", "42", "1984"]


@pytest.mark.parametrize(
    "count",
    [
        '<a href="/posts/{n}/#comments">3</a> comments',
        '<a href="/posts/{n}/#comments">12</a> 条评论',
        '<span class="views">1.2k</span> views · <span>6</span> min read',
        '阅读(<a href="/posts/{n}/">312</a>)',
    ],
)
def test_a_count_s_words_beside_its_number_are_no_excerpt(count: str) -> None:
    rows = "".join(
        f'<li><a href="/posts/{n}/">Notes on topic {n}</a> · <span>2024-01-0{n + 1}</span>'
        f" · {count.format(n=n)}</li>"
        for n in range(3)
    )
    cards = _cards(f"<html><body><main><ul class='posts'>{rows}</ul></main></body></html>")
    assert [(card["title"], card["excerpt"]) for card in cards] == [
        (f"Notes on topic {n}", None) for n in range(3)
    ]


def test_an_excerpt_of_words_beside_a_count_stays_an_excerpt() -> None:
    meta = '<div class="meta"><a href="/posts/{n}/#comments">3</a> comments</div>'
    body = "<p>Comments on reading time, and views on minutes.</p>"
    cards = _cards(_page("".join(_card(n, meta=meta.format(n=n), body=body) for n in range(3))))
    assert [card["excerpt"] for card in cards] == [
        "Comments on reading time, and views on minutes."
    ] * 3


@pytest.mark.parametrize(
    "said",
    ["发布于 3天前", "发表于：5 小时前", "发布博客&nbsp;昨天 22:41&nbsp;·", "Posted 2 days ago"],
)
def test_a_relative_date_after_its_label_is_a_meta_line(said: str) -> None:
    # CSDN's "发布博客 昨天 22:41 ·": the line is the card's meta line, no part of the excerpt.
    meta = f'<div class="meta"><span>{said}</span> <span>by Ada</span></div>'
    html = _page("".join(_card(n, body=f"<p>What post {n} is about.</p>{meta}") for n in range(3)))
    cards = _cards(html)
    assert [card["excerpt"] for card in cards] == [f"What post {n} is about." for n in range(3)]
    assert [card["published"] for card in cards] == [None, None, None]


@pytest.mark.parametrize(
    ("shown", "title"),
    [
        ('Post {n} <span class="badge">{c}</span>', "Post {n}"),  # Bootstrap's badge
        ("Post {n}<span>阅读 {c}</span>", "Post {n}"),
        ("Post {n} <small>({c} comments)</small>", "Post {n}"),
        ("Post {n} <i>[{c}]</i>", "Post {n}"),
        # A number of the title's own in an element of its own stays.
        ("Part <em>{n}</em>", "Part {n}"),
        ("Year in review <span>2025</span>", "Year in review 2025"),
        ("Chapter <span>1{n}</span>", "Chapter 1{n}"),
        ("Top <sup>1{n}</sup> tools", "Top 1{n} tools"),
    ],
)
def test_a_count_shown_at_the_end_of_the_title_link_is_no_part_of_the_title(
    shown: str, title: str
) -> None:
    def card(n: int) -> str:
        link = f'<a href="/posts/{n}/">{shown.format(n=n, c=12 + n)}</a>'
        return _card(n, link, '<span class="date">2025-12-01</span>')

    cards = _cards(_page("".join(card(n) for n in range(3))))
    assert [card["title"] for card in cards] == [title.format(n=n) for n in range(3)]


@pytest.mark.parametrize(
    "other",
    [
        # YARPP's list below a post shown whole, a series' link to its previous part.
        '<div class="yarpp"><h3>Related posts:</h3><ol><li><a href="/posts/1{n}/">Post 1{n}</a>'
        '</li><li><a href="/posts/2{n}/">Post 2{n}</a></li></ol></div>',
        '<p class="series">Previous part: <a href="/posts/1{n}/">Post 1{n}</a></p>',
        '<p>« <a href="/posts/1{n}/">Older: Post 1{n}</a> | <a href="/posts/2{n}/">Newer</a> »</p>',
    ],
)
def test_links_to_other_posts_on_a_line_of_their_own_are_no_excerpt(other: str) -> None:
    def body(n: int) -> str:
        return f"<p>What post {n} is about, in a sentence or two.</p>{other.format(n=n)}"

    meta = '<span class="date">2025-12-01</span>'
    cards = _cards(_page("".join(_card(n, meta=meta, body=body(n)) for n in range(3))))
    assert [card["url"] for card in cards] == [f"https://b.example/posts/{n}/" for n in range(3)]
    assert [card["excerpt"] for card in cards] == [
        f"What post {n} is about, in a sentence or two." for n in range(3)
    ]


def test_a_link_to_another_post_in_running_text_stays_in_the_excerpt() -> None:
    said = (
        'As I wrote in <a href="/posts/9{n}/">an earlier post about queues</a>, backpressure '
        "is the whole game; this time the producer is a browser."
    )
    meta = '<span class="date">2025-12-01</span>'
    html = _page("".join(_card(n, meta=meta, body=f"<p>{said.format(n=n)}</p>") for n in range(3)))
    assert [card["excerpt"] for card in _cards(html)] == [
        "As I wrote in an earlier post about queues, backpressure is the whole game; "
        "this time the producer is a browser."
    ] * 3


def _topic(n: int, node: str) -> str:
    """A forum's topic row as V2EX shows it: avatar, title, node, author, time, replies."""
    return (
        f'<div class="cell item"><table><tr><td><a href="/member/u{n}"><img class="avatar" '
        f'src="/a/{n}.png"></a></td><td><span class="item_title"><a href="/t/10{n}#reply5" '
        f'class="topic-link">Topic number {n} on the forum</a></span><div class="sep5"></div>'
        f'<span class="topic_info">{node} &nbsp;•&nbsp; <strong><a href="/member/u{n}">u{n}'
        f'</a></strong> &nbsp;•&nbsp; <span title="2024-04-0{n + 1} 20:36:40 +08:00">'
        f"4 小时 35 分钟前</span> &nbsp;•&nbsp; 最后回复来自 <strong>"
        f'<a href="/member/w{n}">w{n}</a></strong></span></td><td>'
        f'<a href="/t/10{n}#reply5" class="count_livid">5</a></td></tr></table></div>'
    )


@pytest.mark.parametrize(
    ("node", "category"),
    [
        ('<a class="node" href="/go/python">Python</a>', "Python"),
        ('<a class="node" href="https://b.example/go/create">分享创造</a>', "分享创造"),
        # A redirect of the same shape names no section.
        ('<a href="/go/amazon">Amazon</a>', None),
    ],
)
def test_a_forum_s_node_beside_the_topic_is_its_category(node: str, category: str | None) -> None:
    rows = "".join(_topic(n, node) for n in range(3))
    cards = _cards(f'<html><body><div id="Main"><div class="box">{rows}</div></div></body></html>')
    assert [
        (card["url"], card["title"], card["category"], card["published"]) for card in cards
    ] == [
        (f"{BASE}t/10{n}", f"Topic number {n} on the forum", category, f"2024-04-0{n + 1}")
        for n in range(3)
    ]


def test_a_redirect_shaped_as_a_forum_s_node_is_no_category() -> None:
    meta = '<div class="meta"><a href="/go/amazon" class="btn">Buy on Amazon</a></div>'
    cards = _cards(_page("".join(_card(n, meta=meta) for n in range(3))))
    assert [card["category"] for card in cards] == [None] * 3
