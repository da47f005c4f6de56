"""`feedkeeper sites`: the blogs an archive keeps (add, list, pause, resume, remove)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from feedkeeper.cli.common import App, out, settings_for
from feedkeeper.cli.options import ConfigOption, DbOption
from feedkeeper.errors import ConfigError
from feedkeeper.logs import mask_credentials

if TYPE_CHECKING:
    from feedkeeper.records import SiteState
    from feedkeeper.store.sites import Site

sites_app = App(help="The blogs the archive keeps.", no_args_is_help=True, rich_markup_mode=None)

NameArgument = Annotated[str, typer.Argument(help="The site's name (see `feedkeeper sites list`).")]


def register(app: typer.Typer) -> None:
    """Add the `sites` commands to the app."""
    app.add_typer(sites_app, name="sites")
    sites_app.command("add")(add_command)
    sites_app.command("list")(list_command)
    sites_app.command("pause")(pause_command)
    sites_app.command("resume")(resume_command)
    sites_app.command("remove")(remove_command)


def add_command(
    url: Annotated[str, typer.Argument(help="The blog's first listing page.")],
    name: Annotated[
        str | None, typer.Option("--name", help="What to call it [default: the URL's host].")
    ] = None,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="A TOML site profile for this site.")
    ] = None,
    every: Annotated[
        str | None, typer.Option("--every", help="Crawl it at this interval (30m, 2h).")
    ] = None,
    cron: Annotated[
        str | None, typer.Option("--cron", help="Crawl it on this cron expression.")
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Add a blog to the archive (crawled by `crawl` and the schedule from now on)."""
    from feedkeeper.config import check_url
    from feedkeeper.store import Store, exclusive_lock
    from feedkeeper.store.sites import NewSite, add_site

    check_url(url, "URL")
    new = NewSite(url, name, _checked_profile(profile), *_checked_cadence(every, cron))
    settings = settings_for(config, db=db)
    with exclusive_lock(settings.db, settings.lock_timeout):
        site = add_site(Store.open(settings.db).engine, new)
    shown = mask_credentials(site.url)
    out.print(f"site {site.name}: {shown} ({site.state})", markup=False, highlight=False)


def _checked_profile(profile: Path | None) -> str | None:
    if profile is None:
        return None
    if not profile.is_file():
        raise ConfigError(f"--profile: no such file {profile}")
    return str(profile.resolve())


def _checked_cadence(every: str | None, cron: str | None) -> tuple[str | None, str | None]:
    from feedkeeper.triggers import parse_cron, parse_interval

    if every is not None and cron is not None:
        raise ConfigError("--every and --cron: give one or the other")
    try:
        if every is not None:
            parse_interval(every)
        if cron is not None:
            parse_cron(cron)
    except ValueError as exc:
        option = "--every" if every is not None else "--cron"
        raise ConfigError(f"{option}: {exc}") from None
    return every, cron


def list_command(db: DbOption = None, config: ConfigOption = None) -> None:
    """List the sites: name, state, schedule and first listing page."""
    from feedkeeper.store.read import open_reader
    from feedkeeper.store.sites import list_sites

    settings = settings_for(config, db=db)
    sites = list_sites(open_reader(settings.db))  # a read-only copy is listed too
    if not sites:
        out.print("no sites yet: add one with `feedkeeper sites add URL`", markup=False)
        return
    for site in sites:
        out.print(_line(site), markup=False, highlight=False)


def _line(site: Site) -> str:
    cadence = f"every {site.every}" if site.every else (f"cron {site.cron}" if site.cron else "-")
    return f"{site.name}  {site.state}  {cadence}  {mask_credentials(site.url)}"


def pause_command(name: NameArgument, db: DbOption = None, config: ConfigOption = None) -> None:
    """Leave a site out of `crawl` and the schedule until it is resumed."""
    from feedkeeper.records import SiteState

    _set(name, SiteState.PAUSED, "pause", (db, config))


def resume_command(name: NameArgument, db: DbOption = None, config: ConfigOption = None) -> None:
    """Crawl a paused (or removed) site again."""
    from feedkeeper.records import SiteState

    _set(name, SiteState.ACTIVE, "resume", (db, config))


def _set(name: str, state: SiteState, verb: str, where: tuple[str | None, Path | None]) -> None:
    from feedkeeper.store import Store, exclusive_lock
    from feedkeeper.store.sites import set_state

    db, config = where
    settings = settings_for(config, db=db)
    with exclusive_lock(settings.db, settings.lock_timeout):
        site = set_state(Store.open(settings.db).engine, name, state, asked_by=f"sites {verb}")
    out.print(f"site {site.name}: {site.state}", markup=False, highlight=False)


def remove_command(
    name: NameArgument,
    purge: Annotated[
        bool, typer.Option("--purge", help="Also delete every post, run and page of the site.")
    ] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Stop crawling a site; its archived posts stay unless --purge."""
    from feedkeeper.store import Store, exclusive_lock
    from feedkeeper.store.sites import remove_site

    settings = settings_for(config, db=db)
    with exclusive_lock(settings.db, settings.lock_timeout):
        site = remove_site(
            Store.open(settings.db).engine, name, purge=purge, asked_by="sites remove"
        )
    what = "removed with everything archived from it" if purge else "removed, its posts kept"
    out.print(f"site {site.name}: {what}", markup=False, highlight=False)
