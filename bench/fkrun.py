"""feedkeeper's operations timed in-process, after imports: crawl and reparse.

    python -m bench.fkrun crawl URL DB CONCURRENCY [MAX_PAGES [SITE_URL]]
    python -m bench.fkrun reparse DB

Each prints one JSON line: what was done, wall seconds and CPU seconds of the
operation alone (interpreter start and imports excluded; parse workers included).
A crawl starting at URL writes into the site whose listing starts at SITE_URL (added
when missing; URL's own site when SITE_URL is not given).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from feedkeeper.config import Settings
from feedkeeper.parse import parse_listing
from feedkeeper.pipeline import CrawlOptions, crawl
from feedkeeper.reparse import reparse
from feedkeeper.store import Store
from feedkeeper.store.sites import ensure_site

# max_pages for "every page": the site is finite, the setting's default (1000) is not enough.
UNBOUNDED = 10**9
_WARM_UP = "<main>{}</main>".format(
    "".join(
        f'<article><h2><a href="/p/{n}/">Post {n}</a></h2>'
        f"<time>2026-01-0{n}</time><p>Text {n} ...</p></article>"
        for n in range(1, 4)
    )
)


def timed(work: Any) -> dict[str, Any]:
    """Run ``work()`` and return its report with wall and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time() + _children_cpu()
    report = work()
    spent = time.process_time() + _children_cpu() - cpu
    return {**report, "seconds": time.perf_counter() - wall, "cpu": spent}


def _children_cpu() -> float:
    """CPU seconds of the child processes waited for so far (parse workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def do_crawl(
    store: Store, url: str, db: Path, concurrency: int, max_pages: int | None, site_url: str
) -> dict[str, Any]:
    settings = Settings(
        url=url,
        db=db,
        full=True,
        rate=0,
        concurrency=concurrency,
        max_pages=max_pages or UNBOUNDED,
        ignore_robots=False,
    )
    site = replace(ensure_site(store.engine, site_url), url=url)
    summary = crawl(store, settings, CrawlOptions(site=site))
    c = summary.counts
    return {
        "status": summary.status,
        "pages": c.pages,
        "not_modified": c.pages_not_modified,
        "failed": c.pages_failed,
        "new_posts": c.new_posts,
        "new_versions": c.new_versions,
    }


def do_reparse(store: Store) -> dict[str, Any]:
    summary = reparse(store)
    c = summary.counts
    return {"status": summary.status, "pages": c.pages, "new_posts": c.new_posts}


def main() -> None:
    """Dispatch on the first argument."""
    op, args = sys.argv[1], sys.argv[2:]
    # Opened, migrated and warmed before the clock starts: one-time costs are not per page.
    store = Store.open(Path(args[1] if op == "crawl" else args[0]))
    parse_listing(_WARM_UP, "http://warm.test/")
    if op == "crawl":
        pages = int(args[3]) if len(args) > 3 else None
        site_url = args[4] if len(args) > 4 else args[0]
        report = timed(
            lambda: do_crawl(store, args[0], Path(args[1]), int(args[2]), pages, site_url)
        )
    else:
        report = timed(lambda: do_reparse(store))
    store.close()  # its write-ahead log checkpointed and removed, as the command leaves it
    print(json.dumps(report))


if __name__ == "__main__":
    main()
