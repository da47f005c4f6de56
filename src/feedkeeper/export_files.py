"""Where an export is written: a file replaced atomically, a device or FIFO, or stdout.

A file is written beside its target and renamed over it at the end: readers see the old
file or the new one, never half of one. A symlink is followed and its target replaced; what
is not a regular file (a device, a FIFO, /dev/stdout) is written into as it is. An export
never writes over a SQLite database nor the archive it reads, nor over a read-only file.
Exports are written as UTF-8 bytes; on a terminal they are shown as text whose control
characters cannot drive it.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import fcntl
import glob
import io
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from feedkeeper import word_worker
from feedkeeper.errors import ConfigError, ExportError
from feedkeeper.logs import printable

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

BOM = "\ufeff".encode()


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
def straight_into(out: Path, *, bom: bool) -> Iterator[IO[bytes]]:
    """Write into a device or FIFO as it is: it cannot be replaced, and must not be."""
    try:
        with out.open("wb") as handle:
            if bom:
                handle.write(BOM)
            yield handle
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc


def to_stdout(write: Callable[[SupportsWrite[bytes]], int], *, bom: bool) -> int:
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
        sink = _whole_writes(buffer) if buffer is not None else _Decoded(stdout)
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


def _whole_writes(buffer: SupportsWrite[bytes]) -> SupportsWrite[bytes]:
    """Return ``buffer``, or what writes all of each chunk into it where it is the file
    itself (``PYTHONUNBUFFERED=1``, as the container sets): a file that may grow no more
    (a full disk, a size limit) takes part of a chunk without an error, the next write
    failing, and the end of an export was lost without a word."""
    return _Whole(buffer) if isinstance(buffer, io.RawIOBase) else buffer


class _Whole:
    """A raw stream written until each chunk is in it, or the write fails."""

    def __init__(self, raw: io.RawIOBase) -> None:
        self._raw = raw

    def write(self, data: bytes) -> int:
        rest = memoryview(data)
        while rest:
            written = self._raw.write(rest)
            if not written:  # a non-blocking output that is full: the export cannot wait
                raise OSError(errno.EAGAIN, "the output takes no more for now")
            rest = rest[written:]
        return len(data)

    def flush(self) -> None:
        self._raw.flush()


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
def atomic_file(out: Path, *, bom: bool) -> Iterator[IO[bytes]]:
    """Write ``out`` through a part file beside it (``.<name>.<random>.part``), renamed over
    it once whole; the part files of exports to ``out`` that were killed go first."""
    directory = out.parent
    _remove_killed_parts(out)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=PART_SUFFIX, dir=directory)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO):  # the disk, not the path
            raise ExportError(f"cannot write in {directory}: {exc.strerror}") from exc
        # A folder no file can be made in (read-only, /proc): the path given is wrong.
        raise ConfigError(f"--out: cannot write in {directory}: {exc.strerror}") from exc
    fcntl.flock(fd, fcntl.LOCK_EX)  # it is being written: no leftover to remove
    held = os.dup(fd)  # the lock outlives the writing handle, until the file is in place
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
    finally:
        os.close(held)


# How the part file an export writes before it takes its target's place ends.
PART_SUFFIX = ".part"
# A part file touched this recently may be one just made, not locked yet by its export.
_FRESH_PART_SECONDS = 10.0


def _remove_killed_parts(out: Path) -> None:
    """Remove the part files of exports to ``out`` that were killed before they could
    (SIGKILL, the out-of-memory killer, a power cut), each as large as an export: a running
    export holds a lock on its own, which dies with its process."""
    for part in out.parent.glob(f".{glob.escape(out.name)}.*{PART_SUFFIX}"):
        try:
            fd = os.open(part, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:  # gone already (renamed into place), or no file of ours
            continue
        try:
            if time.time() - os.fstat(fd).st_mtime < _FRESH_PART_SECONDS:
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            part.unlink()
        except OSError:  # a running export's (BlockingIOError), or gone meanwhile
            continue
        finally:
            os.close(fd)


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


def _replace_surrogates(exc: UnicodeError) -> tuple[bytes, int]:
    """Encode each lone surrogate as U+FFFD: CSV cells are text, not JSON escapes."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    # As bytes: the UTF-8 encoder takes a str replacement only when it is ASCII.
    return "\ufffd".encode() * (exc.end - exc.start), exc.end


REPLACE_SURROGATES = "feedkeeper-replace-surrogates"
codecs.register_error(REPLACE_SURROGATES, _replace_surrogates)
