"""Commands for running unattended: schedule, health, config."""

from __future__ import annotations

import json
import logging
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from feedkeeper.cli.common import json_for_stdout, out, output_options, print_json, settings_for
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
    number_option,
)
from feedkeeper.errors import ConfigError

if TYPE_CHECKING:
    from feedkeeper.config import Settings

# `docker inspect` and orchestrators read 1 as "unhealthy".
EXIT_UNHEALTHY = 1

CronOption = Annotated[
    str | None,
    typer.Option(
        "--cron",
        help="Cron expression, local time [default: $FEEDKEEPER_SCHEDULE, else */30 * * * *].",
    ),
]
EveryOption = Annotated[
    str | None, typer.Option("--every", help="Run at this interval instead: 90s, 10m, 2h, 1d.")
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("schedule")(schedule_command)
    app.command("health")(health_command)
    app.command("config")(config_command)


def schedule_command(
    url: UrlOption = None,
    db: DbOption = None,
    cron: CronOption = None,
    every: EveryOption = None,
    jitter: Annotated[
        float | None,
        typer.Option(
            "--jitter",
            help="Delay each run by up to this many seconds [default: 30].",
            parser=number_option,
            metavar="FLOAT",
        ),
    ] = None,
    run_now: Annotated[
        bool, typer.Option("--run-now", help="Also crawl once right at start.")
    ] = False,
    full: FullOption = False,
    max_pages: MaxPagesOption = None,
    profile: ProfileOption = None,
    rate: RateOption = None,
    concurrency: ConcurrencyOption = None,
    ignore_robots: IgnoreRobotsOption = False,
    config: ConfigOption = None,
) -> None:
    """Crawl on a schedule in the foreground until SIGTERM or SIGINT."""
    from feedkeeper.logs import configure_logging
    from feedkeeper.parse import load_profile
    from feedkeeper.pipeline import CrawlOptions
    from feedkeeper.schedule import Daemon, check_archive, check_sites, serve_until_signalled

    _refuse_both_cadences(cron, every)
    settings = _cadence_settings(
        config,
        cron,
        url=url,
        db=db,
        every=every,
        jitter=jitter,
        run_now=run_now or None,
        full=full or None,
        max_pages=max_pages,
        profile=profile,
        rate=rate,
        concurrency=concurrency,
        ignore_robots=ignore_robots or None,
    )
    configure_logging(
        settings.log_format, level=logging.ERROR if output_options().quiet else logging.INFO
    )
    from feedkeeper.config import is_database_url

    if is_database_url(settings.db):  # the ticks that defer each site's crawl, for the workers
        from feedkeeper.cli.workers import run_queue_worker
        from feedkeeper.jobs import SCHEDULE_QUEUE

        run_queue_worker(settings, 30.0, queues=[SCHEDULE_QUEUE], jobs=1)
        return
    check_sites(settings)
    options = CrawlOptions(profile=load_profile(settings.profile) if settings.profile else None)
    daemon = Daemon(settings, options)
    check_archive(settings)
    serve_until_signalled(daemon)


def health_command(
    db: DbOption = None,
    cron: CronOption = None,
    every: EveryOption = None,
    as_json: JsonOption = False,
    site: SiteOption = None,
    config: ConfigOption = None,
) -> None:
    """Exit 0 if the archive is readable and every active site (or --site) had a good crawl
    within 3 scheduled intervals."""
    from feedkeeper.health import check_health

    _refuse_both_cadences(cron, every)
    health = check_health(_cadence_settings(config, cron, db=db, every=every), site=site)
    verdict = "healthy" if health.is_healthy else "unhealthy"
    if as_json:
        print_json({"healthy": health.is_healthy, "reason": health.reason})
    else:
        out.print(f"{verdict}: {health.reason}", markup=False, highlight=False)
    if not health.is_healthy:
        raise typer.Exit(EXIT_UNHEALTHY)


def _refuse_both_cadences(cron: str | None, every: str | None) -> None:
    if cron is not None and every is not None:
        raise ConfigError("--cron and --every: give one of them, not both")


def _cadence_settings(config: Path | None, cron: str | None, **overrides: Any) -> Settings:
    """Settings with ``--cron`` winning over an interval from the file or the environment."""
    settings = settings_for(config, schedule=cron, **overrides)
    if cron is not None and settings.every is not None:
        return replace(settings, every=None)  # an option beats the settings below it
    return settings


def config_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of TOML.")] = False,
    config: ConfigOption = None,
) -> None:
    """Print the effective settings: defaults < config file < FEEDKEEPER_* environment."""
    from feedkeeper.config import Settings

    settings = _shown(settings_for(config))
    if as_json:
        values = {f.name: _plain(getattr(settings, f.name)) for f in fields(Settings)}
        out.print_json(json_for_stdout(values))
        return
    for line in settings_as_toml(settings):
        print(line)


def _shown(settings: Settings) -> Settings:
    """The settings as printed: credentials in the site's or the database's URL hidden."""
    from feedkeeper.scope import hide_credentials

    url = hide_credentials(settings.url) if settings.url else settings.url
    db = hide_credentials(settings.db) if isinstance(settings.db, str) else settings.db
    return replace(settings, url=url, db=db)


def settings_as_toml(settings: Settings) -> list[str]:
    """Render settings as feedkeeper.toml lines; an unset setting becomes a comment."""
    from feedkeeper.config import Settings

    lines = []
    for field in fields(Settings):
        value = getattr(settings, field.name)
        if value is None:
            lines.append(f"# {field.name} is not set")
        else:
            lines.append(f"{field.name} = {_toml(value)}")
    return lines


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    # A JSON string is a valid TOML basic string.
    return json.dumps(str(value), ensure_ascii=False)
