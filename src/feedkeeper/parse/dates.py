"""Dates as blogs write them, read into ISO ``YYYY-MM-DD``."""

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


def parse_date(text: str) -> str | None:
    """Return the first date found in ``text`` as ``YYYY-MM-DD``, or None."""
    for year, month, day in _candidates(text):
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            continue
    return None


def _candidates(text: str) -> list[tuple[int, int, int]]:
    found: list[tuple[int, int, int]] = []
    for m in _YMD_RE.finditer(text):
        found.append((int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _MDY_RE.finditer(text):
        found.append((int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2))))
    for m in _DMY_RE.finditer(text):
        found.append((int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))))
    return found
