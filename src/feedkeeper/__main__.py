"""The `feedkeeper` command (and `python -m feedkeeper`): the CLI, loaded here.

A Ctrl-C while the command loads, or a second one (or a second SIGTERM, as a service
manager sends a process group) while a command is being stopped, ends it with exit 130
and the one line already said, never a traceback.
"""

import sys


def main() -> None:
    """Run the CLI and exit with its code."""
    try:
        from feedkeeper.cli import main as run

        code = run()
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    main()
