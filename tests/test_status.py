"""`feedkeeper status`: recent runs, totals and the placeholder backlog, for people and scripts."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import sample_archive
from feedkeeper.cli import archive, main
from feedkeeper.cli.archive import format_duration, plain_table
from feedkeeper.importer import import_captures
from feedkeeper.records import RunCounts
from feedkeeper.store import Store

STARTED = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.fixture
def sample(db_path: Path) -> Iterator[Store]:
    store = sample_archive.open_copy(db_path)
    yield store
    store.close()


def status_json(db_path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> dict[str, Any]:
    assert main(["status", "--json", "--db", str(db_path), *options]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    for run in report["runs"]:  # times differ from run to run: check their form, then drop them
        assert ISO_TIME.match(run.pop("started_at")) and ISO_TIME.match(run.pop("finished_at"))
        assert 0 <= run.pop("duration_seconds") < 60
    for site in report["sites"]:
        last = site.pop("last_crawl_at")
        assert last is None or ISO_TIME.match(last)
    return report


def run_row(run_id: int, **counts: int) -> dict[str, Any]:
    row = {
        "id": run_id,
        "site": "blog.example",
        "kind": "crawl",
        "status": "ok",
        "pages": 1,
        "pages_not_modified": 0,
        "pages_failed": 0,
        "cards": 0,
        "new_posts": 0,
        "new_versions": 0,
        "reposts": 0,
        "placeholders_found": 0,
        "failures": 0,
        "message": None,
    }
    return row | counts


def test_status_json(sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert status_json(db_path, capsys) == {
        "runs": [
            run_row(4, cards=2, new_versions=1, placeholders_found=1),
            run_row(3, cards=1, reposts=1),
            run_row(2, cards=3, new_posts=1, new_versions=1, placeholders_found=1),
            run_row(1, cards=4, new_posts=4, placeholders_found=2),
        ],
        "totals": {
            "posts": 5,
            "versions": 7,
            "aliases": 1,
            "sightings": 10,
            "pages_fetched": 4,
            "placeholders_pending": 4,
        },
        "backlog": {
            "code": {"pending": 3, "recovered": 0, "unrecoverable": 0},
            "formula": {"pending": 1, "recovered": 0, "unrecoverable": 0},
        },
        "sites": [
            {
                "name": "blog.example",
                "state": "active",
                "posts": 5,
                "last_crawl_status": "ok",
            }
        ],
        "paused_hosts": [],
    }


def test_status_json_last_runs(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert [run["id"] for run in status_json(db_path, capsys, "--runs", "1")["runs"]] == [4]


def test_status_json_counts_failures_and_settled_placeholders(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = sample.start_run("crawl", sample_archive.PAGE, 1)
    counts = RunCounts(pages=1)
    counts.fail("https://blog.example/page/2", "HTTP 503")
    counts.fail("https://blog.example/page/3", "timed out")
    sample.finish_run(run_id, counts, "partial")
    with sample.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE placeholder SET status = 'recovered', text = 'x' WHERE id = 4")
        conn.exec_driver_sql("UPDATE placeholder SET status = 'unrecoverable' WHERE id = 2")
    report = status_json(db_path, capsys)
    assert report["runs"][0] == run_row(5, status="partial", pages_failed=2, failures=2)
    assert report["totals"]["placeholders_pending"] == 2
    assert report["backlog"] == {
        "code": {"pending": 2, "recovered": 1, "unrecoverable": 0},
        "formula": {"pending": 0, "recovered": 0, "unrecoverable": 1},
    }


def test_status_says_why_runs_stopped(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failed = sample.start_run("crawl", sample_archive.PAGE, 1)
    sample.finish_run(
        failed, RunCounts(), "failed", "robots.txt of https://blog.example disallows it"
    )
    killed = sample.start_run("crawl", sample_archive.PAGE, 1)
    sample.close_dead_runs()
    assert main(["status", "--db", str(db_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    table_end = lines.index("placeholders") - 1
    assert lines[table_end - 2 : table_end] == [
        f"run {killed} interrupted: its process ended before the run did",
        f"run {failed} failed: robots.txt of https://blog.example disallows it",
    ]  # newest first, as the table
    assert main(["status", "--json", "--db", str(db_path)]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [run["message"] for run in runs[:3]] == [
        "its process ended before the run did",
        "robots.txt of https://blog.example disallows it",
        None,
    ]


def test_a_run_still_going_has_no_duration(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.start_run("crawl", sample_archive.PAGE)
    assert main(["status", "--json", "--db", str(db_path)]) == 0
    running = json.loads(capsys.readouterr().out)["runs"][0]
    assert (running["status"], running["finished_at"], running["duration_seconds"]) == (
        "running",
        None,
        None,
    )


def test_status_is_plain_text_when_piped(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--db", str(db_path)]) == 0
    out = STARTED.sub("STARTED                ", capsys.readouterr().out)
    out = re.sub(r"\d+\.\ds  ", "D     ", out)
    assert out == (
        "archive: 5 posts, 7 versions, 1 aliases, 10 sightings, 4 pages fetched,"
        " 4 placeholders pending\n"
        "\n"
        "recent runs\n"
        "run  kind   status  started                  duration  pages  new posts  new versions"
        "  failures\n"
        "4    crawl  ok      STARTED                  D         1      0          1             0\n"
        "3    crawl  ok      STARTED                  D         1      0          0             0\n"
        "2    crawl  ok      STARTED                  D         1      1          1             0\n"
        "1    crawl  ok      STARTED                  D         1      4          0             0\n"
        "\n"
        "placeholders\n"
        "kind     pending  recovered  unrecoverable\n"
        "code     3        0          0\n"
        "formula  1        0          0\n"
    )


def test_the_sites_latest_crawls_carry_their_zone(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sample.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE run SET started_at = '2026-01-14T10:00:00.123456Z'")
    assert main(["sites", "add", "https://other.example/", "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert main(["status", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.endswith(
        "\nsites\n"
        "site           state   posts  last crawl               status\n"
        "blog.example   active  5      2026-01-14 10:00:00 UTC  ok\n"
        "other.example  active  0      -                        -\n"
    )


def test_status_is_a_rich_table_on_a_terminal(
    sample: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Console(file=io.StringIO(), force_terminal=True, width=120)
    monkeypatch.setattr(archive, "out", terminal)
    assert main(["status", "--db", str(db_path)]) == 0
    shown = terminal.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[" in shown  # styled
    assert "recent runs" in shown and "unrecoverable" in shown


def test_status_of_the_seed_archive(
    store: Store, seeds: list[Path], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_captures(store, seeds)
    report = status_json(db_path, capsys)
    assert report["totals"] == {
        "posts": 35,
        "versions": 35,
        "aliases": 0,
        "sightings": 55,
        "pages_fetched": 5,
        "placeholders_pending": 34,
    }
    assert report["backlog"] == {
        "code": {"pending": 12, "recovered": 0, "unrecoverable": 0},
        "formula": {"pending": 5, "recovered": 0, "unrecoverable": 0},
        "math": {"pending": 17, "recovered": 0, "unrecoverable": 0},
    }
    [run] = report["runs"]
    assert (run["kind"], run["pages"], run["cards"], run["new_posts"], run["failures"]) == (
        "import",
        5,
        55,
        35,
        0,
    )


def test_status_of_a_missing_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--db", str(tmp_path / "none.db")]) == 2  # a usage error
    assert capsys.readouterr().err.startswith("error: no archive at ")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "-"),
        (0.04, "0.0s"),
        (3.46, "3.5s"),
        (12.4, "12s"),
        (59.4, "59s"),
        (60, "1m00s"),
        (185.6, "3m06s"),
    ],
)
def test_format_duration(seconds: float | None, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_plain_table_aligns_columns() -> None:
    assert plain_table(("a", "long header"), [["wide value", "1"], ["b", ""]]) == (
        "a           long header\nwide value  1\nb"
    )


def test_status_of_an_archive_whose_path_has_uri_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "my #1 archive?.db"
    sample_archive.open_copy(odd).close()
    assert main(["status", "--db", str(odd)]) == 0
    assert capsys.readouterr().out.startswith("archive: 5 posts, 7 versions")


def test_status_of_a_file_that_is_no_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("my notes, not a database\n")
    assert main(["status", "--db", str(notes)]) == 2  # a usage error, not a damaged archive
    err = capsys.readouterr().err
    assert err.startswith(f"error: --db: {notes} is no SQLite file") and "Traceback" not in err
    assert notes.read_text() == "my notes, not a database\n"
