"""Exports: JSON, JSON Lines and CSV, streamed from the store.

Records are written as the store yields them (JSON made by orjson, CSV rows handed on a
few hundred at a time, as UTF-8 bytes), so memory stays flat however large the archive.
Where they go, and how a file is replaced atomically, is ``export_files``'s.
"""

from __future__ import annotations

import csv
import functools
import json
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from feedkeeper.errors import ConfigError, ExportError
from feedkeeper.export_files import (
    REPLACE_SURROGATES,
    atomic_file,
    check_target,
    is_stream,
    straight_into,
    to_stdout,
)
from feedkeeper.store.read import PostRecord
from feedkeeper.text import JSON_RAW_CONTROLS_UTF8_RE, escape_json_controls

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
    excel_limits: ExcelLimits | None = None,
) -> int:
    """Write the records to ``out`` (stdout when None) and return how many posts were written.

    ``formula_guard`` (CSV only) defuses cells a spreadsheet would run as formulas; turn it
    off for readers that take cells as text, such as pandas. ``archive`` is the database the
    records come from: never a place to write to. ``excel_limits`` (CSV only) counts the
    rows, and the cells longer than an Excel cell holds.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose json, jsonl or csv")
    if excel and fmt != "csv":
        raise ExportError("--excel applies to CSV only: add --format csv")
    if not formula_guard and fmt != "csv":
        raise ExportError("--no-formula-guard applies to CSV only: add --format csv")
    writer: Callable[[SupportsWrite[bytes], Iterable[PostRecord], tuple[str, ...], bool], int]
    if fmt == "csv":
        writer = functools.partial(
            _write_csv, formula_guard=formula_guard, excel_limits=excel_limits
        )
    else:
        writer = _write_json if fmt == "json" else _write_jsonl
    if out is None:
        return to_stdout(lambda handle: writer(handle, records, fields, history), bom=excel)
    target = check_target(out, archive)
    opener = straight_into if is_stream(target) else atomic_file
    with opener(target, bom=excel) as handle:
        return writer(handle, records, fields, history)


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
    if JSON_RAW_CONTROLS_UTF8_RE.search(data) is None:  # most records hold none
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
    excel_limits: ExcelLimits | None = None,
) -> int:
    columns = csv_columns(fields, history)
    cells = _Cells(columns, formula_guard)
    values = _getter(columns)
    lines = _Lines()
    writer = csv.writer(lines, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")  # RFC 4180
    writer.writerow(columns)
    count = 0
    for record in records:
        for row in _row_values(record, columns, values, history):
            made = cells(row)
            if excel_limits is not None:
                excel_limits.check(record.id, columns, made)
            writer.writerow(made)
        count += 1
        if len(lines) >= _CSV_ROWS_A_WRITE:
            lines.into(handle)
    lines.into(handle)
    return count


def _row_values(
    record: PostRecord,
    columns: list[str],
    values: Callable[[PostRecord], tuple[Any, ...]],
    history: bool,
) -> Iterable[Iterable[Any]]:
    """The values of a post's rows: one, or with ``history`` one a version (the version's
    own title, excerpt, ... for the current ones)."""
    if not history:
        return (values(record),)
    base = record._asdict()
    return ([(base | version).get(name) for name in columns] for version in record.versions or [])


# Characters an Excel cell holds (UTF-16 code units): it cuts a longer text when it opens a CSV.
EXCEL_CELL_MAX = 32_767
# Rows an Excel sheet holds, the header's included: it opens no more of a CSV.
EXCEL_ROWS_MAX = 1_048_576


@dataclass(slots=True)
class ExcelLimits:
    """What of a CSV export passes what Excel holds: the cells longer than a cell holds (and
    the first of them), and the rows, to be told against a sheet's."""

    count: int = 0  # cells too long
    first: tuple[int, str] | None = None  # (post id, column)
    rows: int = 0  # below the header

    def check(self, post_id: int, columns: list[str], row: list[Any]) -> None:
        """Count the row, and its cells too long for Excel."""
        self.rows += 1
        for name, cell in zip(columns, row, strict=True):
            # A character takes one or two UTF-16 units: only a long text can be too long.
            too_long = cell.__class__ is str and len(cell) > EXCEL_CELL_MAX // 2
            if too_long and len(cell.encode("utf-16-le")) // 2 > EXCEL_CELL_MAX:
                self.count += 1
                self.first = self.first or (post_id, name)


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
