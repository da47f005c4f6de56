"""The fixture blog, crawled snapshot after snapshot, against the hand-written expectations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from feedkeeper.config import Settings
from feedkeeper.fixture_site import FixtureServer
from feedkeeper.parse import parse_listing
from feedkeeper.pipeline import crawl
from feedkeeper.store import Store

from conftest import FIXTURES, load_json, rows

EXPECTED = load_json(FIXTURES / "expected" / "crawl.json")
PAGES = sorted((FIXTURES / "expected" / "pages").glob("*.json"))
BASE = "http://fixture.test/"


def _path(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return parts.path + query + (f"#{parts.fragment}" if parts.fragment else "")


def _listing_file(name: str) -> Path:
    snapshot, page = name.split("-")
    folder = FIXTURES / "site" / "snapshots" / snapshot
    return folder / "index.html" if page == "1" else folder / "page" / page / "index.html"


@pytest.mark.parametrize("expected_file", PAGES, ids=[p.stem for p in PAGES])
def test_listing_page_parses_exactly(expected_file: Path) -> None:
    html = _listing_file(expected_file.stem).read_text(encoding="utf-8")
    cards = parse_listing(
        html, BASE if expected_file.stem.endswith("-1") else BASE + "page/2/"
    ).cards
    got = [
        {
            **card.to_json(),
            "url": _path(card.url),
            "placeholders": [{"kind": p.kind, "ordinal": p.ordinal} for p in card.placeholders],
        }
        for card in cards
    ]
    assert got == load_json(expected_file)


def _crawl(store: Store, server: FixtureServer, snapshot: str) -> Any:
    server.snapshot = snapshot
    return crawl(store, Settings(url=server.base_url, db=store.path, full=True, rate=0))


@pytest.fixture(scope="module")
def archive(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Store, FixtureServer, dict[str, Any]]]:
    """The five snapshots crawled in order, with the counts seen after each."""
    store = Store.open(tmp_path_factory.mktemp("crawl") / "fixture.db")
    after: dict[str, Any] = {}
    with FixtureServer() as server:
        for snapshot in sorted(EXPECTED["after_snapshot"]):
            summary = _crawl(store, server, snapshot)
            assert summary.status == "ok", summary.counts.failures
            after[snapshot] = {
                "posts": len(rows(store, "SELECT id FROM post")),
                "versions": len(rows(store, "SELECT id FROM post_version")),
                "aliases": len(
                    rows(
                        store,
                        "SELECT u.url FROM post_url u JOIN post p ON p.id = u.post_id"
                        " WHERE u.url IS NOT p.url",
                    )
                ),
                "sightings": len(rows(store, "SELECT id FROM sighting")),
            }
        yield store, server, after
    store.close()


def test_counts_after_each_snapshot(archive: tuple[Store, FixtureServer, dict[str, Any]]) -> None:
    _, _, after = archive
    assert after == EXPECTED["after_snapshot"]


def test_placeholder_flags(archive: tuple[Store, FixtureServer, dict[str, Any]]) -> None:
    store, _, _ = archive
    current = rows(
        store,
        "SELECT ph.kind, count(*) AS n FROM placeholder ph JOIN post_version v"
        " ON v.id = ph.version_id JOIN post p ON p.id = v.post_id"
        " AND p.current_version = v.version GROUP BY ph.kind",
    )
    assert {r["kind"]: r["n"] for r in current} == EXPECTED["totals"]["placeholders"]


def test_every_post_its_versions_aliases_and_sightings(
    archive: tuple[Store, FixtureServer, dict[str, Any]],
) -> None:
    store, _, _ = archive
    posts = {_path(p["url"]): p for p in rows(store, "SELECT * FROM posts_current")}
    assert sorted(posts) == sorted(p["url"] for p in EXPECTED["posts"])
    for expected in EXPECTED["posts"]:
        post = posts[expected["url"]]
        assert post["sightings"] == expected["sightings"], expected["url"]
        aliases = rows(
            store,
            "SELECT url FROM post_url WHERE post_id = :id AND url != :url ORDER BY url",
            id=post["id"],
            url=post["url"],
        )
        assert sorted(_path(a["url"]) for a in aliases) == sorted(expected["aliases"]), expected[
            "url"
        ]
        versions = rows(
            store,
            "SELECT version, title, category, published, excerpt, truncated"
            " FROM post_history WHERE post_id = :id ORDER BY version",
            id=post["id"],
        )
        wanted = [
            {k: v[k] for k in ("version", "title", "category", "published", "excerpt", "truncated")}
            for v in expected["versions"]
        ]
        assert [{**v, "truncated": bool(v["truncated"])} for v in versions] == wanted, expected[
            "url"
        ]
        kinds = rows(
            store,
            "SELECT ph.kind, ph.ordinal FROM placeholder ph JOIN post_version v"
            " ON v.id = ph.version_id WHERE v.post_id = :id AND v.version = :version"
            " ORDER BY ph.position",
            id=post["id"],
            version=post["version"],
        )
        assert kinds == [
            {"kind": p["kind"], "ordinal": p["ordinal"]} for p in expected["placeholders"]
        ]


def test_rerun_of_an_unchanged_site_makes_nothing_new(
    archive: tuple[Store, FixtureServer, dict[str, Any]],
) -> None:
    store, server, _ = archive
    last = sorted(EXPECTED["after_snapshot"])[-1]
    summary = _crawl(store, server, last)
    counts = summary.counts
    assert (counts.new_posts, counts.new_versions, counts.filled_in, counts.reposts) == (0, 0, 0, 0)
    assert (counts.pages, counts.pages_not_modified) == (0, 2)  # both pages answered 304
    assert len(rows(store, "SELECT id FROM post_version")) == EXPECTED["totals"]["versions"]


def test_a_page_the_parser_trips_on_fails_alone_and_the_crawl_goes_on(
    tmp_path: Path, fixture_server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser's bug met on one page (any exception but the parser's own ParseError) fails
    that page, kept for `reparse`; it ended the whole crawl as an internal error (exit 70)."""
    from feedkeeper.parse import page

    real_site_of = page.site_of

    def trips_on_page_2(url: str) -> str:
        if "/page/2" in url:
            raise IndexError("list index out of range")
        return real_site_of(url)

    monkeypatch.setattr(page, "site_of", trips_on_page_2)
    store = Store.open(tmp_path / "a.db")
    settings = Settings(url=fixture_server.base_url, db=store.path, full=True, rate=0)
    summary = crawl(store, replace(settings, concurrency=1))  # parsed in this process
    assert summary.status == "partial"
    [failure] = summary.counts.failures
    assert urlsplit(failure["url"]).path == "/page/2/"
    assert failure["error"].startswith("the parser failed on this page (IndexError: list index out")
    kept = rows(store, "SELECT outcome, body_sha256 IS NOT NULL AS has_body FROM page_fetch")
    assert {"outcome": "unparseable", "has_body": 1} in kept
    assert sum(1 for row in kept if row["outcome"] == "parsed") >= 1
    store.close()
