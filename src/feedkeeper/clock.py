"""Timestamps as the archive stores them: ISO 8601 text in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

# The first and last times the archive's text can hold (years 1 to 9999).
_EARLIEST = "0001-01-01T00:00:00.000000Z"
_LATEST = "9999-12-31T23:59:59.999999Z"


def now_iso() -> str:
    """Return the current UTC time as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return stored(datetime.now(UTC))


def stored(moment: datetime) -> str:
    """Return an aware moment as the archive writes times (UTC, microseconds, Z).

    The year has four digits whatever it is (``strftime`` writes year 999 as ``999``), so
    that the text stays fixed-width and text order stays time order.
    """
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def shown(value: object) -> str:
    """Return a stored UTC time for people: to the second, with its zone
    (``2026-01-11 08:00:00 UTC``); what is no time (another program's text) as it is."""
    text = stored_time(value) if isinstance(value, str) else None
    if text is None:
        return value if isinstance(value, str) else repr(value)
    return text[:19].replace("T", " ") + " UTC"


def stored_date(value: str) -> str | None:
    """Return an ISO 8601 date as the archive writes dates (YYYY-MM-DD), None if it is none."""
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return None


def read_time(value: object) -> datetime | None:
    """Return the moment a date or ISO 8601 time names, aware (a time without a zone is
    taken as UTC); None for anything else, such as what another program may have written
    into the archive's time columns (text of its own, a number, bytes)."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def stored_time(value: str) -> str | None:
    """Return a date or ISO 8601 time as the archive writes times (UTC, microseconds, Z).

    A time without a zone is taken as UTC; None when ``value`` is not a date or time.
    """
    when = read_time(value)
    if when is None:
        return None
    try:
        return stored(when)
    except OverflowError:  # past year 1 or 9999 once moved to UTC: the ends of time
        return _EARLIEST if when.year == 1 else _LATEST
