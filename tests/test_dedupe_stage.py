"""The dedupe stage on its own: a page's cards against a hand-made ``Known``, no database."""

from __future__ import annotations

from feedkeeper.cards import Card
from feedkeeper.dedupe import dedupe_page, key_cards
from feedkeeper.identity import fingerprint
from feedkeeper.page_changes import Current, Known, NewPost, Sighting
from feedkeeper.versions import Fields

SITE = "https://blog.example"
EXCERPT = "梯度检查点用计算换显存：前向时只保留部分激活，反向时重算其余的激活值。"


def known_post(post_id: int, url: str, title: str, excerpt: str | None = EXCERPT) -> Known:
    """An archive holding one post, at version 1, under ``url``."""
    fields = Fields(title=title, excerpt=excerpt, published="2026-01-05")
    return Known(
        by_url={url: post_id},
        by_fingerprint={str(fingerprint(title, excerpt)): post_id},
        current={post_id: Current(post_id, 10, 1, fields)},
        next_post_id=post_id + 1,
        next_version_id=11,
    )


def test_a_new_post_gets_the_next_ids_a_url_a_fingerprint_and_a_sighting() -> None:
    known = Known({}, {}, {}, next_post_id=7, next_version_id=30)
    card = Card(url=f"{SITE}/p/a/?utm_source=rss", title="新文章", excerpt=EXCERPT)
    changes = dedupe_page(key_cards([card]), known)
    assert changes.posts == [NewPost(7, f"{SITE}/p/a/", f"{SITE}/p/a/")]
    assert [(v.version_id, v.post_id, v.version) for v in changes.versions.values()] == [(30, 7, 1)]
    assert changes.urls == [(f"{SITE}/p/a/", 7)]
    assert changes.fingerprints == [(fingerprint("新文章", EXCERPT), 7)]
    assert changes.sightings == [Sighting(7, 1, 1, f"{SITE}/p/a/?utm_source=rss")]
    assert (changes.outcome.new_posts, changes.outcome.cards) == (1, 1)
    assert (known.next_post_id, known.next_version_id) == (8, 31)


def test_a_changed_title_is_a_new_version_and_moves_the_post() -> None:
    known = known_post(3, f"{SITE}/p/b/", "旧标题")
    card = Card(url=f"{SITE}/p/b/", title="新标题", excerpt=EXCERPT, published="2026-01-05")
    changes = dedupe_page(key_cards([card]), known)
    assert changes.posts == []
    assert [(v.version_id, v.post_id, v.version, v.fields.title) for v in
            changes.versions.values()] == [(11, 3, 2, "新标题")]  # fmt: skip
    assert changes.moved == {3: 2}
    assert changes.sightings == [Sighting(3, 2, 1, f"{SITE}/p/b/")]
    assert changes.outcome.new_versions == 1


def test_a_value_learned_fills_in_the_stored_version_without_a_new_one() -> None:
    known = known_post(3, f"{SITE}/p/b/", "标题")
    card = Card(url=f"{SITE}/p/b/", title="标题", category="PyTorch", excerpt=EXCERPT)
    changes = dedupe_page(key_cards([card]), known)
    assert changes.versions == {}
    assert [(v.version_id, v.fields.category) for v in changes.filled.values()] == [(10, "PyTorch")]
    assert (changes.outcome.filled_in, changes.outcome.new_versions) == (1, 0)


def test_a_post_shown_twice_on_a_page_is_one_post_sighted_twice() -> None:
    known = Known({}, {}, {}, next_post_id=1, next_version_id=1)
    card = Card(url=f"{SITE}/p/c/", title="置顶", excerpt=EXCERPT)
    changes = dedupe_page(key_cards([card, card]), known)
    assert [p.post_id for p in changes.posts] == [1]
    assert [(s.post_id, s.position) for s in changes.sightings] == [(1, 1), (1, 2)]


def test_a_card_with_nothing_to_know_it_by_is_skipped() -> None:
    known = Known({}, {}, {}, next_post_id=1, next_version_id=1)
    changes = dedupe_page(key_cards([Card()]), known, skipped=2)
    assert changes.posts == [] and changes.sightings == []
    assert (changes.outcome.cards, changes.outcome.cards_skipped) == (0, 3)


def test_a_look_alike_filed_under_another_category_is_a_post_of_its_own() -> None:
    """The parts of a series sharing a title and a teaser, filed apart, are two posts."""
    known = known_post(3, f"{SITE}/p/part-2/", "源码解读系列")
    known.current[3].fields = Fields(title="源码解读系列", category="NLP", excerpt=EXCERPT)
    card = Card(url=f"{SITE}/p/part-3/", title="源码解读系列", category="深度学习", excerpt=EXCERPT)
    changes = dedupe_page(key_cards([card]), known)
    assert changes.posts == [NewPost(4, f"{SITE}/p/part-3/", f"{SITE}/p/part-3/")]
    assert (changes.outcome.new_posts, changes.outcome.reposts) == (1, 0)
    assert known.current[3].fields.category == "NLP"


def test_a_repost_changes_nothing_of_the_post_it_is_taken_for() -> None:
    """What a card taken for a repost shows besides its text (a date, tags) is not written
    into the known post: the post's own card may yet show the two are two posts."""
    known = known_post(3, f"{SITE}/p/b/", "标题")
    known.current[3].fields = Fields(title="标题", excerpt=EXCERPT)  # no date, no category
    card = Card(
        url=f"{SITE}/p/b-copy/", title="标题", excerpt=EXCERPT, published="2024-04-01",
        category="PyTorch", tags=("ddp",),
    )  # fmt: skip
    changes = dedupe_page(key_cards([card]), known)
    assert changes.outcome.reposts == 1
    assert changes.urls == [(f"{SITE}/p/b-copy/", 3)]
    assert changes.versions == {} and changes.filled == {}
    assert known.current[3].fields == Fields(title="标题", excerpt=EXCERPT)
    assert changes.sightings == [Sighting(3, 1, 1, f"{SITE}/p/b-copy/")]


def test_a_post_linked_under_two_spellings_of_its_address_is_one_post() -> None:
    """A pinned card linking ``/p/a`` and the listing's ``/p/a/`` (or ``index.html``, or
    ``%2f`` beside ``%2F``), with the same text, in the first crawl: one post."""
    for first, second in [
        ("/p/a", "/p/a/"),
        ("/p/a/", "/p/a/index.html"),
        ("/p/a%2fb/", "/p/a%2Fb"),
    ]:
        known = Known({}, {}, {}, next_post_id=1, next_version_id=1)
        cards = [
            Card(url=SITE + first, title="梯度检查点", excerpt=EXCERPT, pinned=True),
            Card(
                url=SITE + "/p/other/", title="另一篇", excerpt="另一篇文章的摘要，说了足够多的话。"
            ),
            Card(url=SITE + second, title="梯度检查点", excerpt=EXCERPT),
        ]
        changes = dedupe_page(key_cards(cards), known)
        assert [post.url for post in changes.posts] == [SITE + first, SITE + "/p/other/"]
        assert changes.urls[-1] == (SITE + second, 1)
        assert [s.post_id for s in changes.sightings] == [1, 2, 1]


def test_another_spelling_across_runs_finds_the_post_it_names() -> None:
    known = known_post(3, f"{SITE}/p/b/", "标题")
    known.urls_of[3] = {f"{SITE}/p/b/"}
    del known.by_url[f"{SITE}/p/b/"]  # as the store loads it for a page not listing /p/b/
    changes = dedupe_page(
        key_cards([Card(url=f"{SITE}/p/b", title="标题", excerpt=EXCERPT)]), known
    )
    assert changes.posts == [] and changes.urls == [(f"{SITE}/p/b", 3)]


def test_the_same_text_at_another_address_is_not_another_spelling() -> None:
    """``/p/a/2`` is another page, ``/p/ab`` another post: the repost rules decide."""
    for first, second in [("/p/a/", "/p/a/2"), ("/p/a", "/p/ab")]:
        known = Known({}, {}, {}, next_post_id=1, next_version_id=1)
        cards = [
            Card(url=SITE + url, title="梯度检查点", excerpt=EXCERPT) for url in (first, second)
        ]
        assert len(dedupe_page(key_cards(cards), known).posts) == 2


def test_a_post_linked_under_its_site_s_www_or_mobile_host_is_one_post() -> None:
    """A site moving to ``www.`` links its posts under both hosts for a while: a listing
    of titles alone made each post twice."""
    for other in ("https://www.blog.example", "https://m.blog.example", "http://WWW.blog.example"):
        known = known_post(3, f"{SITE}/p/b/", "周报", excerpt=None)
        known.urls_of[3] = {f"{SITE}/p/b/"}
        del known.by_url[f"{SITE}/p/b/"]
        changes = dedupe_page(key_cards([Card(url=f"{other}/p/b/", title="周报")]), known)
        assert changes.posts == []
        assert changes.urls == [(f"{other.lower()}/p/b/", 3)]


def test_another_host_of_the_domain_is_not_another_spelling() -> None:
    for other in ("https://notes.blog.example", "https://www2.blog.example", "https://m.example"):
        known = known_post(3, f"{SITE}/p/b/", "周报", excerpt=None)
        known.urls_of[3] = {f"{SITE}/p/b/"}
        del known.by_url[f"{SITE}/p/b/"]
        changes = dedupe_page(key_cards([Card(url=f"{other}/p/b/", title="周报")]), known)
        assert [post.url for post in changes.posts] == [f"{other}/p/b/"]
