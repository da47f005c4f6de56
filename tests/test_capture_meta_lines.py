"""Captures whose posts show their category and date on one meta line, wherever it stands."""

from __future__ import annotations

import pytest

from feedkeeper.errors import ParseError
from feedkeeper.parse import parse_capture

DECORATORS = "装饰器本质上是一个返回函数的函数，本文从闭包讲起，解释语法糖到底做了什么。"
ATTENTION = "自注意力的时间复杂度是 [Math] ，线性注意力换掉了 softmax，先算 [公式] 再复用。"
ADAMW = "AdamW decouples weight decay from the gradient update, and this note shows why."

TWO_POSTS = [
    ("装饰器入门", "Python", "2026-01-10", DECORATORS),
    ("线性注意力", "NLP", "2026-01-09", ATTENTION),
]


def _read(text: str) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """Each card as (title, category, published, excerpt)."""
    cards = parse_capture(text).cards
    return [(card.title, card.category, card.published, card.excerpt) for card in cards]


def test_a_meta_line_above_the_title() -> None:
    text = (
        "LATEST UPDATES\n"
        f"Python · 2026-01-10\n装饰器入门\n{DECORATORS}\n"
        f"NLP · 2026-01-09\n线性注意力\n{ATTENTION}\n"
        "1 2\n"
    )
    assert _read(text) == TWO_POSTS


@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_a_meta_line_below_the_excerpt(gap: str) -> None:
    text = (
        f"装饰器入门\n{DECORATORS}\nPython | 2026-01-10\n{gap}"
        f"线性注意力\n{ATTENTION}\nNLP | 2026-01-09\n{gap}"
    )
    assert _read(text) == TWO_POSTS


@pytest.mark.parametrize("meta", ["{} | {}", "{} · {}"])
def test_short_excerpts_above_a_meta_line_closing_each_card(meta: str) -> None:
    """Excerpts as short as titles: a meta line last, with nothing after it, closes each
    card (the first card's lines were taken for a header, and the second card's meta line
    for the first's)."""
    text = (
        f"标题一\n这是第一篇的摘要，讲模型训练。\n{meta.format('Python', '2026-01-10')}\n\n"
        f"标题二\n这是第二篇的摘要，讲显存优化。\n{meta.format('PyTorch', '2026-01-11')}\n"
    )
    assert _read(text) == [
        ("标题一", "Python", "2026-01-10", "这是第一篇的摘要，讲模型训练。"),
        ("标题二", "PyTorch", "2026-01-11", "这是第二篇的摘要，讲显存优化。"),
    ]


def test_a_date_first_meta_line_below_the_excerpt_names_the_category() -> None:
    """The excerpt was the title and the next post's title the excerpt."""
    text = (
        f"装饰器入门\n{DECORATORS}\n2026-01-10 · Python\n"
        f"线性注意力\n{ATTENTION}\n2026-01-09 · NLP\n"
    )
    assert _read(text) == TWO_POSTS


def test_a_meta_line_between_the_title_and_the_excerpt() -> None:
    text = (
        "博客 首页\n"
        f"装饰器入门\nPython · 2026-01-10\n{DECORATORS}\n\n"
        f"线性注意力\nNLP · 2026-01-09\n{ATTENTION}\n\n"
        "下一页\n"
    )
    assert _read(text) == TWO_POSTS


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Python / 2026-01-10", "NLP / 2026-01-09"),
        ("Python - 2026-01-10", "NLP - 2026-01-09"),
        ("Python•2026-01-10", "NLP•2026-01-09"),
        ("Python 丨 2026-01-10", "NLP 丨 2026-01-09"),
        ("Python\t2026-01-10", "NLP\t2026-01-09"),
        ("Python  2026-01-10", "NLP  2026-01-09"),
        ("[Python] 2026-01-10", "[NLP] 2026-01-09"),
        ("Python 2026-01-10", "NLP 2026-01-09"),
        ("2026-01-10 | Python", "2026-01-09 | NLP"),
        ("2026-01-10 10:23 · Python", "2026-01-09 21:05:11 · NLP"),
        ("Jan 10, 2026 · Python", "Jan 9, 2026 · NLP"),
        ("2026年1月10日 丨 Python", "2026年1月9日 丨 NLP"),
        ("2026/01/10 - Python", "2026/01/09 - NLP"),
        ("分类：Python | 2026-01-10", "分类：NLP | 2026-01-09"),
    ],
)
@pytest.mark.parametrize("place", ["opens", "inside", "closes"])
def test_every_separator_and_order_of_a_meta_line(first: str, second: str, place: str) -> None:
    posts = [("装饰器入门", first, DECORATORS), ("线性注意力", second, ATTENTION)]
    orders = {
        "opens": lambda t, m, e: [m, t, e],
        "inside": lambda t, m, e: [t, m, e],
        "closes": lambda t, m, e: [t, e, m],
    }
    lines = [line for post in posts for line in orders[place](*post)]
    assert _read("\n".join(lines) + "\n") == TWO_POSTS


def test_three_posts_with_a_time_and_several_categories_and_tags() -> None:
    text = (
        f"装饰器入门\n{DECORATORS}\n2026-01-10 10:23 · Python, 语法 · #decorator\n"
        f"线性注意力\n{ATTENTION}\n2026-01-09 08:00 · NLP · #attention #linear\n"
        f"A Short Note on AdamW\n{ADAMW}\n2026-01-08 · Optimization\n"
        "加载更多\n"
    )
    cards = parse_capture(text).cards
    assert [(c.title, c.category, c.categories, c.tags, c.published) for c in cards] == [
        ("装饰器入门", "Python", ("Python", "语法"), ("decorator",), "2026-01-10"),
        ("线性注意力", "NLP", ("NLP",), ("attention", "linear"), "2026-01-09"),
        ("A Short Note on AdamW", "Optimization", ("Optimization",), (), "2026-01-08"),
    ]
    assert [card.excerpt for card in cards] == [DECORATORS, ATTENTION, ADAMW]


def test_lines_are_the_card_s_by_their_place_not_their_look() -> None:
    """A short excerpt and a title ending as a sentence: the pattern says which is which."""
    text = (
        "Python · 2026-01-10\n装饰器真的只是语法糖吗？\n随手记：是的。\n"
        "NLP · 2026-01-09\n线性注意力\n注意力的计算量随着序列长度平方增长，线性注意力换掉了它。\n"
        "Tools · 2026-01-08\nCUDA 升级\n升级 CUDA 12。\n"
    )
    assert _read(text) == [
        ("装饰器真的只是语法糖吗？", "Python", "2026-01-10", "随手记：是的。"),
        ("线性注意力", "NLP", "2026-01-09",
         "注意力的计算量随着序列长度平方增长，线性注意力换掉了它。"),
        ("CUDA 升级", "Tools", "2026-01-08", "升级 CUDA 12。"),
    ]  # fmt: skip


def test_a_pin_line_pins_the_card_it_stands_before() -> None:
    text = (
        f"置顶\nPython · 2026-01-10\n装饰器入门\n{DECORATORS}\n"
        f"NLP · 2026-01-09\n线性注意力\n{ATTENTION}\n"
    )
    assert [card.pinned for card in parse_capture(text).cards] == [True, False]


def test_a_pin_line_before_every_card_pins_none() -> None:
    posts = [*TWO_POSTS, ("CUDA 升级", "Tools", "2026-01-08", ADAMW)]
    text = "".join(
        f"置顶\n{category} · {date}\n{title}\n{excerpt}\n"
        for title, category, date, excerpt in posts
    )
    cards = parse_capture(text).cards
    assert [(card.title, card.pinned) for card in cards] == [
        ("装饰器入门", False),
        ("线性注意力", False),
        ("CUDA 升级", False),
    ]


def test_an_excerpt_beginning_with_a_date_is_no_meta_line() -> None:
    text = (
        f"装饰器入门\n{DECORATORS}\nPython · 2026-01-10\n"
        "新版本发布\n2026-01-10 发布的新版本支持更多的平台和更快的启动速度…\nPython · 2026-01-09\n"
        f"线性注意力\n{ATTENTION}\nNLP · 2026-01-08\n"
    )
    assert _read(text) == [
        ("装饰器入门", "Python", "2026-01-10", DECORATORS),
        ("新版本发布", "Python", "2026-01-09",
         "2026-01-10 发布的新版本支持更多的平台和更快的启动速度"),
        ("线性注意力", "NLP", "2026-01-08", ATTENTION),
    ]  # fmt: skip


def test_a_title_with_a_separator_and_no_date_is_no_meta_line() -> None:
    text = (
        f"Python 3.13 · 新特性\nPython · 2026-01-10\n{DECORATORS}\n"
        f"Python 3.12 · 回顾\nPython · 2026-01-09\n{ATTENTION}\n"
    )
    assert _read(text) == [
        ("Python 3.13 · 新特性", "Python", "2026-01-10", DECORATORS),
        ("Python 3.12 · 回顾", "Python", "2026-01-09", ATTENTION),
    ]


def test_sentences_mentioning_a_date_are_no_posts() -> None:
    """Lines of a text that mention dates, with no listing's meta line: no capture."""
    text = (
        "2026-01-10 发布的新版本支持更多的平台…\n"
        "我们在 2026-01-09 修复了启动时崩溃的问题，请尽快升级。\n"
    )
    with pytest.raises(ParseError):
        parse_capture(text)


def test_the_seeds_layout_keeps_a_short_excerpt_that_starts_with_a_date() -> None:
    """A category line, a date line, then an excerpt shaped like a meta line: the
    capture's pattern is the seeds', and the excerpt stays the card's."""
    text = (
        f"Python\n2026-01-10\n{DECORATORS}\n"
        "NLP\n2026-01-09\n2026-01-09 周报\n"
        f"Python\n2026-01-08\n{ATTENTION}\n"
    )
    assert _read(text) == [
        (None, "Python", "2026-01-10", DECORATORS),
        (None, "NLP", "2026-01-09", "2026-01-09 周报"),
        (None, "Python", "2026-01-08", ATTENTION),
    ]


@pytest.mark.parametrize("when", ["3 天前", "昨天", "刚刚", "半小时前", "just now", "an hour ago"])
def test_a_relative_date_beside_the_category_and_a_badge_above_the_title(when: str) -> None:
    """ "3 天前" is a date line the reader knows, and so is one said without a digit
    ("昨天", "an hour ago"): beside a category, no date but the category; a "原创" badge is
    neither the title nor the excerpt."""
    text = (
        f"Python · {when}\n原创\n装饰器入门\n{DECORATORS}\n"
        f"NLP · 2026-01-09\n线性注意力\n{ATTENTION}\n"
    )
    assert _read(text) == [
        ("装饰器入门", "Python", None, DECORATORS),
        ("线性注意力", "NLP", "2026-01-09", ATTENTION),
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Python · 03-11", "NLP · 03-09"),
        ("3月11日 · Python", "3月9日 · NLP"),
        ("Mar 11 · Python", "Mar 9 · NLP"),
        ("Python | 11 Mar", "NLP | 9 Mar"),
    ],
)
@pytest.mark.parametrize("place", ["opens", "closes"])
def test_a_meta_line_whose_date_shows_no_year(first: str, second: str, place: str) -> None:
    """A listing shows its posts of the current year without it: the category is read, and
    the date, whose year the text does not tell, is left out."""
    if place == "opens":
        text = f"{first}\n装饰器入门\n{DECORATORS}\n{second}\n线性注意力\n{ATTENTION}\n"
    else:
        text = f"装饰器入门\n{DECORATORS}\n{first}\n线性注意力\n{ATTENTION}\n{second}\n"
    assert _read(text) == [
        ("装饰器入门", "Python", None, DECORATORS),
        ("线性注意力", "NLP", None, ATTENTION),
    ]


def test_a_version_or_a_part_beside_a_name_is_no_yearless_date() -> None:
    text = f"Python · 2026-01-10\nPart 1/2 · Python 3.13\n{DECORATORS}\n"
    assert _read(text) == [("Part 1/2 · Python 3.13", "Python", "2026-01-10", DECORATORS)]
