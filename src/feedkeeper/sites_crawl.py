"""Many sites crawled at once in one process, each host within its own politeness.

Sites on different hosts crawl concurrently; sites that share a host crawl one
after the other, so a host never sees more than one site's requests, at its own
rate and concurrency (and Crawl-delay, and Retry-After). A site that fails, or
is slow, only ends or delays its own crawl. Every crawl commits after each page,
so no write transaction stays open while one crawl waits for the network and
another wants to write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from feedkeeper.config import Settings
from feedkeeper.errors import FeedkeeperError
from feedkeeper.parse import Profile, load_profile
from feedkeeper.pipeline import CrawlOptions, RunSummary, crawl_async
from feedkeeper.store import Store
from feedkeeper.store.sites import Site

# The longest pause (Retry-After) one site's crawl waits out among others: a longer one
# stops that crawl (its next crawl walks the whole listing), so that the command, and the
# daemon's tick of every site, do not wait for it.
LONGEST_PAUSE_AMONG_SITES = 30.0


@dataclass(frozen=True, slots=True)
class SiteResult:
    """How one site's crawl ended: its run, or the error that stopped it before or during it."""

    site: Site
    summary: RunSummary | None = None
    error: FeedkeeperError | None = None

    @property
    def exit_code(self) -> int:
        """The crawl's own exit code, or the error's."""
        if self.summary is not None:
            return self.summary.exit_code
        return self.error.exit_code if self.error is not None else 0


def crawl_sites(
    store: Store, sites: Sequence[Site], settings: Settings, options: CrawlOptions | None = None
) -> list[SiteResult]:
    """Crawl every site in ``sites``; return their results in the order given."""
    return asyncio.run(crawl_sites_async(store, sites, settings, options or CrawlOptions()))


async def crawl_sites_async(
    store: Store, sites: Sequence[Site], settings: Settings, options: CrawlOptions
) -> list[SiteResult]:
    """The crawl of many sites, for callers that already run an event loop."""
    if len(sites) > 1 and options.longest_pause is None:
        # A site that asks for a long pause ends its crawl there, not the other sites' turn.
        options = replace(options, longest_pause=LONGEST_PAUSE_AMONG_SITES)
    by_host: dict[str, list[Site]] = {}
    for site in sites:
        by_host.setdefault(host_of(site.url), []).append(site)
    groups = await asyncio.gather(
        *(_crawl_in_turn(store, group, settings, options) for group in by_host.values())
    )
    results = {r.site.id: r for group in groups for r in group}
    return [results[site.id] for site in sites]


def host_of(url: str) -> str:
    """Return the host a site's requests go to (with its port): the unit of politeness."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or ''}"


async def _crawl_in_turn(
    store: Store, sites: list[Site], settings: Settings, options: CrawlOptions
) -> list[SiteResult]:
    return [await _crawl_one(store, site, settings, options) for site in sites]


async def _crawl_one(
    store: Store, site: Site, settings: Settings, options: CrawlOptions
) -> SiteResult:
    """Crawl one site; a condition we can name ends this site's crawl only."""
    try:
        profile = _profile_of(site, options.profile)
        mine = replace(options, site=site, profile=profile, commit_every_page=True)
        # Parsing stays in this process: a worker process per site would not scale to hundreds.
        mine = replace(mine, in_process_parse=True, progress=None)

        summary = await crawl_async(store, replace(settings, url=site.url), mine)
    except FeedkeeperError as exc:
        return SiteResult(site, error=exc)
    if options.progress:
        options.progress(site.name)
    return SiteResult(site, summary)


def _profile_of(site: Site, default: Profile | None) -> Profile | None:
    return load_profile(Path(site.profile)) if site.profile else default
