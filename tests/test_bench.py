"""The benchmark's modules (bench/) still run against feedkeeper's API, on a tiny site.

``python -m bench`` takes most of an hour and needs nginx and Scrapy, so nothing else runs
it: these tests import every module of bench/ and call the parts that use feedkeeper on a
generated site of a few pages, in the project's own environment.
"""

from __future__ import annotations

import importlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bench import alignbench, fkrun, parsebench, prefill, report, score, sitegen, sites, stages
from bench.__main__ import stage_costs
from feedkeeper.fixture_site import FixtureServer
from feedkeeper.page_reader import read_page
from feedkeeper.store import Store

from conftest import ROOT

# Scrapy's side of the comparison runs in bench/.venv only, and calls nothing of feedkeeper.
NEEDS_BENCH_VENV = {"scrapy_job"}
MODULES = sorted(
    path.stem for path in (ROOT / "bench").glob("*.py") if path.stem not in NEEDS_BENCH_VENV
)
PAGES = 4
# Every URL a page lists is a record: 14 original posts and 4 reposts under second URLs
# (the 2 pinned posts are originals of earlier pages).
RECORDS = PAGES * (sitegen.ORIGINALS_PER_PAGE + sitegen.REPOSTS_PER_PAGE)
# What a prefilled post leaves, a row in each.
TABLES = ("post", "post_version", "post_url", "post_fingerprint", "sighting", "post_words")


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark's blog of ``PAGES`` listing pages: gen1/, gen2/ and truth.json."""
    root = tmp_path_factory.mktemp("site") / "snapshots"  # a FixtureServer site's layout
    sitegen.write_site(sitegen.build(PAGES), root)
    return root


@pytest.mark.parametrize("name", MODULES)
def test_every_bench_module_imports(name: str) -> None:
    importlib.import_module("bench" if name == "__init__" else f"bench.{name}")


def test_the_generated_site_has_both_generations_and_its_truth(snapshots: Path) -> None:
    truth = sitegen.load_truth(snapshots)
    assert len(truth) == PAGES * sitegen.ORIGINALS_PER_PAGE
    assert len(score.expected_urls(truth)) == RECORDS
    for generation in ("gen1", "gen2"):
        assert (snapshots / generation / "index.html").is_file()
        assert (snapshots / generation / "page" / str(PAGES) / "index.html").is_file()


def test_stage_costs_are_measured_for_every_page(snapshots: Path) -> None:
    costs = stages.measure_stages(snapshots, PAGES)
    assert costs["pages"] == PAGES
    assert costs["parse_ms"] > 0 and costs["write_ms"] > 0
    assert costs["dedupe_ms"] >= 0 and costs["write_without_index_ms"] >= 0


def test_the_stages_write_every_record_the_first_generation_shows(
    snapshots: Path, tmp_path: Path
) -> None:
    pages = stages.load_pages(snapshots, PAGES)
    parsed = [(url, body, read_page(body, stages.KIND, url)) for url, body in pages]
    db = tmp_path / "stages.db"
    stages.write_all(db, parsed, index=True)
    truth = sitegen.load_truth(snapshots)
    found = score.score_feedkeeper(db, stages.BASE, truth)
    unedited = sum(1 for _, post in score.expected_urls(truth) if post.gen2 is None)
    assert (found.posts, found.records, found.duplicates, found.missing) == (RECORDS, RECORDS, 0, 0)
    assert found.exact == found.history_right == unedited  # generation 2's edits not seen yet


def test_feedkeeper_reads_every_card_as_the_floor_does(snapshots: Path) -> None:
    pages = parsebench.load_pages(snapshots / "gen1", PAGES)
    ms, cards = parsebench.bench(parsebench.floor, pages, 1)
    assert ms > 0 and cards == PAGES * sitegen.CARDS_PER_PAGE
    # feedkeeper reads a post shown twice on a page (pinned, and reposted) as one card
    assert 0 < parsebench.bench(parsebench.feedkeeper, pages, 1)[1] <= cards
    assert parsebench.agreement(pages) == 1.0


def test_placeholders_are_aligned_with_their_article() -> None:
    for every in (None, 150):
        best, median = alignbench.measure(500, every, rounds=1)  # asserts every one recovered
        assert 0 < best <= median


def test_a_prefilled_archive_holds_the_posts_and_their_words(tmp_path: Path) -> None:
    db = tmp_path / "growth.db"
    Store.open(db).close()
    assert prefill.prefill(db, "http://bench.test/", 30) == 30
    assert prefill.prefill(db, "http://bench.test/", 30) == 30  # already there: nothing added
    with sqlite3.connect(db) as conn:
        counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
    conn.close()
    assert counts == [30] * len(TABLES)


def test_the_store_cost_writes_new_then_known_cards(tmp_path: Path) -> None:
    figures = sites.store_cost(2, tmp_path / "cost.db", "sqlite")
    assert figures["store"] == "sqlite"
    assert figures["new_ms_per_page"] > 0 and figures["known_ms_per_page"] > 0
    with sqlite3.connect(tmp_path / "cost.db") as conn:
        assert conn.execute("SELECT count(*) FROM post").fetchone() == (2 * 20,)
    conn.close()


def test_the_report_renders_every_table(snapshots: Path) -> None:
    pages = parsebench.load_pages(snapshots / "gen1", PAGES)
    parsed: dict[str, Any] = {"pages": PAGES, "agreement": parsebench.agreement(pages)}
    for name, parser in (("floor", parsebench.floor), ("feedkeeper", parsebench.feedkeeper)):
        ms, cards = parsebench.bench(parser, pages, 1)
        parsed[name] = {"ms_per_page": ms, "cards": cards}
    parsed["bs4_lxml"] = {"ms_per_page": 4.0, "cards": 80}  # BeautifulSoup: bench/.venv only
    truth = sitegen.load_truth(snapshots)
    scored = score.score_scrapy(_scrapy_table(snapshots, truth), stages.BASE, truth).as_dict()
    results = _results(parsed, stages.measure_stages(snapshots, PAGES), scored)
    text = report.render(results)
    for heading in ("### 1.", "### 2.", "### 3.", "### 4.", "### 5.", "### 6.", "### 7."):
        assert heading in text
    assert "feedkeeper reads 100.0% of the floor's cards identically" in text
    assert "| **accuracy** | **100.00%** | **100.00%** |" in text
    assert f"over {PAGES} pages" in text


def _scrapy_table(snapshots: Path, truth: list[sitegen.Post]) -> Path:
    """The Scrapy pipeline's table, filled with exactly what the truth asks for."""
    db = snapshots.parent / "scrapy.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS post (url TEXT PRIMARY KEY, title TEXT, published TEXT,"
            " category TEXT, tags TEXT, excerpt TEXT, truncated INTEGER)"
        )
        for url, post in score.expected_urls(truth):
            want = score.expected(post)
            conn.execute(
                "INSERT OR REPLACE INTO post VALUES (?, ?, ?, ?, ?, ?, ?)",
                (stages.BASE + url.lstrip("/"), want["title"], want["published"],
                 want["category"], json.dumps(want["tags"]), want["excerpt"],
                 want["truncated"]),
            )  # fmt: skip
    conn.close()
    return db


def _results(
    parsed: dict[str, Any], costs: dict[str, Any], scored: dict[str, Any]
) -> dict[str, Any]:
    """A run's results.json with made-up timings around the figures measured here."""
    run = {"wall": 2.0, "cpu": 1.5, "peak_rss_mb": 90.0, "code": 0}
    crawl = {"pages": PAGES, "not_modified": 0, "new_posts": RECORDS, "seconds": 1.0, "cpu": 0.8}
    return {
        "machine": {
            "cpu": "test",
            "cores": 2,
            "memory_gb": 4.0,
            "os": "Linux",
            "python": "3.12",
            "nginx": "1.26",
            "tools": {"scrapy": "2.11"},
            "load_before": [0.1, 0.1, 0.1],
            "load_after": [0.2, 0.2, 0.2],
        },
        "args": {"pages": PAGES},
        "crawl": {
            "httpx": {**run, "pages": PAGES},
            "feedkeeper": run,
            "scrapy": run,
            "feedkeeper_gen2": run,
            "scrapy_gen2": run,
            "score": {"feedkeeper": scored | {"history_right": RECORDS}, "scrapy": scored},
        },
        "parse": parsed,
        "reparse": {**run, "pages": PAGES, "seconds": 1.0},
        "growth": [
            {"archived": 1000, "prefill_seconds": 1.0, **crawl, "pairs": []},
            {
                "archived": 10_000,
                "prefill_seconds": 3.0,
                **crawl,
                "pairs": [{"first": 2, "sized": crawl, "smallest": crawl}],
            },
        ],
        "recrawl": {"not_modified": crawl, "no_validators": crawl},
        "export": {
            fmt: {**run, "bytes": 1000, "lines": RECORDS + (fmt == "csv")}
            for fmt in ("jsonl", "csv")
        },
        "stages": costs,
        "total_seconds": 10.0,
    }


@pytest.mark.slow
def test_the_timed_crawls_and_reparse_archive_both_generations_exactly(
    snapshots: Path, tmp_path: Path
) -> None:
    db = tmp_path / "feedkeeper.db"
    truth = sitegen.load_truth(snapshots)
    edited = sum(1 for _, post in score.expected_urls(truth) if post.gen2 is not None)
    store = Store.open(db)
    with FixtureServer(snapshots.parent) as server:
        url = server.base_url
        server.snapshot = "gen1"
        first = fkrun.timed(lambda: fkrun.do_crawl(store, url, db, 2, None, url))
        server.snapshot = "gen2"
        second = fkrun.timed(lambda: fkrun.do_crawl(store, url, db, 2, None, url))
    found = score.score_feedkeeper(db, url, truth)
    reparsed = fkrun.timed(lambda: fkrun.do_reparse(store))  # rebuilt from the stored pages
    store.close()
    assert (first["status"], first["pages"], first["new_posts"]) == ("ok", PAGES, RECORDS)
    assert first["seconds"] > 0 and first["cpu"] > 0
    assert second["status"] == "ok" and second["pages"] + second["not_modified"] == PAGES
    assert (second["new_posts"], second["new_versions"]) == (0, edited)
    assert found.exact == found.history_right == found.posts == found.records == RECORDS
    assert (reparsed["status"], reparsed["new_posts"]) == ("ok", RECORDS)
    assert score.score_feedkeeper(db, url, truth) == found


@pytest.mark.slow
def test_the_stage_costs_run_as_the_benchmark_runs_them(snapshots: Path) -> None:
    costs = stage_costs(snapshots)  # ``python -m bench.stages`` in a child process
    assert costs["code"] == 0 and costs["pages"] == PAGES
    assert costs["parse_ms"] > 0
