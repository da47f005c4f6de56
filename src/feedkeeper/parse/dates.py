"""Dates as blogs write them, read into ISO ``YYYY-MM-DD`` (and timestamps when given)."""

from __future__ import annotations

import re
from datetime import date

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

# Year-first numeric dates: 2026-01-11, 2026/1/11, 2026.01.11, 2026年1月11日.
_YMD_RE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
# Month-name dates: Jan 11, 2026 / January 11 2026 / 11 Jan 2026.
_MDY_RE = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DMY_RE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_NAMES})\.?,?\s+(\d{{4}})\b", re.I)
# Dates without a year, as cards of the current year show them: May 9 / 9 May / 1月11日.
_MD_RE = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)", re.I)
_DM_RE = re.compile(rf"(?<![\d,])\b(\d{{1,2}})\s+({_MONTH_NAMES})\b\.?(?!\s*,?\s*\d)", re.I)
_ZH_MD_RE = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# Machine-readable values: 2024-05-09, 2024-05-09T00:00:00Z, 2023-01-25 18:36:39 +0000 UTC.
_STAMP_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)


def parse_date(text: str) -> str | None:
    """Return the first date found in ``text`` as ``YYYY-MM-DD``, or None."""
    for _, year, month, day in sorted(_candidates(text)):
        if iso := _iso(year, month, day):
            return iso
    return None


def parse_month_day(text: str) -> tuple[int, int] | None:
    """Return (month, day) of a date written without a year (``May  9``), or None."""
    found: list[tuple[int, int, int]] = []
    for m in _MD_RE.finditer(text):
        found.append((m.start(), _MONTHS[m.group(1).lower()], int(m.group(2))))
    for m in _DM_RE.finditer(text):
        found.append((m.start(), _MONTHS[m.group(2).lower()], int(m.group(1))))
    for m in _ZH_MD_RE.finditer(text):
        found.append((m.start(), int(m.group(1)), int(m.group(2))))
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
    if not match or match.group(4) is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if not _iso(int(year), int(month), int(day)) or int(hour) > 23 or int(minute) > 59:
        return None
    stamp = f"{year}-{month}-{day}T{hour}:{minute}"
    if second is not None:
        stamp += f":{second}{fraction or ''}"
    if zone and zone != "Z" and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    return stamp + (zone or "")


def with_year(year: int, month_day: tuple[int, int]) -> str | None:
    """Return the ISO date of ``month_day`` in ``year``, or None when it does not exist."""
    return _iso(year, *month_day)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _candidates(text: str) -> list[tuple[int, int, int, int]]:
    found: list[tuple[int, int, int, int]] = []
    for m in _YMD_RE.finditer(text):
        found.append((m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _MDY_RE.finditer(text):
        found.append((m.start(), int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2))))
    for m in _DMY_RE.finditer(text):
        found.append((m.start(), int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))))
    return found
