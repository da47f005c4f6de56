"""How hard one host may be asked: requests in flight, the spacing of their starts, and
the wait a server asks for (Retry-After), told in the words of what the requests are for."""

from __future__ import annotations

import asyncio
import email.utils
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from feedkeeper.clock import read_time, shown, stored
from feedkeeper.errors import PausedByHostError
from feedkeeper.records import HostPause
from feedkeeper.scope import origin

Sleep = Callable[[float], Awaitable[None]]

# The longest pause a host's Retry-After is kept for from run to run: a hostile or broken
# header (a year, an HTTP date far ahead) cannot silence a site for longer than a day.
LONGEST_HOST_PAUSE = 86_400.0


class Pace:
    """When one host may next be asked: shared by every gate of that host in a process."""

    __slots__ = ("held_until", "lock", "next_start")

    def __init__(self) -> None:
        self.next_start: float | None = None
        # Until when the host asked to be left alone (Retry-After), apart from its pacing.
        self.held_until: float | None = None
        self.lock = threading.Lock()  # the daemon's crawls run in threads of their own


class Paces:
    """The pace of each host a process asks, so that a fetcher that starts after another
    (a crawl's recovery, the next site on the same host, the daemon's next tick) waits out
    the spacing, Crawl-delay or Retry-After the last one's last request started."""

    def __init__(self) -> None:
        self._paces: dict[str, Pace] = {}
        self._lock = threading.Lock()

    def of(self, origin: str) -> Pace:
        """Return the pace of ``origin`` (scheme, host and port)."""
        with self._lock:
            pace = self._paces.get(origin)
            if pace is None:
                if len(self._paces) >= _KEPT_PACES:
                    self._forget_past()
                pace = self._paces[origin] = Pace()
            return pace

    def _forget_past(self) -> None:
        now = time.monotonic()
        for site, pace in list(self._paces.items()):
            if pace.next_start is None or pace.next_start <= now:
                del self._paces[site]


# Hosts whose pace a process keeps before it forgets those it may ask again already.
_KEPT_PACES = 1024
# The fetchers of a process that tell time by the monotonic clock share these.
PROCESS_PACES = Paces()


class HostGate:
    """Per-host politeness: at most N requests in flight, one start every ``interval`` s."""

    def __init__(
        self,
        concurrency: int,
        interval: float,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        pace: Pace | None = None,
    ) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.interval = interval
        self.pace = pace or Pace()
        self.lock = asyncio.Lock()
        self._sleep = sleep
        self._clock = clock

    def slow_down(self, interval: float) -> None:
        """Space requests at least ``interval`` seconds apart from now on (Crawl-delay)."""
        if interval > self.interval:
            with self.pace.lock:
                if self.pace.next_start is not None:
                    self.pace.next_start += interval - self.interval
            self.interval = interval

    def hold_off(self, seconds: float) -> None:
        """Ask this host nothing for ``seconds`` from now (a Retry-After not waited out)."""
        until = self._clock() + seconds
        with self.pace.lock:
            known = self.pace.next_start
            self.pace.next_start = until if known is None else max(known, until)
            held = self.pace.held_until
            self.pace.held_until = until if held is None else max(held, until)

    def held_for(self) -> float:
        """Return how many seconds from now the host asked to be left alone for (0: none)."""
        with self.pace.lock:
            held = self.pace.held_until
        return 0.0 if held is None else max(held - self._clock(), 0.0)

    async def wait_turn(self, longest_pause: float | None = None) -> None:
        """Sleep until this host may be asked again; raise HostPaused instead when the host
        asked to be left alone (Retry-After) for longer than ``longest_pause`` from now."""
        while True:
            async with self.lock:
                with self.pace.lock:
                    now = self._clock()
                    held = self.pace.held_until
                    if (
                        longest_pause is not None
                        and held is not None
                        and held - now > longest_pause
                    ):
                        raise HostPaused(held - now)
                    known = self.pace.next_start
                    start = now if known is None else max(now, known)
                    self.pace.next_start = start + self.interval
            if start <= now:
                return
            await self._sleep(start - now)
            with self.pace.lock:
                held = self.pace.held_until
            if held is None or held <= start:
                return  # else the host asked for a pause meanwhile (Retry-After): wait it too


class HostPaused(Exception):
    """The host asked to be left alone for longer than the caller waits: ``seconds`` left."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"{seconds:.0f} s")
        self.seconds = seconds


class HostPauses:
    """The pauses hosts ask for (Retry-After): how much of one a request waits out, those
    asked of earlier runs (kept in the archive) and those asked of this one, to keep."""

    def __init__(
        self,
        max_retry_after: float,
        longest_pause: float | None = None,
        stored: Mapping[str, HostPause] | None = None,
    ) -> None:
        self.max_retry_after = max_retry_after
        # Where set (many sites, the daemon, recover): a longer pause is not waited for.
        self.longest_pause = longest_pause
        self._stored = dict(stored or {})
        self._asked: dict[str, HostPause] = {}  # by origin

    @property
    def longest_wait(self) -> float:
        """The longest pause a request waits for before it is asked."""
        return self.max_retry_after if self.longest_pause is None else self.longest_pause

    def honoured(self, retry_after: float) -> float:
        """The wait a Retry-After asks for, as far as it is honoured (``max_retry_after``)."""
        return min(retry_after, self.max_retry_after)

    def worth_waiting(self, retry_after: float | None) -> bool:
        """Tell whether a request is tried again after a Retry-After of ``retry_after``."""
        return self.longest_pause is None or self.honoured(retry_after or 0.0) <= self.longest_pause

    def left_of_stored(self, origin: str) -> float:
        """Seconds left of the pause ``origin`` asked an earlier run for (0: none)."""
        stored = self._stored.get(origin)
        return seconds_left(stored) if stored is not None else 0.0

    def note(self, origin: str, retry_after: float) -> None:
        """Keep the pause ``origin`` asked for, the longest if it asked more than once."""
        asked = pause_asked(origin, retry_after)
        known = self._asked.get(origin)
        if known is None or known.paused_until < asked.paused_until:
            self._asked[origin] = asked

    def asked(self) -> list[HostPause]:
        """The pauses the hosts asked of this run that last beyond now, for the archive to
        keep (one waited out is over)."""
        return [pause for pause in self._asked.values() if seconds_left(pause) > 0]


def held_for(retry_after: float) -> float:
    """Return how long a host that answered a Retry-After of ``retry_after`` is asked
    nothing once its request is given up: all of it, up to LONGEST_HOST_PAUSE."""
    return min(retry_after, LONGEST_HOST_PAUSE)


def pause_asked(origin: str, seconds: float) -> HostPause:
    """Return the pause ``origin`` asks for from now with a Retry-After of ``seconds``."""
    seconds = held_for(seconds)
    now = datetime.now(UTC)
    return HostPause(origin, stored(now + timedelta(seconds=seconds)), stored(now), seconds)


def seconds_left(pause: HostPause) -> float:
    """Return how many seconds of a stored pause are left (0 when it is over); a pause
    ending further ahead than LONGEST_HOST_PAUSE (the clock stepped back) counts as that;
    one ending at no time (another program's text) is none."""
    until = read_time(pause.paused_until)
    if until is None:
        return 0.0
    left = (until - datetime.now(UTC)).total_seconds()
    return min(max(left, 0.0), LONGEST_HOST_PAUSE)


def parse_retry_after(value: str | None) -> float | None:
    """Read a Retry-After header given in seconds or as an HTTP date; None when unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


@dataclass(frozen=True, slots=True)
class Errand:
    """What a fetcher's requests are for, in the words that end the message of a host's
    pause not waited for: what it does to them, and when to ask again."""

    paused: str  # a pause asked for now (or left of one), among many sites or articles
    left_alone: str  # a pause longer than max_retry_after: the host was asked nothing


CRAWL = Errand(
    paused="this crawl stops here, and the next one goes on after it",
    left_alone="this crawl asked it nothing; crawl it again after then",
)
RECOVERY = Errand(
    paused="its articles stay pending, and the next recovery fetches them after it",
    left_alone="this recovery asked it nothing; its articles stay pending: recover them after then",
)
LOOKUP = Errand(  # one page asked for by hand (``feedkeeper parse <url>``)
    paused="the page was not fetched; ask for it again after it",
    left_alone="it was asked nothing; ask for the page again after then",
)


def paused_error(
    url: str, seconds: float, errand: Errand, *, left: bool = False
) -> PausedByHostError:
    """The error of a request not made while its host's pause lasts: ``seconds`` the pause
    asked for, or (``left``) what is left of one asked for before."""
    asked = (
        f"a pause (Retry-After) with {math.ceil(seconds)} s of it left"
        if left
        else f"a pause of {math.ceil(seconds)} s (Retry-After)"
    )
    return PausedByHostError(f"the site asked for {asked}: {errand.paused}", url=url)


def left_alone_error(url: str, seconds: float, errand: Errand) -> PausedByHostError:
    """The error of a request not made because its host asked, ``seconds`` from now, to be
    left alone for longer than the fetcher waits."""
    until = stored(datetime.now(UTC) + timedelta(seconds=seconds))
    return PausedByHostError(
        f"{origin(url)} asked to be left alone until {shown(until)} (Retry-After):"
        f" {errand.left_alone}",
        url=url,
    )
