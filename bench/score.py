"""Score an archive against the generator's truth, after crawling generation 1 then 2.

A post is right when the archive holds it exactly once, reachable from its own URL,
with title, date, category, tags, excerpt and truncation as generation 2 shows them.
Every URL a post was reposted under must lead to that same record; a record for a
repost URL of its own is a duplicate. For feedkeeper the version history is checked
too: an edited post has two versions, every other post one.
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

    posts: int  # posts in the truth
    records: int  # records in the archive
    exact: int  # posts held exactly once with every field right
    duplicates: int  # records that are a second copy of a post (a repost URL stored apart)
    missing: int  # posts not found under their own URL
    field_errors: dict[str, int]
    history_right: int | None = None  # posts whose version count is right (feedkeeper only)

    @property
    def accuracy(self) -> float:
        """Exactly-right posts over posts plus duplicate records."""
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
        for post in truth
        if (pid := urls.get(base + post.url.lstrip("/"))) is not None
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


def _compare(
    truth: list[Post], base: str, urls: dict[str, Any], records: dict[Any, dict[str, Any]]
) -> Score:
    errors = dict.fromkeys(FIELDS, 0)
    exact = missing = duplicates = 0
    claimed: set[Any] = set()
    for post in truth:
        key = urls.get(base + post.url.lstrip("/"))
        if key is None or key not in records:
            missing += 1
            continue
        claimed.add(key)
        aliases = {urls.get(base + alias.lstrip("/")) for alias in post.aliases}
        copies = {a for a in aliases if a is not None and a != key}
        duplicates += len(copies)
        claimed.update(copies)
        want, got = expected(post), records[key]
        wrong = [name for name in FIELDS if want[name] != got[name]]
        for name in wrong:
            errors[name] += 1
        exact += not wrong and not copies and None not in aliases
    duplicates += len(set(records) - claimed)
    return Score(len(truth), len(records), exact, duplicates, missing, errors)
