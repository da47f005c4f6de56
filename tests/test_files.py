"""What feedkeeper never does to the files a user points it at."""

from __future__ import annotations

import fcntl
import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from rich.console import Console

import sample_archive
from feedkeeper.cli import main
from feedkeeper.cli.progress import progress_bar
from feedkeeper.store import Store


@pytest.fixture
def sample(db_path: Path) -> Iterator[Store]:
    store = sample_archive.open_copy(db_path)
    yield store
    store.close()


def export_to(db: Path, out: Path | str) -> int:
    return main(["export", "--db", str(db), "--format", "jsonl", "--out", str(out)])


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def is_sqlite(path: Path) -> bool:
    return path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_export_never_writes_over_the_archive(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export_to(db_path, db_path) == 2
    assert "is the archive being exported" in one_error_line(capsys)
    link = db_path.parent / "link.db"
    link.symlink_to(db_path)
    assert export_to(db_path, link) == 2  # the same file by another name
    assert export_to(db_path, Path(f"{db_path}-wal")) == 2
    # nor the scratch file a reparse fills its word index in, which the next reparse removes
    assert export_to(db_path, Path(f"{db_path}-reparse-words")) == 2
    assert not Path(f"{db_path}-reparse-words").exists()
    assert is_sqlite(db_path) and link.is_symlink()
    assert main(["status", "--db", str(db_path)]) == 0


def test_export_never_writes_over_another_sqlite_database(
    sample: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.db"
    other.write_bytes(db_path.read_bytes())
    assert export_to(db_path, other) == 2
    assert "is a SQLite database" in one_error_line(capsys)
    assert is_sqlite(other)


def test_export_refuses_a_read_only_file(
    sample: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "posts.jsonl"
    target.write_text("keep me\n")
    target.chmod(0o444)
    assert export_to(db_path, target) == 2  # root too: the mode says it is not to be written
    assert "read-only" in one_error_line(capsys)
    assert target.read_text() == "keep me\n"


def test_export_follows_a_symlink_and_replaces_its_target(
    sample: Store, db_path: Path, tmp_path: Path
) -> None:
    real = tmp_path / "exports" / "posts.jsonl"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(real)
    assert export_to(db_path, link) == 0
    assert link.is_symlink() and link.resolve() == real
    assert len(real.read_text().splitlines()) == 5


def test_export_writes_into_a_fifo_as_it_is(sample: Store, db_path: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "posts.fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    try:
        assert export_to(db_path, fifo) == 0
        assert stat.S_ISFIFO(fifo.stat().st_mode)
    finally:
        if reader.is_alive() and not got:  # unblock the reader if the FIFO was never opened
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
    assert [json.loads(line)["id"] for line in got[0].splitlines()] == [1, 2, 3, 4, 5]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_export_as_root_writes_into_a_device_and_leaves_it_one(
    sample: Store, db_path: Path, tmp_path: Path
) -> None:
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    assert export_to(db_path, null) == 0
    assert null.is_char_device()


def test_the_progress_bar_leaves_stdout_to_the_data(capsys: pytest.CaptureFixture[str]) -> None:
    terminal = Console(file=io.StringIO(), force_terminal=True)  # stderr on a terminal
    with progress_bar("exporting", 2, console=terminal) as advance:
        assert advance is not None
        sys.stdout.write('{"id": 1}\n')
        advance("1")
    assert capsys.readouterr().out == '{"id": 1}\n'


def test_export_never_writes_over_the_archive_through_a_hard_link(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = db_path.parent / "posts.jsonl"
    os.link(db_path, link)
    assert export_to(db_path, link) == 2
    assert "is the archive being exported" in one_error_line(capsys)
    assert is_sqlite(db_path)


def run_export(db: Path, stdout: int | IO[bytes]) -> subprocess.CompletedProcess[bytes]:
    argv = ["export", "--db", str(db), "--fields", "id", "--out", "/dev/stdout"]
    return subprocess.run(
        [sys.executable, "-m", "feedkeeper", *argv], stdout=stdout, stderr=subprocess.PIPE
    )


@pytest.mark.slow
def test_export_to_dev_stdout_writes_into_a_pipe(sample: Store, db_path: Path) -> None:
    done = run_export(db_path, subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == [1, 2, 3, 4, 5]


@pytest.mark.slow
def test_export_to_dev_stdout_appended_to_the_archive_is_refused(
    sample: Store, db_path: Path
) -> None:
    sample.close()
    before = db_path.read_bytes()
    with db_path.open("ab") as archive:  # feedkeeper export --out /dev/stdout >> blog.db
        done = run_export(db_path, archive)
    assert done.returncode == 2
    assert b"is the archive being exported" in done.stderr
    assert db_path.read_bytes() == before


def test_an_archive_in_a_folder_named_in_another_encoding_than_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A GBK-named folder ("测试"): the URI of the file quoted its text, which has none."""
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/\xb2\xe2\xca\xd4"))
    folder.mkdir()
    db = str(folder / "a.db")
    assert main(["db", "upgrade", "--db", db]) == 0
    capsys.readouterr()
    assert main(["status", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["posts"] == 0
    assert b"a.db" in os.listdir(os.fsencode(folder))  # the file in that folder, no other


def test_an_archive_under_two_names_is_not_written(
    tmp_path: Path, seeds: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Hard links: each name had its own lock and write-ahead log, and one crawl's posts
    were lost while both said "ok"."""
    db = tmp_path / "a.db"
    assert main(["import", str(seeds[0]), "--db", str(db), "-q"]) == 0
    os.link(db, tmp_path / "b.db")
    capsys.readouterr()
    for name in ("a.db", "b.db"):
        assert main(["import", str(seeds[1]), "--db", str(tmp_path / name), "-q"]) == 2
        assert capsys.readouterr().err == (
            f"error: {tmp_path / name} is one file under 2 names (hard links): writers through"
            " two of them would lose each other's writes; keep one name (copy the file, or"
            " link it symbolically)\n"
        )
    assert main(["status", "--db", str(tmp_path / "b.db"), "-q"]) == 0  # reading is fine


def test_an_export_removes_the_part_file_of_one_killed_before_it(
    sample: Store, db_path: Path, tmp_path: Path
) -> None:
    """A killed export (SIGKILL, the out-of-memory killer) leaves its part file, as large as
    an export: the next export to the same file removes it, never one still being written
    nor another file's."""
    out = tmp_path / "posts.jsonl"
    killed = tmp_path / ".posts.jsonl.k1ll3d.part"
    running = tmp_path / ".posts.jsonl.runn1n.part"
    other = tmp_path / ".notes.txt.k1ll3d.part"
    an_hour_ago = time.time() - 3600
    for part in (killed, running, other):
        part.write_bytes(b'{"id":1}\n{"id":')
        os.utime(part, (an_hour_ago, an_hour_ago))
    with running.open("rb") as writing:
        fcntl.flock(writing.fileno(), fcntl.LOCK_EX)  # an export still writing it holds it
        assert export_to(db_path, out) == 0
    assert not killed.exists()
    assert running.exists() and other.exists()
    assert len(out.read_text().splitlines()) == 5
