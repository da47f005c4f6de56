"""Commands that write to the archive: crawl, import, reparse, db upgrade, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from feedkeeper.cli.common import (
    ConcurrencyOption,
    ConfigOption,
    DbOption,
    FullOption,
    IgnoreRobotsOption,
    MaxPagesOption,
    ProfileOption,
    RateOption,
    SiteOption,
    UrlOption,
    db_app,
    out,
    settings_for,
)
from feedkeeper.cli.progress import progress_bar
from feedkeeper.cli.summary import print_recovery, print_site_results, print_summary
from feedkeeper.errors import ConfigError
from feedkeeper.parse import load_profile
from feedkeeper.pipeline import CrawlOptions, crawl, import_captures, reparse
from feedkeeper.records import SiteState
from feedkeeper.recover import RecoverOptions, recover
from feedkeeper.sites_crawl import crawl_sites
from feedkeeper.store import Store, exclusive_lock
from feedkeeper.store.engine import archive_exists, describe, schema_revision
from feedkeeper.store.sites import Site, find_site, list_sites


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("crawl")(crawl_command)
    app.command("import")(import_command)
    app.command("reparse")(reparse_command)
    app.command("recover")(recover_command)
    app.command("demo")(demo_command)
    db_app.command("upgrade")(db_upgrade_command)


NO_SITES = (
    "crawl: the archive has no active site: pass --url URL, or add one with"
    " `feedkeeper sites add URL`"
)


def crawl_command(
    url: UrlOption = None,
    site: SiteOption = None,
    db: DbOption = None,
    full: FullOption = False,
    max_pages: MaxPagesOption = None,
    profile: ProfileOption = None,
    rate: RateOption = None,
    concurrency: ConcurrencyOption = None,
    ignore_robots: IgnoreRobotsOption = False,
    use_feed: Annotated[
        bool, typer.Option("--use-feed", help="Check titles and dates against the blog's feed.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Fetch the listing pages of a blog (or of every active site) and archive every card."""
    settings = settings_for(
        config,
        url=url,
        db=db,
        full=full or None,
        max_pages=max_pages,
        profile=profile,
        rate=rate,
        concurrency=concurrency,
        ignore_robots=ignore_robots or None,
        use_feed=use_feed or None,
    )
    if site is not None and url is not None:
        raise ConfigError("--url and --site: give one or the other")
    if site is None and settings.url is None and not archive_exists(settings.db):
        raise ConfigError(NO_SITES)
    site_profile = load_profile(settings.profile) if settings.profile else None
    with exclusive_lock(settings.db, settings.lock_timeout), progress_bar("crawling") as advance:
        store = Store.open(settings.db)
        options = CrawlOptions(profile=site_profile, progress=advance)
        if site is None and settings.url is not None:
            summary = crawl(store, settings, options)
        else:
            results = crawl_sites(store, _sites_to_crawl(store, site), settings, options)
    if site is None and settings.url is not None:
        print_summary(summary)
        raise typer.Exit(summary.exit_code)
    raise typer.Exit(print_site_results(results))


def _sites_to_crawl(store: Store, name: str | None) -> list[Site]:
    if name is not None:
        return [find_site(store.engine, name)]
    sites = list_sites(store.engine, SiteState.ACTIVE)
    if not sites:
        raise ConfigError(NO_SITES)
    return sites


def import_command(
    files: Annotated[list[Path], typer.Argument(help="Plain-text captures of listing pages.")],
    site: SiteOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Archive plain-text captures of a listing (no URLs: posts are known by their excerpt)."""
    settings = settings_for(config, db=db)
    with (
        exclusive_lock(settings.db, settings.lock_timeout),
        progress_bar("importing", len(files)) as advance,
    ):
        store = Store.open(settings.db)
        target = find_site(store.engine, site) if site is not None else None
        summary = import_captures(store, files, progress=advance, site=target)
    print_summary(summary)
    raise typer.Exit(summary.exit_code)


def reparse_command(
    db: DbOption = None,
    profile: ProfileOption = None,
    config: ConfigOption = None,
) -> None:
    """Rebuild posts and versions from the stored pages, without fetching anything."""
    settings = settings_for(config, db=db, profile=profile)
    site_profile = load_profile(settings.profile) if settings.profile else None
    with exclusive_lock(settings.db, settings.lock_timeout), progress_bar("reparsing") as advance:
        summary = reparse(Store.open_existing(settings.db), site_profile, advance)
    print_summary(summary)
    raise typer.Exit(summary.exit_code)


def recover_command(
    db: DbOption = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Fetch at most N articles.")] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Also retry placeholders marked unrecoverable.")
    ] = False,
    rate: RateOption = None,
    concurrency: ConcurrencyOption = None,
    ignore_robots: IgnoreRobotsOption = False,
    config: ConfigOption = None,
) -> None:
    """Fill in what the placeholders stood for, from the posts' article pages."""

    settings = settings_for(
        config, db=db, rate=rate, concurrency=concurrency, ignore_robots=ignore_robots or None
    )
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit: must be 1 or more, got {limit}")
    with exclusive_lock(settings.db, settings.lock_timeout), progress_bar("recovering") as advance:
        options = RecoverOptions(limit, retry_failed, progress=advance)
        summary = recover(Store.open_existing(settings.db), settings, options)
    print_recovery(summary)
    raise typer.Exit(summary.exit_code)


def db_upgrade_command(db: DbOption = None, config: ConfigOption = None) -> None:
    """Create the archive or bring its schema up to date (every command also does this)."""
    settings = settings_for(config, db=db)
    with exclusive_lock(settings.db, settings.lock_timeout):
        store = Store.open(settings.db)
    out.print(f"{describe(settings.db)}: schema at revision {schema_revision(store.engine)}")


def demo_command(
    db: Annotated[
        Path, typer.Option("--db", help="Where the demo archive goes (replaced).")
    ] = Path("feedkeeper-demo.db"),
) -> None:
    """Serve the bundled fixture blog on 127.0.0.1 and archive its five snapshots."""
    from feedkeeper.cli.demo import run_demo

    run_demo(db)
