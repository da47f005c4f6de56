"""Exports: JSON, JSON Lines and CSV, streamed from the store, written atomically.

Records are written as the store yields them (JSON made by orjson, CSV rows handed on a
few hundred at a time, as UTF-8 bytes), so memory stays flat however large the archive.
A file is written beside its target and renamed over it at the end: readers see the old
file or the new one, never half of one.
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
import operator
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

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
# Fields whose CSV cell is a list joined with LIST_SEPARATOR, and flags written 1 or 0.
_LIST_CELLS = frozenset({"aliases", "categories", "tags"})
_FLAG_CELLS = frozenset({"truncated", "pinned"})
# C1 control codes and U+2028/9 in UTF-8: JSON allows them raw, but they break a line
# for some readers; most records hold none, and one search of the bytes tells.
_RAW_CONTROLS = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]")
BOM = "\ufeff".encode()
# CSV rows encoded and written at a time.
_CSV_ROWS_A_WRITE = 256


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
    writer: Callable[[SupportsWrite[bytes], Iterable[PostRecord], tuple[str, ...], bool], int]
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
def _straight_into(out: Path, *, bom: bool) -> Iterator[IO[bytes]]:
    """Write into a device or FIFO as it is: it cannot be replaced, and must not be."""
    try:
        with out.open("wb") as handle:
            if bom:
                handle.write(BOM)
            yield handle
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc


def _to_stdout(write: Callable[[SupportsWrite[bytes]], int], *, bom: bool) -> int:
    stdout = sys.stdout
    if hasattr(stdout, "reconfigure"):
        stdout.reconfigure(encoding="utf-8", errors=REPLACE_SURROGATES)
    stdout.flush()  # what was written as text before comes first
    # A reader that goes away (`| head`) raises BrokenPipeError: the CLI ends the command
    # quietly, as for every command.
    sink: SupportsWrite[bytes]
    if _is_terminal(stdout):
        sink = _Shown(stdout)
    else:
        buffer = getattr(stdout, "buffer", None)
        sink = buffer if buffer is not None else _Decoded(stdout)
    if bom:
        sink.write(BOM)
    count = write(sink)
    if sink is not stdout and hasattr(sink, "flush"):
        sink.flush()  # the byte buffer under stdout
    stdout.flush()
    return count


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


class _Decoded:
    """An export's UTF-8 bytes written into a text stream (one that has no byte buffer).

    Each write holds whole records, so no character is cut between two.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        self._stream.write(self._text(data.decode("utf-8")))
        return len(data)

    def _text(self, text: str) -> str:
        return text


class _Shown(_Decoded):
    """A terminal's view of an export: a title holding ESC or BEL cannot drive the terminal.

    Control characters are shown as their pictures (tab and line break kept; the CSV row
    end ``\\r\\n`` is shown as a line break). Only what a person reads is changed: an export
    into a file or a pipe is written as it is.
    """

    def _text(self, text: str) -> str:
        return printable(text.replace("\r\n", "\n"))


@contextlib.contextmanager
def _atomic_file(out: Path, *, bom: bool) -> Iterator[IO[bytes]]:
    directory = out.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO):  # the disk, not the path
            raise ExportError(f"cannot write in {directory}: {exc.strerror}") from exc
        # A folder no file can be made in (read-only, /proc): the path given is wrong.
        raise ConfigError(f"--out: cannot write in {directory}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            if bom:
                handle.write(BOM)
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


def _getter(names: list[str]) -> Callable[[PostRecord], tuple[Any, ...]]:
    """Return a function giving a record's values of ``names``, in that order."""
    if not names:
        return lambda _record: ()
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else lambda record: (get(record),)


def _picker(fields: tuple[str, ...], history: bool) -> Callable[[PostRecord], dict[str, Any]]:
    """Return a function giving a record's chosen fields (and its versions) as a dict."""
    names = [name for name in fields if name != "versions"]
    values = _getter(names)
    if not (history or "versions" in fields):
        return lambda record: dict(zip(names, values(record), strict=True))

    def with_versions(record: PostRecord) -> dict[str, Any]:
        chosen = dict(zip(names, values(record), strict=True))
        chosen["versions"] = record.versions or []
        return chosen

    return with_versions


def _dumps(value: Any) -> bytes:
    """One line of JSON in UTF-8, whatever the text holds."""
    try:
        data = orjson.dumps(value)
    except orjson.JSONEncodeError:  # a lone surrogate (half an emoji) is no UTF-8: escaped
        return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode()
    if _RAW_CONTROLS.search(data) is None:
        return data
    return escape_json_controls(data.decode()).encode()  # a record stays on one line


def _write_jsonl(
    handle: SupportsWrite[bytes],
    records: Iterable[PostRecord],
    fields: tuple[str, ...],
    history: bool,
) -> int:
    pick = _picker(fields, history)
    count = 0
    for record in records:
        handle.write(_dumps(pick(record)) + b"\n")
        count += 1
    return count


def _write_json(
    handle: SupportsWrite[bytes],
    records: Iterable[PostRecord],
    fields: tuple[str, ...],
    history: bool,
) -> int:
    pick = _picker(fields, history)
    count = 0
    handle.write(b"[")
    for record in records:
        handle.write((b",\n  " if count else b"\n  ") + _dumps(pick(record)))
        count += 1
    handle.write(b"\n]\n" if count else b"]\n")
    return count


def csv_columns(fields: tuple[str, ...], history: bool) -> list[str]:
    """Return the CSV header: the fields, plus ``version`` and ``observed_at`` with history."""
    columns = [f for f in fields if f != "versions"]
    if history and "version" not in columns:
        columns.append("version")
    if history:
        columns.append("observed_at")
    return columns


class _Lines(list[str]):
    """What the csv module writes, kept to be encoded and written a few hundred rows at once."""

    def write(self, text: str) -> None:
        self.append(text)

    def into(self, handle: SupportsWrite[bytes]) -> None:
        handle.write("".join(self).encode("utf-8", REPLACE_SURROGATES))
        self.clear()


def _write_csv(
    handle: SupportsWrite[bytes],
    records: Iterable[PostRecord],
    fields: tuple[str, ...],
    history: bool,
    *,
    formula_guard: bool = True,
) -> int:
    columns = csv_columns(fields, history)
    cells = _Cells(columns, formula_guard)
    values = _getter(columns)
    lines = _Lines()
    writer = csv.writer(lines, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")  # RFC 4180
    writer.writerow(columns)
    count = 0
    for record in records:
        if history:
            base = record._asdict()
            for version in record.versions or []:
                row = base | version  # the version's own title, excerpt, ... for the current ones
                writer.writerow(cells([row.get(name) for name in columns]))
        else:
            writer.writerow(cells(values(record)))
        count += 1
        if len(lines) >= _CSV_ROWS_A_WRITE:
            lines.into(handle)
    lines.into(handle)
    return count


class _Cells:
    """Makes a row's cells as ``csv_cell`` would, each column by what it holds, with no call
    a cell for the common cells (text, numbers, flags, empty lists)."""

    def __init__(self, columns: list[str], formula_guard: bool) -> None:
        self._guard = formula_guard
        self._flags = [i for i, name in enumerate(columns) if name in _FLAG_CELLS]
        self._lists = [
            (i, name in JSON_CELLS)
            for i, name in enumerate(columns)
            if name in _LIST_CELLS or name in JSON_CELLS
        ]
        special = {i for i in self._flags} | {i for i, _ in self._lists}
        self._plain = [i for i in range(len(columns)) if i not in special]

    def __call__(self, values: Iterable[Any]) -> list[Any]:
        row = list(values)
        for i in self._plain:  # text, numbers (the csv module writes them) and None ("")
            value = row[i]
            if value.__class__ is str:
                if self._guard and value.startswith(_FORMULA_STARTS):
                    row[i] = "'" + value
            elif value is not None and value.__class__ is not int:
                row[i] = csv_cell(value, self._guard)
        for i in self._flags:
            value = row[i]
            row[i] = "1" if value is True else "0" if value is False else csv_cell(value)
        for i, as_json in self._lists:
            value = row[i]
            if value == []:
                row[i] = "[]" if as_json else ""
            else:
                row[i] = csv_cell(value, self._guard, as_json)
        return row


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
