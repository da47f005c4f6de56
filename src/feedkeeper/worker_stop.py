"""How a procrastinate worker stops: on a signal, or when the archive outgrows it; and
how one crawl stops when its site is paused or removed while it runs.

Either way the worker takes no new job, and its crawls end after their page in flight
(they ask ``StopRequest.is_requested`` between pages); one that has not ended within
``STOP_GRACE`` is cancelled, its run recorded as interrupted, so the worker exits within
`docker stop`'s 10 seconds. A crawl also asks ``SiteWatch.has_left`` between pages.
"""

from __future__ import annotations

import asyncio
import logging
import math
import signal
import time
from dataclasses import dataclass, field
from typing import Any

from procrastinate import App
from sqlalchemy import Engine

from feedkeeper.errors import FeedkeeperError
from feedkeeper.records import SiteState
from feedkeeper.store.sites import site_state

log = logging.getLogger(__name__)

# `docker stop` sends SIGKILL 10 s after SIGTERM: a stopping worker's crawls get this long
# to finish their page in flight, then they are cancelled and their runs recorded interrupted.
STOP_GRACE = 7.0
# SIGHUP too (the terminal the worker was started from closing), as for the daemon.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# How often a crawl asks the archive whether its site is still active: an operator who
# pauses a site (its owner asked) sees its crawl stop within this, for one small query.
SITE_LOOK_SECONDS = 2.0


@dataclass(slots=True)
class SiteWatch:
    """Whether a crawl's site left the active sites (`sites pause`, `remove`) while it runs."""

    engine: Engine
    site_id: int
    state: SiteState | None = SiteState.ACTIVE  # None: purged
    _looked: float = field(default=-math.inf, repr=False)

    def has_left(self) -> bool:
        """True once the site is paused or removed, as the archive said at most
        ``SITE_LOOK_SECONDS`` ago."""
        now = time.monotonic()
        if now - self._looked >= SITE_LOOK_SECONDS:
            self._looked = now
            self.state = site_state(self.engine, self.site_id)
        return self.state is not SiteState.ACTIVE


@dataclass(slots=True)
class StopRequest:
    """Why the worker was asked to stop, once it was, and the error it is to end with."""

    reason: str | None = None
    error: FeedkeeperError | None = None
    _worker: asyncio.Task[None] | None = field(default=None, repr=False)

    def is_requested(self) -> bool:
        """True once a stop was asked for."""
        return self.reason is not None

    def request(self, reason: str, error: FeedkeeperError | None = None) -> None:
        """Stop the worker gracefully; with ``error``, the command ends with it."""
        if self.is_requested():
            return
        self.reason, self.error = reason, error
        log.info(
            "stopping (%s): finishing the page in flight",
            reason,
            extra={"event": "stopping", "reason": reason},
        )
        if self._worker is not None:
            self._worker.cancel()  # procrastinate's graceful stop: no new job, the others end


async def run_until_stopped(app: App, stop: StopRequest, **options: Any) -> None:
    """Run the worker until a stop is requested (or until it stops of itself); a stop
    signal requests one."""
    stop._worker = asyncio.create_task(
        app.run_worker_async(
            install_signal_handlers=False, shutdown_graceful_timeout=STOP_GRACE, **options
        )
    )
    loop = asyncio.get_running_loop()
    # A signal ignored as the worker starts (SIGHUP under nohup) stays ignored.
    previous = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    watched = [s for s, handler in previous.items() if handler != signal.SIG_IGN]
    for sig in watched:
        loop.add_signal_handler(sig, stop.request, signal.Signals(sig).name)
    try:
        await stop._worker
    except asyncio.CancelledError:
        if not stop.is_requested():
            raise
    finally:
        for sig in watched:
            loop.remove_signal_handler(sig)
            signal.signal(sig, previous[sig])
