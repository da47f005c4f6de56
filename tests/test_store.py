"""Storing cards: identity, reposts, versions, fill-ins, sightings, placeholders."""

from __future__ import annotations

from feedkeeper.cards import Card, find_placeholders
from feedkeeper.clock import now_iso
from feedkeeper.pipeline import archive_page
from feedkeeper.records import PageCapture
from feedkeeper.store import Store
from feedkeeper.store.sites import ensure_site

from conftest import rows

BASE = "https://blog.example"


def card(slug: str, title: str, excerpt: str, **extra: object) -> Card:
    return Card(
        url=f"{BASE}{slug}",
        title=title,
        excerpt=excerpt,
        truncated=True,
        placeholders=find_placeholders(excerpt),
        **extra,  # type: ignore[arg-type]
    )


DDP = card(
    "/posts/ddp/",
    "DDP 入门",
    "Quick Start [代码] 代码 [代码]",
    category="Python",
    categories=("Python",),
    published="2026-01-11",
)
ADAM = card(
    "/posts/adamw/",
    "AdamW",
    "参数 [Math] 与梯度 g_t [公式] 式(1)",
    category="Deep Learning",
    categories=("Deep Learning",),
    published="2026-01-11",
)


def store_page(store: Store, url: str, cards: list[Card], run_id: int | None = None) -> object:
    site = ensure_site(store.engine, f"{BASE}/")
    run = run_id if run_id is not None else store.start_run("crawl", url, site.id)
    capture = PageCapture(url=url, fetched_at=now_iso(), outcome="parsed", body=b"<html></html>")
    return archive_page(store, site.id, run, capture, cards)


def current(store: Store) -> dict[str, dict[str, object]]:
    return {r["url"]: r for r in rows(store, "SELECT * FROM posts_current")}


def test_new_posts_and_sightings(store: Store) -> None:
    outcome = store_page(store, f"{BASE}/", [DDP, ADAM])
    assert (outcome.new_posts, outcome.cards, outcome.new_versions) == (2, 2, 0)
    posts = current(store)
    assert posts[f"{BASE}/posts/ddp/"]["title"] == "DDP 入门"
    assert posts[f"{BASE}/posts/ddp/"]["sightings"] == 1
    assert posts[f"{BASE}/posts/adamw/"]["placeholders_pending"] == 2


def test_pinned_post_on_every_page_is_one_post(store: Store) -> None:
    run = store.start_run("crawl", BASE)
    store_page(store, f"{BASE}/", [DDP, ADAM], run)
    outcome = store_page(store, f"{BASE}/page/2/", [DDP], run)
    assert outcome.new_posts == 0
    assert current(store)[f"{BASE}/posts/ddp/"]["sightings"] == 2
    sightings = rows(store, "SELECT page_url, position FROM sighting WHERE post_id = 1 ORDER BY id")
    assert sightings == [
        {"page_url": f"{BASE}/", "position": 1},
        {"page_url": f"{BASE}/page/2/", "position": 1},
    ]


def test_pinned_follows_the_first_card_of_each_run(store: Store) -> None:
    pinned_ddp = card("/posts/ddp/", "DDP 入门", "Quick Start [代码] 代码 [代码]", pinned=True)
    first = store.start_run("crawl", BASE)
    store_page(store, f"{BASE}/", [pinned_ddp, ADAM], first)
    store_page(store, f"{BASE}/page/3/", [DDP], first)  # its dated place, without the badge
    posts = current(store)
    assert posts[f"{BASE}/posts/ddp/"]["pinned"] == 1
    assert posts[f"{BASE}/posts/adamw/"]["pinned"] == 0
    assert rows(store, "SELECT pinned FROM post WHERE url = :u", u=f"{BASE}/posts/ddp/") == [
        {"pinned": 1}
    ]
    store_page(store, f"{BASE}/", [ADAM, DDP])  # a later run: the site unpinned it
    assert current(store)[f"{BASE}/posts/ddp/"]["pinned"] == 0


def test_repost_under_second_url_becomes_an_alias(store: Store) -> None:
    store_page(store, f"{BASE}/", [DDP])
    repost = card("/2026/01/11/ddp/", "DDP 入门", "Quick Start [代码] 代码 [代码]")
    outcome = store_page(store, f"{BASE}/page/2/", [repost])
    assert (outcome.new_posts, outcome.reposts) == (0, 1)
    assert rows(store, "SELECT url, post_id FROM post_url ORDER BY url") == [
        {"url": f"{BASE}/2026/01/11/ddp/", "post_id": 1},
        {"url": f"{BASE}/posts/ddp/", "post_id": 1},
    ]
    assert current(store)[f"{BASE}/posts/ddp/"]["sightings"] == 2


def test_tracking_parameters_and_fragments_are_the_same_url(store: Store) -> None:
    store_page(store, f"{BASE}/", [DDP])
    tracked = card(
        "/posts/ddp/?utm_source=pinned#top", "DDP 入门", "Quick Start [代码] 代码 [代码]"
    )
    outcome = store_page(store, f"{BASE}/", [tracked])
    assert (outcome.new_posts, outcome.reposts) == (0, 0)
    assert len(rows(store, "SELECT * FROM post_url")) == 1


def test_a_path_escaped_or_not_is_one_url(store: Store) -> None:
    """A new theme links ``/posts/分词器/`` escaped, and cuts the teaser shorter."""
    plain = card(
        "/posts/分词器/",
        "分词器",
        "中文分词的三种做法，从词典到模型，各有长短",
        published="2026-01-11",
    )
    store_page(store, f"{BASE}/", [plain])
    escaped = card(
        "/posts/%e5%88%86%e8%af%8d%e5%99%a8/",
        "分词器",
        "中文分词的三种做法",
        published="2026-01-11",
    )
    outcome = store_page(store, f"{BASE}/", [escaped])
    assert (outcome.new_posts, outcome.reposts, outcome.new_versions) == (0, 0, 0)
    assert [r["url"] for r in rows(store, "SELECT url FROM post_url")] == [f"{BASE}/posts/分词器/"]


def test_a_url_an_earlier_version_kept_escaped_is_still_found(store: Store) -> None:
    store_page(
        store, f"{BASE}/", [card("/posts/分词器/", "分词器", "中文分词的三种做法，从词典到模型")]
    )
    escaped = f"{BASE}/posts/%E5%88%86%E8%AF%8D%E5%99%A8/"
    with store.engine.begin() as conn:  # as an archive written before paths were made plain
        conn.exec_driver_sql("UPDATE post_url SET url = ?", (escaped,))
        conn.exec_driver_sql("UPDATE post SET url = ?, key = ?", (escaped, escaped))
    edited = card("/posts/分词器/", "分词器（修订）", "中文分词的三种做法")
    outcome = store_page(store, f"{BASE}/", [edited])
    assert (outcome.new_posts, outcome.new_versions) == (0, 1)
    assert len(rows(store, "SELECT * FROM post")) == 1


def test_edited_excerpt_makes_exactly_one_new_version(store: Store) -> None:
    store_page(store, f"{BASE}/", [DDP])
    edited = card("/posts/ddp/", "DDP 入门", "Quick Start (updated) [代码] 代码 [代码]")
    first = store_page(store, f"{BASE}/", [edited])
    again = store_page(store, f"{BASE}/", [edited])
    assert (first.new_versions, again.new_versions) == (1, 0)
    history = rows(store, "SELECT version, excerpt, category FROM post_history ORDER BY version")
    assert history == [
        {"version": 1, "excerpt": "Quick Start [代码] 代码 [代码]", "category": "Python"},
        {"version": 2, "excerpt": "Quick Start (updated) [代码] 代码 [代码]", "category": "Python"},
    ]
    # The new version has its own placeholders; the old version keeps its own.
    counts = rows(store, "SELECT version_id, count(*) AS n FROM placeholder GROUP BY version_id")
    assert [c["n"] for c in counts] == [2, 2]


def test_card_without_meta_erases_nothing(store: Store) -> None:
    store_page(store, f"{BASE}/", [DDP])
    pinned = card("/posts/ddp/", "DDP 入门", "Quick Start [代码] 代码 [代码]")
    outcome = store_page(store, f"{BASE}/", [pinned])
    assert (outcome.new_versions, outcome.filled_in) == (0, 0)
    post = current(store)[f"{BASE}/posts/ddp/"]
    assert (post["category"], post["published"], post["version"]) == ("Python", "2026-01-11", 1)


def test_value_learned_later_fills_in_without_new_version(store: Store) -> None:
    pinned = card("/posts/ddp/", "DDP 入门", "Quick Start [代码] 代码 [代码]")
    store_page(store, f"{BASE}/", [pinned])
    outcome = store_page(store, f"{BASE}/", [DDP])
    assert (outcome.new_versions, outcome.filled_in) == (0, 1)
    post = current(store)[f"{BASE}/posts/ddp/"]
    assert (post["category"], post["published"], post["version"]) == ("Python", "2026-01-11", 1)


def test_unchanged_rerun_makes_nothing_new(store: Store) -> None:
    store_page(store, f"{BASE}/", [DDP, ADAM])
    outcome = store_page(store, f"{BASE}/", [DDP, ADAM])
    assert not outcome.is_news
    assert (outcome.new_posts, outcome.new_versions, outcome.filled_in) == (0, 0, 0)
    assert len(rows(store, "SELECT * FROM post_version")) == 2


def test_same_post_twice_on_one_page(store: Store) -> None:
    outcome = store_page(store, f"{BASE}/", [DDP, ADAM, DDP])
    assert (outcome.new_posts, outcome.cards) == (2, 3)
    assert current(store)[f"{BASE}/posts/ddp/"]["sightings"] == 2


def test_card_with_nothing_to_know_it_by_is_skipped(store: Store) -> None:
    outcome = store_page(store, f"{BASE}/", [DDP, Card(category="Python")])
    assert (outcome.cards, outcome.cards_skipped, outcome.new_posts) == (1, 1, 1)


def test_bodies_are_stored_once(store: Store) -> None:
    store_page(store, f"{BASE}/", [DDP])
    store_page(store, f"{BASE}/", [DDP])
    assert len(rows(store, "SELECT * FROM page_body")) == 1
    assert len(rows(store, "SELECT * FROM page_fetch")) == 2
