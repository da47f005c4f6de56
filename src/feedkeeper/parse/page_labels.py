"""The page number a pager link's text shows: "2", and in Chinese "第 2 页", "第二页", "二".

Chinese blogs number their pagers in words as often as in digits ("上一页 一 二 三 下一页",
"第 2 页 第 3 页"). Only a whole text is read so: "第二章 缓存" and "第一次使用" are titles,
"第一篇" is a series' part, and none of them a page.
"""

from __future__ import annotations

import re

# Page numbers have at most this many digits ("12345"; a longer run is an id).
MAX_DIGITS = 5
_NUMERALS = "一二三四五六七八九"
_DIGIT_OF = {numeral: value for value, numeral in enumerate(_NUMERALS, start=1)}
# The characters a Chinese page label starts with: any other text fails at once.
_LABEL_STARTS = frozenset("第十" + _NUMERALS)
_PAGE_LABEL_RE = re.compile(rf"第\s*(\d{{1,{MAX_DIGITS}}}|[十{_NUMERALS}]{{1,3}})\s*[页頁]")


def label_number(text: str) -> int | None:
    """Return the page number a pager link's text shows, or None for any other text."""
    if text.isdecimal():  # int() reads every decimal digit, and no "②"
        return int(text) if len(text) <= MAX_DIGITS else None
    if not text or text[0] not in _LABEL_STARTS:
        return None
    label = _PAGE_LABEL_RE.fullmatch(text)
    if label is None:
        return chinese_number(text)
    shown = label.group(1)
    return int(shown) if shown.isdecimal() else chinese_number(shown)


def chinese_number(text: str) -> int | None:
    """Return the number Chinese numerals write from 一 (1) to 九十九 (99), or None."""
    if len(text) > 3:
        return None
    tens, ten, units = text.partition("十")
    if not ten:
        return _DIGIT_OF.get(text)
    high = _DIGIT_OF.get(tens) if tens else 1  # "十二" is twelve, "二十" twenty
    low = _DIGIT_OF.get(units) if units else 0
    return None if high is None or low is None else high * 10 + low
