"""`feedkeeper demo` replaces only an archive it made itself, and never one in use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import sample_archive
from feedkeeper.cli import main
from feedkeeper.store.engine import exclusive_lock


def post_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM post").fetchone()[0])


@pytest.mark.slow
def test_the_demo_replaces_its_own_archive(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db)]) == 0
    first = post_count(db)
    assert main(["demo", "--db", str(db)]) == 0
    assert post_count(db) == first  # a fresh archive again, not a second crawl on top


def test_the_demo_never_replaces_an_archive_of_the_user(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_archive.open_copy(db_path).close()
    assert main(["demo", "--db", str(db_path)]) == 2
    assert "not an archive the demo made" in capsys.readouterr().err
    assert post_count(db_path) == 5


def test_the_demo_never_replaces_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    assert main(["demo", "--db", str(notes)]) == 2
    assert notes.read_text() == "mine\n"


def test_the_demo_waits_for_the_lock_and_leaves_a_busy_archive_alone(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_archive.open_copy(db_path).close()
    with exclusive_lock(db_path, 0.0):  # a crawl is running on it
        assert main(["demo", "--db", str(db_path)]) == 4
        assert Path(f"{db_path}.lock").exists()
    assert post_count(db_path) == 5
