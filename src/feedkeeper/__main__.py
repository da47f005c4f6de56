"""The `feedkeeper` command (and `python -m feedkeeper`): the CLI, loaded here.

A Ctrl-C while the command loads, or a second one (or a second SIGTERM, as a service
manager sends a process group) while a command is being stopped, ends it with exit 130
and the one line already said, never a traceback; one that lands as the command ends
changes nothing.
"""

from __future__ import annotations

import signal
import sys
import threading

# How long a Ctrl-C that Python could not raise where it landed waits to be raised again.
_REDELIVERY_SECONDS = 0.05


def main() -> None:
    """Run the CLI and exit with its code."""
    _raise_lost_interrupts_again()
    code = 130  # unless the command comes to its end
    try:
        try:
            from feedkeeper.cli import main as run

            code = run()
        finally:
            for stop in (signal.SIGINT, signal.SIGTERM):  # the command is over: exit as it said
                signal.signal(stop, signal.SIG_IGN)
    except KeyboardInterrupt:
        pass
    sys.exit(code)


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
