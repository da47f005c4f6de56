"""On PostgreSQL, writers on several machines drain one queue of posts to index."""

from __future__ import annotations

import threading

import psycopg

from feedkeeper.pipeline import archive_page
from feedkeeper.store import Store
from feedkeeper.store.dialect import refresh_indexes
from feedkeeper.store.sites import ensure_site
from test_index_queue import _page

from conftest import new_pg_database, rows


def test_two_writers_that_find_the_same_posts_queued_both_commit(pg_server: str) -> None:
    url = new_pg_database(pg_server)
    store = Store.open(url)
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    archive_page(store, site.id, run, *_page(1))  # posts 1 to 3, indexed as they commit
    # An outside edit leaves post 2 queued, for the next writer that commits.
    outside = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    with outside:
        outside.execute("UPDATE post_version SET title = '改过的标题' WHERE post_id = 2")
    outside.close()
    assert rows(store, "SELECT post_id FROM post_words_stale") == [{"post_id": 2}]

    failures: list[BaseException] = []
    with store.engine.connect() as first, store.engine.connect() as second:
        first.begin()
        refresh_indexes(first)  # takes post 2 and indexes it, not yet committed

        def drain_on_another_machine() -> None:
            try:
                second.begin()
                refresh_indexes(second)  # finds post 2 queued until the first commits
                second.commit()
            except BaseException as exc:  # reported below
                failures.append(exc)

        other = threading.Thread(target=drain_on_another_machine)
        other.start()
        other.join(0.5)  # waits for the first writer's lock
        first.commit()
        other.join(30)
    assert failures == []
    assert rows(store, "SELECT rowid, title FROM post_words WHERE rowid = 2") == [
        # every run of one to four characters of the new title, shortest first
        {
            "rowid": 2,
            "title": " 改 过 的 标 题 改过 过的 的标 标题 改过的 过的标 的标题 改过的标 过的标题 ",
        }
    ]
    assert rows(store, "SELECT count(*) AS n FROM post_words_stale") == [{"n": 0}]
    store.close()


def test_db_upgrade_indexes_what_an_outside_edit_left_queued(pg_server: str) -> None:
    from feedkeeper.cli import main

    url = new_pg_database(pg_server)
    store = Store.open(url)
    site = ensure_site(store.engine, "https://b.example/")
    run = store.start_run("crawl", "https://b.example/", site.id)
    archive_page(store, site.id, run, *_page(1))
    outside = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    with outside:
        outside.execute("UPDATE post_version SET title = '改过' WHERE post_id = 2")
    outside.close()
    assert main(["db", "upgrade", "--db", url]) == 0
    assert rows(store, "SELECT rowid, title FROM post_words WHERE rowid = 2") == [
        {"rowid": 2, "title": " 改 过 改过 "}
    ]
    assert rows(store, "SELECT count(*) AS n FROM post_words_stale") == [{"n": 0}]
    store.close()
