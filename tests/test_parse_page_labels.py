"""The page number a pager link's text shows, in digits and in Chinese."""

from __future__ import annotations

import pytest

from feedkeeper.parse.page_labels import label_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2", 2),
        ("12345", 12345),
        ("第2页", 2),
        ("第 12 页", 12),
        ("第 3 頁", 3),
        ("第二页", 2),
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("九十九", 99),
    ],
)
def test_page_labels_read_as_numbers(text: str, number: int) -> None:
    assert label_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "123456",  # an id, longer than any page number
        "②",
        "第二章 缓存",
        "第一次使用",
        "第一篇",
        "第二页 缓存",
        "十十",
        "一百",
        "二三",
        "下一页",
        "Page 2",
    ],
)
def test_other_texts_read_as_no_number(text: str) -> None:
    assert label_number(text) is None
