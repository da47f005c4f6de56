"""Dates as blogs write them, read into ISO ``YYYY-MM-DD`` (and timestamps when given)."""

from __future__ import annotations

import contextlib
import re
from datetime import date

from feedkeeper.kept import keep_short

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

# One pass finds, in order, year-first numeric dates (2026-01-11, 2026/1/11, 2026.01.11,
# 2026年1月11日) and month-name dates (Jan 11, 2026 / January 11 2026 / 11 Jan 2026).
# The lookahead lets the positions where no date can start (no digit, no month's
# first letter) fail at once.
DATE_RE = re.compile(
    r"(?=[\djfmasond])(?:(?<!\d)(?P<y1>\d{4})\s*[-/.年]\s*(?P<m1>\d{1,2})\s*[-/.月]\s*(?P<d1>\d{1,2})(?!\d)\s*日?"
    rf"|\b(?P<n2>{_MONTH_NAMES})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})\b"
    rf"|\b(?P<d3>\d{{1,2}})\s+(?P<n3>{_MONTH_NAMES})\.?,?\s+(?P<y3>\d{{4}})\b)",
    re.I,
)
# Dates without a year, as cards of the current year show them: May 9 / 9 May / 1月11日.
_MD_RE = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)", re.I)
_DM_RE = re.compile(rf"(?<![\d,])\b(\d{{1,2}})\s+({_MONTH_NAMES})\b\.?(?!\s*,?\s*\d)", re.I)
_ZH_MD_RE = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# A short text that is only digits (``05-31``, ``5/31``): month and day, as archive rows show.
_NUMERIC_MD_RE = re.compile(r"\s*(\d{1,2})\s*[-/]\s*(\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*")
# Group headings of archive lists: a year (``2025``, ``2025年``) or a month of one
# (``2025年5月``, ``2025-05``, ``May 2025``).
_YEAR_HEADING_RE = re.compile(
    r"\s*(?P<y1>(?:19|20)\d{2})\s*年?(?:\s*[-/.年]?\s*(?P<m1>\d{1,2})\s*月?)?\s*"
    rf"|\s*(?P<n2>{_MONTH_NAMES})\.?,?\s+(?P<y2>(?:19|20)\d{{2}})\s*",
    re.I,
)
# Dates a site shows for a missing one: Hugo's zero time and the Unix epoch.
_PLACEHOLDER_DATES = frozenset({date(1, 1, 1), date(1970, 1, 1)})
# Machine-readable values: 2024-05-09, 2024-05-09T00:00:00Z, 2023-01-25 18:36:39 +0000 UTC.
_STAMP_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)


def parse_date(text: str) -> str | None:
    """Return the first date found in ``text`` as ``YYYY-MM-DD``, or None."""
    for match in DATE_RE.finditer(text):
        if iso := _iso(*_ymd(match)):
            return iso
    return None


def is_placeholder_date(text: str) -> bool:
    """Tell whether text shows a date that stands for none (``0001-01-01``, ``1970-01-01``)."""
    for match in DATE_RE.finditer(text):
        year, month, day = _ymd(match)
        with contextlib.suppress(ValueError):
            if date(year, month, day) in _PLACEHOLDER_DATES:
                return True
    return False


def parse_month_day(text: str) -> tuple[int, int] | None:
    """Return (month, day) of a date written without a year (``May  9``), or None."""
    found: list[tuple[int, int, int]] = []
    for m in _MD_RE.finditer(text):
        found.append((m.start(), _MONTHS[m.group(1).lower()], int(m.group(2))))
    for m in _DM_RE.finditer(text):
        found.append((m.start(), _MONTHS[m.group(2).lower()], int(m.group(1))))
    for m in _ZH_MD_RE.finditer(text):
        found.append((m.start(), int(m.group(1)), int(m.group(2))))
    if numeric := _NUMERIC_MD_RE.fullmatch(text):
        found.append((0, int(numeric.group(1)), int(numeric.group(2))))
    for _, month, day in sorted(found):
        if _iso(2000, month, day):  # a leap year, so that Feb 29 is accepted
            return month, day
    return None


def parse_machine_date(value: str) -> str | None:
    """Return the local date of a ``datetime``-style value, without converting time zones."""
    if match := _STAMP_RE.match(value):
        return _iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    return parse_date(value)


def parse_timestamp(value: str) -> str | None:
    """Return a value holding a date and a time as an ISO 8601 timestamp, or None."""
    match = _STAMP_RE.match(value)
    if not match or not _iso(int(match.group(1)), int(match.group(2)), int(match.group(3))):
        return None
    return _stamp(match)


# a page's cards share dates: each short value is read once
@keep_short(maxsize=1024, chars=64)
def parse_machine_value(value: str) -> tuple[str | None, str | None]:
    """Return what ``parse_machine_date`` and ``parse_timestamp`` do, reading the value once."""
    match = _STAMP_RE.match(value)
    if match is None:
        return parse_date(value), None
    day = _iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    return day, _stamp(match) if day else None


def _stamp(match: re.Match[str]) -> str | None:
    """Return the timestamp of a ``_STAMP_RE`` match of a real date, if it has a valid time."""
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if hour is None or int(hour) > 23 or int(minute) > 59:
        return None
    stamp = f"{year}-{month}-{day}T{hour}:{minute}"
    if second is not None:
        stamp += f":{second}{fraction or ''}"
    if zone and zone != "Z" and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    return stamp + (zone or "")


def parse_group_heading(text: str) -> tuple[int, int | None] | None:
    """Return (year, month or None) of an archive group heading (``2025``, ``2025年5月``)."""
    match = _YEAR_HEADING_RE.fullmatch(text)
    if match is None:
        return None
    if match.group("y1"):
        month = int(match.group("m1")) if match.group("m1") else None
        year = int(match.group("y1"))
    else:
        month, year = _MONTHS[match.group("n2").lower()], int(match.group("y2"))
    return (year, month) if month is None or 1 <= month <= 12 else None


def with_year(year: int, month_day: tuple[int, int]) -> str | None:
    """Return the ISO date of ``month_day`` in ``year``, or None when it does not exist."""
    return _iso(year, *month_day)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        day_ = date(year, month, day)
    except ValueError:
        return None
    return None if day_ in _PLACEHOLDER_DATES else day_.isoformat()


def _ymd(match: re.Match[str]) -> tuple[int, int, int]:
    """Return (year, month, day) of a ``DATE_RE`` match, whichever form matched."""
    y1, m1, d1, n2, d2, y2, d3, n3, y3 = match.groups()  # one call, not one per group
    if y1:
        return int(y1), int(m1), int(d1)
    if y2:
        return int(y2), _MONTHS[n2.lower()], int(d2)
    return int(y3), _MONTHS[n3.lower()], int(d3)
