"""Identity: a repost only on strong evidence, one post's cards on a page merged, edits vs cuts."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from feedkeeper.cards import Card
from feedkeeper.parse import parse_listing
from feedkeeper.store import Store
from test_store import BASE, store_page

from conftest import rows

LONG = "本周读了三篇关于分布式训练的论文，记下要点和疑问，下周继续整理实验结果。"


def post(slug: str, title: str, excerpt: str | None = None, **extra: object) -> Card:
    return Card(url=f"{BASE}{slug}", title=title, excerpt=excerpt, **extra)  # type: ignore[arg-type]


def post_count(store: Store) -> int:
    return len(rows(store, "SELECT id FROM post"))


def test_same_title_without_excerpt_stays_two_posts_across_crawls(store: Store) -> None:
    store_page(store, f"{BASE}/", [post("/weekly-1/", "周报")])
    second = store_page(store, f"{BASE}/", [post("/weekly-2/", "周报")])
    assert (second.new_posts, second.reposts) == (1, 0)
    for _ in range(2):  # later crawls see both cards: nothing new, no flip-flopping versions
        again = store_page(
            store, f"{BASE}/", [post("/weekly-1/", "周报"), post("/weekly-2/", "周报")]
        )
        assert (again.new_posts, again.new_versions, again.reposts) == (0, 0, 0)
    assert post_count(store) == 2
    assert rows(store, "SELECT count(*) AS n FROM post_url") == [{"n": 2}]


def test_short_stock_excerpt_is_no_evidence(store: Store) -> None:
    store_page(store, f"{BASE}/", [post("/notes-1/", "Weekly notes", "Read more")])
    outcome = store_page(store, f"{BASE}/", [post("/notes-2/", "Weekly notes", "Read more")])
    assert (outcome.new_posts, outcome.reposts) == (1, 0)


def test_excerpt_shown_under_two_urls_of_one_page_is_stock_text(store: Store) -> None:
    stock = "Click through to read this week's collection of links and notes in full"
    store_page(store, f"{BASE}/archive/", [post("/notes-1/", "Weekly notes", stock)])
    page = [post("/notes-2/", "Weekly notes", stock), post("/notes-3/", "Weekly notes", stock)]
    outcome = store_page(store, f"{BASE}/", page)
    assert (outcome.new_posts, outcome.reposts) == (2, 0)
    assert post_count(store) == 3


def test_different_published_dates_contradict_a_repost(store: Store) -> None:
    store_page(store, f"{BASE}/", [post("/a/", "周报", LONG, published="2026-01-04")])
    outcome = store_page(store, f"{BASE}/", [post("/b/", "周报", LONG, published="2026-01-11")])
    assert (outcome.new_posts, outcome.reposts) == (1, 0)


def test_both_urls_listed_in_one_crawl_are_two_posts(store: Store) -> None:
    run = store.start_run("crawl", BASE)
    store_page(store, f"{BASE}/", [post("/part-1/", "Series", LONG)], run)
    outcome = store_page(store, f"{BASE}/page/2/", [post("/part-2/", "Series", LONG)], run)
    assert (outcome.new_posts, outcome.reposts) == (1, 0)


def test_a_repost_the_rest_of_the_crawl_contradicts_is_split_off(store: Store) -> None:
    store_page(store, f"{BASE}/", [post("/part-1/", "Series", LONG, category="Notes")])
    run = store.start_run("crawl", BASE)
    early = store_page(store, f"{BASE}/", [post("/part-2/", "Series", LONG)], run)
    assert early.reposts == 1  # all the evidence there is so far
    # news: an incremental walk goes on to where part-1 may still show under its own URL
    # (it stopped at the page: part-2 stayed merged into part-1 for good)
    assert early.is_news
    late = store_page(store, f"{BASE}/page/2/", [post("/part-1/", "Series", LONG)], run)
    assert (late.reposts, late.new_posts) == (-1, 1)  # the run as a whole: two posts
    _assert_parts_apart(store)
    assert rows(
        store,
        "SELECT post_id, version, card_url FROM sighting WHERE run_id = :run ORDER BY id",
        run=run,
    ) == [
        {"post_id": 2, "version": 1, "card_url": f"{BASE}/part-2/"},
        {"post_id": 1, "version": 1, "card_url": f"{BASE}/part-1/"},
    ]
    assert rows(store, "SELECT title, excerpt FROM posts_current WHERE id = 2") == [
        {"title": "Series", "excerpt": LONG}
    ]


def test_both_urls_on_one_page_are_two_posts_whatever_the_order(store: Store) -> None:
    store_page(store, f"{BASE}/", [post("/part-1/", "Series", LONG)])
    page = [post("/part-2/", "Series", LONG), post("/part-1/", "Series", LONG)]
    outcome = store_page(store, f"{BASE}/", page)
    assert (outcome.new_posts, outcome.reposts) == (1, 0)


def test_same_title_and_substantial_excerpt_later_is_a_repost(store: Store) -> None:
    store_page(store, f"{BASE}/", [post("/2026/01/ddp/", "DDP 入门", LONG)])
    outcome = store_page(store, f"{BASE}/", [post("/posts/ddp/", "DDP 入门", LONG)])
    assert (outcome.new_posts, outcome.reposts) == (0, 1)
    assert post_count(store) == 1


def test_excerpt_edited_in_the_middle_is_a_new_version(store: Store) -> None:
    before = "First we set up the cluster, then we launch the job and check its logs."
    after = "First we set up the cluster, then we restart the job and check its logs."
    store_page(store, f"{BASE}/", [post("/p/", "Guide", before)])
    outcome = store_page(store, f"{BASE}/", [post("/p/", "Guide", after)])
    assert outcome.new_versions == 1


def test_longer_or_shorter_cut_of_the_same_text_is_no_new_version(store: Store) -> None:
    text = "First we set up the cluster, then we launch the job and check its logs."
    store_page(store, f"{BASE}/", [post("/p/", "Guide", text[:30], truncated=True)])
    longer = store_page(store, f"{BASE}/", [post("/p/", "Guide", text)])
    shorter = store_page(store, f"{BASE}/", [post("/p/", "Guide", text[:40], truncated=True)])
    assert (longer.new_versions, shorter.new_versions) == (0, 0)
    assert rows(store, "SELECT excerpt FROM post_version") == [{"excerpt": text}]


def test_a_cut_without_an_ellipsis_makes_no_version_run_after_run(store: Store) -> None:
    """A featured block cut the excerpt at 64 characters with no "…" and the page showed
    it whole: every crawl made two versions more, the texts taking turns."""
    text = "Retrieval-augmented generation grounds a language model in documents it reads."
    for _ in range(3):
        store_page(store, f"{BASE}/", [post("/rag/", "RAG", text[:40])])
        store_page(store, f"{BASE}/page/2/", [post("/rag/", "RAG", text)])
    assert rows(store, "SELECT excerpt FROM post_version") == [{"excerpt": text}]


def test_spacing_full_width_forms_and_composition_make_no_version(store: Store) -> None:
    """What no reader sees as a change made a version: spaces a plugin puts between Chinese
    and Latin, full-width colons, the same letters decomposed (NFD)."""
    store_page(store, f"{BASE}/", [post("/p/", "标题：Café 笔记", "PyTorch中的DDP怎么用")])
    again = store_page(
        store, f"{BASE}/", [post("/p/", "标题:Cafe\u0301 笔记", "PyTorch 中的 DDP 怎么用")]
    )
    assert (again.new_versions, again.filled_in) == (0, 0)
    assert rows(store, "SELECT title, excerpt FROM post_version") == [
        {"title": "标题：Café 笔记", "excerpt": "PyTorch中的DDP怎么用"}
    ]


def test_a_post_known_by_its_text_alone_takes_the_first_url_found_for_it(store: Store) -> None:
    """A post imported from a text capture kept no URL once crawled: its URL was counted an
    alias of a post with none."""
    store_page(store, f"{BASE}/", [Card(url=None, title="DDP 入门", excerpt=LONG)])
    crawled = store_page(store, f"{BASE}/", [post("/posts/ddp/", "DDP 入门", LONG)])
    assert (crawled.new_posts, crawled.reposts) == (0, 1)
    assert rows(store, "SELECT url FROM post") == [{"url": f"{BASE}/posts/ddp/"}]


PINNED_AND_FULL = """<html><body><main>
<article class="post"><h2><a href="/posts/ddp/">DDP 入门</a></h2></article>
<article class="post"><h2><a href="/posts/adamw/">AdamW</a></h2>
  <span class="cat"><a href="/category/dl/">Deep Learning</a></span>
  <time datetime="2026-01-10">2026-01-10</time>
  <p>参数与梯度的解耦，为什么权重衰减要单独处理。</p></article>
<article class="post"><h2><a href="/posts/ddp/">DDP 入门</a></h2>
  <span class="cat"><a href="/category/python/">Python</a></span>
  <time datetime="2026-01-11">2026-01-11</time>
  <p>Quick Start：从单机多卡开始，一步步搭起训练。</p></article>
<article class="post"><h2><a href="/posts/fsdp/">FSDP</a></h2>
  <span class="cat"><a href="/category/python/">Python</a></span>
  <time datetime="2026-01-09">2026-01-09</time>
  <p>分片的参数、梯度与优化器状态，以及它们何时聚合。</p></article>
</main></body></html>"""


def test_cards_of_one_post_on_a_page_are_merged_field_by_field() -> None:
    cards = parse_listing(PINNED_AND_FULL, f"{BASE}/").cards
    ddp = [c for c in cards if c.url == f"{BASE}/posts/ddp/"]
    assert len(ddp) == 1
    assert (ddp[0].title, ddp[0].category, ddp[0].published) == ("DDP 入门", "Python", "2026-01-11")
    assert ddp[0].excerpt == "Quick Start：从单机多卡开始，一步步搭起训练。"
    assert [c.url for c in cards] == [f"{BASE}/posts/{s}/" for s in ("ddp", "adamw", "fsdp")]


@pytest.mark.parametrize("spelling", ["/p/x", "/p/x/index.html", "http://blog.example/p/x/"])
def test_a_spelling_taken_earlier_in_a_crawl_is_not_split_off_by_the_post_s_own_card(
    store: Store, spelling: str
) -> None:
    """A pinned card on page 1 linking ``/p/x`` and the listing's ``/p/x/`` on page 2: the
    second crawl split ``/p/x`` off into a post of its own and counted -1 reposts."""
    store_page(store, f"{BASE}/", [post("/p/x/", "Weekly notes", LONG)])
    run = store.start_run("crawl", BASE)
    pinned = Card(url=urljoin(f"{BASE}/", spelling), title="Weekly notes", excerpt=LONG)
    first = store_page(store, f"{BASE}/", [pinned], run)
    later = store_page(store, f"{BASE}/page/2/", [post("/p/x/", "Weekly notes", LONG)], run)
    assert (first.new_posts, first.reposts, later.new_posts, later.reposts) == (0, 0, 0, 0)
    assert rows(store, "SELECT id, url FROM post") == [{"id": 1, "url": f"{BASE}/p/x/"}]
    assert {r["url"] for r in rows(store, "SELECT url FROM post_url WHERE post_id = 1")} == {
        f"{BASE}/p/x/",
        urljoin(f"{BASE}/", spelling),
    }


def _merged_part_two(store: Store) -> None:
    """Part 2 taken for part 1 by a crawl that stopped before part 1's page."""
    store_page(store, f"{BASE}/", [post("/part-1/", "Series", LONG)])
    taken = store_page(store, f"{BASE}/", [post("/part-2/", "Series", LONG)])
    assert taken.reposts == 1


def _assert_parts_apart(store: Store) -> None:
    """Part 1 and part 2 are two posts, each with its own URL."""
    assert rows(store, "SELECT id, url FROM post ORDER BY id") == [
        {"id": 1, "url": f"{BASE}/part-1/"},
        {"id": 2, "url": f"{BASE}/part-2/"},
    ]
    assert rows(store, "SELECT url, post_id FROM post_url ORDER BY url") == [
        {"url": f"{BASE}/part-1/", "post_id": 1},
        {"url": f"{BASE}/part-2/", "post_id": 2},
    ]


def test_a_repost_a_later_crawl_contradicts_is_split_off(store: Store) -> None:
    """A crawl that stopped before part 1's page took part 2 for it; later crawls listed
    both as cards of their own, and part 2 stayed merged into part 1 for good."""
    _merged_part_two(store)
    run = store.start_run("crawl", BASE)
    early = store_page(store, f"{BASE}/", [post("/part-2/", "Series", LONG)], run)
    late = store_page(store, f"{BASE}/page/2/", [post("/part-1/", "Series", LONG)], run)
    assert (early.reposts, early.new_posts) == (0, 0)
    assert (late.reposts, late.new_posts) == (0, 1)
    _assert_parts_apart(store)
    assert rows(
        store, "SELECT post_id, card_url FROM sighting WHERE run_id = :run ORDER BY id", run=run
    ) == [
        {"post_id": 2, "card_url": f"{BASE}/part-2/"},
        {"post_id": 1, "card_url": f"{BASE}/part-1/"},
    ]
    assert rows(store, "SELECT title, excerpt FROM posts_current WHERE id = 2") == [
        {"title": "Series", "excerpt": LONG}
    ]
    again = store_page(store, f"{BASE}/", [post("/part-2/", "Series", LONG)])
    assert (again.new_posts, again.reposts, again.new_versions) == (0, 0, 0)


def test_a_repost_listed_after_the_post_s_own_card_in_a_later_crawl_is_split_off(
    store: Store,
) -> None:
    """The post's own card first, the card taken for it further on: part 2 stayed merged
    into part 1 however many crawls listed both."""
    _merged_part_two(store)
    run = store.start_run("crawl", BASE)
    first = store_page(store, f"{BASE}/", [post("/part-1/", "Series", LONG)], run)
    later = store_page(
        store, f"{BASE}/page/2/", [post("/part-2/", "Series 2", LONG, category="Notes")], run
    )
    assert (first.new_posts, first.reposts, first.new_versions) == (0, 0, 0)
    assert (later.new_posts, later.reposts, later.new_versions) == (1, 0, 0)
    _assert_parts_apart(store)
    assert rows(
        store, "SELECT post_id, card_url FROM sighting WHERE run_id = :run ORDER BY id", run=run
    ) == [
        {"post_id": 1, "card_url": f"{BASE}/part-1/"},
        {"post_id": 2, "card_url": f"{BASE}/part-2/"},
    ]
    # the post taken apart is as its card shows it; the post it was taken for is unchanged
    assert rows(store, "SELECT id, title, category FROM posts_current ORDER BY id") == [
        {"id": 1, "title": "Series", "category": None},
        {"id": 2, "title": "Series 2", "category": "Notes"},
    ]
    assert rows(store, "SELECT count(*) AS n FROM post_version WHERE post_id = 1") == [{"n": 1}]
    again = store_page(
        store,
        f"{BASE}/",
        [post("/part-1/", "Series", LONG), post("/part-2/", "Series 2", LONG, category="Notes")],
    )
    assert (again.new_posts, again.reposts, again.new_versions) == (0, 0, 0)


@pytest.mark.parametrize("own_first", [True, False])
def test_a_repost_listed_on_one_page_with_the_post_s_own_card_is_split_off(
    store: Store, own_first: bool
) -> None:
    _merged_part_two(store)
    cards = [post("/part-1/", "Series", LONG), post("/part-2/", "Series", LONG)]
    outcome = store_page(store, f"{BASE}/", cards if own_first else cards[::-1])
    assert (outcome.new_posts, outcome.reposts) == (1, 0)
    assert rows(store, "SELECT url, post_id FROM post_url ORDER BY url") == [
        {"url": f"{BASE}/part-1/", "post_id": 1},
        {"url": f"{BASE}/part-2/", "post_id": 2},
    ]


def test_another_spelling_listed_after_the_post_s_own_card_stays_that_post(
    store: Store,
) -> None:
    store_page(store, f"{BASE}/", [post("/p/x/", "Weekly notes", LONG)])
    store_page(store, f"{BASE}/", [post("/p/x", "Weekly notes", LONG)])
    run = store.start_run("crawl", BASE)
    store_page(store, f"{BASE}/", [post("/p/x/", "Weekly notes", LONG)], run)
    later = store_page(store, f"{BASE}/page/2/", [post("/p/x", "Weekly notes", LONG)], run)
    assert (later.new_posts, later.reposts) == (0, 0)
    assert post_count(store) == 1


def test_a_session_id_in_a_post_s_links_makes_no_new_post_crawl_after_crawl(
    store: Store,
) -> None:
    """A Java site writes a new ``;jsessionid=`` into its links on every visit: a listing of
    titles alone made every post anew in every crawl."""
    for session in ("0A1B", "9F8E", "7C6D"):
        outcome = store_page(
            store, f"{BASE}/", [post(f"/news/1.jsp;jsessionid={session}", "通知公告")]
        )
    assert (outcome.new_posts, outcome.reposts) == (0, 0)
    assert rows(store, "SELECT url FROM post_url") == [{"url": f"{BASE}/news/1.jsp"}]


def test_a_post_archived_with_a_session_id_in_its_url_is_found_again(store: Store) -> None:
    """An archive written before session ids were dropped keeps the URL with it."""
    store_page(store, f"{BASE}/", [post("/view.php?id=4", "周报")])
    old = f"{BASE}/view.php?PHPSESSID=k2j3&id=4"
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE post SET url = ?, key = ?", (old, old))
        conn.exec_driver_sql("UPDATE post_url SET url = ?", (old,))
    outcome = store_page(store, f"{BASE}/", [post("/view.php?id=4&PHPSESSID=x9", "周报")])
    assert (outcome.new_posts, outcome.reposts) == (0, 0)
    assert rows(store, "SELECT id FROM post") == [{"id": 1}]
    assert rows(store, "SELECT url FROM post_url ORDER BY url") == [
        {"url": f"{BASE}/view.php?PHPSESSID=k2j3&id=4"},
        {"url": f"{BASE}/view.php?id=4"},
    ]


def _crawl_pinned_and_listed(store: Store, pinned: str, listed: str, title: str = "DDP") -> int:
    """One crawl: the post pinned on page 1 showing the date ``pinned``, and in the listing
    on page 2 showing ``listed``; return the versions it made."""
    run = store.start_run("crawl", BASE)
    first = store_page(store, f"{BASE}/", [post("/ddp/", title, LONG, published=pinned)], run)
    later = store_page(
        store, f"{BASE}/page/2/", [post("/ddp/", title, LONG, published=listed)], run
    )
    return first.new_versions + later.new_versions + first.new_posts


def _versions(store: Store) -> list[tuple[int, str, str]]:
    found = rows(store, "SELECT version, title, published FROM post_version ORDER BY version")
    return [(r["version"], r["title"], r["published"]) for r in found]


def test_a_post_a_crawl_shows_two_ways_makes_no_versions_in_the_crawls_after(
    store: Store,
) -> None:
    """A pinned block showing the date a post was updated, the listing the date it was
    published: every crawl made two versions of it, one for each card."""
    assert _crawl_pinned_and_listed(store, "2026-03-01", "2026-01-05") == 2
    for _ in range(3):
        assert _crawl_pinned_and_listed(store, "2026-03-01", "2026-01-05") == 0
    assert _versions(store) == [(1, "DDP", "2026-03-01"), (2, "DDP", "2026-01-05")]
    # an edit is still a version, in each of the post's two ways once, then no more
    assert _crawl_pinned_and_listed(store, "2026-03-01", "2026-01-05", "DDP 入门") == 2
    assert _crawl_pinned_and_listed(store, "2026-03-01", "2026-01-05", "DDP 入门") == 0
    assert [v[:2] for v in _versions(store)][2:] == [(3, "DDP 入门"), (4, "DDP 入门")]


def test_a_post_a_pinned_block_starts_showing_another_way_settles_in_one_crawl(
    store: Store,
) -> None:
    store_page(store, f"{BASE}/", [post("/ddp/", "DDP", LONG, published="2026-01-05")])
    assert _crawl_pinned_and_listed(store, "2026-03-01", "2026-01-05") == 2
    assert _crawl_pinned_and_listed(store, "2026-03-01", "2026-01-05") == 0
    assert rows(store, "SELECT version, published FROM posts_current") == [
        {"version": 3, "published": "2026-01-05"}
    ]


def test_a_value_shown_again_in_a_later_crawl_is_a_version_of_its_own(store: Store) -> None:
    """Only the versions one crawl made side by side are the post shown two ways: a value
    a later crawl takes back is a new version, as every edit is."""
    for published in ("2026-01-05", "2026-01-06", "2026-01-05"):
        store_page(store, f"{BASE}/", [post("/ddp/", "DDP", LONG, published=published)])
    assert [v[2] for v in _versions(store)] == ["2026-01-05", "2026-01-06", "2026-01-05"]


def test_an_import_of_captures_of_several_moments_keeps_a_value_taken_back(
    store: Store,
) -> None:
    """The captures of one import are of several moments: a value a later capture takes
    back is a version of its own, and the crawls after it read them so too."""
    run = store.start_run("import", BASE)
    for published in ("2026-01-05", "2026-01-06", "2026-01-05"):
        store_page(store, f"{BASE}/", [post("/ddp/", "DDP", LONG, published=published)], run)
    assert [v[2] for v in _versions(store)] == ["2026-01-05", "2026-01-06", "2026-01-05"]
    assert _crawl_pinned_and_listed(store, "2026-01-06", "2026-01-05") == 2
    assert _crawl_pinned_and_listed(store, "2026-01-06", "2026-01-05") == 0
