"""How hard one host may be asked: requests in flight, the spacing of their starts, and
the wait a server asks for (Retry-After)."""

from __future__ import annotations

import asyncio
import email.utils
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

Sleep = Callable[[float], Awaitable[None]]


class HostGate:
    """Per-host politeness: at most N requests in flight, one start every ``interval`` s."""

    def __init__(
        self,
        concurrency: int,
        interval: float,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.interval = interval
        self.next_start: float | None = None
        self.lock = asyncio.Lock()
        self._sleep = sleep
        self._clock = clock

    def slow_down(self, interval: float) -> None:
        """Space requests at least ``interval`` seconds apart from now on (Crawl-delay)."""
        if interval > self.interval:
            if self.next_start is not None:
                self.next_start += interval - self.interval
            self.interval = interval

    def hold_off(self, seconds: float) -> None:
        """Ask this host nothing for ``seconds`` from now (a Retry-After not waited out)."""
        until = self._clock() + seconds
        self.next_start = until if self.next_start is None else max(self.next_start, until)

    async def wait_turn(self) -> None:
        """Sleep until this host may be asked again."""
        async with self.lock:
            now = self._clock()
            start = now if self.next_start is None else max(now, self.next_start)
            self.next_start = start + self.interval
        if start > now:
            await self._sleep(start - now)


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
