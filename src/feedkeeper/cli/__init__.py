"""The `feedkeeper` command: thin doors into the pipeline.

Each command parses its options, calls one function, and prints a summary;
FeedkeeperError becomes one line on stderr and the error's exit code.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import signal
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable
from types import FrameType

import typer

from feedkeeper.cli import archive, common, crawl, inspect, ops, query, sites, workers
from feedkeeper.errors import ConfigError, FeedkeeperError, StoreError
from feedkeeper.interrupts import stop_between_steps
from feedkeeper.logs import forget_format
from feedkeeper.text import first_line
from feedkeeper.working_folder import WORKING_FOLDER_GONE, is_working_folder_gone

app = common.app
app.add_typer(common.db_app, name="db")

# Registering commands: each module adds its own to the shared app.
for module in (crawl, archive, inspect, ops, query, sites, workers):
    module.register(app)

# Exit code for an error we did not foresee (BSD sysexits EX_SOFTWARE).
EXIT_INTERNAL = 70


# Writes that fail for want of room or of a working disk (standard output into a full
# file system): one line, not an internal error.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (the console script's entry point)."""
    _escape_what_cannot_be_shown()
    forget_format()  # an earlier command of this process (a test's) set up its own log
    _quiet_closed_loop_leftovers()
    restore_signals = _stop_on_sigterm()
    try:
        try:
            result = app(args=argv, prog_name="feedkeeper", standalone_mode=False)
        finally:
            _flush_output()  # --version and --help print outside any command
    except typer.Exit as exc:
        return int(exc.exit_code)
    except SystemExit as exc:  # Typer's answer to a broken pipe outside a command: exit 1
        if not _reader_went_away(exc):
            raise
        common.silence_stdout()
        return 0
    except common.ReaderGone:  # `| head` read what it wanted: not an error
        common.silence_stdout()
        return 0
    except (typer.Abort, KeyboardInterrupt):
        return interrupted()
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, ...
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare command asks for its help
            exc.show()  # type: ignore[attr-defined]
            return int(getattr(exc, "exit_code", 2))
        return _failed(_usage_line(exc), int(getattr(exc, "exit_code", 2)))
    except FeedkeeperError as exc:
        if _raised_while_interrupted(exc):
            return interrupted()
        return _failed(first_line(exc.message), exc.exit_code)
    except Exception as exc:  # the last line of defence: no traceback unless asked for
        if _raised_while_interrupted(exc):
            return interrupted()
        if _is_database_error(exc):  # a damaged or full archive, met wherever it was read
            cause = getattr(exc, "orig", None) or exc
            return _failed(
                f"the archive cannot be used: {first_line(str(cause))}", StoreError.exit_code
            )
        if isinstance(exc, OSError) and is_working_folder_gone():  # every relative path fails
            return _failed(WORKING_FOLDER_GONE, ConfigError.exit_code)
        if isinstance(exc, OSError) and exc.filename is not None:  # a path that cannot be used
            return _failed(
                f"cannot use {exc.filename}: {exc.strerror or exc}", ConfigError.exit_code
            )
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:  # stdout on a full disk
            return _failed(
                f"cannot write the output: {exc.strerror or exc}", FeedkeeperError.exit_code
            )
        if os.environ.get("FEEDKEEPER_DEBUG"):
            traceback.print_exc()
        return _failed(
            f"{type(exc).__name__}: {first_line(str(exc))} (set FEEDKEEPER_DEBUG=1 for details)",
            EXIT_INTERNAL,
            prefix="internal error: ",
        )
    finally:
        with stop_between_steps():  # a Ctrl-C as the command ends: its connections close
            _dispose_engines()
        restore_signals()
    return result if isinstance(result, int) else 0


def interrupted() -> int:
    """Say that the command was interrupted; return its exit code, 130."""
    common.say("interrupted", event="interrupted")
    return 130


def _raised_while_interrupted(exc: BaseException) -> bool:
    """Tell whether an error came of a Ctrl-C (or SIGTERM) as the command unwound from it (a
    connection it broke, a lock a statement it cut short still held): the interrupt is what
    happened, and what the run's record and the exit code say."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__context__
    return False


def _failed(message: str, code: int, prefix: str = "error: ") -> int:
    """Say what stopped the command in one line (a log line when the log is JSON lines);
    return its exit code."""
    common.say(f"{prefix}{message}", event="command_failed", level=logging.ERROR, exit_code=code)
    return code


def _reader_went_away(exc: SystemExit) -> bool:
    """Tell whether Typer exited for a reader of standard output gone (``--help | true``)."""
    cause = exc.__context__
    return (
        exc.code == 1 and isinstance(cause, OSError) and cause.errno == errno.EPIPE
    ) and common.stdout_reader_gone()


def _flush_output() -> None:
    """Write out what standard output holds; a reader gone before it (``| true``) is no
    error, as for a command's own output; output closed before the command started
    (``>&-``) fails the first write (``_ClosedOutput``)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        if not common.stdout_reader_gone():
            raise
        common.silence_stdout()
        raise common.ReaderGone from None


class _ClosedOutput(io.TextIOBase):
    """Standard output closed before the command started (``>&-``), where Python leaves
    None: a command that prints nothing (``crawl -q``) works, one that prints fails in one
    line ("cannot write the output: standard output is closed")."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def _escape_what_cannot_be_shown() -> None:
    """Write characters the terminal's encoding lacks (Chinese titles under a Latin-1 or ASCII
    locale) as ``\\uXXXX`` escapes instead of failing: valid inside the JSON lines too."""
    if sys.stdout is None:
        sys.stdout = _ClosedOutput()
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _quiet_closed_loop_leftovers() -> None:
    """Keep quiet about an asyncio transport collected after an interrupted command closed
    its event loop (a worker's pipes, after Ctrl-C): Python would print its traceback as
    "Exception ignored in …", though nothing is left to do. Anything else is reported."""
    previous = sys.unraisablehook
    if getattr(previous, "quiets_closed_loops", False):
        return  # put in place by an earlier command of this process

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        closed_loop = isinstance(unraisable.exc_value, RuntimeError) and (
            str(unraisable.exc_value) == "Event loop is closed"
        )
        where = str(getattr(unraisable.object, "__module__", "") or "")
        if closed_loop and where.startswith("asyncio"):
            return
        previous(unraisable)

    hook.quiets_closed_loops = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


def _dispose_engines() -> None:
    """Close every database connection the command opened (when it opened any)."""
    engine = sys.modules.get("feedkeeper.store.engine")
    if engine is not None:
        engine.dispose_engines()


def _stop_on_sigterm() -> Callable[[], None]:
    """Make SIGTERM (and SIGHUP: the terminal or the SSH session closing, unless ``nohup``
    ignores it) stop a command as Ctrl-C does, so its run is recorded as interrupted and an
    export leaves no part file; return what puts the signals back as they were.

    When Ctrl-C is ignored (a background job of a script), it stays ignored: it is held
    back (blocked) instead, so that asyncio still sets up its own handler for it, the one
    SIGTERM is answered with (``_as_ctrl_c``). On the way out Ctrl-C is ignored again
    before it is let through, so one held back meanwhile is dropped, as it would have been.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, _as_ctrl_c)
    hangup = signal.getsignal(signal.SIGHUP)
    if hangup != signal.SIG_IGN:
        signal.signal(signal.SIGHUP, _as_ctrl_c)
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGHUP, hangup)
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    return restore


def _as_ctrl_c(_signum: int, frame: FrameType | None) -> None:
    """Answer SIGTERM with whatever answers Ctrl-C at that moment.

    Inside ``asyncio.run`` that is asyncio's own handler, which cancels the main task: the
    command unwinds through its clean-up (workers stopped, transaction rolled back) instead
    of a KeyboardInterrupt raised in whichever callback happens to run, which left a task's
    traceback on stderr or a writer's lock held while the run was being closed.
    """
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
        return
    raise KeyboardInterrupt  # Ctrl-C ignored or left to the system: stop here all the same


def _is_database_error(exc: BaseException) -> bool:
    cause = getattr(exc, "orig", None) or exc
    return isinstance(cause, sqlite3.Error) or type(cause).__module__.startswith("psycopg")


def _usage_line(exc: typer.TyperException) -> str:
    """One line for a usage error, pointing at the command's help instead of printing it."""
    command = getattr(getattr(exc, "ctx", None), "command_path", None)
    message = first_line(exc.format_message())
    return f"{message} (see {command} --help)" if command else message


__all__ = ["app", "interrupted", "main", "typer"]
