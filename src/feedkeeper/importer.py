"""Archiving plain-text captures of listing pages, through the same dedupe and write stages."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from email.utils import formatdate
from pathlib import Path

from feedkeeper.clock import now_iso
from feedkeeper.errors import ParseError
from feedkeeper.interrupts import stop_between_steps
from feedkeeper.page_reader import read_page
from feedkeeper.pipeline import Progress, RunSummary, run_status, write_page
from feedkeeper.records import PageCapture, PageKind, RunCounts, RunKind
from feedkeeper.store import Store
from feedkeeper.store.sites import Site, site_for_import
from feedkeeper.store.write import PageWriter


def import_captures(
    store: Store,
    files: Sequence[Path],
    progress: Progress | None = None,
    site: Site | None = None,
) -> RunSummary:
    """Archive plain-text captures of listing pages through the same dedupe and write path.

    They go to ``site``; without one, to the archive's only site (made when there is none).
    They are read in the order they were saved in (``saved_order``), so that what a post's
    latest capture shows is its current version, whatever the order they are given in.
    """
    files = saved_order(files)
    site = site or site_for_import(store.engine, _file_url(files[0]))
    run_id = store.start_run(RunKind.IMPORT, " ".join(str(f) for f in files), site.id)
    counts = RunCounts()
    # A signal stops it between files, each one whole, and never in the run's last writes.
    with stop_between_steps() as guard:
        with store.closing_run(run_id, counts), store.writer(site.id) as writer:
            for path in files:
                guard.between_steps()
                if progress:
                    progress(str(path))
                _import_one(writer, run_id, counts, path)
                writer.commit()
        status = run_status(counts)
        store.finish_run(run_id, counts, status)
    return RunSummary(run_id, RunKind.IMPORT, status, counts)


def _import_one(writer: PageWriter, run_id: int, counts: RunCounts, path: Path) -> None:
    url = _file_url(path)
    try:
        body = _read_capture(path)
    except OSError as exc:
        counts.fail(str(path), f"cannot read {path}: {exc.strerror}")
        return
    except ParseError as exc:
        counts.fail(str(path), exc.message)
        return
    at = now_iso()
    try:
        parsed = read_page(body, "text/plain", str(path))
    except ParseError as exc:
        counts.fail(str(path), exc.message)
        capture = PageCapture(
            url, at, PageKind.UNPARSEABLE, content_type="text/plain", body=body, error=exc.message
        )
        write_page(writer, run_id, capture, None)
        return
    capture = PageCapture(
        url, at, PageKind.PARSED, last_modified=_saved_at(path), content_type="text/plain",
        body=body,
    )  # fmt: skip
    counts.add(write_page(writer, run_id, capture, parsed.cards, parsed.skipped))


def saved_order(files: Sequence[Path]) -> list[Path]:
    """Return the captures oldest first, by the time each file was saved (its modification
    time, to the second); files saved within one second keep the order given (and those
    whose time cannot be read come first, to fail on their own turn)."""
    return sorted(files, key=_saved_second)


def _saved_second(path: Path) -> int:
    try:
        return int(path.stat().st_mtime)
    except (OSError, ValueError):  # it fails on its own turn, with one line
        return 0


def _saved_at(path: Path) -> str | None:
    """The time the file was saved, as an HTTP date: its ``Last-Modified``."""
    try:
        return formatdate(path.stat().st_mtime, usegmt=True)
    except (OSError, ValueError):
        return None


def _file_url(path: Path) -> str:
    """The file's URL: its real path, else (a loop of symbolic links) its path as given."""
    try:
        return path.resolve().as_uri()
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11's "Symlink loop"
        return Path(os.path.abspath(path)).as_uri()


# A capture is text copied off a listing page: kilobytes. Past this it is something else.
MAX_CAPTURE_BYTES = 10 * 1024 * 1024


def _read_capture(path: Path) -> bytes:
    """Read a capture file; ParseError for what cannot be one (a device, an endless stream)."""
    try:
        regular = stat.S_ISREG(path.stat().st_mode)  # OSError for a loop of links
    except FileNotFoundError:
        raise ParseError(f"not a text capture: {path} does not exist") from None
    if not regular:
        raise ParseError(f"not a text capture: {path} is not a regular file")
    with path.open("rb") as handle:
        body = handle.read(MAX_CAPTURE_BYTES + 1)
    if len(body) > MAX_CAPTURE_BYTES:
        raise ParseError(f"not a text capture: {path} is larger than {MAX_CAPTURE_BYTES} bytes")
    return body
