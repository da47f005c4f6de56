"""Log output: readable lines for people, or one JSON object per line for log collectors.

Code logs through ``logging`` with structured extras (``run_id``, ``url``,
``status``, ``duration_s``, ``counts``...); the formatters here decide how they
look. Whatever the format, credentials in URLs are masked and long strings are
cut, so a log never carries a password or a whole page body.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
# A log line is for finding out what happened, not for archiving what a page said.
MAX_STRING = 500
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
# Attributes every LogRecord has; anything else on a record was passed as an extra.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
# Libraries that would otherwise log every request or every job at INFO.
_QUIET_LOGGERS = ("apscheduler", "httpx", "httpcore", "alembic")


def configure_logging(
    fmt: str = "text",
    level: int = logging.INFO,
    stream: TextIO | None = None,
    left_out: frozenset[str] = frozenset(),
) -> None:
    """Send all log records to ``stream`` (stderr by default) as ``text`` or ``json``, but
    the lines whose event is in ``left_out`` (what a command's own summary says)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    _format[0] = fmt
    if left_out:
        handler.addFilter(lambda record: getattr(record, "event", None) not in left_out)
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def logs_json() -> bool:
    """Whether the log goes out as JSON lines (``configure_logging("json")`` last)."""
    return _format[0] == "json"


def forget_format() -> None:
    """Take the log for text lines again until the next ``configure_logging`` (a command
    that ends before it sets up its log)."""
    _format[0] = "text"


# The format ``configure_logging`` set last.
_format = ["text"]


def mask_credentials(text: str) -> str:
    """Replace the ``user:password@`` part of any URL in ``text`` with ``***@``."""
    return _USERINFO.sub("***@", text)


# Control characters shown as their pictures (U+2400 block; C1 codes as U+FFFD), one for
# one: a site's title or URL holding ESC or BEL cannot drive the terminal it is shown on.
# The bidirectional embeddings, overrides and isolates (U+202A-E, U+2066-9) are shown as
# U+FFFD too: a terminal that honours them would show the rest of the line reordered (a
# title's U+202E turning the URL after it around, "Trojan Source").
_CONTROL_PICTURES = (
    {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)}
    | {0x7F: 0x2421}
    | dict.fromkeys(range(0x80, 0xA0), 0xFFFD)
    | dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)], 0xFFFD)
)


def printable(text: str) -> str:
    """Return ``text`` with its control characters (tab and line break aside) made visible,
    each as one character, so that styles laid over the text keep their places."""
    return text if text.isprintable() else text.translate(_CONTROL_PICTURES)


def scrub(text: str) -> str:
    """Mask credentials in URLs, show control characters, and cut ``text`` to a loggable
    length."""
    text = printable(mask_credentials(text))
    if len(text) > MAX_STRING:
        return f"{text[:MAX_STRING]}… ({len(text) - MAX_STRING} more characters)"
    return text


def extras(record: logging.LogRecord) -> dict[str, Any]:
    """Return the structured fields passed to a log call through ``extra=``, scrubbed."""
    return {
        key: _scrub_value(value)
        for key, value in vars(record).items()
        if key not in _RECORD_ATTRS and not key.startswith("_")
    }


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {str(k): _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(str(value))


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as a single line of JSON."""
        entry: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        entry.update(extras(record))
        entry.setdefault("event", OTHER_EVENT)  # a library's line: every line has its event
        if record.exc_info:
            entry["exception"] = mask_credentials(_exception_text(self, record))
        return json.dumps(entry, ensure_ascii=False, default=str)


# The events a one-shot command's summary reports itself (its failed pages, how its runs
# ended): its text log leaves them out, or each failure would be said twice on stderr.
SUMMARISED_EVENTS = frozenset({"page", "run_finished", "recovery_finished"})

# The event of a line that names none: a library's (APScheduler, procrastinate).
OTHER_EVENT = "log"


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    """The exception a line reports: its type and message; its traceback with
    FEEDKEEPER_DEBUG set, for whoever debugs it."""
    if os.environ.get("FEEDKEEPER_DEBUG"):
        return formatter.formatException(record.exc_info)  # type: ignore[arg-type]
    exc = record.exc_info[1] if record.exc_info else None
    return f"{type(exc).__name__}: {exc}" if exc is not None else ""


class TextFormatter(logging.Formatter):
    """``2026-01-11T08:00:00.000Z INFO    message``: the message already says what matters."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as one readable line (plus a traceback, if any)."""
        line = f"{_timestamp(record)} {record.levelname:<7} {scrub(record.getMessage())}"
        if record.exc_info:
            line += " (" + mask_credentials(_exception_text(self, record)) + ")"
        return line
