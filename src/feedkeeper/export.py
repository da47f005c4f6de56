"""Exports: JSON, JSON Lines and CSV, streamed from the store, written atomically.

Records are written one at a time as the store yields them, so memory stays
flat however large the archive. A file is written beside its target and renamed
over it at the end: readers see the old file or the new one, never half of one.
A symlink is followed and its target replaced; what is not a regular file (a
device, a FIFO, /dev/stdout) is written into as it is. An export never writes over
a SQLite database nor the archive it reads, nor over a read-only file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import functools
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from feedkeeper import word_worker
from feedkeeper.errors import ConfigError, ExportError
from feedkeeper.logs import printable
from feedkeeper.store.read import PostRecord
from feedkeeper.text import escape_json_controls

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

FORMATS = ("json", "jsonl", "csv")
FIELDS = (
    "id",
    "site",
    "url",
    "aliases",
    "title",
    "category",
    "categories",
    "tags",
    "published",
    "excerpt",
    "excerpt_recovered",
    "truncated",
    "pinned",
    "version",
    "first_seen",
    "last_seen",
    "sightings",
    "placeholders",
)
# OWASP "CSV injection": cells a spreadsheet would read as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Lists in CSV cells are joined with this; a name holding it (or the escape) is escaped
# with a backslash: ``CI|CD`` is written ``CI\|CD``.
LIST_SEPARATOR = "|"
# Fields whose CSV cell is a JSON array, ``[]`` when empty.
JSON_CELLS = frozenset({"placeholders", "versions"})
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Either of the two above: most records hold neither, and one search tells.
_UNUSUAL = re.compile("[\ud800-\udfff\x80-\x9f\u2028\u2029]")


def check_fields(names: str | None) -> tuple[str, ...]:
    """Return the requested export fields in order, or all; ExportError names an unknown one."""
    if not names:
        return FIELDS
    chosen = tuple(dict.fromkeys(name.strip() for name in names.split(",") if name.strip()))
    for name in chosen:
        if name not in (*FIELDS, "versions"):
            raise ConfigError(
                f"--fields: unknown field {name!r}; choose from {', '.join(FIELDS)}, versions"
            )
    if not chosen:
        raise ConfigError("--fields: no fields named; list them like --fields id,title,published")
    return chosen


def write_export(
    records: Iterable[PostRecord],
    fmt: str,
    out: Path | None,
    *,
    fields: tuple[str, ...] = FIELDS,
    history: bool = False,
    excel: bool = False,
    formula_guard: bool = True,
    archive: Path | None = None,
) -> int:
    """Write the records to ``out`` (stdout when None) and return how many posts were written.

    ``formula_guard`` (CSV only) defuses cells a spreadsheet would run as formulas; turn it
    off for readers that take cells as text, such as pandas. ``archive`` is the database the
    records come from: never a place to write to.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose json, jsonl or csv")
    if excel and fmt != "csv":
        raise ExportError("--excel applies to CSV only: add --format csv")
    if not formula_guard and fmt != "csv":
        raise ExportError("--no-formula-guard applies to CSV only: add --format csv")
    writer: Callable[[SupportsWrite[str], Iterable[PostRecord], tuple[str, ...], bool], int]
    if fmt == "csv":
        writer = functools.partial(_write_csv, formula_guard=formula_guard)
    else:
        writer = _write_json if fmt == "json" else _write_jsonl
    if out is None:
        return _to_stdout(lambda handle: writer(handle, records, fields, history), bom=excel)
    target = check_target(out, archive)
    opener = _straight_into if is_stream(target) else _atomic_file
    with opener(target, bom=excel) as handle:
        return writer(handle, records, fields, history)


def is_stream(out: Path) -> bool:
    """Tell whether ``out`` is to be written into, not replaced: a device, FIFO or /dev/stdout."""
    if not out.exists() or out.is_dir():
        return False
    return not out.is_file() or out.parts[:2] == ("/", "dev")


def check_target(out: Path, archive: Path | None = None) -> Path:
    """Return where an export to ``out`` lands (symlinks followed); ConfigError if it must not."""
    if archive is not None and _is_archive_file(out, archive):
        raise ConfigError(f"--out: {out} is the archive being exported; choose another file")
    if is_stream(out):
        return out  # what the name stands for is opened and written, as a shell's > does
    if out.is_symlink():
        try:
            os.path.realpath(out, strict=True)
        except FileNotFoundError:
            pass  # a link to a file not made yet: the export makes it
        except OSError as exc:  # a loop of links: replacing the link would break it
            raise ConfigError(f"--out: cannot write {out}: {exc.strerror or exc}") from exc
    target = Path(os.path.realpath(out))
    if not target.parent.is_dir():
        raise ConfigError(f"--out: cannot write {out}: folder {out.parent} does not exist")
    if target.is_dir():
        raise ConfigError(f"--out: cannot write {out}: it is a folder")
    if not target.exists():
        return target
    mode = target.stat().st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise ConfigError(f"--out: {out} is read-only; remove it or choose another file")
    with target.open("rb") as handle:
        if handle.read(16) == b"SQLite format 3\x00":
            raise ConfigError(f"--out: {out} is a SQLite database; choose another file")
    return target


def _is_archive_file(out: Path, archive: Path) -> bool:
    """Tell whether ``out`` is the archive or a companion file, by any name or link."""
    real = Path(os.path.realpath(archive))
    suffixes = ("", "-wal", "-shm", ".lock", word_worker.FILE_SUFFIX)
    companions = [real.with_name(real.name + suffix) for suffix in suffixes]
    if Path(os.path.realpath(out)) in companions:
        return True
    # A hard link, or /dev/stdout redirected into the archive (`>> blog.db`).
    return out.exists() and any(p.exists() and os.path.samefile(out, p) for p in companions)


@contextlib.contextmanager
def _straight_into(out: Path, *, bom: bool) -> Iterator[IO[str]]:
    """Write into a device or FIFO as it is: it cannot be replaced, and must not be."""
    try:
        with out.open("w", encoding="utf-8", newline="") as handle:
            if bom:
                handle.write("\ufeff")
            yield handle
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc


def _to_stdout(write: Callable[[SupportsWrite[str]], int], *, bom: bool) -> int:
    stdout = sys.stdout
    if hasattr(stdout, "reconfigure"):
        stdout.reconfigure(encoding="utf-8", errors=REPLACE_SURROGATES)
    # A reader that goes away (`| head`) raises BrokenPipeError: the CLI ends the command
    # quietly, as for every command.
    if bom:
        stdout.write("\ufeff")
    count = write(_Shown(stdout) if _is_terminal(stdout) else stdout)
    stdout.flush()
    return count


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


class _Shown:
    """A terminal's view of an export: a title holding ESC or BEL cannot drive the terminal.

    Control characters are shown as their pictures (tab and line break kept; the CSV row
    end ``\\r\\n`` is shown as a line break). Only what a person reads is changed: an export
    into a file or a pipe is written as it is.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(printable(text.replace("\r\n", "\n")))
        return len(text)


@contextlib.contextmanager
def _atomic_file(out: Path, *, bom: bool) -> Iterator[IO[str]]:
    directory = out.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO):  # the disk, not the path
            raise ExportError(f"cannot write in {directory}: {exc.strerror}") from exc
        # A folder no file can be made in (read-only, /proc): the path given is wrong.
        raise ConfigError(f"--out: cannot write in {directory}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors=REPLACE_SURROGATES, newline="") as handle:
            if bom:
                handle.write("\ufeff")
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _take_place_of(out, tmp)
        os.replace(tmp, out)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc
        raise


def _take_place_of(out: Path, tmp: str) -> None:
    """Give the new file the mode and owner of the file it replaces, as a shell's ``>``
    keeps them (a private export stays private); else an ordinary file's mode (mkstemp
    makes 0600)."""
    try:
        old = os.stat(out)
    except FileNotFoundError:
        os.chmod(tmp, _file_mode())
        return
    os.chmod(tmp, stat.S_IMODE(old.st_mode))
    with contextlib.suppress(PermissionError):  # only root may give a file away
        os.chown(tmp, old.st_uid, old.st_gid)


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _selected(record: PostRecord, fields: tuple[str, ...], history: bool) -> dict[str, Any]:
    chosen = {name: getattr(record, name) for name in fields if name != "versions"}
    if history or "versions" in fields:
        chosen["versions"] = record.versions or []
    return chosen


def _dumps(value: Any) -> str:
    """One line of JSON that is valid UTF-8 whatever the text holds."""
    text = json.dumps(value, ensure_ascii=False)
    if not _UNUSUAL.search(text):
        return text
    if _LONE_SURROGATE.search(text):  # not encodable as UTF-8: escape as \\udxxx instead
        return json.dumps(value, ensure_ascii=True)
    return escape_json_controls(text)  # a record stays on one line for every reader


def _write_jsonl(
    handle: SupportsWrite[str],
    records: Iterable[PostRecord],
    fields: tuple[str, ...],
    history: bool,
) -> int:
    count = 0
    for record in records:
        handle.write(_dumps(_selected(record, fields, history)) + "\n")
        count += 1
    return count


def _write_json(
    handle: SupportsWrite[str],
    records: Iterable[PostRecord],
    fields: tuple[str, ...],
    history: bool,
) -> int:
    count = 0
    handle.write("[")
    for record in records:
        handle.write(("," if count else "") + "\n  " + _dumps(_selected(record, fields, history)))
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count


def csv_columns(fields: tuple[str, ...], history: bool) -> list[str]:
    """Return the CSV header: the fields, plus ``version`` and ``observed_at`` with history."""
    columns = [f for f in fields if f != "versions"]
    if history and "version" not in columns:
        columns.append("version")
    if history:
        columns.append("observed_at")
    return columns


def _write_csv(
    handle: SupportsWrite[str],
    records: Iterable[PostRecord],
    fields: tuple[str, ...],
    history: bool,
    *,
    formula_guard: bool = True,
) -> int:
    columns = csv_columns(fields, history)
    writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")  # RFC 4180
    writer.writerow(columns)
    count = 0
    for record in records:
        if history:
            base = {f.name: getattr(record, f.name) for f in dataclass_fields(record)}
            for version in record.versions or []:
                row = base | version  # the version's own title, excerpt, ... for the current ones
                writer.writerow(
                    [csv_cell(row.get(name), formula_guard, name in JSON_CELLS) for name in columns]
                )
        else:
            cells = [
                csv_cell(getattr(record, name), formula_guard, name in JSON_CELLS)
                for name in columns
            ]
            writer.writerow(cells)
        count += 1
    return count


def csv_cell(value: Any, formula_guard: bool = True, as_json: bool = False) -> str:
    """Return a value as CSV cell text: lists joined with ``|`` (a ``|`` or ``\\`` in a
    name escaped with ``\\``), or as a JSON array with ``as_json``; formulas neutralised.

    A lone surrogate (half an emoji) is left in: the file's encoder writes U+FFFD for it.
    """
    if isinstance(value, str):  # most cells: first
        guarded = formula_guard and value.startswith(_FORMULA_STARTS)
        return "'" + value if guarded else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        if as_json or (value and isinstance(value[0], dict)):
            value = json.dumps(value, ensure_ascii=False)
        else:
            value = LIST_SEPARATOR.join(_escaped(str(v)) for v in value)
    return csv_cell(str(value), formula_guard)  # a str now: handled above


def _escaped(name: str) -> str:
    """Escape the list separator and the escape itself in one name of a list cell."""
    if LIST_SEPARATOR not in name and "\\" not in name:
        return name
    return name.replace("\\", "\\\\").replace(LIST_SEPARATOR, "\\" + LIST_SEPARATOR)


def _replace_surrogates(exc: UnicodeError) -> tuple[bytes, int]:
    """Encode each lone surrogate as U+FFFD: CSV cells are text, not JSON escapes."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    # As bytes: the UTF-8 encoder takes a str replacement only when it is ASCII.
    return "\ufffd".encode() * (exc.end - exc.start), exc.end


REPLACE_SURROGATES = "feedkeeper-replace-surrogates"
codecs.register_error(REPLACE_SURROGATES, _replace_surrogates)
