"""What the hot path keeps to avoid work twice is bounded in size, not only in number:
a hostile page's megabyte-long text or URL is worked out, used and let go."""

from __future__ import annotations

import asyncio
import json

import httpx

from feedkeeper import dedupe
from feedkeeper.cards import Card
from feedkeeper.config import Settings
from feedkeeper.dedupe import key_cards
from feedkeeper.fetch import Fetcher
from feedkeeper.identity import text_key
from feedkeeper.kept import keep_short
from feedkeeper.parse import link_targets, page_numbers, parse_listing, urls
from feedkeeper.prefetch import GUESSED_URL_CHARS, Prefetcher
from feedkeeper.scope import is_in_scope
from feedkeeper.store import write

BASE = "http://blog.test/"


def test_a_long_card_text_is_keyed_without_being_kept() -> None:
    excerpt = "梯度同步的摘要。" * (dedupe.KEPT_TEXT_CHARS // 4)
    dedupe._text_key.cache_clear()  # another test in this process may have keyed the short one
    kept = dedupe._text_key.cache_info().currsize
    [keyed] = key_cards([Card(url=BASE + "p/1/", title="梯度同步", excerpt=excerpt)])
    key = text_key("梯度同步", excerpt)
    assert (keyed.fingerprint, keyed.folded_excerpt, keyed.is_evidence) == (
        key.fingerprint, key.folded_excerpt, True
    )  # fmt: skip
    assert dedupe._text_key.cache_info().currsize == kept
    key_cards([Card(url=BASE + "p/2/", title="显存优化", excerpt="讲显存如何省下来。")])
    assert dedupe._text_key.cache_info().currsize == kept + 1  # a short one is kept


def test_a_long_list_of_terms_is_encoded_without_being_kept() -> None:
    terms = tuple(f"标签{n}" for n in range(write.KEPT_TERMS_CHARS))
    write._json_list.cache_clear()  # another test in this process may have encoded the short one
    kept = write._json_list.cache_info().currsize
    assert write._json_list(terms) == json.dumps(list(terms), ensure_ascii=False)
    assert write._json_list.cache_info().currsize == kept
    assert write._json_list(("机器学习", "Python")) == '["机器学习", "Python"]'
    assert write._json_list.cache_info().currsize == kept + 1


async def _plan_from(url: str) -> dict[str, str | None]:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)

    settings = Settings(url=BASE, rate=0, concurrency=1, full=True)
    async with Fetcher(settings, httpx.MockTransport(handle)) as fetcher:
        prefetcher = Prefetcher(fetcher, None, {}, BASE, settings.concurrency, full=True)
        prefetcher.plan(url, [BASE + "page/9/"], {BASE}, budget=4)
        await prefetcher.close()
        return prefetcher._guesses


def test_a_long_page_url_is_guessed_after_without_being_kept() -> None:
    long_page = BASE + "page/2/?" + "x" * GUESSED_URL_CHARS
    assert asyncio.run(_plan_from(long_page)) == {}
    assert asyncio.run(_plan_from(BASE + "page/2/")) == {
        BASE + "page/2/": BASE + "page/3/",
        BASE + "page/3/": BASE + "page/4/",
        BASE + "page/4/": BASE + "page/5/",
        BASE + "page/5/": BASE + "page/6/",
    }


def test_a_function_keeps_its_answers_for_short_arguments_only() -> None:
    calls: list[str] = []

    @keep_short(maxsize=8, chars=5)
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert [shout("abc"), shout("abc"), shout("abcdef"), shout("abcdef")] == [
        "ABC", "ABC", "ABCDEF", "ABCDEF"
    ]  # fmt: skip
    assert calls == ["abc", "abcdef", "abcdef"]  # the long one is worked out each time
    assert shout.cache_info().currsize == 1


def _kept_urls() -> tuple[int, ...]:
    return (
        link_targets.target_of.cache_info().currsize,
        urls.split_url.cache_info().currsize,
        page_numbers.page_number.cache_info().currsize,
        urls.origin_of.cache_info().currsize,
        urls.site_of_netloc.cache_info().currsize,
        is_in_scope.cache_info().currsize,
        len(urls._KNOWN_ORIGINS),
    )


def test_a_page_of_megabyte_long_urls_is_parsed_without_keeping_them() -> None:
    """A hostile page's hrefs and host names are read like any others, and none is kept."""
    host = "h" * urls.KEPT_HOST_CHARS + ".example"
    long_path = "/posts/" + "长" * urls.KEPT_URL_CHARS + "/"
    base = f"http://{host}/page/2/?" + "q" * urls.KEPT_URL_CHARS
    cards = "".join(
        f'<article><h2><a href="{long_path}{n}/">长链接的文章{n}</a></h2>'
        f'<time datetime="2024-05-0{n}">2024-05-0{n}</time>'
        f"<p>第{n}篇文章的摘要，讲一件事。</p></article>"
        for n in range(1, 6)
    )
    html = f"<html><body><main>{cards}</main></body></html>"
    link_targets.target_of.cache_clear()
    before = _kept_urls()
    page = parse_listing(html, base)
    origin = f"http://{host}"
    assert [card.url for card in page.cards] == [f"{origin}{long_path}{n}/" for n in range(1, 6)]
    assert [card.published for card in page.cards] == [f"2024-05-0{n}" for n in range(1, 6)]
    assert page_numbers.page_number(base) == 2
    assert is_in_scope(base, page.cards[0].url)
    assert _kept_urls() == before
    short = "http://blog.test/posts/1/"
    assert link_targets.target_of(short).key == short
    assert link_targets.target_of.cache_info().currsize == before[0] + 1
