"""The `feedkeeper` command (and `python -m feedkeeper`): the CLI, loaded here.

A Ctrl-C, SIGTERM or SIGHUP while the command loads ends it, once loaded, as one during the
command does: "interrupted" and exit 130. A second one (or a second SIGTERM, as a service
manager sends a process group) while a command is being stopped ends it with exit 130 and
the one line already said, never a traceback; one that lands as the command ends changes
nothing.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

# How long a Ctrl-C that Python could not raise where it landed waits to be raised again.
_REDELIVERY_SECONDS = 0.05


def main() -> None:
    """Run the CLI and exit with its code."""
    _raise_lost_interrupts_again()
    held = _StopsHeld()
    code = 130  # unless the command comes to its end
    try:
        try:
            from feedkeeper.cli import interrupted
            from feedkeeper.cli import main as run

            code = interrupted() if held.release() else run()
        finally:
            for stop in (signal.SIGINT, signal.SIGTERM):  # the command is over: exit as it said
                signal.signal(stop, signal.SIG_IGN)
    except KeyboardInterrupt:
        pass
    sys.exit(code)


class _StopsHeld:
    """Notes Ctrl-C, SIGTERM and SIGHUP (those not ignored) while the CLI loads, instead of
    a KeyboardInterrupt somewhere in an import (exit 130 with nothing said) or the end the
    system gives SIGTERM and SIGHUP (killed, exit 143 or 129).

    ``release`` lets Ctrl-C through again and tells whether a stop came meanwhile. SIGTERM
    and SIGHUP stay noted, and dropped, outside the command: the command answers them as
    Ctrl-C while it runs and puts this back at its end, so one landing just after it ends
    changes nothing."""

    def __init__(self) -> None:
        self.asked = False
        self._loading = True
        self._ctrl_c = signal.getsignal(signal.SIGINT)
        for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(stop) != signal.SIG_IGN:
                signal.signal(stop, self._note)

    def _note(self, _signum: int, _frame: FrameType | None) -> None:
        if self._loading:
            self.asked = True

    def release(self) -> bool:
        """Give Ctrl-C back to Python; tell whether a stop came while the CLI loaded."""
        self._loading = False
        signal.signal(signal.SIGINT, self._ctrl_c)
        return self.asked


def _raise_lost_interrupts_again() -> None:
    """A Ctrl-C (or a SIGTERM taken for one) that lands inside a callback Python runs for
    itself (the import system's module locks, as the command loads modules) cannot be
    raised there: Python would print it as "Exception ignored in …" with a traceback, and
    the command would go on as if never asked to stop. It is raised again a moment later,
    where the command is; when the command has ended (signals ignored), it is dropped."""
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            previous(unraisable)
            return
        main = threading.main_thread().ident
        assert main is not None
        # A signal of its own, not interrupt_main(): one wakes a main thread that sleeps.
        later = threading.Timer(_REDELIVERY_SECONDS, signal.pthread_kill, (main, signal.SIGINT))
        later.daemon = True
        later.start()

    sys.unraisablehook = hook


if __name__ == "__main__":
    main()
