"""Every bad input gets one line and the documented exit code, never an internal error."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

import sample_archive
from feedkeeper.cli import main

PASSWD = "".join(
    f"user{n}:x:{1000 + n}:{1000 + n}:User Number {n}:/home/user{n}:/bin/bash\n" for n in range(24)
)
TOML = {
    "concurrency.toml": "concurrency = 1.5\n",
    "boolean.toml": "rate = true\n",
    "nan.toml": "read_timeout = nan\n",
    "inf.toml": "total_timeout = inf\n",
    "nul-db.toml": 'db = "a\\u0000b.db"\n',
    "nul-profile.toml": 'profile = "p\\u0000.toml"\n',
    "deep.toml": "x = " + "[" * 100_000 + "]" * 100_000 + "\n",  # deeper than Python recurses
}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("FEEDKEEPER_URL", "FEEDKEEPER_DB", "FEEDKEEPER_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    sample_archive.open_copy(tmp_path / "a.db").close()
    (tmp_path / "passwd").write_text(PASSWD)
    for name, text in TOML.items():
        (tmp_path / name).write_text(text)
    os.mkfifo(tmp_path / "fifo")  # a named pipe nobody writes to: reading it waits for ever
    (tmp_path / "big.toml").write_text("# a comment line of the profile\n" * 40_000)
    return tmp_path


URL = ["--url", "https://blog.example/"]
MANY_WORDS = " ".join(f"w{n}" for n in range(500))


@pytest.mark.parametrize(
    ("argv", "env", "code", "message"),
    [
        (["show", "9223372036854775808", "--db", "a.db"], {}, 1, "no post"),
        (["show", "1" + "0" * 40, "--db", "a.db"], {}, 1, "no post"),
        (["search", MANY_WORDS, "--db", "a.db"], {}, 2, "at most 32 words"),
        (["crawl", *URL, "--db", "c.db", "--rate", "nan"], {}, 2, "setting rate"),
        (["crawl", *URL, "--db", "c.db", "--rate", "inf"], {}, 2, "setting rate"),
        (["config"], {"FEEDKEEPER_CONNECT_TIMEOUT": "nan"}, 2, "setting connect_timeout"),
        (["config", "--config", "nan.toml"], {}, 2, "setting read_timeout"),
        (["config", "--config", "inf.toml"], {}, 2, "setting total_timeout"),
        (["config", "--config", "concurrency.toml"], {}, 2, "setting concurrency"),
        (["config", "--config", "boolean.toml"], {}, 2, "setting rate"),
        (["config"], {"FEEDKEEPER_MAX_PAGES": "1" + "0" * 30}, 2, "setting max_pages"),
        (["crawl", "--url", "http://[::1", "--db", "c.db"], {}, 2, "setting url"),
        (["crawl", "--url", "http://127.0.0.1:99999/", "--db", "c.db"], {}, 2, "setting url"),
        (["crawl", "--url", "http://exa mple.com/", "--db", "c.db"], {}, 2, "setting url"),
        (["config"], {"FEEDKEEPER_CONTACT": "me@example.com\r\nX-Evil: 1"}, 2, "setting contact"),
        (["schedule", *URL, "--cron", "0 0 31 2 *", "--db", "c.db"], {}, 2, "never comes due"),
        (["schedule", *URL, "--every", "99999999999d", "--db", "c.db"], {}, 2, "setting every"),
        (["export", "--fields", "id,nope", "--db", "a.db"], {}, 2, "unknown field 'nope'"),
        (["export", "--out", "nowhere/p.json", "--db", "a.db"], {}, 2, "does not exist"),
        (["export", "--db", "missing.db"], {}, 2, "no archive at missing.db"),
        (["status", "--config", "nul-db.toml"], {}, 2, "setting db: a file name cannot hold a NUL"),
        (["crawl", *URL, "--db", "c.db", "--config", "nul-profile.toml"], {}, 2, "setting profile"),
        (["status", "--db", "n" * 300 + ".db"], {}, 2, "File name too long"),
        (["config", "--config", "deep.toml"], {}, 2, "config file deep.toml: nested too deeply"),
        (["crawl", *URL, "--db", "c.db", "--profile", "deep.toml"], {}, 2, "nested too deeply"),
        (["config", "--config", "/dev/zero"], {}, 2, "/dev/zero is not a regular file"),
        # a profile read whole whatever it was: a FIFO hung the crawl, /dev/zero filled memory
        (
            ["crawl", *URL, "--db", "c.db", "--profile", "fifo"],
            {},
            2,
            "profile fifo is not a regular",
        ),
        (["crawl", *URL, "--db", "c.db", "--profile", "/dev/zero"], {}, 2, "not a regular file"),
        (["crawl", *URL, "--db", "c.db", "--profile", "big.toml"], {}, 2, "larger than 1024 KiB"),
        (["parse", "/dev/zero"], {}, 2, "/dev/zero is not a regular file"),
        # a GBK terminal's "梯度" (lone surrogates to Python): internal error, exit 70
        (
            ["search", "\udcccݶ\udcc8", "--db", "a.db"],
            {},
            2,
            'query: "\\udcccݶ\\udcc8" is not UTF-8',
        ),
        (["export", "--category", "\udccc", "--db", "a.db"], {}, 2, "--category:"),
        (["status", "--site", "\udccc", "--db", "a.db"], {}, 2, "is not UTF-8 text"),
        (
            ["crawl", "--db", "c.db"],
            {"FEEDKEEPER_URL": "http://b.example/\udccc"},
            2,
            "setting url:",
        ),
        (["export", "--db", "a.db", "--out", "n" * 300 + ".json"], {}, 2, "File name too long"),
        (["parse", "n" * 300 + ".html"], {}, 2, "File name too long"),
        (["status", "--db", "a.db", "--config", "n" * 300 + ".toml"], {}, 2, "File name too long"),
        (["import", "passwd", "--db", "i.db"], {}, 1, "not a text capture"),
        (["import", "/dev/zero", "--db", "i.db"], {}, 1, "not a regular file"),
        (["search", "x", "--limit", "1e20", "--db", "a.db"], {}, 2, "'--limit'"),
        (["recover", "--limit", "1e20", "--db", "a.db"], {}, 2, "'--limit'"),
        (["crawl", *URL, "--db", "c.db", "--concurrency", "1.5"], {}, 2, "'--concurrency'"),
        (["export", "--bogus"], {}, 2, "No such option: --bogus"),
    ],
)
def test_bad_input_is_one_line(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
    code: int,
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert "internal error" not in err and "Traceback" not in err
    assert not (folder / "c.db").exists()


@pytest.mark.parametrize(
    "argv",
    [["status"], ["export", "--out", "posts.json"], ["search", "梯度"], ["show", "1"]],
)
def test_an_empty_file_is_no_archive_and_is_left_empty(
    folder: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "empty.db").touch()
    assert main([*argv, "--db", "empty.db"]) == 2
    err = capsys.readouterr().err
    assert (
        err == "error: no archive at empty.db (the file is empty): run `feedkeeper crawl` first\n"
    )
    assert (folder / "empty.db").stat().st_size == 0
    assert not (folder / "posts.json").exists()


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["status", "--db", "loop"],
            2,
            "error: --db: cannot use loop: Too many levels of symbolic links",
        ),
        (
            ["crawl", *URL, "--db", "loop"],
            2,
            "error: --db: cannot use loop: Too many levels of symbolic links",
        ),
        (
            ["import", "loop", "--db", "i.db"],
            1,
            "failed: loop: cannot read loop: Too many levels of symbolic links",
        ),
    ],
)
def test_a_loop_of_symbolic_links_is_one_line(
    folder: Path, argv: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "loop").symlink_to("around")
    (folder / "around").symlink_to("loop")
    assert main(argv) == code
    err = capsys.readouterr().err
    assert err.splitlines() == [message]
    assert not (folder / "loop.lock").exists()  # no lock file beside what is no archive


def test_an_archive_in_a_folder_that_does_not_exist_is_a_usage_error(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crawl", *URL, "--db", "missing/blog.db"]) == 2
    assert capsys.readouterr().err == (
        "error: --db: cannot create missing/blog.db: folder missing does not exist\n"
    )


@pytest.mark.parametrize("command", [["status"], ["crawl", *URL], ["sites", "list"]])
def test_a_database_url_that_cannot_be_read_is_one_line_without_its_password(
    folder: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    for db in ("postgresql://reader:s3cret@[::1/blog", "postgresql://reader:s3cret@db:port/blog"):
        assert main([*command, "--db", db]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: setting db: not a database URL: 'postgresql://***@")
        assert len(err.splitlines()) == 1 and "s3cret" not in err


def test_a_file_that_is_no_capture_archives_nothing(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "passwd", "--db", "i.db"]) == 1
    assert "0 new posts" in capsys.readouterr().out


@pytest.mark.parametrize("option", ["--limit", "--runs"])
def test_counts_past_what_sqlite_holds_are_usage_errors(
    folder: Path, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    command = "search" if option == "--limit" else "status"
    query = ["x"] if command == "search" else []
    assert main([command, *query, option, "1" + "0" * 20, "--db", "a.db"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: Invalid value for '{option}'")
    assert line.endswith(f"(see feedkeeper {command} --help)")


def test_a_lock_file_that_cannot_be_made_is_a_usage_error(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "a.db.lock").mkdir()  # what stands in the lock file's place
    assert main(["crawl", *URL, "--db", "a.db"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot use a.db: Is a directory (")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [["status"], ["export"], ["search", "x"], ["show", "1"], ["crawl", *URL], ["reparse"]],
)
def test_a_database_of_another_program_is_left_as_it_is(
    folder: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    other = folder / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()
    before = other.read_bytes()
    assert main([*argv, "--db", "other.db"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: --db: other.db is a database of another program (tables: notes),"
        " not a feedkeeper archive: it was left as it is"
    ]
    assert other.read_bytes() == before
    assert sorted(path.name for path in folder.glob("other.db*")) == ["other.db"]


def test_an_archive_whose_schema_is_damaged_is_one_line_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Bytes of the schema's own text damaged: SQLite's message quotes them, and they are no
    # UTF-8; every command said "internal error".
    import sample_archive

    db = tmp_path / "a.db"
    sample_archive.open_copy(db).close()
    data = bytearray(db.read_bytes())
    at = data.index(b"CREATE TABLE")
    data[at + 20 : at + 40] = b"\xd3\xff" * 10
    db.write_bytes(bytes(data))
    for argv in (
        ["status"],
        ["export"],
        ["db", "upgrade"],
        ["crawl", "--url", "http://127.0.0.1:9/"],
    ):
        assert main([*argv, "--db", str(db)]) == 1, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "malformed" in err and "internal error" not in err


def test_db_upgrade_checks_the_whole_file(tmp_path: Path) -> None:
    import sqlite3

    from feedkeeper.store.engine import create_sqlite_engine, damage_of

    db = tmp_path / "a.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE t (a TEXT, b TEXT); CREATE INDEX ix ON t (a);"
            "INSERT INTO t VALUES ('1', 'x'), ('2', 'y');"
        )
    engine = create_sqlite_engine(db)
    assert damage_of(engine) is None
    engine.dispose()
    with sqlite3.connect(db) as conn:  # the index now says it holds b: its rows disagree
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX ix ON t (b)' WHERE name = 'ix'")
    engine = create_sqlite_engine(db)
    assert "ix" in (damage_of(engine) or "")
    engine.dispose()


GONE = (
    "the working folder is gone (deleted or moved after the shell entered it): cd to a folder"
    " that exists, or give absolute paths"
)


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],  # the default archive, feedkeeper.db, is a relative path
        ["crawl", "--url", "http://127.0.0.1:9/"],
        ["export", "--db", "{archive}", "--out", "posts.csv"],
        ["import", "capture.txt", "--db", "{archive}"],
    ],
)
def test_relative_paths_in_a_working_folder_that_is_gone_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:  # fmt: skip
    """A cron job's or a terminal's shell can sit in a folder deleted since: one line saying
    so, exit 2, not "no archive at feedkeeper.db" nor an internal error."""
    archive = tmp_path / "a.db"
    sample_archive.open_copy(archive).close()
    monkeypatch.delenv("FEEDKEEPER_DB", raising=False)
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert main([arg.replace("{archive}", str(archive)) for arg in argv]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and line.endswith(GONE)
    assert {path.name for path in tmp_path.iterdir()} <= {"a.db", "a.db.lock"}  # no export
    with sqlite3.connect(archive) as conn:  # no run left running
        assert conn.execute("SELECT count(*) FROM run WHERE status = 'running'").fetchone() == (0,)


@pytest.mark.parametrize(
    "argv",
    [
        ["crawl", "--url", "http://127.0.0.1:9/"],
        ["import", "capture.txt"],
        ["db", "upgrade"],
        ["sites", "add", "https://blog.example/"],
        ["status"],
        ["export"],
        ["search", "notes"],
    ],
)
def test_a_db_that_is_no_sqlite_file_is_left_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """A mistyped --db naming notes or an export: one line that shows how the file begins,
    exit 2 (a usage error, not a damaged archive), and no lock file made beside it."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\nline two\n")
    assert main([*argv, "--db", str(notes)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        f"error: --db: {notes} is no SQLite file (it begins 'my notes\\nline tw'), not a"
        " feedkeeper archive: it was left as it is"
    )
    assert notes.read_text() == "my notes\nline two\n"
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]
