"""The SQL surface: views as docs/schema.md documents them, their rows, the migration, Datasette."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import sample_archive
from feedkeeper.importer import import_captures
from feedkeeper.pipeline import archive_page
from feedkeeper.records import PageCapture
from feedkeeper.store import Store
from feedkeeper.store.engine import migrate
from feedkeeper.store.search import is_search_index
from feedkeeper.store.sites import ensure_site

from conftest import ROOT, rows

SCHEMA_DOC = ROOT / "docs" / "schema.md"
METADATA = ROOT / "datasette-metadata.json"
VIEWS = {
    "posts_current",
    "post_history",
    "post_sightings",
    "placeholder_backlog",
    "crawl_runs",
    "post_search",
    "cross_posts",
    "site_status",
}
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


def documented_columns(doc: str) -> dict[str, list[str]]:
    """Columns of every ``### `name` `` section's table, in the document's order."""
    objects: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in doc.splitlines():
        heading = re.match(r"^### `(\w+)`$", line)
        if heading:
            current = objects.setdefault(heading.group(1), [])
        elif line.startswith("#"):
            current = None
        elif current is not None and (cell := re.match(r"^\| `(\w+)` \|", line)):
            current.append(cell.group(1))
    return objects


def actual_columns(store: Store) -> dict[str, list[str]]:
    """Columns of every table and view a user can see (not Alembic's, not FTS internals)."""
    names = [
        r["name"]
        for r in rows(store, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    ]
    visible = [
        n
        for n in names
        if n != "alembic_version"
        and not n.startswith("sqlite_")
        and (n in ("post_fts", "post_words") or not is_search_index(n))
    ]
    return {
        n: [r["name"] for r in rows(store, f"SELECT name FROM pragma_table_info('{n}')")]
        for n in visible
    }


@pytest.fixture
def sample(db_path: Path) -> Iterator[Store]:
    store = sample_archive.open_copy(db_path)
    yield store
    store.close()


def test_every_table_and_view_is_documented_column_by_column(store: Store) -> None:
    assert documented_columns(SCHEMA_DOC.read_text(encoding="utf-8")) == actual_columns(store)


def test_the_documented_views_exist(store: Store) -> None:
    names = {r["name"] for r in rows(store, "SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert names == VIEWS


def test_posts_current(sample: Store) -> None:
    got = rows(
        sample,
        "SELECT id, url, title, version, sightings, placeholders_pending, truncated,"
        " first_seen, last_seen FROM posts_current ORDER BY id",
    )
    t1, t2, _, t3 = sample_archive.RUN_TIMES
    assert got == [
        {
            "id": 1,
            "url": "https://blog.example/p/flash",
            "title": "FlashAttention 详解(修订)",
            "version": 3,
            "sightings": 4,
            "placeholders_pending": 1,
            "truncated": 0,
            "first_seen": t1,
            "last_seen": t3,
        },
        {
            "id": 2,
            "url": "https://blog.example/p/formula",
            "title": "=SUM(A1:A9)",
            "version": 1,
            "sightings": 3,
            "placeholders_pending": 0,
            "truncated": 0,
            "first_seen": t1,
            "last_seen": t3,
        },
        {
            "id": 3,
            "url": "https://blog.example/p/hostile",
            "title": 'Emoji 🎉 and "quotes", commas',
            "version": 1,
            "sightings": 1,
            "placeholders_pending": 0,
            "truncated": 1,
            "first_seen": t1,
            "last_seen": t1,
        },
        {
            "id": 4,
            "url": None,
            "title": None,
            "version": 1,
            "sightings": 1,
            "placeholders_pending": 0,
            "truncated": 0,
            "first_seen": t1,
            "last_seen": t1,
        },
        {
            "id": 5,
            "url": "https://blog.example/p/long",
            "title": "Long",
            "version": 1,
            "sightings": 1,
            "placeholders_pending": 0,
            "truncated": 0,
            "first_seen": t2,
            "last_seen": t2,
        },
    ]


def test_post_history_marks_the_current_version(sample: Store) -> None:
    got = rows(
        sample,
        "SELECT version, title, observed_at, run_id, is_current, truncated FROM post_history"
        " WHERE post_id = 1 ORDER BY version",
    )
    t1, t2, _, t3 = sample_archive.RUN_TIMES
    assert got == [
        {
            "version": 1,
            "title": "FlashAttention 详解",
            "observed_at": t1,
            "run_id": 1,
            "is_current": 0,
            "truncated": 1,
        },
        {
            "version": 2,
            "title": "FlashAttention 详解(修订)",
            "observed_at": t2,
            "run_id": 2,
            "is_current": 0,
            "truncated": 0,
        },
        {
            "version": 3,
            "title": "FlashAttention 详解(修订)",
            "observed_at": t3,
            "run_id": 4,
            "is_current": 1,
            "truncated": 0,
        },
    ]


def test_post_sightings(sample: Store) -> None:
    got = rows(
        sample,
        "SELECT post_id, version, title, seen_at, position, card_url, run_id, run_kind"
        " FROM post_sightings WHERE post_id = 1 ORDER BY id",
    )
    t1, t2, t_repost, t3 = sample_archive.RUN_TIMES
    old, new = "FlashAttention 详解", "FlashAttention 详解(修订)"
    assert got == [
        {
            "post_id": 1,
            "version": 1,
            "title": old,
            "seen_at": t1,
            "position": 1,
            "card_url": "https://blog.example/p/flash",
            "run_id": 1,
            "run_kind": "crawl",
        },
        {
            "post_id": 1,
            "version": 2,
            "title": new,
            "seen_at": t2,
            "position": 1,
            "card_url": "https://blog.example/p/flash",
            "run_id": 2,
            "run_kind": "crawl",
        },
        {
            "post_id": 1,
            "version": 2,
            "title": new,
            "seen_at": t_repost,
            "position": 1,
            "card_url": "https://blog.example/p/flash-v2?utm_source=feed",
            "run_id": 3,
            "run_kind": "crawl",
        },
        {
            "post_id": 1,
            "version": 3,
            "title": new,
            "seen_at": t3,
            "position": 1,
            "card_url": "https://blog.example/p/flash",
            "run_id": 4,
            "run_kind": "crawl",
        },
    ]


def test_placeholder_backlog_lists_pending_placeholders_of_every_version(sample: Store) -> None:
    got = rows(
        sample,
        "SELECT post_id, version, is_current, kind, ordinal, position, attempts, last_attempt"
        " FROM placeholder_backlog ORDER BY version, position",
    )
    assert got == [
        {
            "post_id": 1,
            "version": 1,
            "is_current": 0,
            "kind": "code",
            "ordinal": 1,
            "position": 1,
            "attempts": 0,
            "last_attempt": None,
        },
        {
            "post_id": 1,
            "version": 1,
            "is_current": 0,
            "kind": "formula",
            "ordinal": 1,
            "position": 2,
            "attempts": 0,
            "last_attempt": None,
        },
        {
            "post_id": 1,
            "version": 2,
            "is_current": 0,
            "kind": "code",
            "ordinal": 1,
            "position": 1,
            "attempts": 0,
            "last_attempt": None,
        },
        {
            "post_id": 1,
            "version": 3,
            "is_current": 1,
            "kind": "code",
            "ordinal": 1,
            "position": 1,
            "attempts": 0,
            "last_attempt": None,
        },
    ]


def test_placeholder_backlog_leaves_out_settled_placeholders(sample: Store) -> None:
    with sample.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE placeholder SET status = 'recovered', text = 'x' WHERE id = 4")
    assert [r["id"] for r in rows(sample, "SELECT id FROM placeholder_backlog ORDER BY id")] == [
        1,
        2,
        3,
    ]


def test_crawl_runs(sample: Store) -> None:
    got = rows(
        sample,
        "SELECT id, kind, status, pages, cards, new_posts, new_versions, reposts,"
        " placeholders_found, failures, message FROM crawl_runs ORDER BY id",
    )
    common = {"kind": "crawl", "status": "ok", "pages": 1, "failures": "[]", "message": None}
    assert got == [
        {
            "id": 1,
            **common,
            "cards": 4,
            "new_posts": 4,
            "new_versions": 0,
            "reposts": 0,
            "placeholders_found": 2,
        },
        {
            "id": 2,
            **common,
            "cards": 3,
            "new_posts": 1,
            "new_versions": 1,
            "reposts": 0,
            "placeholders_found": 1,
        },
        {
            "id": 3,
            **common,
            "cards": 1,
            "new_posts": 0,
            "new_versions": 0,
            "reposts": 1,
            "placeholders_found": 0,
        },
        {
            "id": 4,
            **common,
            "cards": 2,
            "new_posts": 0,
            "new_versions": 1,
            "reposts": 0,
            "placeholders_found": 1,
        },
    ]


def test_crawl_runs_duration_is_seconds_between_stored_times(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO run (kind, source, started_at, finished_at, status, pages,"
            " pages_not_modified, pages_failed, cards, cards_skipped, new_posts, new_versions,"
            " filled_in, reposts, placeholders_found, placeholders_recovered,"
            " placeholders_unrecoverable, failures) VALUES"
            " ('crawl', 'x', '2026-01-11T08:00:00.000000Z', '2026-01-11T08:02:05.250000Z', 'ok',"
            "  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '[]'),"
            " ('crawl', 'x', '2026-01-11T09:00:00.000000Z', NULL, 'running',"
            "  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '[]')"
        )
    assert [
        r["duration_seconds"] for r in rows(store, "SELECT duration_seconds FROM crawl_runs")
    ] == [125.25, None]


def test_times_are_iso_8601_dates_are_dates_booleans_are_0_or_1(sample: Store) -> None:
    times = {
        "posts_current": ("first_seen", "last_seen"),
        "post_history": ("observed_at",),
        "post_sightings": ("seen_at",),
        "placeholder_backlog": ("observed_at",),
        "crawl_runs": ("started_at", "finished_at"),
    }
    for view, columns in times.items():
        for column in columns:
            for value in rows(sample, f"SELECT {column} AS v FROM {view}"):
                assert ISO_TIME.match(value["v"]), (view, column, value)
    for view in ("posts_current", "post_history"):
        for value in rows(sample, f"SELECT published AS v FROM {view} WHERE published IS NOT NULL"):
            assert ISO_DATE.match(value["v"])
    flags = {
        "posts_current": ("truncated",),
        "post_history": ("truncated", "is_current"),
        "placeholder_backlog": ("is_current",),
    }
    for view, columns in flags.items():
        for column in columns:
            values = rows(
                sample, f"SELECT DISTINCT typeof({column}) AS t, {column} AS v FROM {view}"
            )
            assert {(r["t"], r["v"]) for r in values} <= {("integer", 0), ("integer", 1)}, (
                view,
                column,
            )


def _times_not_in_utc_the_conventions_name() -> set[str]:
    """The ``table.column`` times the conventions say are kept as their source wrote them."""
    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    times = doc.split("- **times** ")[1].split("\n- ")[0]
    return set(re.findall(r"`(\w+\.\w+)`", times))


def test_every_time_is_utc_with_microseconds_but_those_the_conventions_name(
    store: Store,
) -> None:
    site = ensure_site(store.engine, "https://blog.example/")
    run = store.start_run("crawl", site.url, site.id)
    card = sample_archive.card(
        "https://blog.example/p/1",
        "Title",
        "text",
        published="2026-01-11",
        published_at="2026-01-11T08:00:00+08:00",
    )
    fetched = PageCapture(
        site.url, "2026-01-11T01:00:00.000000Z", "parsed", 200,
        last_modified="Sun, 11 Jan 2026 00:00:00 GMT", body=b"<html></html>",
    )  # fmt: skip
    archive_page(store, site.id, run, fetched, [card])
    not_utc = set()
    for table, columns in actual_columns(store).items():
        for column in columns:
            if not re.search(r"(_at|_seen|_until|^last_modified)$", column):
                continue
            for value in rows(
                store, f"SELECT {column} AS v FROM {table} WHERE {column} IS NOT NULL"
            ):
                if not ISO_TIME.match(value["v"]):
                    not_utc.add(f"{table}.{column}")
    assert not_utc == {"post_version.published_at", "page_fetch.last_modified"}
    assert _times_not_in_utc_the_conventions_name() == not_utc


def test_a_card_without_categories_or_tags_leaves_empty_lists_as_the_conventions_say(
    store: Store,
) -> None:
    site = ensure_site(store.engine, "https://blog.example/")
    run = store.start_run("crawl", site.url, site.id)
    fetched = PageCapture(site.url, "2026-01-11T01:00:00.000000Z", "parsed", 200, body=b"<p>")
    archive_page(store, site.id, run, fetched, [sample_archive.card(None, None, "只有摘要")])
    assert rows(store, "SELECT title, category, categories, tags FROM posts_current") == [
        {"title": None, "category": None, "categories": "[]", "tags": "[]"}
    ]
    lists = SCHEMA_DOC.read_text(encoding="utf-8").split("- **lists** ")[1].split("\n- ")[0]
    assert "`[]`, never `NULL`" in " ".join(lists.split())


def _migrate(store: Store, revision: str, *, up: bool) -> None:
    migrate(store.engine, revision, down=not up)


def test_downgrade_removes_what_0002_made_and_upgrade_rebuilds_the_index(sample: Store) -> None:
    before = rows(sample, "SELECT type, name FROM sqlite_master ORDER BY name")
    _migrate(sample, "0001", up=False)
    left = rows(
        sample,
        "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')"
        " OR name LIKE 'post_fts%' ORDER BY name",
    )
    assert left == [
        {"type": "view", "name": "post_history"},
        {"type": "view", "name": "posts_current"},
    ]
    _migrate(sample, "head", up=True)
    assert rows(sample, "SELECT type, name FROM sqlite_master ORDER BY name") == before
    indexed = rows(sample, "SELECT rowid AS id, title, excerpt FROM post_fts ORDER BY rowid")
    assert indexed == rows(sample, "SELECT id, title, excerpt FROM posts_current ORDER BY id")


def test_a_crawl_does_not_block_readers_and_readers_see_committed_rows(
    sample: Store, db_path: Path
) -> None:
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM sighting")  # not committed: readers must still see every sighting
    reader = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.1)
    try:
        assert reader.execute("SELECT count(*) FROM post_sightings").fetchone() == (10,)
    finally:
        reader.close()
        writer.execute("ROLLBACK")
        writer.close()


def _querying_section() -> list[tuple[str, str | None]]:
    """(SQL, output header or None) for each query under "Querying the archive"."""
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    section = text.split("\n## Querying the archive\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(\w*)\n(.*?)```", section, re.DOTALL)
    queries: list[tuple[str, str | None]] = []
    for language, body in blocks:
        if language == "sql":
            queries.append((body, None))
        elif queries and not language:
            queries[-1] = (queries[-1][0], body.splitlines()[0])
    return queries


def test_the_documented_queries_run_on_the_seed_archive(store: Store, seeds: list[Path]) -> None:
    import_captures(store, seeds)
    queries = _querying_section()
    assert len(queries) == 5
    for sql, header in queries:
        result = rows(store, sql)
        if header is None:
            assert result == [], sql
        else:
            assert list(result[0]) == header.split(), sql


def test_the_documented_search_queries_run(sample: Store) -> None:
    words = rows(
        sample,
        "SELECT post_id FROM post_search WHERE post_search MATCH '\"显存\"' ORDER BY post_id",
    )
    assert words == [{"post_id": 1}, {"post_id": 4}]
    substring = rows(
        sample,
        "SELECT f.rowid AS post_id, snippet(post_fts, 1, '**', '**', '…', 40) AS snippet"
        " FROM post_fts f WHERE post_fts MATCH '\"核心创新\"' ORDER BY rank",
    )
    assert substring == [
        {
            "post_id": 1,
            "snippet": "FlashAttention的**核心创新**在于分块计算自注意力,显存占用更低 [代码]",
        }
    ]


def test_post_search_opens_without_a_match_and_posts_current_is_newest_first(
    sample: Store,
) -> None:
    listed = rows(sample, "SELECT post_id, rank FROM post_search")
    assert sorted(r["post_id"] for r in listed) == [1, 2, 3, 4, 5]
    assert {r["rank"] for r in listed} == {None}
    order = [(r["published"], r["id"]) for r in rows(sample, "SELECT * FROM posts_current")]
    dated = [o for o in order if o[0] is not None]
    assert dated == sorted(dated, key=lambda o: (-int(o[0].replace("-", "")), o[1]))
    assert order[: len(dated)] == dated  # undated posts come last


def documented_meanings(doc: str) -> dict[str, dict[str, str]]:
    meanings: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in doc.splitlines():
        heading = re.match(r"^### `(\w+)`$", line)
        if heading:
            current = meanings.setdefault(heading.group(1), {})
        elif line.startswith("#"):
            current = None
        elif current is not None and (cell := re.match(r"^\| `(\w+)` \| [^|]+ \| (.*) \|$", line)):
            current[cell.group(1)] = cell.group(2)
    return meanings


def test_datasette_metadata_describes_every_column_as_the_document_does(store: Store) -> None:
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    tables = metadata["databases"]["feedkeeper"]["tables"]
    described = {name: entry["columns"] for name, entry in tables.items() if "columns" in entry}
    assert described == documented_meanings(SCHEMA_DOC.read_text(encoding="utf-8"))
    assert set(described) == set(actual_columns(store))
    assert tables["posts_current"]["fts_table"] == "post_words"
    hidden = {name for name, entry in tables.items() if entry.get("hidden")}
    assert hidden == {
        "alembic_version",
        *(
            f"{index}{suffix}"
            for index in ("post_fts", "post_words")
            for suffix in ("", "_config", "_content", "_data", "_docsize", "_idx")
        ),
        "post_words_stale",
    }


def test_datasette_canned_search_runs(sample: Store) -> None:
    queries = json.loads(METADATA.read_text(encoding="utf-8"))["databases"]["feedkeeper"]["queries"]
    words_sql = queries["search"]["sql"].replace("escape_fts(:q)", ":q")  # escape_fts: Datasette's
    assert sorted(r["post_id"] for r in rows(sample, words_sql, q='"显存"')) == [1, 4]
    assert rows(sample, words_sql, q="") == []
