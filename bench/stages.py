"""CPU per page of each stage after fetch, measured in one process on the site's pages.

    python -m bench.stages SITE_DIR [PAGES]

Parses the first PAGES listing pages of generation 1 (the parse stage), then dedupes
and writes them into a fresh archive twice: once as it is, once with the full-text
index's triggers dropped (nothing is then queued for the index, so nothing is indexed as
the transactions commit), so that the index's share of the write stage shows; the write
stage includes every commit, the last one too. Prints
one JSON line of milliseconds of CPU per page.
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
from feedkeeper.page_reader import read_page
from feedkeeper.records import PageCapture, PageKind
from feedkeeper.store import Store
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


def write_all(db: Path, parsed: list[Any], *, index: bool) -> tuple[float, float]:
    """Dedupe and write every page; return CPU seconds of dedupe and of writing."""
    store = Store.open(db)
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
        # The last commit, and the index upkeep the writer leaves to its end.
        started = time.process_time()
        writer.finish()
        write += time.process_time() - started
    store.close()
    return dedupe, write


def measure_stages(site: Path, count: int) -> dict[str, Any]:
    """Return the milliseconds of CPU per page of each stage, on ``count`` pages of ``site``."""
    pages = load_pages(site, count)
    started = time.process_time()
    parsed = [(url, body, read_page(body, KIND, url)) for url, body in pages]
    parse = time.process_time() - started
    with tempfile.TemporaryDirectory() as folder:
        dedupe, write = write_all(Path(folder) / "with.db", parsed, index=True)
        _, bare = write_all(Path(folder) / "without.db", parsed, index=False)
    ms = 1000 / count
    return {
        "pages": count,
        "parse_ms": parse * ms,
        "dedupe_ms": dedupe * ms,
        "write_ms": write * ms,
        "write_without_index_ms": bare * ms,
        "index_share": (write - bare) / write if write else 0.0,
    }


def main() -> None:
    """Measure and print the stages."""
    site, count = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 500
    print(json.dumps(measure_stages(site, count)))


if __name__ == "__main__":
    main()
