"""Commands that write to the archive: crawl, import, reparse, db upgrade, demo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from feedkeeper.cli.common import db_app, out, print_json, settings_for
from feedkeeper.cli.options import (
    ConcurrencyOption,
    ConfigOption,
    DbOption,
    FullOption,
    IgnoreRobotsOption,
    JsonOption,
    MaxPagesOption,
    ProfileOption,
    RateOption,
    SiteOption,
    UrlOption,
)
from feedkeeper.cli.progress import progress_bar
from feedkeeper.cli.summary import print_recovery, print_site_results, print_summary
from feedkeeper.config import SQLITE_MAX_INT
from feedkeeper.errors import ConfigError

if TYPE_CHECKING:
    from feedkeeper.config import Settings
    from feedkeeper.pipeline import RunSummary
    from feedkeeper.recover import RecoverSummary
    from feedkeeper.store import Store
    from feedkeeper.store.sites import Site

NO_SITES = (
    "crawl: the archive has no active site: pass --url URL, or add one with"
    " `feedkeeper sites add URL`"
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("crawl")(crawl_command)
    app.command("import")(import_command)
    app.command("reparse")(reparse_command)
    app.command("recover")(recover_command)
    app.command("demo")(demo_command)
    db_app.command("upgrade")(db_upgrade_command)


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
    recover_new: Annotated[
        bool,
        typer.Option(
            "--recover/--no-recover",
            help="Then recover the placeholders this crawl found, from the article pages.",
        ),
    ] = True,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Fetch the listing pages of a blog (or of every active site), archive every post card,
    then recover placeholders."""
    from feedkeeper.parse import load_profile
    from feedkeeper.pipeline import CrawlOptions, crawl
    from feedkeeper.store import Store, exclusive_lock
    from feedkeeper.store.engine import archive_exists

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
        raise ConfigError(NO_SITES)  # before the archive is created for nothing
    site_profile = load_profile(settings.profile) if settings.profile else None
    if site is not None or settings.url is None:
        _crawl_sites(settings, site, site_profile, recover_new)
    with exclusive_lock(settings.db, settings.lock_timeout):
        store = Store.open(settings.db)
        with progress_bar("crawling") as advance:
            summary = crawl(store, settings, CrawlOptions(profile=site_profile, progress=advance))
        recovery = _recover_found(store, settings, [summary]) if recover_new else None
    if as_json:
        print_json(_summary_json(summary, recovery))
    else:
        print_summary(summary)
        if recovery is not None:
            print_recovery(recovery)
    codes = [summary.exit_code, recovery.exit_code if recovery else 0]
    raise typer.Exit(max(codes))


def _crawl_sites(settings: Settings, name: str | None, profile: Any, recover_new: bool) -> None:
    """Crawl one site of the archive, or every active one at once; exit with their code."""
    from feedkeeper.pipeline import CrawlOptions
    from feedkeeper.sites_crawl import crawl_sites
    from feedkeeper.store import Store, exclusive_lock

    with exclusive_lock(settings.db, settings.lock_timeout):
        store = Store.open(settings.db)
        with progress_bar("crawling") as advance:
            options = CrawlOptions(profile=profile, progress=advance)
            sites = _sites_to_crawl(store, name)
            results = crawl_sites(store, sites, settings, options)
        summaries = [r.summary for r in results if r.summary is not None]
        only = sites[0].id if name is not None else None  # one site's crawl: its recovery
        recovery = _recover_found(store, settings, summaries, only) if recover_new else None
    code = print_site_results(results)
    if recovery is not None:
        print_recovery(recovery)
    raise typer.Exit(max(code, recovery.exit_code if recovery else 0))


def _sites_to_crawl(store: Store, name: str | None) -> list[Site]:
    from feedkeeper.records import SiteState
    from feedkeeper.store.sites import find_site, list_sites

    if name is not None:
        return [find_site(store.engine, name, asked_by="--site")]
    sites = list_sites(store.engine, SiteState.ACTIVE)
    if not sites:
        raise ConfigError(NO_SITES)
    return sites


def _recover_found(
    store: Store, settings: Settings, summaries: list[RunSummary], site_id: int | None = None
) -> RecoverSummary | None:
    """Recover the placeholders never attempted yet, as a scheduled tick does after its crawl:
    those the crawl found, and those a recovery cut short (or an earlier crawl) left; of one
    site only, given its id."""
    from feedkeeper.records import RunStatus
    from feedkeeper.recover import RecoverOptions, recover
    from feedkeeper.sites_crawl import LONGEST_PAUSE_AMONG_SITES
    from feedkeeper.store.placeholders import has_new_placeholders

    worked = [s for s in summaries if s.status is not RunStatus.FAILED]
    found = any(s.counts.placeholders_found for s in worked)
    if not worked or not (found or has_new_placeholders(store.engine, site_id)):
        return None
    with progress_bar("recovering") as advance:
        options = RecoverOptions(only_new=True, site_id=site_id, progress=advance)
        if len(summaries) > 1:  # many sites' articles: a host's long pause holds up no other
            options.longest_pause = LONGEST_PAUSE_AMONG_SITES
        return recover(store, settings, options)


def _summary_json(summary: RunSummary, recovery: RecoverSummary | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "run_id": summary.run_id,
        "kind": summary.kind,
        "status": summary.status,
        "counts": summary.counts.model_dump(),
        "warnings": summary.warnings,
        "recovery": None,
    }
    if recovery is not None:
        result["recovery"] = {
            "run_id": recovery.run_id,
            "status": recovery.status,
            "counts": recovery.counts.model_dump(),
            "carried_over": recovery.carried_over,
            "still_pending": recovery.still_pending,
            "reason": recovery.reason,
        }
    return result


def import_command(
    files: Annotated[list[Path], typer.Argument(help="Plain-text captures of listing pages.")],
    site: SiteOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Archive plain-text captures of a listing (no URLs: posts are known by their excerpt)."""
    from feedkeeper.importer import import_captures
    from feedkeeper.store import Store, exclusive_lock
    from feedkeeper.store.sites import find_site

    settings = settings_for(config, db=db)
    with (
        exclusive_lock(settings.db, settings.lock_timeout),
        progress_bar("importing", len(files)) as advance,
    ):
        store = Store.open(settings.db)
        target = find_site(store.engine, site, asked_by="--site") if site is not None else None
        summary = import_captures(store, files, progress=advance, site=target)
    print_summary(summary)
    raise typer.Exit(summary.exit_code)


def reparse_command(
    db: DbOption = None,
    profile: ProfileOption = None,
    accept_suspect: Annotated[
        bool,
        typer.Option(
            "--accept-suspect", help="Also archive the cards of pages a crawl refused as suspect."
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Rebuild posts and versions from the stored pages, without fetching anything."""
    from feedkeeper.parse import load_profile
    from feedkeeper.reparse import reparse
    from feedkeeper.store import Store, exclusive_lock

    settings = settings_for(config, db=db, profile=profile)
    site_profile = load_profile(settings.profile) if settings.profile else None
    with exclusive_lock(settings.db, settings.lock_timeout), progress_bar("reparsing") as advance:
        store = Store.open_existing(settings.db)
        summary = reparse(store, site_profile, advance, accept_suspect=accept_suspect)
    print_summary(summary)
    raise typer.Exit(summary.exit_code)


def recover_command(
    db: DbOption = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, max=SQLITE_MAX_INT, help="Fetch at most N articles."),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Also retry placeholders marked unrecoverable.")
    ] = False,
    rate: RateOption = None,
    concurrency: ConcurrencyOption = None,
    ignore_robots: IgnoreRobotsOption = False,
    config: ConfigOption = None,
) -> None:
    """Fill in what the placeholders stood for, from the posts' article pages."""
    from feedkeeper.recover import RecoverOptions, recover
    from feedkeeper.sites_crawl import LONGEST_PAUSE_AMONG_SITES
    from feedkeeper.store import Store, exclusive_lock

    settings = settings_for(
        config, db=db, rate=rate, concurrency=concurrency, ignore_robots=ignore_robots or None
    )
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit: must be 1 or more, got {limit}")
    with exclusive_lock(settings.db, settings.lock_timeout), progress_bar("recovering") as advance:
        # Every site's articles: a host's long pause holds up no other, nor the lock.
        options = RecoverOptions(
            limit, retry_failed, progress=advance, longest_pause=LONGEST_PAUSE_AMONG_SITES
        )
        summary = recover(Store.open_existing(settings.db), settings, options)
    print_recovery(summary)
    raise typer.Exit(summary.exit_code)


def db_upgrade_command(db: DbOption = None, config: ConfigOption = None) -> None:
    """Create the archive or bring its schema up to date (every command also does this)."""
    from feedkeeper.errors import StoreError
    from feedkeeper.store import Store, exclusive_lock
    from feedkeeper.store.engine import damage_of, describe, schema_revision

    settings = settings_for(config, db=db)
    with exclusive_lock(settings.db, settings.lock_timeout):
        store = Store.open(settings.db)
        store.refresh_search()
    # The maintenance command reads the whole file, as no crawl can afford to each time.
    damage = damage_of(store.engine)
    if damage is not None:
        raise StoreError(f"{describe(settings.db)} is damaged: {damage}; restore it from a backup")
    out.print(f"{describe(settings.db)}: schema at revision {schema_revision(store.engine)}")


def demo_command(
    db: Annotated[
        str,
        typer.Option(
            "--db",
            help="The SQLite file the demo archive goes to (a previous demo's is replaced,"
            " nothing else).",
        ),
    ] = "feedkeeper-demo.db",
) -> None:
    """Serve the bundled fixture blog on 127.0.0.1 and archive its five snapshots."""
    from feedkeeper.cli.demo import run_demo

    if "://" in db:
        raise ConfigError(
            "--db: the demo makes a SQLite file: give a file name (a postgresql:// archive"
            " is for crawl, schedule and workers)"
        )
    if not db.strip():
        raise ConfigError("--db: the file name is empty")
    run_demo(Path(db))
