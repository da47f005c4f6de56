"""Which crawls a daemon finds due, read from the archive: a run its own cadence missed while
it was stopped, and the sites with a schedule of their own whose current slot no crawl has
started in. Read-only: the writer lock is for the crawl."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from feedkeeper.clock import read_time
from feedkeeper.config import Settings
from feedkeeper.records import SiteState
from feedkeeper.scope import strip_credentials
from feedkeeper.store.runs import crawl_start_times, has_crawl_since
from feedkeeper.store.sites import list_sites, site_for_url
from feedkeeper.triggers import Cadence, current_slot


@dataclass(frozen=True, slots=True)
class StartingPoint:
    """What a daemon reads from the archive as it starts."""

    missed_a_run: bool  # a crawl on its cadence came due while it was stopped, or none ran
    own_schedules: int  # active sites on schedules of their own
    active: int  # active sites


def starting_point(
    engine: Engine, settings: Settings, cadence: Cadence, now: datetime
) -> StartingPoint:
    """Read what a daemon of ``settings`` and ``cadence`` starts from at ``now``."""
    if settings.url is not None:  # a daemon of one URL: that site alone, on its cadence
        site = site_for_url(engine, strip_credentials(settings.url))
        missed = site is None or _missed(engine, [site.id], cadence, now)
        return StartingPoint(missed, 0, 0)
    sites = list_sites(engine, SiteState.ACTIVE)
    own = [site for site in sites if site.has_own_schedule]
    on_cadence = [site.id for site in sites if not site.has_own_schedule]
    return StartingPoint(_missed(engine, on_cadence, cadence, now), len(own), len(sites))


def _missed(engine: Engine, site_ids: list[int], cadence: Cadence, now: datetime) -> bool:
    """Tell whether a crawl came due for any of the sites since its last successful one
    began (or none ever did)."""
    for site_id in site_ids:
        last = read_time(crawl_start_times(engine, site_id)[0])
        if last is None or cadence.deadline(last, 1) <= now:  # none, or no time it can read
            return True
    return False


def due_own_schedules(engine: Engine, settings: Settings) -> set[int]:
    """Return the ids of the active sites with a schedule of their own that no crawl has
    started in their current slot (as the server's workers find them)."""
    now = datetime.now(UTC)
    return {
        site.id
        for site in list_sites(engine, SiteState.ACTIVE)
        if site.has_own_schedule
        and not has_crawl_since(engine, site.id, current_slot(site, settings, now))
    }
