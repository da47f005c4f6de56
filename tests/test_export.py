"""Exports: every format and filter read back against the database; CSV rules; atomic files."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

import sample_archive
from feedkeeper.cards import Card
from feedkeeper.cli import main
from feedkeeper.cli.progress import progress_bar
from feedkeeper.clock import now_iso
from feedkeeper.errors import ConfigError
from feedkeeper.export import FIELDS, JSON_CELLS, csv_cell, write_export
from feedkeeper.export_files import check_target
from feedkeeper.pipeline import archive_page
from feedkeeper.records import PageCapture
from feedkeeper.store import Store
from feedkeeper.store.read import PostFilter, PostRecord, iter_posts
from feedkeeper.store.sites import ensure_site
from sample_archive import FLASH_V1, FLASH_V2, FLASH_V3, RUN_TIMES

from conftest import rows

T1, T2, T_REPOST, T3 = RUN_TIMES
FORMULA_POST = {
    "id": 2,
    "site": "blog.example",
    "url": "https://blog.example/p/formula",
    "aliases": [],
    "title": "=SUM(A1:A9)",
    "category": "Excel",
    "categories": ["Excel"],
    "tags": ["csv", "=cmd|x"],
    "published": "2026-01-08",
    "excerpt": "-1 is a number; @mention +plus",
    "excerpt_recovered": "-1 is a number; @mention +plus",
    "truncated": False,
    "pinned": False,
    "version": 1,
    "first_seen": T1,
    "last_seen": T3,
    "sightings": 3,
    "placeholders": [],
}
FLASH_SHARED = {
    "category": "NLP",
    "categories": ["NLP", "Deep Learning"],
    "tags": ["attention", "gpu"],
    "published": "2026-01-05",
}
CODE = {"kind": "code", "ordinal": 1, "status": "pending", "text": None}
FLASH_VERSIONS = [
    {
        "version": 1,
        "title": "FlashAttention 详解",
        **FLASH_SHARED,
        "excerpt": FLASH_V1,
        "excerpt_recovered": FLASH_V1,
        "truncated": True,
        "observed_at": T1,
        "placeholders": [
            CODE,
            {"kind": "formula", "ordinal": 1, "status": "pending", "text": None},
        ],
    },
    {
        "version": 2,
        "title": "FlashAttention 详解(修订)",
        **FLASH_SHARED,
        "excerpt": FLASH_V2,
        "excerpt_recovered": FLASH_V2,
        "truncated": False,
        "observed_at": T2,
        "placeholders": [CODE],
    },
    {
        "version": 3,
        "title": "FlashAttention 详解(修订)",
        **FLASH_SHARED,
        "excerpt": FLASH_V3,
        "excerpt_recovered": FLASH_V3,
        "truncated": False,
        "observed_at": T3,
        "placeholders": [CODE],
    },
]


@pytest.fixture
def sample(db_path: Path) -> Iterator[Store]:
    store = sample_archive.open_copy(db_path)
    yield store
    store.close()


def export(db: Path, out: Path, *options: str) -> str:
    """Run `feedkeeper export` into ``out`` and return the file's text."""
    assert main(["export", "--db", str(db), "--out", str(out), *options]) == 0
    return out.read_bytes().decode("utf-8")  # line ends as written


def read_back(fmt: str, text: str) -> list[dict[str, Any]]:
    if fmt == "json":
        return list(json.loads(text))
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    return list(csv.DictReader(io.StringIO(text, newline="")))


def database_posts(store: Store, history: bool = False) -> list[dict[str, Any]]:
    """Every post as an export must show it, read straight from the tables."""
    posts = []
    for post in rows(store, "SELECT * FROM post ORDER BY id"):
        versions = [
            _version(store, v)
            for v in rows(
                store,
                "SELECT * FROM post_version WHERE post_id = :p ORDER BY version",
                p=post["id"],
            )
        ]
        current = versions[post["current_version"] - 1]
        aliases = rows(
            store,
            "SELECT url FROM post_url WHERE post_id = :p AND url IS NOT :u"
            " ORDER BY first_seen, url",
            p=post["id"],
            u=post["url"],
        )
        sightings = rows(
            store, "SELECT count(*) AS n FROM sighting WHERE post_id = :p", p=post["id"]
        )
        record = {
            "id": post["id"],
            "site": "blog.example",  # the sample archive's only site
            "url": post["url"],
            "aliases": [a["url"] for a in aliases],
            **{
                k: current[k]
                for k in (
                    "title",
                    "category",
                    "categories",
                    "tags",
                    "published",
                    "excerpt",
                    "excerpt_recovered",
                    "truncated",
                )
            },
            "pinned": bool(post["pinned"]),
            "version": current["version"],
            "first_seen": post["first_seen"],
            "last_seen": post["last_seen"],
            "sightings": sightings[0]["n"],
            "placeholders": current["placeholders"],
        }
        if history:
            record["versions"] = versions
        posts.append(record)
    return posts


def _version(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    placeholders = rows(
        store,
        "SELECT kind, ordinal, status, text FROM placeholder WHERE version_id = :v"
        " ORDER BY position",
        v=row["id"],
    )
    return {
        "version": row["version"],
        "title": row["title"],
        "category": row["category"],
        "categories": json.loads(row["categories"]),
        "tags": json.loads(row["tags"]),
        "published": row["published"],
        "excerpt": row["excerpt"],
        "excerpt_recovered": row["excerpt_recovered"] or row["excerpt"],
        "truncated": bool(row["truncated"]),
        "observed_at": row["observed_at"],
        "placeholders": placeholders,
    }


def as_csv_text(value: Any, key: str = "") -> str:
    """What a CSV cell must hold for a value, by the documented rules."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "1" if value else "0"
    elif key in ("placeholders", "versions"):  # a JSON array, [] when empty
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, list):  # "|" joins, and a "|" or "\" in a name is escaped
        text = "|".join(v.replace("\\", "\\\\").replace("|", "\\|") for v in value)
    else:
        text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# Round trips: every format, with and without history, read back equals the database.


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("history", [False, True])
def test_json_round_trip(
    sample: Store, db_path: Path, tmp_path: Path, fmt: str, history: bool
) -> None:
    text = export(
        db_path, tmp_path / f"posts.{fmt}", "--format", fmt, *(["--history"] if history else [])
    )
    assert read_back(fmt, text) == database_posts(sample, history)


def test_csv_round_trip(sample: Store, db_path: Path, tmp_path: Path) -> None:
    got = read_back("csv", export(db_path, tmp_path / "posts.csv", "--format", "csv"))
    expected = [{k: as_csv_text(v, k) for k, v in post.items()} for post in database_posts(sample)]
    assert got == expected


def test_csv_history_is_one_row_per_version(sample: Store, db_path: Path, tmp_path: Path) -> None:
    got = read_back("csv", export(db_path, tmp_path / "posts.csv", "--format", "csv", "--history"))
    expected = [
        {k: as_csv_text(v, k) for k, v in (post | version).items() if k != "versions"}
        for post in database_posts(sample, history=True)
        for version in post["versions"]
    ]
    assert got == expected
    assert [(r["id"], r["version"], r["observed_at"]) for r in got] == [
        ("1", "1", T1),
        ("1", "2", T2),
        ("1", "3", T3),
        ("2", "1", T1),
        ("3", "1", T1),
        ("4", "1", T1),
        ("5", "1", T2),
    ]


# Hand-written expectations.


def test_jsonl_record(sample: Store, db_path: Path, tmp_path: Path) -> None:
    lines = export(db_path, tmp_path / "posts.jsonl", "--format", "jsonl").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2, 3, 4, 5]
    assert json.loads(lines[1]) == FORMULA_POST


def test_history_nests_every_version(sample: Store, db_path: Path, tmp_path: Path) -> None:
    [flash] = read_back(
        "json",
        export(db_path, tmp_path / "p.json", "--format", "json", "--history", "--category", "NLP"),
    )
    assert flash["versions"] == FLASH_VERSIONS
    assert flash["aliases"] == ["https://blog.example/p/flash-v2"]
    assert flash["placeholders"] == [CODE]


def test_csv_quoting_lists_and_formulas(sample: Store, db_path: Path, tmp_path: Path) -> None:
    text = export(
        db_path,
        tmp_path / "posts.csv",
        "--format",
        "csv",
        "--fields",
        "id,title,tags,excerpt,truncated",
        "--until",
        "2026-01-08",
        "--since",
        "2025-12-31",
    )
    assert text.split("\r\n")[:3] == [
        "id,title,tags,excerpt,truncated",
        "1,FlashAttention 详解(修订),attention|gpu,"
        '"FlashAttention的核心创新在于分块计算自注意力,显存占用更低 [代码]",0',
        "2,'=SUM(A1:A9),csv|=cmd\\|x,'-1 is a number; @mention +plus,0",
    ]
    assert text.split("\r\n")[3] == (
        '3,"Emoji 🎉 and ""quotes"", commas",,'
        '"line one\nline two\ttab ""quoted"", comma 🎉 \x1f unit'
        ' \u2028 sep \x85 nel \x00nul end",1'
    )
    assert text.endswith("\r\n") and not text.startswith("\ufeff")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start: str) -> None:
    assert csv_cell(f"{start}1+1") == f"'{start}1+1"
    assert csv_cell([f"{start}a", "b"]) == f"'{start}a|b"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("1+1", "1+1"),
        (" =1", " =1"),
        ("", ""),
        (None, ""),
        (-3, "-3"),
        (True, "1"),
        (False, "0"),
        ([], ""),
        (["a", "b"], "a|b"),
        ([{"k": "v"}], '[{"k": "v"}]'),
    ],
)
def test_cells_that_stay_as_they_are(value: Any, cell: str) -> None:
    assert csv_cell(value) == cell


def test_excel_writes_a_utf8_bom(sample: Store, db_path: Path, tmp_path: Path) -> None:
    export(db_path, tmp_path / "excel.csv", "--format", "csv", "--excel", "--fields", "id")
    assert (tmp_path / "excel.csv").read_bytes() == b"\xef\xbb\xbfid\r\n1\r\n2\r\n3\r\n4\r\n5\r\n"


def test_excel_export_warns_of_cells_longer_than_an_excel_cell_holds(
    sample: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Excel cuts a cell at 32,767 characters (UTF-16 units): an emoji counts two."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE post_version SET excerpt = ? WHERE post_id = 3", ("x" * 32_768,))
        conn.execute("UPDATE post_version SET title = ? WHERE post_id = 5", ("🎉" * 16_384,))
        conn.execute("UPDATE post_version SET title = ? WHERE post_id = 2", ("y" * 32_767,))
    conn.close()
    capsys.readouterr()
    out = tmp_path / "excel.csv"
    options = ("--format", "csv", "--fields", "id,title,excerpt")
    assert main(["export", "--db", str(db_path), "--out", str(out), *options, "--excel"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[1] == (
        "warning: 2 cells are longer than the 32,767 characters an Excel cell holds, and Excel"
        " cuts them (the first: post 3's excerpt); the JSON Lines export keeps every text whole"
    )
    assert "x" * 32_768 in out.read_text(encoding="utf-8-sig")  # written whole all the same
    assert main(["export", "--db", str(db_path), "--out", str(out), *options]) == 0
    assert len(capsys.readouterr().err.splitlines()) == 1  # no --excel: no warning


def test_excel_export_warns_of_rows_past_what_an_excel_sheet_holds(
    sample: Store,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Excel opens the first 1,048,576 rows of a CSV, its header's included, and drops the
    rest without a word: the export said nothing of it. A sheet of 6 rows stands in here."""
    monkeypatch.setattr("feedkeeper.export.EXCEL_ROWS_MAX", 6, raising=False)
    out = tmp_path / "excel.csv"
    argv = ["export", "--db", str(db_path), "--out", str(out), "--fields", "id", "--excel"]
    capsys.readouterr()
    assert main(argv) == 0  # 5 posts and the header fill the sheet
    assert len(capsys.readouterr().err.splitlines()) == 1
    monkeypatch.setattr("feedkeeper.export.EXCEL_ROWS_MAX", 5, raising=False)
    assert main(argv) == 0
    assert capsys.readouterr().err.splitlines()[1:] == [
        "warning: the export has 6 rows, the header's included, and an Excel sheet holds 5:"
        " Excel opens only the first of them; export fewer posts (--site, --since, --until)"
        " for Excel"
    ]
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 6  # written whole


def test_excel_is_for_csv_only(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--db", str(db_path), "--format", "json", "--excel"]) == 2
    assert "--excel" in capsys.readouterr().err


# Filters.

FILTERS = [
    ([], [1, 2, 3, 4, 5]),
    (["--since", "2026-01-06"], [2, 5]),
    (["--until", "2026-01-05"], [1, 3]),
    (["--since", "2026-01-01", "--until", "2026-01-08"], [1, 2]),
    (["--category", "Excel"], [2]),
    (["--category", "Excel", "--category", "Misc"], [2, 3]),
    (["--category", "Deep Learning"], [1]),  # one of the post's categories, not its main one
    (["--category", "Cooking"], []),
    (["--pending-placeholders"], [1]),
    (["--changed-since", "2026-01-13"], [1, 2]),  # run 3: post 1's third version, post 2 seen again
    (["--changed-since", "2026-01-15"], []),
    (["--changed-since", "2026-01-12T09:30:00Z"], [1, 2]),  # strictly after run 2
    (["--changed-since", "2026-01-12T09:29:59.999999Z"], [1, 2, 5]),
    (["--changed-since", "2026-01-12T17:29:00+08:00"], [1, 2, 5]),  # 09:29 UTC
    (["--changed-since", "2026-01-12 09:29"], [1, 2, 5]),  # no zone: UTC
    (["--changed-since", "2026-01-12T10:00:00+01:00"], [1, 2, 5]),  # 09:00 UTC
    (["--changed-since", "0999-01-01"], [1, 2, 3, 4, 5]),  # a year of three digits
    (["--changed-since", "0001-01-01T00:30:00+01:00"], [1, 2, 3, 4, 5]),  # before year 1 in UTC
    (["--changed-since", "9999-12-31T23:00:00-05:00"], []),  # after year 9999 in UTC
    (["--category", "NLP", "--changed-since", "2026-01-13", "--pending-placeholders"], [1]),
]


@pytest.mark.parametrize(("options", "expected"), FILTERS)
def test_filters(
    sample: Store, db_path: Path, tmp_path: Path, options: list[str], expected: list[int]
) -> None:
    text = export(db_path, tmp_path / "out.jsonl", "--format", "jsonl", *options)
    assert [json.loads(line)["id"] for line in text.splitlines()] == expected


@pytest.mark.parametrize(
    ("stored", "typed"),
    [("Cafe\u0301", "Caf\u00e9"), ("Caf\u00e9", "Cafe\u0301")],  # NFD / NFC, both ways
)
def test_a_category_typed_in_the_other_unicode_form_is_the_same_category(
    sample: Store, db_path: Path, tmp_path: Path, stored: str, typed: str
) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE post_version SET category = ?, categories = ? WHERE post_id = 3",
            (stored, json.dumps([stored, "Misc"])),
        )
        conn.execute(
            "UPDATE post_version SET categories = ? WHERE post_id = 2", (json.dumps([stored]),)
        )
    conn.close()
    text = export(db_path, tmp_path / "out.jsonl", "--format", "jsonl", "--category", typed)
    assert [json.loads(line)["id"] for line in text.splitlines()] == [2, 3]


def test_changed_since_takes_a_placeholder_recovered_since(
    sample: Store, db_path: Path, tmp_path: Path
) -> None:
    # recovered after the last crawl: the post's excerpt_recovered changed, though it was
    # neither seen again nor given a new version
    with sample.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE placeholder SET status = 'recovered', text = 'x = 1',"
            " updated_at = '2026-01-20T08:00:00.000000Z'"
            " WHERE id = (SELECT min(id) FROM placeholder)"
        )
    text = export(
        db_path, tmp_path / "out.jsonl", "--format", "jsonl", "--changed-since", "2026-01-15"
    )
    assert [json.loads(line)["id"] for line in text.splitlines()] == [1]


def test_fields_keeps_only_the_named_fields_in_order(
    sample: Store, db_path: Path, tmp_path: Path
) -> None:
    posts = read_back(
        "json", export(db_path, tmp_path / "o.json", "--format", "json", "--fields", "title,id")
    )
    assert [list(p.items()) for p in posts][:2] == [
        [("title", "FlashAttention 详解(修订)"), ("id", 1)],
        [("title", "=SUM(A1:A9)"), ("id", 2)],
    ]
    with_history = read_back(
        "jsonl", export(db_path, tmp_path / "o.jsonl", "--fields", "id", "--history")
    )
    assert [list(p) for p in with_history] == [["id", "versions"]] * 5


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--fields", "id,colour"], "unknown field 'colour'"),
        (["--since", "last week"], "--since: not a date: 'last week'"),
        (["--changed-since", "soon"], "--changed-since: not a date or time: 'soon'"),
        (["--format", "xml"], "--format: must be one of json, jsonl, csv"),
    ],
)
def test_bad_options_are_named(
    sample: Store,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    message: str,
) -> None:
    assert main(["export", "--db", str(db_path), *options]) in (1, 2)
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_date_range_that_ends_before_it_begins_is_refused(
    sample: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Swapped dates would export nothing and exit 0: a script's bug passed on as no news."""
    out = tmp_path / "o.jsonl"
    argv = ["export", "--db", str(db_path), "--out", str(out)]
    assert main([*argv, "--since", "2026-01-08", "--until", "2026-01-05"]) == 2
    assert capsys.readouterr().err == (
        "error: --since 2026-01-08 is after --until 2026-01-05: no post can match; swap the"
        " two dates\n"
    )
    assert not out.exists()
    assert main([*argv, "--since", "2026-01-05", "--until", "2026-01-05", "--fields", "id"]) == 0
    assert read_back("jsonl", out.read_text()) == [{"id": 1}]  # one day: both ends included


def test_default_is_jsonl_on_stdout(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--db", str(db_path), "--out", "-", "--fields", "id,title"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1] == '{"id":2,"title":"=SUM(A1:A9)"}'  # compact JSON
    assert captured.err == ""  # no progress bar, no summary: stdout is the export


@pytest.mark.parametrize(
    ("name", "starts"),
    [("posts.csv", "id,title"), ("posts.json", "["), ("posts.jsonl", '{"id"'), ("posts", '{"id"')],
)
def test_the_format_follows_the_file_s_extension(
    sample: Store, db_path: Path, tmp_path: Path, name: str, starts: str
) -> None:
    out = tmp_path / name
    assert main(["export", "--db", str(db_path), "--out", str(out), "--fields", "id,title"]) == 0
    assert out.read_text(encoding="utf-8").lstrip("\ufeff").startswith(starts)


def test_versions_without_history_is_a_usage_error(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--db", str(db_path), "--fields", "id,versions"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --fields: versions are exported with --history; add --history"
    ]


def test_no_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["export", "--db", str(tmp_path / "none.db")]) == 2
    )  # a reading command needs an archive: a usage error
    assert "no archive at" in capsys.readouterr().err


# Hostile content.


def test_json_is_valid_utf8_for_any_text(sample: Store, db_path: Path, tmp_path: Path) -> None:
    for fmt in ("json", "jsonl"):
        path = tmp_path / f"hostile.{fmt}"
        export(db_path, path, "--format", fmt, "--history")
        raw = path.read_bytes().decode("utf-8")  # strict: any invalid byte raises
        posts = {p["id"]: p for p in read_back(fmt, raw)}
        assert posts[3]["excerpt"] == sample_archive.HOSTILE_EXCERPT
        assert posts[3]["title"] == 'Emoji 🎉 and "quotes", commas'
        assert posts[5]["excerpt"] == sample_archive.LONG_EXCERPT
        assert posts[3]["versions"][0]["excerpt"] == sample_archive.HOSTILE_EXCERPT
        assert "🎉" in raw and "\\u0000" in raw and "\\u2028" in raw
        assert not {"\x00", "\u2028", "\x85"} & set(raw)


def test_text_another_tool_wrote_that_is_no_utf8_reads_with_replacement_marks(
    sample: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bytes no UTF-8 (a title a script stored as Latin-1) stopped export, show and search:
    "the archive cannot be used: Could not decode to UTF-8 column 'title'"."""
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE post_version SET title = CAST(x'4361666ee9207465787473' AS TEXT),"
            " excerpt = CAST(x'ff20726177' AS TEXT) WHERE post_id = 1"
        )
    conn.close()
    for fmt in ("csv", "jsonl"):
        posts = read_back(fmt, export(db_path, tmp_path / f"p.{fmt}", "--format", fmt))
        first = next(post for post in posts if str(post["id"]) == "1")
        assert (first["title"], first["excerpt"]) == ("Cafn\ufffd texts", "\ufffd raw")
    capsys.readouterr()
    assert main(["show", "1", "--db", str(db_path)]) == 0
    assert "Cafn\ufffd texts" in capsys.readouterr().out
    assert main(["search", "FlashAttention", "--db", str(db_path), "--json"]) == 0
    assert "Cafn\ufffd texts" in capsys.readouterr().out


def test_text_no_utf8_in_the_middle_of_an_export_is_read_again_from_there(
    sample: Store, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export reads text with sqlite3's own decoder; a text no UTF-8 past the first rows
    makes it read the posts after the last one written again, each once, in order."""
    ids = [row["id"] for row in rows(sample, "SELECT id FROM post ORDER BY id")]
    bad = ids[2]
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE post_version SET title = CAST(x'4361666ee9' AS TEXT) WHERE post_id = ?",
            (bad,),
        )
    conn.close()
    monkeypatch.setattr("feedkeeper.store.read._BATCH", 1)  # rows fetched one at a time
    for fmt in ("jsonl", "csv"):
        posts = read_back(fmt, export(db_path, tmp_path / f"m.{fmt}", "--format", fmt))
        assert [int(post["id"]) for post in posts] == ids
        assert next(p for p in posts if int(p["id"]) == bad)["title"] == "Cafn\ufffd"


@pytest.mark.parametrize("formula_guard", [True, False])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_csv_rows_hold_what_csv_cell_makes_of_each_value(
    formula_guard: bool, data: st.DataObject
) -> None:
    """The CSV writer's per-column shortcuts give every cell ``csv_cell``'s text."""
    texts = st.text(alphabet=st.sampled_from('=+-@\t\r|\\ab中,"\n'), max_size=6)
    value_of = {
        "id": st.integers(min_value=-5, max_value=5),
        "title": st.none() | texts,
        "truncated": st.booleans(),
        "pinned": st.booleans(),
        "tags": st.lists(texts, max_size=3),
        "aliases": st.lists(texts, max_size=2),
        "placeholders": st.lists(
            st.fixed_dictionaries({"kind": st.sampled_from(["code", "math"]), "text": texts}),
            max_size=2,
        ),
    }
    columns = data.draw(st.permutations(list(value_of)))
    values = {name: data.draw(value_of[name]) for name in columns}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "row.csv"
        fields = tuple(columns)
        write_export([record(**values)], "csv", out, fields=fields, formula_guard=formula_guard)
        text = out.read_bytes().decode("utf-8")
    expected = [csv_cell(values[name], formula_guard, name in JSON_CELLS) for name in columns]
    assert list(csv.reader(io.StringIO(text, newline=""))) == [columns, expected]


def record(**changes: Any) -> PostRecord:
    values: dict[str, Any] = {name: None for name in FIELDS} | {
        "id": 1,
        "aliases": [],
        "categories": [],
        "tags": [],
        "truncated": False,
        "version": 1,
        "first_seen": T1,
        "last_seen": T1,
        "sightings": 1,
        "placeholders": [],
    }
    return PostRecord(**(values | changes))


def test_lone_surrogates_are_escaped_in_json_and_replaced_in_csv(tmp_path: Path) -> None:
    broken = record(title="half \ud83d of an emoji", excerpt="ok")
    write_export([broken], "jsonl", tmp_path / "s.jsonl")
    line = (tmp_path / "s.jsonl").read_bytes().decode("utf-8")
    assert json.loads(line)["title"] == "half \ud83d of an emoji"
    write_export([broken], "csv", tmp_path / "s.csv", fields=("id", "title"))
    assert (tmp_path / "s.csv").read_bytes().decode(
        "utf-8"
    ) == "id,title\r\n1,half \ufffd of an emoji\r\n"


# Atomic files.


def test_a_failed_export_leaves_the_old_file_alone(tmp_path: Path) -> None:
    out = tmp_path / "posts.jsonl"
    out.write_text("yesterday's export\n")

    def failing() -> Iterator[PostRecord]:
        yield record()
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_export(failing(), "jsonl", out)
    assert out.read_text() == "yesterday's export\n"
    assert os.listdir(tmp_path) == ["posts.jsonl"]


def test_readers_see_the_old_file_until_the_new_one_is_complete(tmp_path: Path) -> None:
    out = tmp_path / "posts.csv"
    out.write_bytes(b"old\r\n")
    seen_while_writing = []

    def records() -> Iterator[PostRecord]:
        for n in (1, 2):
            seen_while_writing.append(out.read_bytes())
            yield record(id=n)

    write_export(records(), "csv", out, fields=("id",))
    assert seen_while_writing == [b"old\r\n", b"old\r\n"]
    assert out.read_bytes() == b"id\r\n1\r\n2\r\n"
    assert os.listdir(tmp_path) == ["posts.csv"]


def test_an_export_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_export([record()], "json", tmp_path / "p.json")
    finally:
        os.umask(old)
    assert (tmp_path / "p.json").stat().st_mode & 0o777 == 0o644


def test_an_export_over_a_file_keeps_its_mode(tmp_path: Path) -> None:
    """A private file (0600: an archive of a site behind a password) was made world-readable
    by the export that replaced it, through a link too."""
    private = tmp_path / "private.csv"
    private.write_text("old\n")
    private.chmod(0o600)
    (tmp_path / "link.csv").symlink_to(private)
    for out in (private, tmp_path / "link.csv"):
        write_export([record()], "csv", out, fields=("id",))
        assert private.stat().st_mode & 0o777 == 0o600
        assert private.read_bytes() == b"id\r\n1\r\n"
    assert (tmp_path / "link.csv").is_symlink()


def test_an_export_onto_a_loop_of_links_is_refused(tmp_path: Path) -> None:
    """The loop's link was replaced by the export's file, exit 0."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(ConfigError, match="Too many levels of symbolic links"):
        check_target(tmp_path / "a")
    assert (tmp_path / "a").is_symlink()


def test_an_export_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"folder .* does not exist"):
        write_export([record()], "json", tmp_path / "nowhere" / "p.json")
    with pytest.raises(ConfigError, match="it is a folder"):
        write_export([record()], "json", tmp_path)


def test_empty_json_export_is_an_empty_array(store: Store, db_path: Path, tmp_path: Path) -> None:
    assert export(db_path, tmp_path / "e.json", "--format", "json") == "[]\n"


# Streaming and concurrency.


def _big_archive(store: Store, posts: int, chars: int) -> None:
    store.close()
    conn = sqlite3.connect(store.path)
    excerpt = "字" * chars
    with conn:
        conn.execute(
            "INSERT INTO site (id, name, url, state, added_at)"
            " VALUES (1, 'import', 'file:///x', 'active', :t)",
            {"t": T1},
        )
        conn.execute(
            "INSERT INTO run (id, kind, source, started_at, status, pages, pages_not_modified,"
            " pages_failed, cards, cards_skipped, new_posts, new_versions, filled_in, reposts,"
            " placeholders_found, placeholders_recovered, placeholders_unrecoverable, failures)"
            " VALUES (1, 'import', 'x', :t, 'ok', 0,0,0,0,0,0,0,0,0,0,0,0,'[]')",
            {"t": T1},
        )
        conn.executemany(
            "INSERT INTO post (id, site_id, key, current_version, first_seen, last_seen)"
            " VALUES (?, 1, ?, 1, ?, ?)",
            [(i, f"excerpt:{i}", T1, T1) for i in range(1, posts + 1)],
        )
        conn.executemany(
            "INSERT INTO post_version (post_id, version, categories, tags, excerpt, truncated,"
            " observed_at, run_id) VALUES (?, 1, '[]', '[]', ?, 0, ?, 1)",
            [(i, f"{i}{excerpt}", T1) for i in range(1, posts + 1)],
        )
    conn.close()


def test_memory_stays_flat_however_large_the_archive(store: Store, tmp_path: Path) -> None:
    _big_archive(store, 600, 6000)  # 3,600,000 characters of excerpt, 11 MB of UTF-8
    out = tmp_path / "big.jsonl"
    tracemalloc.start()
    try:
        count = write_export(iter_posts(store.engine, PostFilter()), "jsonl", out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 600
    assert out.stat().st_size > 10_800_000
    assert peak < 1_000_000  # a few records at a time, not the archive


def test_exports_do_not_wait_for_a_crawl(sample: Store, db_path: Path, tmp_path: Path) -> None:
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a crawl in the middle of storing a page
    writer.execute("DELETE FROM sighting")
    try:
        text = export(db_path, tmp_path / "during.jsonl", "--fields", "id,sightings")
        assert main(["status", "--json", "--db", str(db_path)]) == 0
        assert main(["search", "显存", "--db", str(db_path)]) == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert [json.loads(line)["sightings"] for line in text.splitlines()] == [4, 3, 1, 1, 1]


# Progress.


def test_progress_bar_only_on_a_terminal() -> None:
    piped = Console(file=io.StringIO(), force_terminal=False)
    with progress_bar("exporting", 3, console=piped) as advance:
        assert advance is None
    assert piped.file.getvalue() == ""  # type: ignore[attr-defined]
    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    with progress_bar("exporting", 3, console=terminal) as advance:
        assert advance is not None
        for item in ("1", "2", "3"):
            advance(item)
    assert "exporting" in terminal.file.getvalue()  # type: ignore[attr-defined]


def test_export_to_a_file_says_one_line_when_piped(
    sample: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.jsonl"
    assert main(["export", "--db", str(db_path), "--out", str(out)]) == 0
    assert capsys.readouterr().err == f"exported 5 posts to {out}\n"


def test_import_is_quiet_but_for_its_summary_when_piped(
    seeds: list[Path], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", *map(str, seeds), "--db", str(db_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("import run 1 ok: 5 pages") and captured.out.count("\n") == 1


def test_pinned_posts_are_exported_as_pinned(store: Store, db_path: Path, tmp_path: Path) -> None:
    site = ensure_site(store.engine, "https://blog.example/")
    run = store.start_run("crawl", "https://blog.example/", site.id)
    capture = PageCapture(
        url="https://blog.example/", fetched_at=now_iso(), outcome="parsed", body=b"<html>"
    )
    notice = Card(url="https://blog.example/p/notice", title="本站迁移说明", pinned=True)
    other = Card(url="https://blog.example/p/other", title="Other")
    archive_page(store, site.id, run, capture, [notice, other])
    text = export(db_path, tmp_path / "out.csv", "--format", "csv", "--fields", "url,pinned")
    assert text.splitlines() == [
        "url,pinned",
        "https://blog.example/p/notice,1",
        "https://blog.example/p/other,0",
    ]


def test_csv_list_cells_split_back_and_empty_placeholders_are_a_json_array(
    sample: Store, db_path: Path, tmp_path: Path
) -> None:
    with sample.engine.begin() as conn:  # a name holding the separator, one the escape
        conn.exec_driver_sql(
            """UPDATE post_version SET categories = '["CI|CD", "a\\\\b", "ML"]'"""
            " WHERE post_id = 2"
        )
    text = export(db_path, tmp_path / "o.csv", "--fields", "id,categories,placeholders")
    rows_ = {row["id"]: row for row in read_back("csv", text)}
    assert rows_["2"]["categories"] == "CI\\|CD|a\\\\b|ML"
    names = [
        re.sub(r"\\(.)", r"\1", name) for name in re.split(r"(?<!\\)\|", rows_["2"]["categories"])
    ]
    assert names == ["CI|CD", "a\\b", "ML"]
    assert [json.loads(row["placeholders"]) == [] for row in rows_.values()].count(True) == 4


@pytest.mark.parametrize("name", ["posts.xlsx", "posts.tsv", "posts.txt"])
def test_an_extension_no_format_has_is_refused(
    sample: Store, db_path: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--db", str(db_path), "--out", str(tmp_path / name)]) == 2
    assert "--out: cannot tell the format" in capsys.readouterr().err
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize(("name", "first"), [("posts.2026-11-27", "{"), ("posts", "{")])
def test_a_name_without_an_extension_is_json_lines(
    sample: Store, db_path: Path, tmp_path: Path, name: str, first: str
) -> None:
    assert export(db_path, tmp_path / name).startswith(first)


def test_quiet_export_says_nothing(
    sample: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--db", str(db_path), "--out", str(tmp_path / "o.csv"), "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_a_folder_no_file_can_be_made_in_is_a_usage_error(
    sample: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # /proc exists, and no file can be made in it: the path given is wrong (exit 2), as for
    # a folder that does not exist
    assert main(["export", "--db", str(db_path), "--out", "/proc/posts.csv"]) == 2
    assert capsys.readouterr().err.startswith("error: --out: cannot write in /proc")


def test_the_documents_list_every_export_field_in_order() -> None:
    root = Path(__file__).resolve().parents[1]
    schema = (root / "docs" / "schema.md").read_text(encoding="utf-8")
    listed = schema.split("- One record per post, in id order, with the fields ")[1]
    assert tuple(re.findall(r"`(\w+)`", listed.split(" (`kind`")[0])) == FIELDS
    readme = (root / "README.md").read_text(encoding="utf-8")
    table = readme.split("| field | meaning |")[1].split("\n\n")[0]
    names = re.findall(r"`(\w+)`", "".join(re.findall(r"^\| ([^|]+) \|", table, re.M)))
    assert tuple(names) == (*FIELDS, "versions")
