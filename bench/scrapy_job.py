"""The Scrapy side of the comparison: the same job as `feedkeeper crawl`, done the Scrapy way.

A spider reads each listing page's cards with parsel CSS selectors (url, title, date,
category, tags, excerpt) and follows the pager; an item pipeline drops cards whose
URL it has already seen this run and writes the rest to SQLite in batches of 500,
upserting by URL so a later crawl keeps the newest text. Runs in bench/.venv:

    python bench/scrapy_job.py BASE_URL DB CONCURRENCY

and prints one JSON line with Scrapy's own counters.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import DropItem

BATCH = 500
_WS = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.{3,}|…+)\s*$")


def clean(text: str) -> str:
    """Collapse whitespace the way a reader sees it."""
    return _WS.sub(" ", text.replace("\xa0", " ")).strip()


class ListingSpider(scrapy.Spider):
    """Reads the cards of every listing page, following the pager."""

    name = "listing"

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [base_url]

    def parse(self, response: scrapy.http.Response) -> Any:
        for card in response.css("li.entry"):
            excerpt = clean(" ".join(card.css(".entry-summary ::text").getall()))
            stripped = _ELLIPSIS.sub("", excerpt)
            yield {
                "url": response.urljoin(card.css("h3.entry-title a::attr(href)").get("")),
                "title": clean(card.css("h3.entry-title a::text").get("")),
                "published": card.css("time::text").get("").strip(),
                "category": clean(card.css(".cat-links a::text").get("")),
                "tags": json.dumps(card.css(".tags-links a::text").getall(), ensure_ascii=False),
                "excerpt": stripped,
                "truncated": stripped != excerpt,
            }
        for href in response.css(".nav-links a.page-numbers::attr(href)").getall():
            yield response.follow(href, callback=self.parse)


class SQLitePipeline:
    """Drops cards whose URL was seen this run; upserts the rest in batches."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.seen: set[str] = set()
        self.batch: list[tuple[Any, ...]] = []
        self.dropped = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> SQLitePipeline:
        return cls(crawler.settings["BENCH_DB"])

    def open_spider(self, spider: scrapy.Spider) -> None:
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS post (url TEXT PRIMARY KEY, title TEXT, published TEXT,"
            " category TEXT, tags TEXT, excerpt TEXT, truncated INTEGER)"
        )

    def process_item(self, item: dict[str, Any], spider: scrapy.Spider) -> dict[str, Any]:
        if item["url"] in self.seen:
            self.dropped += 1
            raise DropItem("seen")
        self.seen.add(item["url"])
        self.batch.append(tuple(item[k] for k in _COLUMNS))
        if len(self.batch) >= BATCH:
            self.flush()
        return item

    def flush(self) -> None:
        with self.db:
            self.db.executemany(_UPSERT, self.batch)
        self.batch = []

    def close_spider(self, spider: scrapy.Spider) -> None:
        self.flush()
        self.db.close()


_COLUMNS = ("url", "title", "published", "category", "tags", "excerpt", "truncated")
_UPSERT = (
    f"INSERT INTO post ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
    " ON CONFLICT(url) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])
)


def main() -> None:
    """Crawl the blog and print Scrapy's counters as JSON."""
    base, db, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    process = CrawlerProcess(
        {
            "BENCH_DB": db,
            "ITEM_PIPELINES": {__name__ + ".SQLitePipeline": 300},
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "ROBOTSTXT_OBEY": True,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "ERROR",
            "USER_AGENT": "scrapy-bench (+http://127.0.0.1/)",
        }
    )
    crawler = process.create_crawler(ListingSpider)
    process.crawl(crawler, base_url=base)
    process.start()
    stats = crawler.stats.get_stats()
    print(
        json.dumps(
            {
                "pages": stats.get("response_received_count", 0) - 1,  # less robots.txt
                "items": stats.get("item_scraped_count", 0),
                "dropped": stats.get("item_dropped_count", 0),
                "seconds": stats.get("elapsed_time_seconds"),
            }
        )
    )


if __name__ == "__main__":
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    main()
