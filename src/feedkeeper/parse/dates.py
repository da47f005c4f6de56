"""Dates as blogs write them in text, read into ISO ``YYYY-MM-DD``: month names in the
languages blogs are written in, numeric dates read the page's way, dates without a year and
the group headings of archive lists.

Dates in elements of their own are read in ``date_parts.py``, values written for machines in
``machine_dates.py``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import date

# Month names as blogs write them, one group a month: English, then the languages blogs
# are most often written in, in the forms their dates take (Russian's, Polish's, Czech's
# and Ukrainian's genitive: "15 марта", "15 marca"), with the usual abbreviations.
_MONTH_GROUPS: list[tuple[str, ...]] = [
    ("jan", "january", "januar", "jänner", "janv", "janvier", "enero", "ene", "janeiro",
     "gennaio", "gen", "januari", "январь", "января", "янв", "styczeń", "stycznia", "ocak",
     "leden", "ledna", "січня"),
    ("feb", "february", "februar", "févr", "février", "fevrier", "febrero", "fevereiro", "fev",
     "febbraio", "februari", "февраль", "февраля", "фев", "luty", "lutego", "şubat", "subat",
     "únor", "února", "лютого"),
    ("mar", "march", "märz", "mär", "maerz", "mars", "marzo", "março", "maart", "mrt", "maret",
     "март", "марта", "marzec", "marca", "mart", "březen", "března", "березня"),
    ("apr", "april", "avr", "avril", "abril", "abr", "aprile", "апрель", "апреля", "kwiecień",
     "kwietnia", "nisan", "duben", "dubna", "квітня"),
    ("may", "mai", "mayo", "maio", "maggio", "mag", "mei", "май", "мая", "maj", "maja",
     "mayıs", "květen", "května", "травня"),
    ("jun", "june", "juni", "juin", "junio", "junho", "giugno", "giu", "июнь", "июня",
     "czerwiec", "czerwca", "haziran", "červen", "června", "червня"),
    ("jul", "july", "juli", "juillet", "juil", "julio", "julho", "luglio", "lug", "июль",
     "июля", "lipiec", "lipca", "temmuz", "červenec", "července", "липня"),
    ("aug", "august", "août", "aout", "agosto", "ago", "augustus", "agustus", "augusti",
     "август", "августа", "авг", "sierpień", "sierpnia", "ağustos", "srpen", "srpna",
     "серпня"),
    ("sep", "sept", "september", "septembre", "septiembre", "setiembre", "setembro", "set",
     "settembre", "сентябрь", "сентября", "сен", "сент", "wrzesień", "września", "eylül",
     "září", "вересня"),
    ("oct", "october", "oktober", "okt", "octobre", "octubre", "outubro", "out", "ottobre",
     "ott", "октябрь", "октября", "окт", "październik", "października", "ekim", "říjen",
     "října", "жовтня"),
    ("nov", "november", "novembre", "noviembre", "novembro", "ноябрь", "ноября", "ноя",
     "listopad", "listopada", "kasım", "listopadu", "листопада"),
    ("dec", "december", "dezember", "dez", "décembre", "déc", "decembre", "diciembre", "dic",
     "dezembro", "dicembre", "desember", "декабрь", "декабря", "дек", "grudzień", "grudnia",
     "aralık", "prosinec", "prosince", "грудня"),
]  # fmt: skip
# Chinese months by numeral (WordPress zh_CN under a theme that writes "F j, Y": "三月 1, 2024").
_ZH_MONTHS = ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
              "十一月", "十二月")  # fmt: skip
_MONTHS = {name: number for number, names in enumerate(_MONTH_GROUPS, start=1) for name in names}
_MONTHS.update({name: number for number, name in enumerate(_ZH_MONTHS, start=1)})
# A date in Chinese numerals: a year digit by digit, a month and a day by value
# ("二〇二四年三月十五日", "二零二三年十二月三十一日").
_ZH_DIGITS = {char: value for value, char in enumerate("〇一二三四五六七八九")} | {"零": 0}
_ZH_NUMERAL_DATE_RE = re.compile(
    r"([〇零一二三四五六七八九]{4})\s*年\s*(十[一二]?|[一二三四五六七八九])\s*月"
    r"(?:\s*((?:[一二]?十|三十)[一二三四五六七八九]?|三十一?|[一二三四五六七八九])\s*[日号])?"
)
# Short names that are words too ("3 ago", "set 2"): months only in a date with a year.
_WORD_NAMES = frozenset({"ago", "set", "out", "gen", "mag", "giu", "lug", "ott", "dic", "mart"})


def _names(names: set[str]) -> str:
    """Return an alternation of month names, longest first (``march`` before ``mar``)."""
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


# Every month's names, as one alternation for a pattern.
MONTH_NAMES = _names(set(_MONTHS))
_DAY_MONTH_NAMES = _names(set(_MONTHS) - _WORD_NAMES)
# The letters a month's name can start with, for the lookahead below.
_NAME_STARTS = "".join(sorted({name[0] for name in _MONTHS}))
# A day's ordinal mark: "15th", "1er" (French), "15." (German), "1º" (Spanish).
_DAY_MARK = r"(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?"

# One pass finds, in order, year-first numeric dates (2026-01-11, 2026/1/11, 2026.01.11,
# 2026年1月11日, 2026년 1월 11일), month-name dates (Jan 11, 2026 / January 11 2026 /
# 11 Jan 2026 / 11. Januar 2026 / 11 de enero de 2026 / 11 января 2026), day-first dates
# with dots (11.01.2026, as Europe writes them) and dates with the year last and slashes
# or hyphens (01/11/2026, 11-01-2026, 1/11/26: which comes first is the page's, see
# ``_ymd``), and WordPress's Chinese "1月 11, 2026".
# The lookahead lets the positions where no date can start (no digit, no month's first
# letter) fail at once.
DATE_RE = re.compile(
    rf"(?=[\d{_NAME_STARTS}])(?:(?<!\d)(?P<y1>\d{{4}})\s*[-/.年년]\s*(?P<m1>\d{{1,2}})\s*[-/.月월]"
    r"\s*(?P<d1>\d{1,2})(?!\d)\s*[日일]?"
    rf"|\b(?P<n2>{MONTH_NAMES})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?[,.]?\s+(?P<y2>\d{{4}})\b"
    rf"|\b(?P<d3>\d{{1,2}}){_DAY_MARK}(?P<n3>{MONTH_NAMES})\b\.?,?\s+(?:de\s+)?"
    r"(?P<y3>\d{4})\b"
    r"|(?<![\d.A-Za-z])(?P<d4>\d{1,2})\.\s?(?P<m4>\d{1,2})\.\s?(?P<y4>\d{4})(?!\d)"
    r"|(?<![\d/-])(?P<a5>\d{1,2})(?P<s5>[/-])(?P<b5>\d{1,2})(?P=s5)(?P<y5>\d{4}|(?<=/)\d{2})(?![\d/])"
    r"|(?<!\d)(?P<m6>\d{1,2})\s*月\s*(?P<d6>\d{1,2})\s*[,，]\s*(?P<y6>\d{4})(?!\d))",
    re.I,
)
# Day and month first, the year last, with slashes or hyphens: which of the two comes
# first is the page's way (``day_first``).
NUMERIC_DMY_RE = re.compile(r"(?<![\d/-])(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
# A two-digit year (1/11/26) up to next year's is this century's; a later one, the last's.
_CENTURY_PIVOT = date.today().year % 100 + 1
# Pages in these languages write the month first (03/15/2026); the others the day.
_MONTH_FIRST_LANGS = frozenset({"", "en", "en-us", "en-ph", "fil"})
# Dates without a year, as cards of the current year show them: May 9 / 9 May / 1月11日.
_MD_RE = re.compile(
    rf"\b({_DAY_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)", re.I
)
_DM_RE = re.compile(
    rf"(?<![\d,])\b(\d{{1,2}}){_DAY_MARK}({_DAY_MONTH_NAMES})\b\.?(?!\s*,?\s*\d)", re.I
)
_ZH_MD_RE = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# A short text that is only digits (``05-31``, ``5/31``): month and day, as archive rows show.
_NUMERIC_MD_RE = re.compile(r"\s*(\d{1,2})\s*[-/]\s*(\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*")
# Group headings of archive lists: a year (``2025``, ``2025年``) or a month of one
# (``2025年5月``, ``2025-05``, ``May 2025``).
_YEAR_HEADING_RE = re.compile(
    r"\s*(?P<y1>(?:19|20)\d{2})\s*年?(?:\s*[-/.年]?\s*(?P<m1>\d{1,2})\s*月?)?\s*"
    rf"|\s*(?P<n2>{MONTH_NAMES})\.?,?\s+(?P<y2>(?:19|20)\d{{2}})\s*",
    re.I,
)
# The years a post's date can fall in: a year outside is another calendar's (the Persian
# ۱۴۰۳, the Thai Buddhist 2567) or no year, never a Gregorian date to archive.
_FIRST_YEAR, _LAST_YEAR = 1900, date.today().year + 1
# Dates a site shows for a missing one: Hugo's zero time and the Unix epoch.
_PLACEHOLDER_DATES = frozenset({date(1, 1, 1), date(1970, 1, 1)})

# Which comes first in a year-last numeric date (``01/11/2026``): True for the day. Asked
# only when a date could be read either way.
DayFirst = Callable[[], bool]


def parse_date(text: str, day_first: DayFirst | None = None) -> str | None:
    """Return the first date found in ``text`` as ``YYYY-MM-DD``, or None.

    A year-last numeric date that reads either way (``03/04/2026``) is read the page's way,
    ``day_first``; without one, month first. A date in Chinese numerals
    (``二〇二四年三月十五日``) is read as the same date in digits.
    """
    text = chinese_numerals_in_digits(text)
    for match in DATE_RE.finditer(text):
        if iso := iso_date(*_ymd(match, day_first)):
            return iso
    return None


def is_placeholder_date(text: str) -> bool:
    """Tell whether text shows a date that stands for none (``0001-01-01``, ``1970-01-01``)."""
    for match in DATE_RE.finditer(text):
        year, month, day = _ymd(match, None)
        with contextlib.suppress(ValueError):
            if date(year, month, day) in _PLACEHOLDER_DATES:
                return True
    return False


def reads_day_first(text: str, lang: str) -> bool:
    """Tell whether a page writes year-last numeric dates day first (``15/03/2026``).

    A date on the page that reads one way only (a day past 12) tells; failing that, the
    page's language: month first in American English, day first elsewhere.
    """
    day_first = month_first = False
    for match in NUMERIC_DMY_RE.finditer(text):
        first, second = int(match.group(1)), int(match.group(3))
        day_first = day_first or (12 < first <= 31 and second <= 12)
        month_first = month_first or (12 < second <= 31 and first <= 12)
    if day_first != month_first:
        return day_first
    return lang.strip().lower().replace("_", "-") not in _MONTH_FIRST_LANGS


def parse_month_day(text: str) -> tuple[int, int] | None:
    """Return (month, day) of a date written without a year (``May  9``), or None."""
    found: list[tuple[int, int, int]] = []
    for m in _MD_RE.finditer(text):
        found.append((m.start(), month_number(m.group(1)), int(m.group(2))))
    for m in _DM_RE.finditer(text):
        found.append((m.start(), month_number(m.group(2)), int(m.group(1))))
    for m in _ZH_MD_RE.finditer(text):
        found.append((m.start(), int(m.group(1)), int(m.group(2))))
    if numeric := _NUMERIC_MD_RE.fullmatch(text):
        found.append((0, int(numeric.group(1)), int(numeric.group(2))))
    for _, month, day in sorted(found):
        if iso_date(2000, month, day):  # a leap year, so that Feb 29 is accepted
            return month, day
    return None


# A month and day in digits inside a meta line ("Python · 03-11"): two digits each, as
# listings print them; "3.13" and "1/2" in a title are a version and a part, no date.
_PADDED_MD_RE = re.compile(r"(?<![\d/.-])(\d{2})[-/](\d{2})(?![\d/.-])")


def find_month_day(text: str) -> tuple[int, int] | None:
    """Return where (start, end) the first date written without a year stands in ``text``
    (``Mar 11``, ``11 Mar``, ``3月11日``, ``03-11``), or None."""
    found = [
        match.span()
        for pattern in (_MD_RE, _DM_RE, _ZH_MD_RE)
        for match in pattern.finditer(text)
        if parse_month_day(match.group(0))
    ]
    found += [
        match.span()
        for match in _PADDED_MD_RE.finditer(text)
        if iso_date(2000, int(match.group(1)), int(match.group(2)))
    ]
    return min(found) if found else None


def parse_group_heading(text: str) -> tuple[int, int | None] | None:
    """Return (year, month or None) of an archive group heading (``2025``, ``2025年5月``)."""
    match = _YEAR_HEADING_RE.fullmatch(text)
    if match is None:
        return None
    if match.group("y1"):
        month = int(match.group("m1")) if match.group("m1") else None
        year = int(match.group("y1"))
    else:
        month, year = month_number(match.group("n2")), int(match.group("y2"))
    return (year, month) if month is None or 1 <= month <= 12 else None


def with_year(year: int, month_day: tuple[int, int]) -> str | None:
    """Return the ISO date of ``month_day`` in ``year``, or None when it does not exist."""
    return iso_date(year, *month_day)


def iso_date(year: int, month: int, day: int) -> str | None:
    """Return the ISO date of year, month and day, or None when it is no post's date."""
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return None
    try:
        day_ = date(year, month, day)
    except ValueError:
        return None
    return None if day_ in _PLACEHOLDER_DATES else day_.isoformat()


def chinese_numerals_in_digits(text: str) -> str:
    """Return ``text`` with its dates in Chinese numerals written in digits, as
    ``parse_date`` reads it."""
    return _ZH_NUMERAL_DATE_RE.sub(_in_digits, text) if "年" in text else text


def _in_digits(match: re.Match[str]) -> str:
    """Write a date in Chinese numerals in digits: ``二〇二四年三月十五日`` is ``2024年3月15日``."""
    year = "".join(str(_ZH_DIGITS[char]) for char in match.group(1))
    month, day = _zh_number(match.group(2)), match.group(3)
    return f"{year}年{month}月" + (f"{_zh_number(day)}日" if day else "")


def _zh_number(text: str) -> int:
    """Read a Chinese number up to 99: ``十`` 10, ``十二`` 12, ``二十`` 20, ``三十一`` 31."""
    tens, has_ten, ones = text.partition("十")
    if not has_ten:
        return _ZH_DIGITS[text]
    return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)


def month_number(name: str) -> int:
    """Return the number of the month a name matched (case aside: Turkish's "MAYIS")."""
    number = _MONTHS.get(name.lower())
    if number is None:
        number = next(n for key, n in _MONTHS.items() if re.fullmatch(key, name, re.I))
    return number


def _ymd(match: re.Match[str], day_first: DayFirst | None) -> tuple[int, int, int]:
    """Return (year, month, day) of a ``DATE_RE`` match, whichever form matched."""
    y1, m1, d1, n2, d2, y2, d3, n3, y3, d4, m4, y4, a5, _, b5, y5, m6, d6, y6 = match.groups()
    if y1:
        return int(y1), int(m1), int(d1)
    if y2:
        return int(y2), month_number(n2), int(d2)
    if y3:
        return int(y3), month_number(n3), int(d3)
    if y4:
        return int(y4), int(m4), int(d4)
    if y6:
        return int(y6), int(m6), int(d6)
    first, second, year = int(a5), int(b5), int(y5)
    if len(y5) == 2:
        year += 2000 if year <= _CENTURY_PIVOT else 1900
    if first > 12 or (second <= 12 and day_first is not None and day_first()):
        return year, second, first
    return year, first, second
