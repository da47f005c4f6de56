"""CPU per page of each stage after fetch, measured in one process on the site's pages.

    python -m bench.stages SITE_DIR [PAGES]

Parses the first PAGES listing pages of generation 1 (the parse stage), then dedupes
and writes them into a fresh archive twice: once as it is, once with the full-text
index's triggers dropped (nothing is then queued for the indexes), so that what the
indexes still cost the writer shows. The writer writes as on a long crawl, where the
index process takes the queue: it indexes nothing itself, and its stage counts every
commit, the last one too. The index stage is then timed on its own: the queue the pages
left, drained in the same process in the index process's batches (``index_batch``), as
that process does on the other core. Prints one JSON line of milliseconds of CPU per page.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from feedkeeper.clock import now_iso
from feedkeeper.dedupe import dedupe_page, key_cards
from feedkeeper.parse_worker import read_page
from feedkeeper.records import PageCapture, PageKind
from feedkeeper.store import Store
from feedkeeper.store.indexer import BATCH_POSTS, index_batch
from feedkeeper.store.sites import ensure_site

BASE = "http://bench.test/"
KIND = "text/html; charset=utf-8"


def load_pages(site: Path, count: int) -> list[tuple[str, bytes]]:
    """Return (URL, body) of the first ``count`` listing pages of generation 1."""
    pages = []
    for number in range(1, count + 1):
        path = site / "gen1" / ("index.html" if number == 1 else f"page/{number}/index.html")
        url = BASE if number == 1 else f"{BASE}page/{number}/"
        pages.append((url, path.read_bytes()))
    return pages


def write_all(db: Path, parsed: list[Any], *, index: bool) -> tuple[float, float, float]:
    """Dedupe and write every page, then index the queue; return CPU seconds of each."""
    store = Store.open(db, index_process_from=None)
    if not index:
        with store.engine.begin() as conn:
            names = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).scalars()
            for name in list(names):
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    site = ensure_site(store.engine, BASE)
    run_id = store.start_run("crawl", BASE, site.id)
    dedupe = write = 0.0
    with store.writer(site.id) as writer:
        writer.batch_posts = None  # the queue is the index process's: timed apart below
        for url, body, page in parsed:
            capture = PageCapture(url, now_iso(), PageKind.PARSED, 200, body=body)
            started = time.process_time()
            keyed = key_cards(page.cards)
            known = writer.known(keyed, run_id)
            changes = dedupe_page(keyed, known, page.skipped)
            middle = time.process_time()
            writer.write_changes(run_id, capture.fetched_at, url, changes, known)
            writer.write_fetch(run_id, capture, changes.outcome)
            writer.commit_if_full()
            write += time.process_time() - middle
            dedupe += middle - started
        started = time.process_time()
        writer.commit()
        write += time.process_time() - started
        started = time.process_time()
        while index_batch(writer.conn) == BATCH_POSTS:
            pass
        indexing = time.process_time() - started
    store.close()
    return dedupe, write, indexing


def main() -> None:
    """Measure and print the stages."""
    site, count = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 500
    pages = load_pages(site, count)
    started = time.process_time()
    parsed = [(url, body, read_page(body, KIND, url)) for url, body in pages]
    parse = time.process_time() - started
    with tempfile.TemporaryDirectory() as folder:
        dedupe, write, indexing = write_all(Path(folder) / "with.db", parsed, index=True)
        _, bare, _ = write_all(Path(folder) / "without.db", parsed, index=False)
    ms = 1000 / count
    report = {
        "pages": count,
        "parse_ms": parse * ms,
        "dedupe_ms": dedupe * ms,
        "write_ms": write * ms,
        "write_without_index_ms": bare * ms,
        "index_ms": indexing * ms,
        # What the indexes still cost the writer: the triggers that queue the changed posts.
        "index_share": (write - bare) / write if write else 0.0,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
