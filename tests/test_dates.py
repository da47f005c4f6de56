"""Dates as blogs write them: every accepted form, machine values, year-less dates."""

from __future__ import annotations

import pytest

from feedkeeper.parse import parse_listing
from feedkeeper.parse.date_parts import is_date_part, parse_split_date
from feedkeeper.parse.dates import parse_date, parse_month_day, with_year
from feedkeeper.parse.machine_dates import parse_machine_date, parse_machine_value, parse_timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-11", "2026-01-11"),
        ("2026/01/11", "2026-01-11"),
        ("2026/1/11", "2026-01-11"),
        ("2026.01.11", "2026-01-11"),
        ("2026年1月11日", "2026-01-11"),
        ("2026 年 1 月 11 日", "2026-01-11"),
        ("Jan 11, 2026", "2026-01-11"),
        ("January 25, 2023", "2023-01-25"),
        ("Sept. 3rd, 2024", "2024-09-03"),
        ("11 Jan 2026", "2026-01-11"),
        ("发表于 2018-10-21", "2018-10-21"),
        ("Thu, May  9, 2024, 12:00 AM +0100", "2024-05-09"),
    ],
)
def test_visible_dates(text: str, expected: str) -> None:
    assert parse_date(text) == expected


def test_the_first_date_in_the_text_wins() -> None:
    assert parse_date("Updated Feb 1, 2026 (first posted 2026-01-11)") == "2026-02-01"


@pytest.mark.parametrize("text", ["", "no date here", "2026-13-45", "Chapter 11, 2026 words"])
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


def test_an_impossible_date_gives_way_to_a_later_one() -> None:
    assert parse_date("2026-02-30 or 2026-03-01") == "2026-03-01"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("May  9", (5, 9)), ("9 May", (5, 9)), ("Dec 28", (12, 28)), ("1月11日", (1, 11))],
)
def test_dates_without_a_year(text: str, expected: tuple[int, int]) -> None:
    assert parse_month_day(text) == expected


def test_a_date_with_a_year_is_not_a_month_day() -> None:
    assert parse_month_day("May 9, 2024") is None


def test_february_29_takes_only_a_leap_year() -> None:
    assert parse_month_day("Feb 29") == (2, 29)
    assert with_year(2024, (2, 29)) == "2024-02-29"
    assert with_year(2025, (2, 29)) is None


@pytest.mark.parametrize(
    ("value", "date", "stamp"),
    [
        ("2018-10-21", "2018-10-21", None),
        ("2024-11-05T14:40:00.000Z", "2024-11-05", "2024-11-05T14:40:00.000Z"),
        ("2024-05-09 00:00:00 +0100", "2024-05-09", "2024-05-09T00:00:00+01:00"),
        ("2023-01-25 18:36:39 +0000 UTC", "2023-01-25", "2023-01-25T18:36:39+00:00"),
        ("2026-04-08 00:00", "2026-04-08", "2026-04-08T00:00"),
        # The local date as written: no time-zone conversion.
        ("2026-01-11T00:30:00+08:00", "2026-01-11", "2026-01-11T00:30:00+08:00"),
    ],
)
def test_machine_values(value: str, date: str, stamp: str | None) -> None:
    assert parse_machine_date(value) == date
    assert parse_timestamp(value) == stamp
    assert parse_machine_value(value) == (date, stamp)


@pytest.mark.parametrize(
    ("value", "date", "stamp"),
    [
        ("2024-02-30T10:00:00Z", None, None),  # no such day: no date, no timestamp
        ("2024-05-09T25:00:00Z", "2024-05-09", None),  # no such hour: the date alone
        ("1970-01-01T00:00:00Z", None, None),  # the epoch stands for no date
        ("May 9, 2024", "2024-05-09", None),  # not machine-shaped: read as text
        ("soon", None, None),
    ],
)
def test_odd_machine_values(value: str, date: str | None, stamp: str | None) -> None:
    assert parse_machine_value(value) == (date, stamp)
    assert parse_machine_date(value) == date
    assert parse_timestamp(value) == stamp


def _card_with(date_markup: str, url: str = "/posts/a/") -> str:
    card = (
        '<article class="post"><h2><a href="{url}">Title {n}</a></h2>'
        '<div class="meta">{date}</div><p>Some excerpt text for post {n}.</p></article>'
    )
    cards = [card.format(url=url, n=0, date=date_markup)]
    cards += [card.format(url=f"/posts/other-{n}/", n=n, date="") for n in range(1, 3)]
    return f"<html><body><main>{''.join(cards)}</main></body></html>"


def _published(date_markup: str, url: str = "/posts/a/") -> str | None:
    return parse_listing(_card_with(date_markup, url), "https://blog.example/").cards[0].published


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<span>2026-01-11</span>", "2026-01-11"),
        ("<span>2026/01/11</span>", "2026-01-11"),
        ("<span>2026.01.11</span>", "2026-01-11"),
        ("<span>2026年1月11日</span>", "2026-01-11"),
        ("<span>Jan 11, 2026</span>", "2026-01-11"),
        ("<span>January 25, 2023</span>", "2023-01-25"),
        ('<time datetime="2026-01-11">a while ago</time>', "2026-01-11"),
        ('<meta itemprop="datePublished" content="2026-01-11">', "2026-01-11"),
    ],
)
def test_card_dates_in_every_form(markup: str, expected: str) -> None:
    assert _published(markup) == expected


def test_visible_date_with_a_year_beats_a_utc_attribute() -> None:
    markup = '<time datetime="2026-01-10T16:30:00Z">Jan 11, 2026</time>'
    assert _published(markup) == "2026-01-11"


def test_yearless_visible_date_takes_the_attribute_as_a_local_date() -> None:
    markup = '<em date="2024-05-09 00:00:00 +0100">May  9</em>'
    assert _published(markup) == "2024-05-09"


def test_yearless_visible_date_takes_the_year_of_the_post_url() -> None:
    assert _published("<span>May 9</span>", url="/2024/05/09/a/") == "2024-05-09"


def test_published_beats_updated_whatever_the_order() -> None:
    markup = (
        '<span>更新于</span><time datetime="2026-02-01">2026-02-01</time>'
        '<span>发表于</span><time datetime="2026-01-11">2026-01-11</time>'
    )
    assert _published(markup) == "2026-01-11"


def test_last_modified_alone_is_not_a_published_date() -> None:
    markup = '<time datetime="2026-02-01"><i>最后修改: </i>2026-02-01</time>'
    assert _published(markup) is None


def test_timestamp_is_kept_beside_the_date() -> None:
    html = _card_with('<time datetime="2026-01-11T00:30:00+08:00">Jan 11, 2026</time>')
    card = parse_listing(html, "https://blog.example/").cards[0]
    assert (card.published, card.published_at) == ("2026-01-11", "2026-01-11T00:30:00+08:00")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15. März 2024", "2024-03-15"),
        ("1er avril 2024", "2024-04-01"),
        ("Publié le 3 févr. 2024", "2024-02-03"),
        ("15 de marzo de 2024", "2024-03-15"),
        ("sexta-feira, 15 de março de 2024", "2024-03-15"),
        ("15 settembre 2023", "2023-09-15"),
        ("15 maart 2024", "2024-03-15"),
        ("15 марта 2024 г.", "2024-03-15"),
        ("15 września 2023", "2023-09-15"),
        ("5 MAYIS 2024", "2024-05-05"),
        ("2024년 3월 15일", "2024-03-15"),
        ("2024. 3. 15.", "2024-03-15"),
        ("15th March 2024", "2024-03-15"),
        ("Friday 15th March, 2024", "2024-03-15"),
        ("15.03.2024", "2024-03-15"),
        ("15/03/2024", "2024-03-15"),
        ("03/15/2024", "2024-03-15"),
        ("15-03-2024", "2024-03-15"),
    ],
)
def test_dates_in_other_languages_and_orders(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["3 ago", "9 set", "out 5"])
def test_month_abbreviations_that_are_words_need_a_year(text: str) -> None:
    assert parse_month_day(text) is None


@pytest.mark.parametrize(
    ("text", "expected"), [("15. März", (3, 15)), ("15 de marzo", (3, 15)), ("1er avril", (4, 1))]
)
def test_yearless_dates_in_other_languages(text: str, expected: tuple[int, int]) -> None:
    assert parse_month_day(text) == expected


@pytest.mark.parametrize("text", ["v1.2.2024", "1.2.3.2024", "12/31/20245"])
def test_numbers_that_only_look_like_dates(text: str) -> None:
    assert parse_date(text) is None


def _numeric_page(lang: str, dates: list[str]) -> str:
    cards = "".join(
        f'<article class="post"><h2><a href="/p/{n}/">Post {n}</a></h2>'
        f'<div class="meta"><span>{day}</span></div><p>Excerpt of post {n}.</p></article>'
        for n, day in enumerate(dates)
    )
    return f'<html lang="{lang}"><body><main>{cards}</main></body></html>'


@pytest.mark.parametrize(
    ("lang", "dates", "expected"),
    [
        # another date of the page reads one way only: the page's way
        (
            "en",
            ["03/04/2024", "25/03/2024", "01/02/2024"],
            ["2024-04-03", "2024-03-25", "2024-02-01"],
        ),
        (
            "en",
            ["03/04/2024", "03/25/2024", "01/02/2024"],
            ["2024-03-04", "2024-03-25", "2024-01-02"],
        ),
        # none does: the page's language tells
        (
            "en-GB",
            ["03/04/2024", "05/06/2024", "01/02/2024"],
            ["2024-04-03", "2024-06-05", "2024-02-01"],
        ),
        (
            "en-US",
            ["03/04/2024", "05/06/2024", "01/02/2024"],
            ["2024-03-04", "2024-05-06", "2024-01-02"],
        ),
        (
            "fr",
            ["03-04-2024", "05-06-2024", "01-02-2024"],
            ["2024-04-03", "2024-06-05", "2024-02-01"],
        ),
    ],
)
def test_a_numeric_date_that_reads_either_way_is_read_the_pages_way(
    lang: str, dates: list[str], expected: list[str]
) -> None:
    cards = parse_listing(_numeric_page(lang, dates), "https://blog.example/").cards
    assert [card.published for card in cards] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٢٠٢٤/٠٣/١٥", "2024-03-15"),  # Arabic-Indic digits, the Gregorian calendar
        ("۱۴۰۳/۰۱/۱۵", None),  # the Persian calendar's year 1403: no Gregorian date
        ("15 มีนาคม 2567", None),  # the Thai Buddhist year 2567
        ("2567-03-15", None),
        ("1899-12-31", None),
    ],
)
def test_a_year_of_another_calendar_is_no_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def _day_first() -> bool:
    return True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 Mar 2024", ("2024-03-15", None)),
        ("MAR 15 2024", ("2024-03-15", None)),
        ("2024 Mar 15", ("2024-03-15", None)),
        ("15. März 2024", ("2024-03-15", None)),
        ("Fri 15 March, 2024", ("2024-03-15", None)),
        ("15 de marzo de 2024", ("2024-03-15", None)),
        ("2024 03-15", ("2024-03-15", None)),
        ("2024 03.15", ("2024-03-15", None)),
        ("2024年 3月 15日", ("2024-03-15", None)),
        ("2024년 3월 15일", ("2024-03-15", None)),
        ("15 / 03 / 2024", ("2024-03-15", None)),
        ("05 / 04 / 2024", ("2024-04-05", None)),  # the page writes the day first
        ("3月 15", (None, (3, 15))),
        ("15 марта", (None, (3, 15))),
        ("Feb 29", (None, (2, 29))),
        # No date: two bare numbers without a year, a number and a year, a day too many.
        ("15 12", (None, None)),
        ("2024 12", (None, None)),
        ("31 Feb 2024", (None, None)),
        ("15 Mar 2024 2025", (None, None)),
        ("3 min 2024", (None, None)),
    ],
)
def test_a_date_split_over_elements_is_read_from_its_joined_parts(
    text: str, expected: tuple[str | None, tuple[int, int] | None]
) -> None:
    assert parse_split_date(text, _day_first) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15", True),
        ("Mar.", True),
        ("2024年", True),
        (" / ", True),
        ("Wednesday", True),
        ("3 min", False),
        ("1.2k", False),
        ("阅读(36)", False),
        ("Posted on", False),
    ],
)
def test_what_may_be_a_part_of_a_split_date(text: str, expected: bool) -> None:
    assert is_date_part(text) is expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<div class="badge"><span>15</span><span>Mar</span><span>2024</span></div>', "2024-03-15"),
        ("<div>MAR<br>15<br>2024</div>", "2024-03-15"),
        ("<div>2024<br>03-15</div>", "2024-03-15"),
        ("<div><strong>15</strong> March, 2024</div>", "2024-03-15"),
        ("<div><span>2024</span><div><span>Mar</span><span>15</span></div></div>", "2024-03-15"),
        ('<time datetime="2024-03-15"><span>15</span><span>Mar</span></time>', "2024-03-15"),
        # The visible date, split, beats a UTC attribute on the day before.
        (
            '<time datetime="2024-03-14T23:00:00Z"><b>15</b><b>Mar</b><b>2024</b></time>',
            "2024-03-15",
        ),
        # A month and a day with no year anywhere: no date rather than a guessed year.
        ('<div class="badge"><span>Mar</span><span>15</span></div>', None),
        # Numbers beside a date's parts that are no date: counts and a year.
        ("<div><span>12</span><span>2024</span></div>", None),
        ("<div><span>15</span><span>Mar</span><span>2024</span> by ada</div>", None),
    ],
)
def test_a_card_date_split_over_elements(markup: str, expected: str | None) -> None:
    assert _published(markup) == expected


def test_a_split_yearless_date_takes_the_year_of_the_post_url() -> None:
    markup = '<div class="badge"><span>3月</span><span>15</span></div>'
    assert _published(markup, url="/2024/03/15/a/") == "2024-03-15"


def test_a_split_date_in_the_title_s_heading_is_no_part_of_the_title() -> None:
    cards = "".join(
        f'<article><h2><span class="date"><span>1{n}</span><span>Mar</span>'
        f'<span>2024</span></span> Title {n}</h2><a class="cover" href="/p/{n}/"></a>'
        f"<p>The excerpt of post {n}.</p></article>"
        for n in range(3)
    )
    page = parse_listing(f"<html><body><main>{cards}</main></body></html>", "https://b.example/")
    first = page.cards[0]
    assert (first.title, first.published, first.excerpt) == (
        "Title 0",
        "2024-03-10",
        "The excerpt of post 0.",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三月 1, 2024", "2024-03-01"),  # WordPress zh_CN under a theme writing "F j, Y"
        ("发布于 十二月 25, 2023", "2023-12-25"),
        ("十一月 3, 2024", "2024-11-03"),
        ("一月 2024", None),
        ("三月的雨", None),
    ],
)
def test_a_chinese_month_by_numeral_before_its_day_and_year(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二〇二四年三月十五日", "2024-03-15"),
        ("二零二三年十二月三十一日", "2023-12-31"),
        ("发表于 二〇二四年二月一日 星期四", "2024-02-01"),
        ("二〇二四年十月二十日", "2024-10-20"),
        ("二〇二四年二月十日", "2024-02-10"),
        ("一九九九年十一月十一日", "1999-11-11"),
        ("二〇二四年二月三十日", None),  # no such day
        ("二〇二四年三月", None),  # a month, not a date
    ],
)
def test_a_date_in_chinese_numerals(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_a_card_dated_in_chinese_numerals() -> None:
    assert _published('<span class="date">二〇二四年三月十五日</span>') == "2024-03-15"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/2024/03/15/pytorch-ddp/", "2024-03-15"),  # WordPress, Hexo's default permalinks
        ("/2024/3/5/notes.html", "2024-03-05"),
        ("/blog/2024-03-15-pytorch-ddp.html", "2024-03-15"),  # Jekyll's file names
        ("/2024/03/pytorch-ddp/", None),  # a month is no date
        ("/2024/13/15/pytorch-ddp/", None),
        ("/posts/pytorch-ddp/?from=/2024/03/15/", None),  # the path's, not the query's
    ],
)
def test_a_card_showing_no_date_takes_its_address_s(url: str, expected: str | None) -> None:
    assert _published('<span class="views">阅读 12</span>', url=url) == expected


def test_a_date_the_card_shows_comes_before_its_address_s() -> None:
    assert _published("<span>2024-03-16</span>", url="/2024/03/15/a/") == "2024-03-16"
