"""feedkeeper's operations timed in-process, after imports: crawl and reparse.

    python -m bench.fkrun crawl URL DB CONCURRENCY [MAX_PAGES]
    python -m bench.fkrun reparse DB

Each prints one JSON line: what was done, wall seconds and CPU seconds of the
operation alone (interpreter start and imports excluded).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from feedkeeper.config import Settings
from feedkeeper.pipeline import crawl, reparse
from feedkeeper.store import Store


def timed(work: Any) -> dict[str, Any]:
    """Run ``work()`` and return its report with wall and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    report = work()
    return {**report, "seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def do_crawl(url: str, db: Path, concurrency: int, max_pages: int | None) -> dict[str, Any]:
    store = Store.open(db)
    settings = Settings(url=url, db=db, full=True, rate=0, concurrency=concurrency,
                        max_pages=max_pages, ignore_robots=False)  # fmt: skip
    summary = crawl(store, settings)
    c = summary.counts
    return {"status": summary.status, "pages": c.pages, "not_modified": c.pages_not_modified,
            "failed": c.pages_failed, "new_posts": c.new_posts, "new_versions": c.new_versions}  # fmt: skip


def do_reparse(db: Path) -> dict[str, Any]:
    summary = reparse(Store.open_existing(db))
    c = summary.counts
    return {"status": summary.status, "pages": c.pages, "new_posts": c.new_posts}


def main() -> None:
    """Dispatch on the first argument."""
    op, args = sys.argv[1], sys.argv[2:]
    if op == "crawl":
        pages = int(args[3]) if len(args) > 3 else None
        report = timed(lambda: do_crawl(args[0], Path(args[1]), int(args[2]), pages))
    else:
        report = timed(lambda: do_reparse(Path(args[0])))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
