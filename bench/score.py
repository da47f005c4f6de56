"""Score an archive against the generator's truth, after crawling generation 1 then 2.

The truth is what the archive's identity rules (docs/reliability.md, "Identity") ask
for on this site. Every repost URL of the site is listed in the same crawl as the post's
own URL, and two URLs listed as separate cards in one crawl are two posts: a false merge
loses a post, a missed repost costs only a second record. So every URL the site lists
is a record of its own, showing its post's fields.

A record is right when the archive holds it exactly once, reachable from its URL, with
title, date, category, tags, excerpt and truncation as generation 2 shows them. Two URLs
that lead to one record are a merge (the second counts as missing); a record no URL of
the truth leads to is a duplicate. For feedkeeper the version history is checked too: a
record of an edited post has two versions, every other record one.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.sitegen import Post

FIELDS = ("title", "published", "category", "tags", "excerpt", "truncated")


@dataclass
class Score:
    """How an archive compares with the truth."""

    posts: int  # records the truth asks for: every URL the site lists
    records: int  # records in the archive
    exact: int  # records held exactly once with every field right
    duplicates: int  # records in the archive that no URL of the truth leads to
    missing: int  # URLs that lead to no record, or to another URL's record (merged)
    field_errors: dict[str, int]
    history_right: int | None = None  # records whose version count is right (feedkeeper)

    @property
    def accuracy(self) -> float:
        """Exactly-right records over expected records plus duplicate records."""
        return self.exact / (self.posts + self.duplicates)

    def as_dict(self) -> dict[str, Any]:
        """Return the score with its accuracy."""
        return asdict(self) | {"accuracy": self.accuracy}


def expected(post: Post) -> dict[str, Any]:
    """Return what generation 2 shows for ``post``."""
    shown = post.shown(2)
    return {
        "title": shown.title,
        "published": post.published,
        "category": post.category,
        "tags": post.tags,
        "excerpt": shown.excerpt,
        "truncated": shown.truncated,
    }


def score_feedkeeper(db: Path, base: str, truth: list[Post]) -> Score:
    """Score a feedkeeper archive."""
    conn = sqlite3.connect(db)
    urls = dict(conn.execute("SELECT url, post_id FROM post_url"))
    records = {
        row[0]: {
            "title": row[1],
            "published": row[2],
            "category": row[3],
            "tags": json.loads(row[4]),
            "excerpt": row[5],
            "truncated": bool(row[6]),
        }
        for row in conn.execute(
            "SELECT p.id, v.title, v.published, v.category, v.tags, v.excerpt, v.truncated"
            " FROM post p JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version"
        )
    }
    versions = dict(conn.execute("SELECT post_id, count(*) FROM post_version GROUP BY post_id"))
    conn.close()
    score = _compare(truth, base, urls, records)
    score.history_right = sum(
        1
        for url, post in expected_urls(truth)
        if (pid := urls.get(base + url.lstrip("/"))) is not None
        and versions.get(pid) == (2 if post.gen2 is not None else 1)
    )
    return score


def score_scrapy(db: Path, base: str, truth: list[Post]) -> Score:
    """Score the Scrapy pipeline's table (one row per URL)."""
    conn = sqlite3.connect(db)
    rows = list(
        conn.execute("SELECT url, title, published, category, tags, excerpt, truncated FROM post")
    )
    conn.close()
    urls = {row[0]: row[0] for row in rows}
    records = {
        row[0]: {
            "title": row[1],
            "published": row[2],
            "category": row[3],
            "tags": json.loads(row[4]),
            "excerpt": row[5],
            "truncated": bool(row[6]),
        }
        for row in rows
    }
    return _compare(truth, base, urls, records)


def expected_urls(truth: list[Post]) -> list[tuple[str, Post]]:
    """Return every URL the site lists (own and repost), with the post it shows."""
    return [(url, post) for post in truth for url in [post.url, *post.aliases]]


def _compare(
    truth: list[Post], base: str, urls: dict[str, Any], records: dict[Any, dict[str, Any]]
) -> Score:
    errors = dict.fromkeys(FIELDS, 0)
    exact = missing = 0
    claimed: set[Any] = set()
    wanted = expected_urls(truth)
    for url, post in wanted:
        key = urls.get(base + url.lstrip("/"))
        if key is None or key not in records or key in claimed:
            missing += 1
            continue
        claimed.add(key)
        want, got = expected(post), records[key]
        wrong = [name for name in FIELDS if want[name] != got[name]]
        for name in wrong:
            errors[name] += 1
        exact += not wrong
    duplicates = len(set(records) - claimed)
    return Score(len(wanted), len(records), exact, duplicates, missing, errors)
