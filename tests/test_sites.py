"""Many sites in one archive: the site table, per-site identity, cross-posts, the migration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text

import sample_archive
from feedkeeper.cards import Card
from feedkeeper.cli import main
from feedkeeper.clock import now_iso
from feedkeeper.errors import ConfigError
from feedkeeper.importer import import_captures
from feedkeeper.pipeline import archive_page
from feedkeeper.records import PageCapture, SiteState
from feedkeeper.store import Store
from feedkeeper.store.engine import create_server_engine, create_sqlite_engine, migrate
from feedkeeper.store.sites import (
    NewSite,
    add_site,
    ensure_site,
    find_site,
    is_listed_at,
    list_sites,
    move_site,
    remove_site,
    set_state,
    site_for_url,
)
from feedkeeper.store.tables import site_t

from conftest import rows


@pytest.fixture
def db_path(archive_db: Path | str) -> Path | str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return archive_db


@pytest.fixture
def store(db_path: Path | str) -> Iterator[Store]:
    opened = Store.open(db_path)
    yield opened
    opened.close()


def _card(url: str, title: str, excerpt: str) -> Card:
    return sample_archive.card(url, title, excerpt)


def _page(store: Store, site_url: str, cards: list[Card], body: bytes = b"<html></html>") -> None:
    site = ensure_site(store.engine, site_url)
    run = store.start_run("crawl", site_url, site.id)
    capture = PageCapture(site_url, now_iso(), "parsed", body=body)
    archive_page(store, site.id, run, capture, cards)


def test_a_site_is_named_after_its_host_unless_named(store: Store) -> None:
    a = add_site(store.engine, NewSite("https://a.example/blog/"))
    b = add_site(store.engine, NewSite("https://a.example/other/"))
    c = add_site(store.engine, NewSite("https://c.example/", name="mine", every="30m"))
    assert (a.name, b.name, c.name) == ("a.example", "a.example-2", "mine")
    assert [(s.name, s.every) for s in list_sites(store.engine)] == [
        ("a.example", None),
        ("a.example-2", None),
        ("mine", "30m"),
    ]


def test_a_taken_url_or_name_is_refused_with_one_line(store: Store) -> None:
    add_site(store.engine, NewSite("https://a.example/", name="a"))
    with pytest.raises(ConfigError, match="already the site 'a'"):
        add_site(store.engine, NewSite("HTTPS://A.example:443/"))
    with pytest.raises(ConfigError, match="--name: a site named 'a' exists"):
        add_site(store.engine, NewSite("https://b.example/", name="a"))
    with pytest.raises(ConfigError, match="no site named 'z' \\(known: a\\)"):
        find_site(store.engine, "z", asked_by="--site")


def test_a_name_is_one_line_of_composed_text(store: Store) -> None:
    """A name with a line break split its row of `sites list`; a blank one was taken; "Café"
    composed and decomposed were two sites shown alike, `--site Café` finding one."""
    for bad, why in (("line1\nline2", "line break"), ("  ", "empty"), ("x" * 101, "longer")):
        with pytest.raises(ConfigError, match=f"--name: .*{why}"):
            add_site(store.engine, NewSite("https://a.example/", name=bad))
    cafe = add_site(store.engine, NewSite("https://a.example/", name=" Cafe\u0301 "))
    assert cafe.name == "Caf\u00e9"
    with pytest.raises(ConfigError, match="a site named 'Café' exists"):
        add_site(store.engine, NewSite("https://b.example/", name="Caf\u00e9"))
    assert find_site(store.engine, "Cafe\u0301", asked_by="--site").id == cafe.id


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("https://a.example/", "https://a.example/index.html"),
        ("https://a.example/blog/index.php", "https://a.example/blog/"),
    ],
)
def test_a_listing_s_index_file_is_the_same_site(store: Store, first: str, again: str) -> None:
    site = ensure_site(store.engine, first)
    assert ensure_site(store.engine, again).id == site.id
    assert ensure_site(store.engine, "https://a.example/other/").id != site.id


@pytest.mark.parametrize(
    "moved",
    ["https://a.example/blog", "http://www.a.example/blog/", "https://m.a.example/blog/"],
)
def test_a_site_spelt_at_another_scheme_or_host_prefix_is_the_same_site(
    store: Store, moved: str
) -> None:
    site = ensure_site(store.engine, "http://a.example/blog/")
    found = site_for_url(store.engine, moved)
    assert found is not None and found.id == site.id
    assert not is_listed_at(found, moved)


@pytest.mark.parametrize(
    "other",
    [
        "https://a.example/news/",
        "https://b.a.example/blog/",
        "https://a.example:8443/blog/",
        "https://a.example/blog/?lang=en",
        "https://www.b.example/blog/",
    ],
)
def test_another_path_host_or_port_is_another_site(store: Store, other: str) -> None:
    ensure_site(store.engine, "http://a.example/blog/")
    assert site_for_url(store.engine, other) is None


def test_a_site_kept_at_that_very_address_is_found_before_its_other_spellings(
    store: Store,
) -> None:
    """An archive that holds a site twice (http and https, added before moves were
    followed) finds the one at the address asked for, else the latest added."""
    old = ensure_site(store.engine, "http://a.example/")
    with store.engine.begin() as conn:
        values = {"name": "a-https", "url": "https://a.example/", "state": "active"}
        conn.execute(insert(site_t).values(added_at=now_iso(), **values))
    new = find_site(store.engine, "a-https", asked_by="t")
    for url, site in [
        ("http://a.example/", old),
        ("https://a.example/", new),
        ("https://www.a.example/", new),
    ]:
        found = site_for_url(store.engine, url)
        assert found is not None and found.id == site.id


def test_a_removed_site_added_at_its_new_address_comes_back_there(store: Store) -> None:
    ensure_site(store.engine, "http://a.example/")
    remove_site(store.engine, "a.example", purge=False, asked_by="t")
    back = add_site(store.engine, NewSite("https://www.a.example/"))
    assert (back.name, back.url, back.state) == (
        "a.example",
        "https://www.a.example/",
        SiteState.ACTIVE,
    )


def test_a_site_s_credentials_stay_with_it_when_it_moves(store: Store) -> None:
    site = add_site(store.engine, NewSite("http://alice:s3cret@a.example/"))
    move_site(store.engine, site.id, "https://www.a.example/")
    assert [s.url for s in list_sites(store.engine)] == ["https://alice:s3cret@www.a.example/"]
    move_site(store.engine, site.id, "https://bob:pw@a.example/")
    assert [s.url for s in list_sites(store.engine)] == ["https://bob:pw@a.example/"]


def test_pause_resume_and_remove_keep_the_posts(store: Store) -> None:
    _page(store, "https://a.example/", [_card("https://a.example/1", "One", "first post")])
    set_state(store.engine, "a.example", SiteState.PAUSED, asked_by="t")
    assert list_sites(store.engine, SiteState.ACTIVE) == []
    set_state(store.engine, "a.example", SiteState.ACTIVE, asked_by="t")
    remove_site(store.engine, "a.example", purge=False, asked_by="t")
    assert find_site(store.engine, "a.example", asked_by="t").state is SiteState.REMOVED
    assert rows(store, "SELECT site, title FROM posts_current") == [
        {"site": "a.example", "title": "One"}
    ]
    again = add_site(store.engine, NewSite("https://a.example/"))
    assert again.state is SiteState.ACTIVE


def test_purge_deletes_the_site_and_only_its_rows(store: Store) -> None:
    _page(store, "https://a.example/", [_card("https://a.example/1", "One", "first post")])
    _page(store, "https://b.example/", [_card("https://b.example/1", "Two", "second post")])
    remove_site(store.engine, "a.example", purge=True, asked_by="t")
    assert rows(store, "SELECT site, title FROM posts_current") == [
        {"site": "b.example", "title": "Two"}
    ]
    assert rows(store, "SELECT count(*) AS n FROM page_fetch") == [{"n": 1}]
    assert [s.name for s in list_sites(store.engine)] == ["b.example"]


def test_purge_deletes_the_site_s_page_bodies_but_those_another_site_shares(
    store: Store,
) -> None:
    _page(store, "https://a.example/", [_card("https://a.example/1", "One", "first")], b"<p>a")
    _page(store, "https://a.example/", [_card("https://a.example/2", "Two", "second")], b"<p>ab")
    _page(store, "https://b.example/", [_card("https://b.example/1", "Three", "third")], b"<p>ab")
    assert rows(store, "SELECT count(*) AS n FROM page_body") == [{"n": 2}]
    remove_site(store.engine, "a.example", purge=True, asked_by="t")
    kept = rows(store, "SELECT sha256 FROM page_body")
    assert kept == rows(store, "SELECT body_sha256 AS sha256 FROM page_fetch")  # b's page's
    assert len(kept) == 1


def test_a_repost_on_another_site_is_linked_not_merged(store: Store) -> None:
    shared = ("Attention 详解", "分块计算自注意力,显存占用更低")
    _page(store, "https://a.example/", [_card("https://a.example/p/1", *shared)])
    _page(store, "https://b.example/", [_card("https://b.example/x/9", *shared)])
    posts = rows(store, "SELECT id, site, url FROM posts_current ORDER BY id")
    assert posts == [
        {"id": 1, "site": "a.example", "url": "https://a.example/p/1"},
        {"id": 2, "site": "b.example", "url": "https://b.example/x/9"},
    ]
    links = rows(
        store, "SELECT post_id, site, other_post_id, other_site FROM cross_posts ORDER BY post_id"
    )
    assert links == [
        {"post_id": 1, "site": "a.example", "other_post_id": 2, "other_site": "b.example"},
        {"post_id": 2, "site": "b.example", "other_post_id": 1, "other_site": "a.example"},
    ]


def test_a_pair_sharing_several_versions_shows_once_from_each_side(store: Store) -> None:
    first = ("Attention 详解", "分块计算自注意力,显存占用更低")
    second = ("Attention 详解(修订)", "分块计算自注意力,显存占用更低")
    for shown in (first, second):  # both sites show the post, then its new title
        _page(store, "https://a.example/", [_card("https://a.example/p/1", *shown)])
        _page(store, "https://b.example/", [_card("https://b.example/x/9", *shown)])
    assert rows(store, "SELECT count(*) AS n FROM post_version") == [{"n": 4}]
    links = rows(store, "SELECT post_id, other_post_id FROM cross_posts ORDER BY post_id")
    assert links == [{"post_id": 1, "other_post_id": 2}, {"post_id": 2, "other_post_id": 1}]


def test_posts_of_two_sites_that_only_begin_alike_are_not_cross_posts(
    store: Store, tmp_path: Path
) -> None:
    begins = "重温SSM第一部分 线性系统和HiPPO矩阵的推导过程与它的各种性质一一说来"
    shown = {
        "one": ("2026-01-11", f"{begins} 这是第一篇的正文,讲线性系统。"),
        "two": ("2026-03-02", f"{begins} 这里是另一篇,讲离散化与卷积核。"),
        "three": ("2026-01-11", f"{begins} 这是第一篇的正文,讲线性系统。"),
    }
    for name, (published, excerpt) in shown.items():
        capture = tmp_path / f"{name}.txt"
        capture.write_text(f"LATEST UPDATES\nPython\n{published}\n{excerpt}\n", encoding="utf-8")
        site = add_site(store.engine, NewSite(f"https://{name}.example/", name=name))
        import_captures(store, [capture], site=site)
    links = rows(store, "SELECT site, other_site FROM cross_posts ORDER BY site")
    assert links == [
        {"site": "one", "other_site": "three"},
        {"site": "three", "other_site": "one"},
    ]


def test_the_same_url_in_two_sites_is_two_posts(store: Store) -> None:
    card = _card("https://shared.example/p/1", "Title", "text")
    _page(store, "https://a.example/", [card])
    _page(store, "https://b.example/", [card])
    assert rows(store, "SELECT site_id, key FROM post ORDER BY id") == [
        {"site_id": 1, "key": "https://shared.example/p/1"},
        {"site_id": 2, "key": "https://shared.example/p/1"},
    ]


def test_site_status_reports_each_site(store: Store) -> None:
    _page(store, "https://a.example/", [_card("https://a.example/1", "One", "x"), _card(
        "https://a.example/2", "Two", "y")])  # fmt: skip
    add_site(store.engine, NewSite("https://b.example/"))
    assert rows(store, "SELECT name, state, posts FROM site_status ORDER BY name") == [
        {"name": "a.example", "state": "active", "posts": 2},
        {"name": "b.example", "state": "active", "posts": 0},
    ]


def test_imports_go_to_the_only_site_or_must_name_one(store: Store, seeds: list[Path]) -> None:
    import_captures(store, seeds[:1])
    assert [s.name for s in list_sites(store.engine)] == ["import"]
    add_site(store.engine, NewSite("https://b.example/"))
    with pytest.raises(ConfigError, match="holds 2 sites: name the one"):
        import_captures(store, seeds[:1])


def test_a_single_site_archive_becomes_one_site_losing_nothing(tmp_path: Path) -> None:
    """An archive made before sites existed (revision 0004) upgrades into one site."""
    store = sample_archive.open_copy(tmp_path / "a.db")
    before = {t: _table(store, t) for t in ("post", "post_version", "sighting", "run")}
    migrate(store.engine, "0004", down=True)
    assert "site_id" not in _table(store, "post")[0]
    migrate(store.engine, "head")
    assert rows(store, "SELECT id, name, url, state FROM site") == [
        {"id": 1, "name": "blog.example", "url": "https://blog.example/page/1", "state": "active"}
    ]
    for table, old in before.items():
        assert _table(store, table) == old, table
    store.close()


def _table(store: Store, table: str) -> list[dict[str, object]]:
    return rows(store, f"SELECT * FROM {table} ORDER BY 1, 2")


def test_downgrade_refuses_an_archive_of_several_sites(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    add_site(store.engine, NewSite("https://a.example/"))
    add_site(store.engine, NewSite("https://b.example/"))
    with pytest.raises(RuntimeError, match="several sites"):
        migrate(store.engine, "0004", down=True)
    assert len(list_sites(store.engine)) == 2


@pytest.fixture
def two_sites(db_path: Path | str) -> Iterator[Path | str]:
    """An archive of two sites: a.example with two posts, b.example with one."""
    store = Store.open(db_path)
    _page(store, "https://a.example/", [_card("https://a.example/1", "梯度下降", "一"),
                                        _card("https://a.example/2", "Adam", "二")])  # fmt: skip
    _page(store, "https://b.example/", [_card("https://b.example/1", "梯度检查点", "三")])
    store.close()
    yield db_path


def _ids(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[int]:
    assert main(argv) == 0
    return [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]


def test_export_search_show_status_take_site(
    two_sites: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(two_sites)]
    assert _ids(capsys, ["export", "--site", "b.example", *db]) == [3]
    assert _ids(capsys, ["export", *db]) == [1, 2, 3]
    assert main(["search", "梯度", "--site", "a.example", *db]) == 0
    found = capsys.readouterr().out
    assert "https://a.example/1" in found and "b.example" not in found
    assert main(["show", "https://b.example/1", "--site", "a.example", *db]) == 1
    assert main(["show", "https://b.example/1", "--site", "b.example", *db]) == 0
    assert capsys.readouterr().out.startswith("post 3  https://b.example/1  site b.example\n")
    assert main(["status", "--json", "--site", "a.example", *db]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["totals"]["posts"] == 2
    assert [r["site"] for r in report["runs"]] == ["a.example"]
    assert [s["name"] for s in report["sites"]] == ["a.example"]
    assert main(["status", *db]) == 0
    assert "sites" in capsys.readouterr().out


def test_search_names_each_hit_s_site_where_the_archive_holds_several(
    two_sites: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(two_sites)]
    assert main(["search", "梯度", *db]) == 0
    lines = capsys.readouterr().out.splitlines()
    heads = sorted(line for line in lines if not line.startswith("   "))
    assert [head.split("  ", 1)[1] for head in heads] == [
        "https://a.example/1  site a.example",
        "https://b.example/1  site b.example",
    ]
    assert main(["search", "梯度", "--site", "b.example", *db]) == 0  # one site: not named
    assert capsys.readouterr().out.splitlines()[0] == "1. post 3  https://b.example/1"


def test_a_site_named_in_decomposed_letters_is_the_composed_site(
    two_sites: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(two_sites)]
    store = Store.open(two_sites)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE site SET name = 'Café' WHERE name = 'b.example'")
    store.close()
    typed = "Cafe\u0301"  # as a Mac's keyboard gives it
    assert _ids(capsys, ["export", "--site", typed, *db]) == [3]
    assert main(["search", "梯度", "--site", typed, "--json", *db]) == 0
    assert [hit["post_id"] for hit in json.loads(capsys.readouterr().out)] == [3]
    assert main(["show", "3", "--site", typed, *db]) == 0
    assert capsys.readouterr().out.startswith("post 3  https://b.example/1  site Café\n")
    assert main(["status", "--json", "--site", typed, *db]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["totals"]["posts"] == 1 and [s["name"] for s in report["sites"]] == ["Café"]


def test_an_unknown_site_is_one_line(
    two_sites: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (["export"], ["search", "x"], ["status"], ["show", "1"], ["health"]):
        assert main([*command, "--site", "c", "--db", str(two_sites)]) == 2
        err = capsys.readouterr().err
        assert err == "error: --site: no site named 'c' (known: a.example, b.example)\n", command
    for verb in ("pause", "resume", "remove"):
        assert main(["sites", verb, "c", "--db", str(two_sites)]) == 2
        err = capsys.readouterr().err
        assert err == f"error: sites {verb}: no site named 'c' (known: a.example, b.example)\n"


def test_health_judges_each_active_site(
    two_sites: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(two_sites)
    with store.engine.begin() as conn:  # a.example's crawl ended well, b.example's did not
        conn.exec_driver_sql("UPDATE run SET status = 'ok' WHERE site_id = 1")
        conn.exec_driver_sql(
            "UPDATE run SET status = 'failed', started_at = '2026-01-01T00:00:00.000000Z'"
            " WHERE site_id = 2"
        )
    store.close()
    db = ["--db", str(two_sites)]
    assert main(["health", "--every", "1h", *db]) == 1
    assert capsys.readouterr().out.startswith("unhealthy: 1 of 2 sites unhealthy: site b.example:")
    assert main(["health", "--every", "1h", "--site", "a.example", *db]) == 0
    assert main(["sites", "pause", "b.example", *db]) == 0
    assert main(["health", "--every", "1h", *db]) == 0


def test_a_populated_archive_from_before_sites_becomes_one_site(db_path: Path | str) -> None:
    """Rows written at revision 0004 (no sites yet) all belong to one site after the upgrade."""
    engine = _engine_at(db_path, "0004")
    at = "2026-01-10T08:00:00.000000Z"
    with engine.begin() as conn:
        for sql in (
            "INSERT INTO run (id, kind, source, started_at, status, pages, pages_not_modified,"
            " pages_failed, cards, cards_skipped, new_posts, new_versions, filled_in, reposts,"
            " placeholders_found, placeholders_recovered, placeholders_unrecoverable, failures)"
            " VALUES (1, 'crawl', 'https://old.example/blog/', :at, 'ok',"
            " 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, '[]')",
            "INSERT INTO page_fetch (id, run_id, url, fetched_at, outcome, cards, cards_skipped)"
            " VALUES (1, 1, 'https://old.example/blog/', :at, 'parsed', 1, 0)",
            "INSERT INTO post (id, key, url, current_version, first_seen, last_seen)"
            " VALUES (1, 'https://old.example/p/1', 'https://old.example/p/1', 1, :at, :at)",
            "INSERT INTO post_version (id, post_id, version, title, categories, tags, truncated,"
            " observed_at, run_id) VALUES (1, 1, 1, 'Old', '[]', '[]', false, :at, 1)",
            "INSERT INTO post_url (url, post_id, first_seen)"
            " VALUES ('https://old.example/p/1', 1, :at)",
            "INSERT INTO post_fingerprint (fingerprint, post_id) VALUES ('abc', 1)",
        ):
            conn.execute(text(sql), {"at": at})
    engine.dispose()
    store = Store.open(db_path)
    assert rows(store, "SELECT id, name, url, state FROM site") == [
        {"id": 1, "name": "old.example", "url": "https://old.example/blog/", "state": "active"}
    ]
    assert rows(store, "SELECT id, site, title FROM posts_current") == [
        {"id": 1, "site": "old.example", "title": "Old"}
    ]
    for table in ("run", "page_fetch", "post", "post_url", "post_fingerprint"):
        assert rows(store, f"SELECT site_id FROM {table}") == [{"site_id": 1}], table
    new = add_site(store.engine, NewSite("https://new.example/"))
    assert new.id == 2
    store.close()


def _engine_at(db: Path | str, revision: str) -> Engine:
    engine = create_server_engine(db) if isinstance(db, str) else create_sqlite_engine(db)
    migrate(engine, revision)
    return engine


def test_a_site_s_password_is_never_printed(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site behind Basic auth keeps its URL, password included, for the workers that sign
    in; the commands show it as ``***@``."""
    url = "https://alice:s3cret@private.example/"
    assert main(["sites", "add", url, "--db", str(db_path)]) == 0
    assert main(["sites", "list", "--db", str(db_path)]) == 0
    assert main(["sites", "add", url, "--db", str(db_path)]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "site private.example: https://***@private.example/ (active)",
        "private.example  active  -  https://***@private.example/",
    ]
    assert err == (
        "error: sites add: https://***@private.example/ is already the site 'private.example'\n"
    )
