"""When scheduled runs happen: a cron expression or a fixed interval, as APScheduler triggers.

No I/O but the machine's time zone, read once. Settings validation, the `schedule` daemon
and the `health` check all read the cadence from here, so they agree on what "an interval" is.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from croniter import croniter  # type: ignore[import-untyped]

from feedkeeper.clock import stored

if TYPE_CHECKING:
    from feedkeeper.config import Settings
    from feedkeeper.store.sites import Site

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# Each unit's names: its letter first (how intervals are shown), then the words people type.
_UNIT_NAMES = {
    "s": ("s", "sec", "secs", "second", "seconds"),
    "m": ("m", "min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "d": ("d", "day", "days"),
    "w": ("w", "week", "weeks"),
}
_UNIT_OF = {name: unit for unit, names in _UNIT_NAMES.items() for name in names}
_UNIT_WORDS = "|".join(sorted(_UNIT_OF, key=len, reverse=True))
# One part of an interval: a number (a decimal one too) and its unit, spaces allowed.
_INTERVAL_PART = re.compile(rf"\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*({_UNIT_WORDS})\s*,?", re.I)
# Longer text is not an interval (and its numbers could overflow a float).
_MAX_INTERVAL_CHARS = 64
# Classic cron counts weekdays from Sunday = 0 (7 is Sunday too); APScheduler 3
# counts from Monday = 0, so numbers are translated to names before it sees them.
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# Jitter never exceeds this share of the interval, so runs stay near their times.
_MAX_JITTER_SHARE = 0.1


# A schedule runs at least once a year: a longer interval is a typo, and past the
# range of dates and timers the scheduler can hold.
MAX_INTERVAL_SECONDS = 366 * 86400


def parse_interval(text: str) -> timedelta:
    """Read an interval such as ``90s``, ``10m``, ``1h30m``, ``1.5h``, ``1h 30m``, ``2 days``
    or ``1w`` (to the second); raise ValueError if bad."""
    if len(text) > _MAX_INTERVAL_CHARS:
        raise ValueError(f"{text[:_MAX_INTERVAL_CHARS]!r}... is not an interval (too long)")
    end = 0
    seconds = 0.0
    for part in _INTERVAL_PART.finditer(text):
        if part.start() != end:
            break
        seconds += float(part.group(1)) * _UNITS[_UNIT_OF[part.group(2).lower()]]
        end = part.end()
    if end == 0 or end != len(text) or text.rstrip().endswith(","):
        raise ValueError(
            f"{text!r} is not an interval: give numbers with units (s, m, h, d or w),"
            " such as 90s, 1.5h or 1h30m"
        )
    seconds = round(seconds)
    if seconds <= 0:
        raise ValueError(f"{text!r} is too short an interval: at least 1s")
    if seconds > MAX_INTERVAL_SECONDS:
        raise ValueError(f"{text!r} is too long an interval: at most 366d")
    return timedelta(seconds=seconds)


@functools.cache
def local_zone() -> tzinfo:
    """The time zone cron expressions are read in: the machine's (a zoneinfo zone, which
    follows daylight saving time), else the C library's offset of the moment.

    tzlocal cannot read a ``TZ`` that is a POSIX rule (``CST-8``) or a misspelt name
    (``Asia/Beijing``); every command checks the schedule, so that must not stop them.
    """
    from tzlocal import get_localzone

    try:
        return get_localzone()
    except (LookupError, ValueError, OSError):
        try:
            zone = timezone(datetime.now().astimezone().utcoffset() or timedelta(0))
        except ValueError:  # an offset of a day or more ("XXX+24"), which no zone has
            zone = UTC
        logging.getLogger(__name__).warning(
            "TZ=%s names no time zone this machine knows: cron times follow %s all year",
            os.environ.get("TZ", ""), zone.tzname(None),
        )  # fmt: skip
        return zone


def parse_cron(expr: str, jitter: float | None = None) -> CronTrigger:
    """Read a classic 5-field crontab expression (local time); raise ValueError if bad."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"{len(fields)} fields instead of 5")
    minute, hour, day, month, weekday = fields
    if day != "*" and weekday != "*":
        # Classic cron runs when either matches, APScheduler only when both do.
        raise ValueError("restrict the day of the month or the day of the week, not both")
    trigger = LocalCronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekday_names(weekday),
        jitter=jitter,
        timezone=local_zone(),
    )
    if _never_fires(trigger):
        raise ValueError("it never comes due (no such date)")
    return trigger


class LocalCronTrigger(CronTrigger):  # type: ignore[misc]  # APScheduler 3 is untyped
    """A cron trigger that, as classic cron does, fires once at a fixed time of day the
    clocks go back over when daylight saving time ends (APScheduler fires at both 01:30s).

    An expression whose hour is a wildcard or a step (``*/30 * * * *``) still fires in both
    passes of the repeated hour, as in classic cron: its runs are about the time between them.
    """

    def __init__(self, **fields: Any) -> None:
        # The jitter is applied here, after a repeated time is passed over: APScheduler's
        # own would move the time before it could be told.
        self.spread: float | None = fields.pop("jitter", None)
        super().__init__(**fields)
        self.fixed_hours = "*" not in str(fields.get("hour", "*"))

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The next time the expression names, jittered, but for a repeated wall-clock time."""
        due: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while due is not None and self.fixed_hours and repeats_wall_time(due):
            due = super().get_next_fire_time(due, due)
        if due is not None and self.spread:
            due = self._apply_jitter(due, self.spread, now)
        return due


def repeats_wall_time(moment: datetime) -> bool:
    """Tell whether ``moment`` is the second pass of a wall-clock time, in the hour the
    clocks went back over."""
    return moment.fold == 1 and moment.replace(fold=0).utcoffset() != moment.utcoffset()


def _never_fires(trigger: CronTrigger) -> bool:
    """Tell whether a cron expression names no real time ("0 0 31 2 *": February 31st)."""
    now = datetime.now(trigger.timezone)
    first = trigger.get_next_fire_time(None, now)
    return first is None or trigger.get_next_fire_time(first, first) is None


def _weekday_names(field: str) -> str:
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.lower().split(","):
        base, has_step, step_text = part.partition("/")
        step = int(step_text) if has_step else 1
        if step < 1:
            raise ValueError(f"bad step in day of week {part!r}")
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            start, end = base.split("-", 1)
            first, last = _weekday(start), _weekday(end)
        else:
            first = _weekday(base)
            last = 6 if has_step else first
        if first > last:
            raise ValueError(f"day-of-week range {base!r} runs backwards")
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


def _weekday(token: str) -> int:
    if token in _DAY_NAMES:
        return _DAY_NAMES.index(token)
    number = int(token)
    if not 0 <= number <= 7:
        raise ValueError(f"day of week {token!r} is not 0-7")
    return number


@dataclass(frozen=True, slots=True)
class Cadence:
    """A schedule: a cron expression, or an interval that replaces it, plus jitter."""

    cron: str
    every: timedelta | None
    jitter: float

    @classmethod
    def of(cls, cron: str, every: str | None, jitter: float) -> Cadence:
        """Build a cadence from the ``schedule``, ``every`` and ``jitter`` settings."""
        parse_cron(cron)
        return cls(cron, parse_interval(every) if every else None, jitter)

    def describe(self) -> str:
        """Say when runs happen, for logs."""
        if self.every is not None:
            return f"every {_format_seconds(self.every.total_seconds())}"
        return f"cron {self.cron!r}"

    def interval(self, now: datetime) -> timedelta:
        """The time between runs: the interval, or the gap between the next two cron times."""
        if self.every is not None:
            return self.every
        trigger = parse_cron(self.cron)
        first: datetime = trigger.get_next_fire_time(None, now)
        second: datetime = trigger.get_next_fire_time(first, first)
        return second - first

    def jitter_seconds(self, now: datetime) -> float:
        """The jitter actually used: the setting, capped at a tenth of the interval."""
        return min(self.jitter, self.interval(now).total_seconds() * _MAX_JITTER_SHARE)

    def trigger(self, now: datetime) -> BaseTrigger:
        """The APScheduler trigger for this cadence, jitter included."""
        jitter = self.jitter_seconds(now) or None
        if self.every is not None:
            return IntervalTrigger(
                seconds=self.every.total_seconds(), jitter=jitter, timezone=local_zone()
            )
        return parse_cron(self.cron, jitter)

    def deadline(self, since: datetime, runs: int) -> datetime:
        """When ``runs`` scheduled runs have come due after ``since`` (jitter allowed for)."""
        if self.every is not None:
            due = since + self.every * runs
        else:
            trigger = parse_cron(self.cron)
            due = since
            for _ in range(runs):
                due = trigger.get_next_fire_time(due, due)
        return due + timedelta(seconds=self.jitter_seconds(since))


def _format_seconds(seconds: float) -> str:
    for unit in ("d", "h", "m"):
        if seconds >= _UNITS[unit] and seconds % _UNITS[unit] == 0:
            return f"{int(seconds // _UNITS[unit])}{unit}"
    return f"{seconds:g}s"


def current_slot(site: Site, settings: Settings, now: datetime) -> str:
    """Return the start of the site's current crawl slot, as the archive's time text (UTC).

    A slot is one interval (aligned on the epoch) or the time since the cron
    expression last fired, read in the machine's time zone: a site is crawled once in each.
    """
    every = site.every if site.has_own_schedule else settings.every
    if every:
        seconds = parse_interval(every).total_seconds()
        start = math.floor(now.timestamp() / seconds) * seconds
        return stored(datetime.fromtimestamp(start, UTC))
    cron = site.cron or settings.schedule
    # Read in the machine's time zone, as the daemon's own schedule and `health` read it.
    previous: datetime = croniter(cron, now.astimezone(local_zone())).get_prev(datetime)
    if "*" not in cron.split()[1] and repeats_wall_time(previous):
        previous = previous.replace(fold=0)  # one slot, as the daemon runs once (above)
    return stored(previous)
