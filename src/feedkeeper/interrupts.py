"""Stopping a synchronous command between its steps.

A Ctrl-C (or a SIGTERM or SIGHUP, which the CLI answers as one) raises KeyboardInterrupt
wherever Python happens to be: inside a SQLite statement or a commit, it leaves a connection
SQLAlchemy must throw away and a page half written. Within ``stop_between_steps`` it is
noted instead, and raised where the command asks (``between_steps``), once a step is whole;
a second one stops at once, for a step that never ends."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class StepGuard:
    """Notes a request to stop; raises it at the next step's start."""

    def __init__(self) -> None:
        self.asked = False

    def note(self, _signum: int, _frame: FrameType | None) -> None:
        """The signal handler: note the first request, stop at the second."""
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True

    def between_steps(self) -> None:
        """Raise KeyboardInterrupt when asked to stop since the last step began."""
        if self.asked:
            raise KeyboardInterrupt


@contextlib.contextmanager
def stop_between_steps() -> Iterator[StepGuard]:
    """Yield a guard that holds Ctrl-C back until ``between_steps`` (in the main thread,
    where signals are handled; elsewhere it only yields)."""
    guard = StepGuard()
    if threading.current_thread() is not threading.main_thread():
        yield guard
        return
    previous = signal.signal(signal.SIGINT, guard.note)
    try:
        yield guard
    finally:
        signal.signal(signal.SIGINT, previous)
