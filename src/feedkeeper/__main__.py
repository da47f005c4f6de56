"""The `feedkeeper` command (and `python -m feedkeeper`): the CLI, loaded here.

A Ctrl-C while the command loads, or a second one (or a second SIGTERM, as a service
manager sends a process group) while a command is being stopped, ends it with exit 130
and the one line already said, never a traceback; one that lands as the command ends
changes nothing.
"""

import signal
import sys


def main() -> None:
    """Run the CLI and exit with its code."""
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


if __name__ == "__main__":
    main()
