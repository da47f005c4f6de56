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
from feedkeeper.prefetch import GUESSED_URL_CHARS, Prefetcher
from feedkeeper.store import write

BASE = "http://blog.test/"


def test_a_long_card_text_is_keyed_without_being_kept() -> None:
    excerpt = "梯度同步的摘要。" * (dedupe.KEPT_TEXT_CHARS // 4)
    kept = dedupe._kept_text_key.cache_info().currsize
    [keyed] = key_cards([Card(url=BASE + "p/1/", title="梯度同步", excerpt=excerpt)])
    key = text_key("梯度同步", excerpt)
    assert (keyed.fingerprint, keyed.folded_excerpt, keyed.is_evidence) == (
        key.fingerprint, key.folded_excerpt, True
    )  # fmt: skip
    assert dedupe._kept_text_key.cache_info().currsize == kept
    key_cards([Card(url=BASE + "p/2/", title="显存优化", excerpt="讲显存如何省下来。")])
    assert dedupe._kept_text_key.cache_info().currsize == kept + 1  # a short one is kept


def test_a_long_list_of_terms_is_encoded_without_being_kept() -> None:
    terms = tuple(f"标签{n}" for n in range(write.KEPT_TERMS_CHARS))
    kept = write._kept_json_list.cache_info().currsize
    assert write._json_list(terms) == json.dumps(list(terms), ensure_ascii=False)
    assert write._kept_json_list.cache_info().currsize == kept
    assert write._json_list(("机器学习", "Python")) == '["机器学习", "Python"]'
    assert write._kept_json_list.cache_info().currsize == kept + 1


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
