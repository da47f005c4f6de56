"""How one crawl runs, beyond the settings: the options a caller passes to ``crawl``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from feedkeeper.page_reader import ListingParser
from feedkeeper.parse import Profile, parse_listing
from feedkeeper.parse.feed import FeedEntry
from feedkeeper.parse_worker import ParseWorker
from feedkeeper.store.sites import Site

Progress = Callable[[str], None]


@dataclass(slots=True)
class CrawlOptions:
    """How one crawl runs, beyond the settings."""

    profile: Profile | None = None
    transport: httpx.AsyncBaseTransport | None = None  # the test seam for HTTP
    progress: Progress | None = None
    should_stop: Callable[[], bool] = lambda: False
    feed_entries: list[FeedEntry] | None = None  # the blog's feed, read when settings.use_feed
    # How this process parses a listing; the parse worker always uses parse_listing.
    listing_parser: ListingParser = parse_listing
    # The parse worker for long listings (made per run when None; injectable for tests).
    worker: ParseWorker | None = None
    # The site crawled; None: the site whose listing starts at settings.url (added if new).
    site: Site | None = None
    # Commit after every page: set when several crawls share the process (see crawl_sites),
    # so that no write transaction stays open while this crawl waits.
    commit_every_page: bool = False
    in_process_parse: bool = False  # never start a parse worker process
    # The longest pause (Retry-After) the crawl waits out; a longer one stops it there, for
    # a later crawl to go on (see crawl_sites). None: every pause up to max_retry_after
    # (the pauses kept in the archive from earlier runs included).
    longest_pause: float | None = None
