"""Identity across a crawl whose listing pages answer 304: an unchanged page still lists the
posts it listed when last read, so a repost the crawl takes is weighed against them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from feedkeeper.config import Settings
from feedkeeper.pipeline import CrawlOptions, crawl
from feedkeeper.reparse import reparse
from feedkeeper.run_summary import RunSummary
from feedkeeper.store import Store

from conftest import rows
from faultserver import FaultServer, Post, Resource, listing_page, listing_site, make_posts, status

# Eight posts, four to a page: "/" lists the newest four, "/page/2/" the others.
POSTS = make_posts(8)


@pytest.fixture
def db_path(archive_db: Path | str) -> Path | str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return archive_db


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(listing_site(POSTS)) as running:
        yield running


def _crawl(server: FaultServer, db: Path | str, **settings: object) -> RunSummary:
    store = Store.open(db)
    try:
        settings_ = Settings(url=server.base_url, db=db, rate=0, **settings)  # type: ignore[arg-type]
        return crawl(store, settings_, CrawlOptions(in_process_parse=True))
    finally:
        store.close()


def _publish(server: FaultServer, first: list[Post], second: list[Post]) -> None:
    """Serve these two listing pages; a page whose cards are as before answers 304."""
    pages = {"/": first, "/page/2/": second}
    server.publish(
        {path: Resource(listing_page(cards, n, 2).encode()) for n, (path, cards) in
         enumerate(pages.items(), start=1)}
    )  # fmt: skip


def _repost_of(post: Post) -> Post:
    """The post's card at another URL: its title, excerpt and date."""
    return replace(post, slug="reposted")


def _post_of(server: FaultServer, db: Path | str, slug: str) -> list[dict[str, object]]:
    store = Store.open(db)
    try:
        url = f"{server.base_url}posts/{slug}/"
        return rows(store, "SELECT p.url FROM post_url u JOIN post p ON p.id = u.post_id"
                    " WHERE u.url = :url", url=url)  # fmt: skip
    finally:
        store.close()


def test_a_repost_taken_before_the_post_s_unchanged_page_is_split_off_in_that_crawl(
    server: FaultServer, db_path: Path | str
) -> None:
    """Page 1 showed the card of a post of page 2 under another URL; page 2 answered 304,
    counted as listing nothing, and the card stayed that post's alias."""
    original = POSTS[5]  # on page 2
    assert _crawl(server, db_path).counts.new_posts == 8
    _publish(server, [_repost_of(original), *POSTS[:4]], POSTS[4:])
    summary = _crawl(server, db_path)
    assert summary.counts.pages_not_modified == 1  # page 2, unchanged
    assert (summary.counts.new_posts, summary.counts.reposts) == (1, 0)
    assert _post_of(server, db_path, "reposted") == [{"url": f"{server.base_url}posts/reposted/"}]
    assert _post_of(server, db_path, original.slug) == [
        {"url": f"{server.base_url}posts/{original.slug}/"}
    ]
    again = _crawl(server, db_path, full=True)
    assert (again.counts.new_posts, again.counts.reposts, again.counts.new_versions) == (0, 0, 0)


def test_a_card_after_the_post_s_unchanged_page_is_no_repost(
    server: FaultServer, db_path: Path | str
) -> None:
    """Page 1 answered 304 and page 2 showed the text of a post of page 1 under another
    URL: taken for that post, though the crawl listed it apart."""
    original = POSTS[1]  # on page 1
    assert _crawl(server, db_path).counts.new_posts == 8
    _publish(server, POSTS[:4], [_repost_of(original), *POSTS[4:]])
    summary = _crawl(server, db_path, full=True)
    assert summary.counts.pages_not_modified == 1  # page 1, unchanged
    assert (summary.counts.new_posts, summary.counts.reposts) == (1, 0)
    assert _post_of(server, db_path, "reposted") == [{"url": f"{server.base_url}posts/reposted/"}]


def test_an_alias_listed_after_the_post_s_unchanged_page_is_taken_apart(
    server: FaultServer, db_path: Path | str
) -> None:
    """A crawl whose page 1 failed took page 2's card for a post of page 1; the next crawl
    found page 1 unchanged (304) and page 2 listing the card still: it stayed an alias."""
    original = POSTS[1]  # on page 1
    assert _crawl(server, db_path).counts.new_posts == 8
    _publish(server, POSTS[:4], [_repost_of(original), *POSTS[4:]])
    server.fail("/", status(404))
    taken = _crawl(server, db_path, retries=1)
    assert (taken.counts.pages_failed, taken.counts.reposts) == (1, 1)
    _publish(server, POSTS[:4], [*POSTS[4:], _repost_of(original)])  # page 2 changed, 1 not
    summary = _crawl(server, db_path)
    assert summary.counts.pages_not_modified == 1
    assert (summary.counts.new_posts, summary.counts.reposts) == (1, 0)
    assert _post_of(server, db_path, "reposted") == [{"url": f"{server.base_url}posts/reposted/"}]


@pytest.mark.parametrize("on_page", [1, 2])
def test_a_reparse_weighs_the_pages_that_answered_304_as_the_crawl_did(
    server: FaultServer, db_path: Path | str, on_page: int
) -> None:
    """Pages that answered 304 keep no body to read again: a reparse took the card the
    crawl had kept apart for the post of such a page, a post lost."""
    original = POSTS[1] if on_page == 1 else POSTS[5]
    assert _crawl(server, db_path).counts.new_posts == 8
    if on_page == 1:
        _publish(server, POSTS[:4], [_repost_of(original), *POSTS[4:]])
    else:
        _publish(server, [_repost_of(original), *POSTS[:4]], POSTS[4:])
    assert _crawl(server, db_path, full=True).counts.new_posts == 1
    store = Store.open(db_path)
    try:
        summary = reparse(store)
        assert (summary.counts.new_posts, summary.counts.reposts) == (9, 0)
    finally:
        store.close()
    assert _post_of(server, db_path, "reposted") == [{"url": f"{server.base_url}posts/reposted/"}]


def test_what_a_page_listed_is_found_by_its_own_sightings_not_its_run_s(tmp_path: Path) -> None:
    """A 304's lookup finds the page's last parse by its URL and reads the page's sightings
    through the (run, page) index: walking every sighting of the run that last read it cost
    some 14 ms a page after a crawl of 2,000, and every fetch of the site about 0.9 ms."""
    from feedkeeper.store.known import _LAST_LISTED

    store = Store.open(tmp_path / "archive.db")
    try:
        with store.engine.connect() as conn:
            query = _LAST_LISTED.compile(dialect=conn.dialect)
            given = {"site": 1, "url": "https://blog.example/page/2/", "run": 2}
            values = query.construct_params(given)
            params = tuple(values[name] for name in query.positiontup or ())
            explained = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}", params)
            plan = [row[-1] for row in explained]
    finally:
        store.close()
    assert any("ix_sighting_run_id_page_url (run_id=? AND page_url=?)" in step for step in plan)
    assert any("page_fetch USING INDEX ix_page_fetch_url_id (url=?)" in step for step in plan)
