"""Timestamps as the archive stores them: ISO 8601 text in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

# The archive's time text: fixed width, so that text order is time order.
_STORED = "%Y-%m-%dT%H:%M:%S.%fZ"


def now_iso() -> str:
    """Return the current UTC time as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return stored(datetime.now(UTC))


def stored(moment: datetime) -> str:
    """Return an aware moment as the archive writes times (UTC, microseconds, Z)."""
    return moment.astimezone(UTC).strftime(_STORED)


def shown(value: str) -> str:
    """Return a stored UTC time for people: to the second, with its zone
    (``2026-01-11 08:00:00 UTC``)."""
    return value[:19].replace("T", " ") + " UTC"


def stored_date(value: str) -> str | None:
    """Return an ISO 8601 date as the archive writes dates (YYYY-MM-DD), None if it is none."""
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return None


def stored_time(value: str) -> str | None:
    """Return a date or ISO 8601 time as the archive writes times (UTC, microseconds, Z).

    A time without a zone is taken as UTC; None when ``value`` is not a date or time.
    """
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return stored(when)
