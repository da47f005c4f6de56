"""Exports: JSON, JSON Lines and CSV, streamed from the store, written atomically."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from feedkeeper.errors import ExportError
from feedkeeper.store.read import PostRecord

FORMATS = ("json", "jsonl", "csv")
FIELDS = (
    "id", "url", "aliases", "title", "category", "categories", "tags", "published",
    "excerpt", "truncated", "version", "first_seen", "last_seen", "sightings", "placeholders",
)
# OWASP "CSV injection": cells a spreadsheet would read as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_fields(names: str | None) -> tuple[str, ...]:
    """Return the requested export fields in order, or all; ExportError names an unknown one."""
    if not names:
        return FIELDS
    chosen = tuple(name.strip() for name in names.split(",") if name.strip())
    for name in chosen:
        if name not in FIELDS + ("versions",):
            raise ExportError(f"unknown field {name!r}; choose from {', '.join(FIELDS)}")
    return chosen


def write_export(
    records: Iterable[PostRecord], fmt: str, out: Path | None, *,
    fields: tuple[str, ...] = FIELDS, history: bool = False, excel: bool = False,
) -> int:
    """Write the records to ``out`` (stdout when None) and return how many were written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose json, jsonl or csv")
    with _open_output(out, bom=excel and fmt == "csv") as handle:
        writer = {"json": _write_json, "jsonl": _write_jsonl, "csv": _write_csv}[fmt]
        return writer(handle, records, fields, history)


@contextlib.contextmanager
def _open_output(out: Path | None, *, bom: bool) -> Iterator[IO[str]]:
    if out is None:
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        if bom:
            sys.stdout.write("\ufeff")
        yield sys.stdout
        sys.stdout.flush()
        return
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise ExportError(f"cannot write {out}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            if bom:
                handle.write("\ufeff")
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)  # readers see the old file or the new one, never half of one
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _selected(record: PostRecord, fields: tuple[str, ...], history: bool) -> dict[str, Any]:
    data = asdict(record)
    chosen = {name: data[name] for name in fields if name != "versions"}
    if history or "versions" in fields:
        chosen["versions"] = data["versions"] or []
    return chosen


def _dumps(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # a lone surrogate: escape it so the output stays valid UTF-8
        return json.dumps(value, ensure_ascii=True)


def _write_jsonl(handle: IO[str], records: Iterable[PostRecord], fields: tuple[str, ...], history: bool) -> int:
    count = 0
    for record in records:
        handle.write(_dumps(_selected(record, fields, history)) + "\n")
        count += 1
    return count


def _write_json(handle: IO[str], records: Iterable[PostRecord], fields: tuple[str, ...], history: bool) -> int:
    count = 0
    handle.write("[")
    for record in records:
        handle.write(("," if count else "") + "\n  " + _dumps(_selected(record, fields, history)))
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count


def _write_csv(handle: IO[str], records: Iterable[PostRecord], fields: tuple[str, ...], history: bool) -> int:
    columns = [f for f in fields if f != "versions"]
    if history and "version" not in columns:
        columns.append("version")
    if history:
        columns.append("observed_at")
    writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for record in records:
        for row in _csv_rows(record, columns, history):
            writer.writerow([_csv_cell(row.get(name)) for name in columns])
        count += 1
    return count


def _csv_rows(record: PostRecord, columns: list[str], history: bool) -> Iterator[dict[str, Any]]:
    base = asdict(record)
    if not history:
        yield base
        return
    for version in record.versions or []:
        yield base | version  # the version's own title, excerpt, ... in place of the current ones


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return _neutralise(json.dumps(value, ensure_ascii=False))
        return _neutralise("|".join(str(v) for v in value))
    if isinstance(value, int | float):
        return str(value)
    return _neutralise(str(value))


def _neutralise(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
