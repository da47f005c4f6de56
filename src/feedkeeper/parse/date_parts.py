"""Dates whose parts stand in elements of their own (``<span>15</span><span>Mar</span>``),
read from the elements' texts joined."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from feedkeeper.parse.dates import MONTH_NAMES, DayFirst, iso_date, month_number, with_year

# A date whose parts stand in elements of their own ("<span>15</span><span>Mar</span>
# <span>2024</span>", "MAR<br>15<br>2024", "2024<br>03-15"), read from their texts joined:
# a year, a month (by name, or "3月"), a day, the separators between them, and words that
# go with a date (Spanish's "de", a weekday). Nothing else: a count beside a date is none.
_PART_SEPARATORS = r"[\s,，./／·|-]*"
_DATE_PART_RE = re.compile(
    _PART_SEPARATORS
    + rf"(?:(?:(?P<year>(?:19|20)\d{{2}})(?!\d)\s*[年년]?|(?P<name>{MONTH_NAMES})\b\.?"
    r"|(?P<month>\d{1,2})\s*[月월]|(?P<day>\d{1,2})(?!\d)(?:st|nd|rd|th|er|º)?\s*[日일号號]?"
    r"|de\b|(?:星期|周|週)[一二三四五六日天]|(?:mon|tues?|wednes|thurs?|fri|satur|sun)day\b"
    r"|(?:mon|tues?|wed|thu|thurs|fri|sat|sun)\b\.?)" + _PART_SEPARATORS + r"|\Z)",
    re.I,
)


def is_date_part(text: str) -> bool:
    """Tell whether text is no more than parts of a date (``15``, ``Mar``, ``2024年``, ``/``)."""
    return _date_parts(text) is not None


@dataclass(slots=True)
class _DateParts:
    """The parts a split date's text holds, in the order shown."""

    years: list[int] = field(default_factory=list)
    months: list[int] = field(default_factory=list)  # named, or numbered with 月
    days: list[int] = field(default_factory=list)  # bare numbers: days, or months by place
    year_first: bool = False  # the year came before every bare number


def parse_split_date(
    text: str, day_first: DayFirst | None = None
) -> tuple[str | None, tuple[int, int] | None]:
    """Read a date whose parts were shown by several elements, their texts joined by spaces.

    Return (ISO date, None) when the parts hold a year, (None, (month, day)) when they do
    not, and (None, None) when they are no date: every word must be a date's part.
    """
    parts = _date_parts(text)
    if parts is None or len(parts.years) > 1:
        return None, None
    month_day = _split_month_day(parts, day_first)
    if month_day is None:
        return None, None
    if parts.years:
        return with_year(parts.years[0], month_day), None
    return None, month_day if iso_date(2000, *month_day) else None


def _split_month_day(parts: _DateParts, day_first: DayFirst | None) -> tuple[int, int] | None:
    """Return (month, day) of a split date's parts: a month and a day, or two bare numbers
    beside a year (``2024 03-15``; ``15 / 03 / 2024``, read the page's way, ``day_first``)."""
    days = parts.days
    if parts.months:
        return (parts.months[0], days[0]) if len(parts.months) == 1 and len(days) == 1 else None
    if len(days) != 2 or not parts.years:
        return None  # two numbers alone ("3 12") are counts as often as a date
    first, second = days
    if not parts.year_first and (
        first > 12 or (second <= 12 and day_first is not None and day_first())
    ):
        return second, first
    return first, second


def _date_parts(text: str) -> _DateParts | None:
    """Return the date parts a text holds, or None when it holds anything else."""
    parts = _DateParts()
    position = 0
    while position < len(text):
        match = _DATE_PART_RE.match(text, position)
        if match is None:
            return None
        position = match.end()
        year, name, month, day = match.group("year", "name", "month", "day")
        if year:
            parts.years.append(int(year))
            parts.year_first = not parts.days
        elif name:
            parts.months.append(month_number(name))
        elif month:
            parts.months.append(int(month))
        elif day:
            parts.days.append(int(day))
    return parts
