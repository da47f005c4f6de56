"""`feedkeeper worker`: crawl the archive's sites, alone or beside other workers."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Annotated

import typer

from feedkeeper.cli.common import output_options, settings_for
from feedkeeper.cli.options import (
    ConcurrencyOption,
    ConfigOption,
    DbOption,
    IgnoreRobotsOption,
    RateOption,
)
from feedkeeper.errors import ConfigError

if TYPE_CHECKING:
    from feedkeeper.config import Settings

StalledOption = Annotated[
    float,
    typer.Option(
        "--stalled-after",
        min=1,
        help="Seconds without a heartbeat after which a worker is taken for dead"
        " and its crawl is queued again (PostgreSQL).",
    ),
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("worker")(worker_command)


def worker_command(
    db: DbOption = None,
    jobs: Annotated[
        int, typer.Option("--jobs", min=1, help="Sites this worker crawls at once (PostgreSQL).")
    ] = 1,
    stalled_after: StalledOption = 30.0,
    rate: RateOption = None,
    concurrency: ConcurrencyOption = None,
    ignore_robots: IgnoreRobotsOption = False,
    config: ConfigOption = None,
) -> None:
    """Crawl every active site when it is due, until SIGTERM or SIGINT.

    With a postgresql:// archive this is a procrastinate worker: start as many as you
    like, on as many machines; with a SQLite file, the schedule daemon of this process.
    """
    from feedkeeper.config import is_database_url
    from feedkeeper.logs import configure_logging

    settings = settings_for(
        config,
        db=db,
        rate=rate,
        concurrency=concurrency,
        ignore_robots=ignore_robots or None,
    )
    quiet = output_options().quiet
    configure_logging(settings.log_format, level=logging.ERROR if quiet else logging.INFO)
    if not is_database_url(settings.db):
        _serve_embedded(settings)
        return
    run_queue_worker(settings, stalled_after, queues=None, jobs=jobs)


def run_queue_worker(
    settings: Settings, stalled_after: float, queues: list[str] | None, jobs: int
) -> None:
    """Run a procrastinate worker on the archive's database (Ctrl-C or SIGTERM stops it)."""
    from feedkeeper.jobs import WorkerTimings, run_worker

    try:
        asyncio.run(run_worker(settings, WorkerTimings(stalled_after), queues, jobs))
    except OSError as exc:
        raise ConfigError(f"setting db: cannot reach the database: {exc}") from exc


def _serve_embedded(settings: Settings) -> None:
    from feedkeeper.schedule import Daemon, check_archive, check_sites, serve_until_signalled

    check_sites(settings)
    daemon = Daemon(settings)
    check_archive(settings)
    serve_until_signalled(daemon)
