"""The only code that knows the order of the stages: fetch → parse → dedupe → write.

One page goes through them as typed values (``stages.py``)::

    Prefetcher.fetch(url) -> Download          fetch (async httpx, several pages ahead)
    ParseWorker / read_keyed_page -> KeyedPage parse, and the cards' dedupe keys (a worker
                                               process on long listings)
    PageWriter.known, dedupe_page -> PageChanges   dedupe (pure, against what the store knows)
    PageWriter.write_changes, write_fetch      write (several pages to a transaction)

``run.py`` opens and closes a crawl's run around the walk from page to page.
"""

from __future__ import annotations

from feedkeeper.crawl_options import CrawlOptions, Progress
from feedkeeper.pipeline.run import crawl, crawl_async
from feedkeeper.pipeline.stages import archive_page, write_page, write_unchanged
from feedkeeper.run_summary import RunSummary, run_status
from feedkeeper.suspect import SUSPECT, suspect_parse

__all__ = [
    "SUSPECT", "CrawlOptions", "Progress", "RunSummary", "archive_page", "crawl", "crawl_async",
    "run_status", "suspect_parse", "write_page", "write_unchanged",
]  # fmt: skip
