"""Damaged, foreign or oddly named archives: one line, the documented exit code, no harm."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import sample_archive
from feedkeeper.cli import main
from feedkeeper.errors import DatabaseLockedError
from feedkeeper.store import Store
from feedkeeper.store.engine import SCHEMA_HEAD, exclusive_lock

from conftest import new_pg_database

CAPTURE = (
    "Python\n2026-01-11\nQuick Start：从单机多卡开始，一步步搭起分布式训练。\n\n"
    "参数与梯度的解耦，为什么权重衰减要单独处理。\n"
)


@pytest.fixture
def sample_db(db_path: Path) -> Path:
    sample_archive.open_copy(db_path).close()
    return db_path


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def revision(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def test_an_archive_from_a_newer_feedkeeper_is_refused_and_left_alone(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(sample_db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    capture = tmp_path / "capture.txt"
    capture.write_text(CAPTURE, encoding="utf-8")
    for argv in (["status"], ["export"], ["import", str(capture)], ["db", "upgrade"]):
        assert main([*argv, "--db", str(sample_db)]) == 2, argv
        line = one_line(capsys)
        assert "schema revision 0099" in line and "upgrade feedkeeper" in line
    assert revision(sample_db) == "0099"  # never migrated backwards
    assert main(["health", "--db", str(sample_db)]) == 1
    assert capsys.readouterr().out.startswith("unhealthy: ")


def test_a_server_archive_from_a_newer_feedkeeper_is_refused_with_exit_2(
    pg_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """On PostgreSQL the refusal came out as exit 1 under a doubled name, and `health`
    printed the archive's URL with its password."""
    import psycopg

    db = new_pg_database(pg_server)
    assert main(["db", "upgrade", "--db", db]) == 0
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    with_password = db.replace("postgres:@", "postgres:hunter2@", 1)
    assert with_password != db
    name = "postgresql://postgres:***@/"
    for argv in (["status"], ["worker"], ["schedule"], ["sites", "list"], ["db", "upgrade"]):
        assert main([*argv, "--db", with_password]) == 2, argv
        line = one_line(capsys)
        assert line.startswith(f"error: {name}") and line.count("://") == 1, line
        assert "is at schema revision 0099, newer than" in line, line
    assert main(["health", "--db", with_password]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"unhealthy: {name}") and "hunter2" not in out, out


def test_a_corrupted_archive_is_one_line_and_unhealthy(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sample_db.open("r+b") as handle:  # keep the header, damage the pages after it
        handle.seek(4096 * 3)
        handle.write(b"\xff" * 4096 * 4)
    for argv in (["status"], ["export"], ["show", "1"]):
        assert main([*argv, "--db", str(sample_db)]) == 1, argv
        assert "malformed" in one_line(capsys)
    assert main(["health", "--db", str(sample_db)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("unhealthy: ") and "damaged" in out and len(out.splitlines()) == 1


@pytest.mark.parametrize("argv", [["status"], ["crawl", "--url", "https://blog.example/"]])
@pytest.mark.parametrize("db", ["", "folder"])
def test_a_db_that_is_a_folder_or_empty_is_a_usage_error(
    argv: list[str],
    db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    assert main([*argv, "--db", db]) == 2
    # an empty --db names the empty setting, not the folder "." it stood for
    assert ("is a folder" if db else "setting db: empty") in one_line(capsys)


def test_question_mark_and_hash_are_part_of_the_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    capture = tmp_path / "capture.txt"
    capture.write_text(CAPTURE, encoding="utf-8")
    name = "notes?mode=memory#1.db"
    assert main(["import", str(capture), "--db", name]) == 0
    assert main(["status", "--db", name]) == 0
    files = {p.name for p in tmp_path.iterdir() if p.suffix != ".txt"}
    assert files <= {name, f"{name}.lock", f"{name}-wal", f"{name}-shm"}
    assert revision(tmp_path / name) == SCHEMA_HEAD


def test_the_writer_lock_is_per_archive_not_per_spelling(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(db_path).close()
    link = db_path.parent / "link.db"
    link.symlink_to(db_path)
    monkeypatch.chdir(db_path.parent)
    with exclusive_lock(db_path, 0.0):
        for other in (link, Path(db_path.name), Path("./sub/../" + db_path.name)):
            (db_path.parent / "sub").mkdir(exist_ok=True)
            with pytest.raises(DatabaseLockedError), exclusive_lock(other, 0.0):
                pass


def test_a_run_left_running_is_closed_by_the_next_writer(db_path: Path) -> None:
    store = Store.open(db_path)
    store.start_run("crawl", "https://blog.example/")  # its process died here
    store.close()
    assert main(["status", "--db", str(db_path)]) == 0  # a reader leaves it alone
    assert main(["db", "upgrade", "--db", str(db_path)]) == 0  # a writer closes it
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT status FROM run").fetchall() == [("interrupted",)]
