"""Dates written for machines: ``datetime``-style attribute values, Unix times in
``data-`` attributes, and the date in a post's address."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from feedkeeper.kept import keep_short
from feedkeeper.parse.dates import iso_date, parse_date, with_year

# Machine-readable values: 2024-05-09, 2024-05-09T00:00:00Z, 2023-01-25 18:36:39 +0000 UTC.
_STAMP_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)


def parse_machine_date(value: str) -> str | None:
    """Return the local date of a ``datetime``-style value, without converting time zones."""
    if match := _STAMP_RE.match(value):
        return iso_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    return parse_date(value)


def parse_timestamp(value: str) -> str | None:
    """Return a value holding a date and a time as an ISO 8601 timestamp, or None."""
    match = _STAMP_RE.match(value)
    if not match or not iso_date(int(match.group(1)), int(match.group(2)), int(match.group(3))):
        return None
    return _stamp(match)


def epoch_attribute(attrs: dict[str, str | None]) -> tuple[str, str] | None:
    """Return the Unix time (seconds or milliseconds) an element's ``data-time``,
    ``data-timestamp``, ``data-updated-at``… attribute holds, as the UTC date and the
    timestamp; None when none does."""
    for name, value in attrs.items():
        if value is None or not _EPOCH_NAME_RE.search(name) or not _EPOCH_RE.fullmatch(value):
            continue
        seconds = int(value) // (1000 if len(value) == 13 else 1)
        when = datetime.fromtimestamp(seconds, UTC)
        if _EPOCH_YEARS[0] <= when.year <= _EPOCH_YEARS[1]:
            return when.date().isoformat(), when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


_EPOCH_NAME_RE = re.compile(r"^data-[\w-]*(?:time|stamp|date|unix|[-_]at|created|updated)$", re.I)
_EPOCH_RE = re.compile(r"\d{10}|\d{13}")
_EPOCH_YEARS = (1995, 2100)


# a page's cards share dates: each short value is read once
@keep_short(maxsize=1024, chars=64)
def parse_machine_value(value: str) -> tuple[str | None, str | None]:
    """Return what ``parse_machine_date`` and ``parse_timestamp`` do, reading the value once."""
    match = _STAMP_RE.match(value)
    if match is None:
        return parse_date(value), None
    day = iso_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
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


# A post's address that dates it: /2024/03/15/slug/ (WordPress, Hexo), /2024-03-15-slug.html.
_URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})([/-])(\d{1,2})\2(\d{1,2})(?=[/.-])")


def url_date(url: str | None) -> str | None:
    """Return the date a post's address gives (``/2024/03/15/slug/``), for a card showing none."""
    if not url:
        return None
    path = url.partition("://")[2].partition("/")[2].partition("?")[0].partition("#")[0]
    match = _URL_DATE_RE.search("/" + path)
    if match is None:
        return None
    return with_year(int(match.group(1)), (int(match.group(3)), int(match.group(4))))
