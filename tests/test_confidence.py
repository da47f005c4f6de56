"""A parse that looks like garbage next to the last good one is flagged, not archived."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from feedkeeper.cards import Card, ParsedPage
from feedkeeper.clock import now_iso
from feedkeeper.config import Settings
from feedkeeper.pipeline import CrawlOptions, archive_page, crawl, suspect_parse
from feedkeeper.records import PageCapture, Validators
from feedkeeper.reparse import reparse
from feedkeeper.store import Store
from feedkeeper.store.sites import ensure_site

from conftest import rows

SITE = "https://blog.example/"


def card_html(n: int, *, dated: bool = True) -> str:
    date = f'<time datetime="2026-01-{n:02d}">2026-01-{n:02d}</time>' if dated else ""
    return (
        f'<article class="post"><h2><a href="/posts/{n}/">第 {n} 篇文章的标题</a></h2>'
        f'<div class="meta">{date} <a href="/categories/ml/" rel="category tag">ML</a></div>'
        f"<p>这是第 {n} 篇文章的摘要,讲的是机器学习里的一个小问题,"
        "以及怎样用 Python 解决它...</p></article>"
    )


def listing(cards: str, *, feed: bool = False) -> str:
    link = '<link rel="alternate" type="application/rss+xml" href="/feed.xml">' if feed else ""
    return (
        f"<html><head><meta charset='utf-8'>{link}</head><body><header><nav><a href='/'>首页</a>"
        f"<a href='/about/'>关于</a></nav></header><main>{cards}</main>"
        "<nav class='pagination'><a href='/'>1</a> <a href='/page/2/' rel='next'>2</a></nav>"
        "<footer>© 2026</footer></body></html>"
    )


def serve(pages: dict[str, str | bytes]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        body = pages.get(request.url.path)
        if body is None:
            return httpx.Response(404)
        kind = (
            "application/rss+xml"
            if request.url.path.endswith(".xml")
            else "text/html; charset=utf-8"
        )
        return httpx.Response(200, content=body, headers={"Content-Type": kind})

    return httpx.MockTransport(answer)


def run(store: Store, pages: dict[str, str | bytes], **settings: object) -> object:
    options = CrawlOptions(transport=serve(pages))
    return crawl(store, Settings(url=SITE, db=store.path, rate=0, max_pages=1, **settings), options)  # type: ignore[arg-type]


GOOD = listing("".join(card_html(n) for n in range(1, 11)))
# After a theme change most of the listing is drawn by a script: two cards are left.
BROKEN = listing(card_html(11) + card_html(12) + "<div id='app' data-posts='10'></div>")


def test_a_collapsed_page_is_flagged_and_not_archived(store: Store) -> None:
    first = run(store, {"/": GOOD})
    assert first.exit_code == 0 and first.counts.new_posts == 10
    second = run(store, {"/": BROKEN})
    assert second.exit_code == 1
    assert second.counts.new_posts == 0
    # Said once, among the run's failed pages, not again as a warning.
    assert [f["url"] for f in second.counts.failures] == [SITE]
    assert "2 cards where the last crawl found 10" in second.counts.failures[0]["error"]
    assert not any("cards where the last crawl found" in w for w in second.warnings)
    [page] = rows(
        store, "SELECT outcome, body_sha256, error FROM page_fetch WHERE outcome = 'suspect'"
    )
    assert page["body_sha256"] and "cards not archived" not in page["error"]
    assert len(rows(store, "SELECT id FROM post")) == 10


def test_the_next_good_page_is_archived_again(store: Store) -> None:
    run(store, {"/": GOOD})
    run(store, {"/": BROKEN})
    again = run(store, {"/": GOOD.replace("第 1 篇文章的标题", "第 1 篇文章的新标题")})
    assert again.exit_code == 0 and again.counts.new_versions == 1


def test_reparse_keeps_a_refused_page_refused(store: Store) -> None:
    run(store, {"/": GOOD})
    run(store, {"/": BROKEN})
    summary = reparse(store)
    assert (summary.counts.pages, summary.counts.pages_failed) == (1, 1)
    assert "2 cards where the last crawl found 10" in summary.counts.failures[0]["error"]
    assert len(rows(store, "SELECT id FROM post")) == 10


def test_reparse_takes_a_refused_page_when_asked(store: Store) -> None:
    run(store, {"/": GOOD})
    run(store, {"/": BROKEN})
    summary = reparse(store, accept_suspect=True)
    # The stored broken page is parsed again too: its two cards are new posts then.
    assert summary.counts.pages == 2
    assert len(rows(store, "SELECT id FROM post")) == 12


def test_a_refused_page_taken_when_asked_is_the_next_crawl_s_baseline(store: Store) -> None:
    # The blog now shows two posts a page: once accepted, that is the page's shape.
    run(store, {"/": GOOD})
    run(store, {"/": BROKEN})
    reparse(store, accept_suspect=True)
    newer = BROKEN.replace(card_html(12), card_html(12) + card_html(13))
    after = run(store, {"/": newer})
    assert after.exit_code == 0, after.warnings
    assert after.counts.new_posts == 1  # the post the blog added since
    assert rows(store, "SELECT count(*) AS n FROM page_fetch WHERE outcome = 'suspect'") == [
        {"n": 0}
    ]


def test_reparse_takes_a_refused_page_that_now_parses_cleanly(store: Store) -> None:
    run(store, {"/": GOOD})
    # As a fixed parser or a profile would read it: the refused page holds ten good cards.
    later = GOOD.replace("第 1 篇文章的标题", "第 1 篇文章的新标题")
    site = ensure_site(store.engine, SITE)
    run_id = store.start_run("crawl", SITE, site.id)
    refused = PageCapture(
        SITE, now_iso(), "suspect", 200, body=later.encode(), content_type="text/html"
    )
    archive_page(store, site.id, run_id, refused, None)
    summary = reparse(store)
    assert summary.counts.pages_failed == 0
    assert rows(store, "SELECT title FROM post_version WHERE version = 2") == [
        {"title": "第 1 篇文章的新标题"}
    ]


@pytest.mark.parametrize(
    ("cards", "next_url", "confidence", "previous", "flagged"),
    [
        (10, "/page/2/", 1.0, Validators(None, None, None, 10, 1.0), None),
        (
            4,
            "/page/2/",
            1.0,
            Validators(None, None, None, 10, 1.0),
            "4 cards where the last crawl found 10",
        ),
        (4, None, 1.0, Validators(None, None, None, 10, 1.0), None),  # the last page may shrink
        (2, "/page/2/", 1.0, Validators(None, None, None, 3, 1.0), None),  # too few to judge
        (10, "/page/2/", 0.3, Validators(None, None, None, 10, 0.9), "the parser is unsure"),
        (10, "/page/2/", 0.3, Validators(None, None, None, 10, 0.35), None),  # never was sure
        (1, "/page/2/", 0.2, None, None),  # nothing to compare with
    ],
)
def test_suspect_parse(
    cards: int,
    next_url: str | None,
    confidence: float,
    previous: Validators | None,
    flagged: str | None,
) -> None:
    page = ParsedPage(cards=[Card(url=f"/p/{n}") for n in range(cards)], next_url=next_url,
                      confidence=confidence, warnings=["most cards show no date"])  # fmt: skip
    reason = suspect_parse(page, previous)
    assert (reason is None) == (flagged is None)
    if flagged:
        assert reason is not None and flagged in reason


RSS = """<?xml version="1.0"?><rss version="2.0"><channel>
<item><title>第 1 篇文章的标题</title><link>https://blog.example/posts/1/</link>
<pubDate>Thu, 01 Jan 2026 09:00:00 +0800</pubDate></item>
<item><title>第 2 篇文章的标题</title><link>https://blog.example/posts/2/</link>
<pubDate>Fri, 02 Jan 2026 09:00:00 +0800</pubDate></item></channel></rss>"""


def test_the_feed_fills_in_dates_the_cards_lack(store: Store) -> None:
    page = listing("".join(card_html(n, dated=False) for n in range(1, 4)), feed=True)
    summary = run(store, {"/": page, "/feed.xml": RSS}, use_feed=True)
    assert summary.exit_code == 0
    published = {
        r["url"]: r["published"] for r in rows(store, "SELECT url, published FROM posts_current")
    }
    assert published == {
        "https://blog.example/posts/1/": "2026-01-01",
        "https://blog.example/posts/2/": "2026-01-02",
        "https://blog.example/posts/3/": None,
    }


def test_without_a_feed_the_crawl_goes_on_with_a_warning(store: Store, tmp_path: Path) -> None:
    summary = run(store, {"/": GOOD}, use_feed=True)
    assert summary.exit_code == 0
    assert summary.warnings[0] == "use_feed: the listing links to no RSS or Atom feed"
