"""A capture's date lines and meta lines read: the date each shows, the category it labels
or names, whether it labels its date.

A date line is a date alone (``2024-03-01``, ``Mar 1, 2024``, ``3 天前``), with its time or
weekday. A meta line labels its date (``发表于 2024-03-01 | 分类于 PyTorch``, ``Posted on
March 1, 2024 by Alice``), leads with it before counts (``2024-03-01 10:23 · 1.2k 阅读``),
or shows names beside it (``Python · 2024-03-01``, read by ``meta_names``). A sentence that
mentions a date is neither.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from feedkeeper.kept import keep_short
from feedkeeper.parse.dates import (
    DATE_RE,
    chinese_numerals_in_digits,
    find_month_day,
    parse_date,
    parse_month_day,
)
from feedkeeper.parse.meta_names import MetaNames, read_meta_names, read_relative_meta
from feedkeeper.parse.vocab import CATEGORY_LABEL_RE, PUBLISHED_RE, RELATIVE_DATE_RE

# Category names are short labels; anything longer is text.
MAX_CATEGORY_CHARS = 40
# A date line or a meta line is short: a longer line mentioning a date is text.
MAX_META_CHARS = 120
# What a date line holds besides its date: a time, separators, a weekday.
_DATE_LINE_REST_RE = re.compile(
    r"^[\s,，·|/\-–—:：()（）]*(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm)?)?"
    r"(?:\s*(?:星期|周|週)[一二三四五六日天])?[\s,，·|/\-–—()（）]*$",
    re.I,
)
# A date the capture shows that no calendar reads (``2024-13-45``, ``03-11``): a date line
# still, and its card is undated.
_DATE_SHAPE_RE = re.compile(r"^\s*\d{1,4}\s*[-/.]\s*\d{1,2}(?:\s*[-/.]\s*\d{1,4})?\s*$")
# A labelled date line's category: "分类于 PyTorch", "Category: NLP", up to the next "|".
_META_CATEGORY_RE = re.compile(
    rf"(?:{CATEGORY_LABEL_RE.pattern.removeprefix('^')}|\bin)\s*[:：]?\s*([^|·,，]+)", re.I
)
# Fields of a meta line after its date, apart.
_META_FIELDS_RE = re.compile(r"[·|•]")


class Meta(NamedTuple):
    """A date line read: its date, the category it labels, whether it labels its date,
    and the names it shows beside its date (a category first, tags apart)."""

    date: str | None
    category: str | None
    labelled: bool
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def one_meta_a_card(metas: list[Meta | None]) -> list[Meta | None]:
    """The meta lines, but for a line shaped as one right after another: a card shows one
    meta line, and the line after its date is its text ("2024-03-04 周报")."""
    return [
        None if at and metas[at - 1] is not None and meta and (meta.categories or meta.tags)
        else meta
        for at, meta in enumerate(metas)
    ]  # fmt: skip


# A capture's reader asks of most lines several times (as a line, as the line after one, as
# the line two before one): each answer is worked out once.
@keep_short(maxsize=4096, chars=MAX_META_CHARS)
def read_meta_line(line: str) -> Meta | None:
    """Read a date line: (its date, the category it labels, whether it labels its date),
    or None for a line that is no date line (a sentence mentioning a date is text)."""
    if len(line) > MAX_META_CHARS:
        return None
    if RELATIVE_DATE_RE.match(line) or _DATE_SHAPE_RE.match(line):
        return Meta(parse_date(line), None, False)
    date = parse_date(line)
    if date is None and (names := read_relative_meta(line)) is not None:
        return _named(None, names)
    if date is None and (named := _yearless_meta(line)) is not None:
        return named
    if date is None:
        return Meta(None, None, False) if parse_month_day(line) and len(line) <= 12 else None
    text = chinese_numerals_in_digits(line)
    found = DATE_RE.search(text)
    if found is None:
        return None
    before, after = text[: found.start()], text[found.end() :]
    if not before.strip() and _DATE_LINE_REST_RE.match(after):
        return Meta(date, None, False)  # the date alone, with its time or weekday
    # Else a meta line: its date labelled ("发表于", "Posted on"), names beside it
    # ("Python · 2024-03-01"), or leading meta fields ("2024-03-01 10:23 · 1.2k 阅读 · 10
    # 点赞"); a sentence mentioning a date is text.
    labelled = PUBLISHED_RE.search(before) is not None
    if not labelled and (names := read_meta_names(before, after)) is not None:
        return _named(date, names)
    if not labelled and (before.strip() or _META_FIELDS_RE.search(after) is None):
        return None
    found_category = _META_CATEGORY_RE.search(line)
    name = found_category.group(1).strip() if found_category else None
    return Meta(date, name if name and len(name) <= MAX_CATEGORY_CHARS else None, True)


def _yearless_meta(line: str) -> Meta | None:
    """Read a meta line whose date shows no year ("Python · 03-11", "3月11日 · Python",
    "Mar 11 · Python"), as a listing shows its posts of the current year, or None.

    Its card is undated: the year is not guessed. The parse stage reads the text alone
    (a reparse reads a stored capture as the import did), and a capture's file time, the
    one time it could take a year from, is the time of a copy as often as of the save.
    """
    span = find_month_day(line)
    if span is None:
        return None
    names = read_meta_names(line[: span[0]], line[span[1] :])
    return _named(None, names) if names is not None else None


def _named(date: str | None, names: MetaNames) -> Meta:
    """The meta line that shows these names beside its date."""
    category = names.categories[0] if names.categories else None
    return Meta(date, category, True, names.categories, names.tags)
