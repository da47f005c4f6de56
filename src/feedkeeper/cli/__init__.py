"""The `feedkeeper` command: thin doors into the pipeline.

Each command parses its options, calls one function, and prints a summary;
FeedkeeperError becomes one line on stderr and the error's exit code.
"""

from __future__ import annotations

import os
import sys
import traceback

import typer

from feedkeeper.cli import archive, common, crawl, inspect, ops, query, sites, workers
from feedkeeper.errors import FeedkeeperError
from feedkeeper.store.engine import dispose_engines

app = common.app
app.add_typer(common.db_app, name="db")

# Registering commands: each module adds its own to the shared app.
for module in (crawl, archive, inspect, ops, query, sites, workers):
    module.register(app)

# Exit code for an error we did not foresee (BSD sysexits EX_SOFTWARE).
EXIT_INTERNAL = 70


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (the console script's entry point)."""
    try:
        return _run(argv)
    finally:
        dispose_engines()  # every database connection the command opened


def _run(argv: list[str] | None) -> int:
    try:
        result = app(args=argv, prog_name="feedkeeper", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        common.err.print("interrupted")
        return 130
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, ...
        exc.show()  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", 2))
    except FeedkeeperError as exc:
        common.err.print(f"error: {exc.message}", markup=False, highlight=False)
        return exc.exit_code
    except Exception as exc:  # the last line of defence: no traceback unless asked for
        if os.environ.get("FEEDKEEPER_DEBUG"):
            traceback.print_exc()
        common.err.print(
            f"internal error: {type(exc).__name__}: {exc} (set FEEDKEEPER_DEBUG=1 for details)",
            markup=False,
            highlight=False,
        )
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


def entry_point() -> None:
    """Console-script wrapper: exit with main()'s code."""
    sys.exit(main())


__all__ = ["app", "entry_point", "main", "typer"]
