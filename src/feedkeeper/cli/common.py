"""What every command shares: the app, consoles, options and settings loading.

Importing this module stays cheap (typer only): the consoles import rich when they
first print, and each command imports the stages it needs when it runs, so
``feedkeeper --help`` starts as fast as the interpreter allows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import select
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core
import typer.main

import feedkeeper
from feedkeeper.errors import ConfigError
from feedkeeper.logs import printable
from feedkeeper.text import not_utf8

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from feedkeeper.config import Settings

LOG_FORMATS = ("text", "json")


@dataclass(frozen=True, slots=True)
class OutputOptions:
    """The options every command takes about what it prints: log format and loudness."""

    log_format: str | None = None
    quiet: bool = False
    verbose: bool = False


class ReaderGone(Exception):
    """The reader of standard output went away (``| head``): no error of ours."""


def stdout_reader_gone() -> bool:
    """Tell whether standard output is a pipe whose reader has closed it."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # replaced, or closed
        return False
    poll = select.poll()
    poll.register(fd, select.POLLOUT)
    return any(events & select.POLLERR for _, events in poll.poll(0))


def silence_stdout() -> None:
    """Point standard output at /dev/null, so that nothing more fails to reach a reader gone."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class LazyConsole:
    """A rich Console made on first use, so commands that print little never import rich.

    ``NO_COLOR`` (https://no-color.org) turns off every style, not only colours; ``quiet``
    silences the console (errors go through their own console).
    """

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None
        self.quiet = False

    def made(self) -> Console:
        """Return the rich Console itself, made now if not yet: for what uses it as more
        than its methods (a progress bar enters it, and ``with`` does not look through
        ``__getattr__``)."""
        if self._console is None:
            from rich.console import Console

            class _Console(Console):
                def render_str(self, text: str, **options: Any) -> Text:
                    """Every string printed: a site's text cannot drive the terminal."""
                    return super().render_str(printable(text), **options)

                def on_broken_pipe(self) -> None:  # rich would exit with 1
                    self.quiet = True
                    silence_stdout()
                    raise ReaderGone

            no_style = bool(os.environ.get("NO_COLOR"))
            self._console = _Console(
                stderr=self._stderr,
                soft_wrap=True,
                color_system=None if no_style else "auto",
                no_color=no_style,
            )
        self._console.quiet = self.quiet
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.made(), name)


def say(line: str, *, event: str, level: int = logging.WARNING, **fields: Any) -> None:
    """Say ``line`` on stderr: as it is, or as a log line of ``event`` with ``fields`` when
    the log is JSON lines, so that a log collector reads every line stderr gets."""
    from feedkeeper.logs import logs_json, printable

    if logs_json():
        logging.getLogger("feedkeeper.cli").log(level, line, extra={"event": event, **fields})
    else:  # one line, whatever a file name or a site's text holds (printable shows \r)
        err.print(printable(line).replace("\n", "\u2424"), markup=False, highlight=False)


def is_styled() -> bool:
    """Whether stdout shows styles: a terminal, and NO_COLOR unset (else marks stand in)."""
    return bool(out.is_terminal) and not os.environ.get("NO_COLOR")


out: Any = LazyConsole(stderr=False)
err: Any = LazyConsole(stderr=True)
# The options of the command being run, set before its function is called.
_output = OutputOptions()


def _print_version(value: bool) -> None:
    if value:
        print(f"feedkeeper {feedkeeper.__version__}")
        raise typer.Exit()


def _output_options(
    log_format: Annotated[
        str | None,
        typer.Option(
            "--log-format",
            metavar="<text|json>",
            help="Log lines as text or json [default: $FEEDKEEPER_LOG_FORMAT, else text].",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also log what each step does.")
    ] = False,
) -> None:
    """The options every command takes (their values go to `OutputOptions`)."""


def _output_params() -> list[Any]:
    """Fresh parameters for one command (each command wraps its own; see `Command`)."""
    holder = typer.Typer(add_completion=False)
    holder.command()(_output_options)
    return list(typer.main.get_command(holder).params)


_PLAIN_TYPES = {"Path": "path", "str": "text", "int": "int", "float": "number"}


def _plain_type(label: str | None) -> str | None:
    """``<list[Path]>`` becomes ``<path>``, ``<int range>`` ``<int>``: no Python in help."""
    if label is None:
        return None
    inner = re.sub(r"^<(?:list\[)?(\w+)\]?(?: range)?>(\.\.\.)?$", r"\1", label)
    if inner == label:
        return label
    return f"<{_PLAIN_TYPES.get(inner, inner.lower())}>"


class Command(typer.core.TyperCommand):
    """A command that also takes --log-format, --quiet and --verbose, and shows plain types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(_output_params())
        for param in self.params:
            shown = param.display_type_rich  # type: ignore[attr-defined]
            param.display_type_rich = _plain_shown(shown)  # type: ignore[attr-defined]

    def invoke(self, ctx: Any) -> Any:
        """Note the output options (given after the command or before it), then run the
        command with its own parameters."""
        global _output
        before = ctx.find_root().meta.get(_OPTIONS_BEFORE, {})
        log_format = ctx.params.pop("log_format", None) or before.get("log_format")
        quiet = bool(ctx.params.pop("quiet", False) or before.get("quiet"))
        verbose = bool(ctx.params.pop("verbose", False) or before.get("verbose"))
        if quiet and verbose:
            raise ConfigError("--quiet and --verbose: choose one")
        if log_format is not None and log_format not in LOG_FORMATS:
            raise ConfigError(f"--log-format: must be text or json, got {log_format!r}")
        _output = OutputOptions(log_format, quiet, verbose)
        out.quiet = quiet
        _refuse_text_not_utf8(ctx)
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:  # Click would exit with 1
            if stdout_reader_gone():
                raise ReaderGone from exc
            raise


# Parameters that may name a file in whatever bytes its folder's name holds.
_FILE_NAMES = frozenset({"db", "source"})


def _refuse_text_not_utf8(ctx: Any) -> None:
    """Refuse a text argument of bytes no UTF-8 (a GBK terminal's "梯度", which Python
    holds as lone surrogates): SQLite and httpx would fail on it with no word of why. File
    names may hold such bytes: they name the file they name."""
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        values = value if isinstance(value, list | tuple) else [value]
        for text in values:
            if param.name in _FILE_NAMES or not isinstance(text, str):
                continue
            shown = not_utf8(text)
            if shown is not None:
                name = param.opts[0] if param.param_type_name == "option" else param.name
                raise ConfigError(
                    f'{name}: "{shown}" is not UTF-8 text (set the terminal\'s encoding to UTF-8)'
                )


def _plain_shown(shown: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    return lambda ctx: _plain_type(shown(ctx))


# Where the root group keeps the output options given before the command.
_OPTIONS_BEFORE = "feedkeeper.output_options"


class Group(typer.core.TyperGroup):
    """The root command: it also takes the output options, before the command's name
    (``feedkeeper --log-format json crawl``), for the command to use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(_output_params())

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        """Read the command line."""
        with _interrupt_as_abort():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        """Keep the output options for the command, then run it."""
        with _interrupt_as_abort():
            ctx.meta[_OPTIONS_BEFORE] = {
                name: ctx.params.pop(name, None) for name in ("log_format", "quiet", "verbose")
            }
            return super().invoke(ctx)


@contextlib.contextmanager
def _interrupt_as_abort() -> Iterator[None]:
    """Raise a Ctrl-C (or SIGTERM) that lands while the command line is read or the command
    runs as Abort: Typer would end with 130 without a word, where ``main`` says
    "interrupted" for an Abort."""
    try:
        yield
    except KeyboardInterrupt as exc:
        raise typer.Abort from exc


class App(typer.Typer):
    """A Typer app whose commands are all `Command`s."""

    def command(self, *args: Any, **kwargs: Any) -> Any:
        """Register a command; it gets the shared output options."""
        kwargs.setdefault("cls", Command)
        return super().command(*args, **kwargs)


app = App(
    name="feedkeeper",
    help="Archive a blog's listing pages into a versioned SQLite database.",
    cls=Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = App(help="Manage the archive's schema.", no_args_is_help=True, rich_markup_mode=None)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Archive a blog's listing pages into a versioned SQLite database."""


def output_options() -> OutputOptions:
    """The output options the running command was given."""
    return _output


def settings_for(config: Path | None, **overrides: Any) -> Settings:
    """Load settings from file and environment, with the command's options on top.

    Also sets up logging: JSON event lines for log collectors when asked for,
    otherwise only warnings (info with --verbose, errors with --quiet), since
    one-shot commands print their own summary.
    """
    from feedkeeper.config import load_settings

    overrides.setdefault("log_format", _output.log_format)
    # Logging as the options and the environment say, while the settings load: what loading
    # them says (a TZ no zone matches) keeps to -q and to JSON lines too.
    early = overrides["log_format"] or os.environ.get("FEEDKEEPER_LOG_FORMAT") or "text"
    early = early if early in LOG_FORMATS else "text"
    _configure_logging(early)
    settings = load_settings(config, overrides=overrides)
    _configure_logging(settings.log_format)
    return settings


def _configure_logging(log_format: str) -> None:
    """Log as ``log_format`` at the options' level; a text log leaves what the command's
    summary says to the summary (unless --verbose asks for every step)."""
    from feedkeeper.logs import SUMMARISED_EVENTS, configure_logging

    summarised = log_format == "text" and not _output.verbose
    configure_logging(
        log_format,
        level=_log_level(log_format),
        left_out=SUMMARISED_EVENTS if summarised else frozenset(),
    )


def _log_level(log_format: str) -> int:
    """JSON event lines carry info; text only warnings (info with -v, errors with -q)."""
    if _output.quiet:
        return logging.ERROR
    return logging.INFO if log_format == "json" or _output.verbose else logging.WARNING


def json_for_stdout(value: Any, indent: int | None = None) -> str:
    """Return ``value`` as JSON for standard output: Chinese kept readable where its encoding
    can show every character, escaped (``\\uXXXX``) where it cannot (an ASCII locale), and
    control codes always escaped."""
    import codecs
    import json

    from feedkeeper.text import escape_json_controls

    try:
        unicode = codecs.lookup(sys.stdout.encoding or "ascii").name.startswith("utf-")
    except (AttributeError, LookupError):
        unicode = False
    return escape_json_controls(json.dumps(value, ensure_ascii=not unicode, indent=indent))


def print_json(value: Any) -> None:
    """Print ``value`` as JSON: indented, Chinese kept readable."""
    if not _output.quiet:
        print(json_for_stdout(value, indent=2))
