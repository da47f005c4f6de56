"""Exports: JSON, JSON Lines and CSV, streamed from the store, written atomically.

Records are written one at a time as the store yields them, so memory stays
flat however large the archive. A file is written beside its target and renamed
over it at the end: readers see the old file or the new one, never half of one.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import IO, Any

from feedkeeper.errors import ExportError
from feedkeeper.store.read import PostRecord

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
    "version",
    "first_seen",
    "last_seen",
    "sightings",
    "placeholders",
)
# OWASP "CSV injection": cells a spreadsheet would read as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Lists in CSV cells are joined with this.
LIST_SEPARATOR = "|"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Either of the two above: most records hold neither, and one search tells.
_UNUSUAL = re.compile("[\ud800-\udfff\x85\u2028\u2029]")
# Characters JSON leaves raw but many readers (str.splitlines, JavaScript) take for line
# breaks: escaped, a JSON Lines record stays on one line for every reader.
_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")


def check_fields(names: str | None) -> tuple[str, ...]:
    """Return the requested export fields in order, or all; ExportError names an unknown one."""
    if not names:
        return FIELDS
    chosen = tuple(dict.fromkeys(name.strip() for name in names.split(",") if name.strip()))
    for name in chosen:
        if name not in (*FIELDS, "versions"):
            raise ExportError(f"unknown field {name!r}; choose from {', '.join(FIELDS)}, versions")
    if not chosen:
        raise ExportError("no fields named; list them like --fields id,title,published")
    return chosen


def write_export(
    records: Iterable[PostRecord],
    fmt: str,
    out: Path | None,
    *,
    fields: tuple[str, ...] = FIELDS,
    history: bool = False,
    excel: bool = False,
) -> int:
    """Write the records to ``out`` (stdout when None) and return how many posts were written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose json, jsonl or csv")
    if excel and fmt != "csv":
        raise ExportError("--excel applies to CSV only: add --format csv")
    writer = {"json": _write_json, "jsonl": _write_jsonl, "csv": _write_csv}[fmt]
    if out is None:
        return _to_stdout(lambda handle: writer(handle, records, fields, history), bom=excel)
    with _atomic_file(out, bom=excel) as handle:
        return writer(handle, records, fields, history)


def _to_stdout(write: Callable[[IO[str]], int], *, bom: bool) -> int:
    stdout = sys.stdout
    if hasattr(stdout, "reconfigure"):
        stdout.reconfigure(encoding="utf-8", errors=REPLACE_SURROGATES)
    try:
        if bom:
            stdout.write("\ufeff")
        count = write(stdout)
        stdout.flush()
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        return 0
    return count


@contextlib.contextmanager
def _atomic_file(out: Path, *, bom: bool) -> Iterator[IO[str]]:
    directory = out.parent
    if not directory.is_dir():
        raise ExportError(f"cannot write {out}: folder {directory} does not exist")
    if out.is_dir():
        raise ExportError(f"cannot write {out}: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise ExportError(f"cannot write in {directory}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors=REPLACE_SURROGATES, newline="") as handle:
            if bom:
                handle.write("\ufeff")
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _file_mode())  # mkstemp makes 0600; an export is an ordinary file
        os.replace(tmp, out)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc
        raise


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
    return _LINE_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _write_jsonl(
    handle: IO[str], records: Iterable[PostRecord], fields: tuple[str, ...], history: bool
) -> int:
    count = 0
    for record in records:
        handle.write(_dumps(_selected(record, fields, history)) + "\n")
        count += 1
    return count


def _write_json(
    handle: IO[str], records: Iterable[PostRecord], fields: tuple[str, ...], history: bool
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
    handle: IO[str], records: Iterable[PostRecord], fields: tuple[str, ...], history: bool
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
                writer.writerow([csv_cell(row.get(name)) for name in columns])
        else:
            writer.writerow([csv_cell(getattr(record, name)) for name in columns])
        count += 1
    return count


def csv_cell(value: Any) -> str:
    """Return a value as CSV cell text: lists joined with ``|``, formulas neutralised.

    A lone surrogate (half an emoji) is left in: the file's encoder writes U+FFFD for it.
    """
    if isinstance(value, str):  # most cells: first
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            value = json.dumps(value, ensure_ascii=False)
        else:
            value = LIST_SEPARATOR.join(str(v) for v in value)
    return csv_cell(str(value))  # a str now: neutralised above


def _replace_surrogates(exc: UnicodeError) -> tuple[bytes, int]:
    """Encode each lone surrogate as U+FFFD: CSV cells are text, not JSON escapes."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    # As bytes: the UTF-8 encoder takes a str replacement only when it is ASCII.
    return "\ufffd".encode() * (exc.end - exc.start), exc.end


REPLACE_SURROGATES = "feedkeeper-replace-surrogates"
codecs.register_error(REPLACE_SURROGATES, _replace_surrogates)
