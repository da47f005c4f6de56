"""Bulk-fill an archive with synthetic posts, straight into SQLite (benchmark setup only).

Each post gets what a crawl would have left: a post row, one version, its URL, its
fingerprint, one sighting, and its rows in the two full-text indexes. The index triggers
are set aside while the rows go in and each index is filled in one statement afterwards,
which is several times faster than row by row; the triggers are then put back as they
were and the indexes are merged. URLs live under /archive/ so they never collide with the
benchmark site's posts.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
from pathlib import Path

from bench.sitegen import _sentences
from feedkeeper.store import Store
from feedkeeper.store.sites import ensure_site
from feedkeeper.words import segment_words

BATCH = 50_000
SEEN = "2025-06-01T00:00:00Z"


def prefill(db: Path, base_url: str, target: int, seed: int = 11) -> int:
    """Add posts until the archive holds ``target`` of them; return how many it holds.

    The posts belong to the site whose listing starts at ``base_url``, the one the growth
    crawls write into.
    """
    store = Store.open(db)
    site_id = ensure_site(store.engine, base_url).id
    store.close()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    have = conn.execute("SELECT count(*) FROM post").fetchone()[0]
    if have >= target:
        conn.close()
        return int(have)
    run_id = _bench_run(conn, site_id)
    rng = random.Random(seed + have)
    pool = [_sentences(rng, 1) for _ in range(2000)]
    start = conn.execute("SELECT coalesce(max(id), 0) FROM post").fetchone()[0] + 1
    vstart = conn.execute("SELECT coalesce(max(id), 0) FROM post_version").fetchone()[0] + 1
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    conn.execute("BEGIN")
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    for low in range(0, target - have, BATCH):
        count = min(BATCH, target - have - low)
        ids = range(start + low, start + low + count)
        _insert(conn, base_url, ids, (vstart - start, run_id, site_id), pool, rng)
    conn.execute(
        "INSERT INTO post_fts (rowid, title, excerpt) SELECT p.id, v.title, v.excerpt FROM post p"
        " JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version"
        " WHERE p.id >= ?",
        (start,),
    )
    conn.create_function("feedkeeper_words", 1, segment_words, deterministic=True)
    conn.execute(
        "INSERT INTO post_words (rowid, title, excerpt)"
        " SELECT p.id, feedkeeper_words(v.title), feedkeeper_words(v.excerpt) FROM post p"
        " JOIN post_version v ON v.post_id = p.id AND v.version = p.current_version"
        " WHERE p.id >= ?",
        (start,),
    )
    for _, sql in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")
    # One bulk transaction leaves the indexes in many small segments, which no run of
    # crawls would; merged, they are shaped like a long-lived archive's.
    conn.execute("INSERT INTO post_fts (post_fts) VALUES ('optimize')")
    conn.execute("INSERT INTO post_words (post_words) VALUES ('optimize')")
    conn.close()
    _flush_to_disk(db)
    return target


def _flush_to_disk(db: Path) -> None:
    """Write the fill out to the disk before any crawl is timed.

    The fill runs with ``synchronous = OFF``, which leaves gigabytes of the file dirty in
    the page cache at a million posts; the first checkpoint of the crawl that follows would
    otherwise wait for the kernel to write them all, a cost of the fill, not of the crawl.
    """
    fd = os.open(db, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _bench_run(conn: sqlite3.Connection, site_id: int) -> int:
    conn.execute(
        "INSERT INTO run (site_id, kind, source, started_at, finished_at, status, pages,"
        " pages_not_modified, pages_failed, cards, cards_skipped, new_posts, new_versions,"
        " filled_in, reposts,"
        " placeholders_found, placeholders_recovered, placeholders_unrecoverable, failures)"
        " VALUES (?, 'import', 'bench prefill', ?, ?, 'ok',"
        " 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '[]')",
        (site_id, SEEN, SEEN),
    )
    return int(conn.execute("SELECT max(id) FROM run").fetchone()[0])


def _insert(
    conn: sqlite3.Connection,
    base_url: str,
    ids: range,
    owners: tuple[int, int, int],  # version id offset, run, site
    pool: list[str],
    rng: random.Random,
) -> None:
    version_offset, run_id, site_id = owners
    posts, versions, urls, fps, sightings = [], [], [], [], []
    for post_id in ids:
        url = f"{base_url}archive/{post_id}/"
        fp = hashlib.sha256(str(post_id).encode()).hexdigest()[:32]
        excerpt = "".join(pool[rng.randrange(len(pool))] for _ in range(2))
        title = pool[rng.randrange(len(pool))][:24]
        posts.append((post_id, site_id, url, url, SEEN, SEEN))
        versions.append(
            (
                post_id + version_offset,
                post_id,
                title,
                "机器学习",
                json.dumps(["机器学习"], ensure_ascii=False),
                "[]",
                "2024-01-01",
                excerpt,
                1,
                fp,
                SEEN,
                run_id,
            )
        )
        urls.append((site_id, url, post_id, SEEN))
        fps.append((site_id, fp, post_id))
        sightings.append((run_id, post_id, 1, base_url + "archive/", 1, url, SEEN))
    conn.executemany(
        "INSERT INTO post (id, site_id, key, url, current_version, first_seen, last_seen)"
        " VALUES (?, ?, ?, ?, 1, ?, ?)",
        posts,
    )
    conn.executemany(
        "INSERT INTO post_version (id, post_id, version, title, category, categories, tags,"
        " published, excerpt, truncated, fingerprint, observed_at, run_id)"
        " VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        versions,
    )
    conn.executemany(
        "INSERT INTO post_url (site_id, url, post_id, first_seen) VALUES (?, ?, ?, ?)", urls
    )
    conn.executemany(
        "INSERT INTO post_fingerprint (site_id, fingerprint, post_id) VALUES (?, ?, ?)", fps
    )
    conn.executemany(
        "INSERT INTO sighting (run_id, post_id, version, page_url, position, card_url, seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        sightings,
    )
